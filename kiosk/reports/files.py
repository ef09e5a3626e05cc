"""Safe files on a stick that may be pulled: temp name in the destination, fsync, rename.

A file only ever appears under its final name complete. Anything that goes wrong (stick pulled,
folder gone, read-only, disk full) becomes an :class:`ExportError` with a message for the screen,
and the partial temp file is removed when the medium still allows it.
"""
from __future__ import annotations

import contextlib
import errno
import os
import re
from pathlib import Path
from typing import Iterator

from kiosk.core.errors import Refusal, os_reason

PARTIAL_SUFFIX = ".partial"
# What a spreadsheet reads as the start of a formula: ASCII and full-width (Excel and WPS on a Chinese
# system take ＝＋－＠ as formula starts too), and a leading tab or carriage return.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
FORMULA_CHARS = frozenset(FORMULA_STARTS)
_ALWAYS = frozenset(("=", "@", "\t", "\r", "\uff1d", "\uff20"))
# A sign followed by one number (-5, +3.5) is that number: a spreadsheet computes nothing from it, so it
# needs no guard (a guard would show in a CSV). Anything more after a sign is an expression Excel and WPS
# evaluate: -1-1 is -2, +86-138-0013-8000 is -8065, +86 138 0013 8000 is #NULL! (a space intersects).
_NUMBER_LIKE = re.compile(r"[+\-\uff0b\uff0d][0-9\uff10-\uff19]+([.\uff0e][0-9\uff10-\uff19]+)?\Z")
_LEADING_BLANKS = " \n\u3000"


class ExportError(Refusal, RuntimeError):
    """The export could not be completed (a Refusal: msgid with the file or folder as params)."""


def is_formula(text: str) -> bool:
    """True when a spreadsheet would run text as a formula (leading blanks are skipped, as Excel does)."""
    head = text.lstrip(_LEADING_BLANKS)
    if not head or head[0] not in FORMULA_CHARS:
        return False
    return head[0] in _ALWAYS or _NUMBER_LIKE.match(head) is None


def neutralise(text: str) -> str:
    """Prefix a single quote to text a spreadsheet would run as a formula, and only to that (CSV)."""
    return "'" + text if is_formula(text) else text


def _fsync_dir(folder: Path) -> None:
    with contextlib.suppress(OSError):  # not every filesystem (vfat on some kernels) allows it
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


@contextlib.contextmanager
def atomic_path(final: Path) -> Iterator[Path]:
    """Yield a temp path next to ``final``; on success fsync and rename it into place."""
    tmp = final.with_name(f".{final.name}.{os.getpid()}{PARTIAL_SUFFIX}")
    try:
        # Owner-only from its first byte whatever the umask: an export holds names and phone numbers.
        with contextlib.suppress(FileExistsError):
            os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
        with contextlib.suppress(OSError):  # FAT sticks have no modes
            os.chmod(tmp, 0o600)
        yield tmp
        with contextlib.suppress(OSError):  # a writer that replaced the file instead of truncating it
            os.chmod(tmp, 0o600)
        fd = os.open(tmp, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, final)
        _fsync_dir(final.parent)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            tmp.unlink()
        if isinstance(exc, OSError):
            folder = _shown_folder(final.parent)
            if exc.errno == errno.ENOSPC:
                raise ExportError("could not write {name} to {folder}: {reason}. Nothing of this export was kept: "
                                  "free some space or use another stick.", name=final.name, folder=folder,
                                  reason=os_reason(exc)) from exc
            raise ExportError("could not write {name} to {folder}: {reason}. Was the USB stick removed? "
                              "Nothing written there is marked complete.", name=final.name, folder=folder,
                              reason=os_reason(exc)) from exc
        raise


def _shown_folder(folder: Path) -> str:
    """The export folder as the manager will see it: the final name, not the hidden work folder."""
    name = folder.name
    if name.startswith(".") and name.endswith(PARTIAL_SUFFIX):
        return str(folder.with_name(name[1:-len(PARTIAL_SUFFIX)]))
    return str(folder)


def check_writable(folder: Path) -> None:
    """Fail early, with a clear message, when the destination cannot take files."""
    if not folder.exists():
        raise ExportError("destination {folder} does not exist (is the USB stick plugged in?)", folder=str(folder))
    if not folder.is_dir():
        raise ExportError("destination {folder} is not a folder", folder=str(folder))
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ExportError("destination {folder} is read-only", folder=str(folder))
