"""Safe files on a stick that may be pulled: temp name in the destination, fsync, rename.

A file only ever appears under its final name complete. Anything that goes wrong (stick pulled,
folder gone, read-only, disk full) becomes an :class:`ExportError` with a message for the screen,
and the partial temp file is removed when the medium still allows it.
"""
from __future__ import annotations

import contextlib
import os
from pathlib import Path
from typing import Iterator

from kiosk.core.errors import Refusal, os_reason

PARTIAL_SUFFIX = ".partial"
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
FORMULA_CHARS = frozenset(FORMULA_STARTS)


class ExportError(Refusal, RuntimeError):
    """The export could not be completed (a Refusal: msgid with the file or folder as params)."""


def neutralise(text: str) -> str:
    """Prefix a single quote to text a spreadsheet would run as a formula."""
    return "'" + text if text.startswith(FORMULA_STARTS) else text


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
            raise ExportError("could not write {name} to {folder}: {reason}. Was the USB stick removed? "
                              "Nothing written there is marked complete.", name=final.name, folder=str(final.parent),
                              reason=os_reason(exc)) from exc
        raise


def check_writable(folder: Path) -> None:
    """Fail early, with a clear message, when the destination cannot take files."""
    if not folder.exists():
        raise ExportError("destination {folder} does not exist (is the USB stick plugged in?)", folder=str(folder))
    if not folder.is_dir():
        raise ExportError("destination {folder} is not a folder", folder=str(folder))
    if not os.access(folder, os.W_OK | os.X_OK):
        raise ExportError("destination {folder} is read-only", folder=str(folder))
