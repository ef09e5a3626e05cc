"""One refusal type for every area: a service says no with a msgid, the field it is about, and values.

A service that refuses a request raises :class:`Refusal` (or an area's subclass of it) and writes
nothing. The screen never parses the text: it translates ``msgid`` into its own language, fills in
``params`` and marks ``field`` (see ``screens.widgets.common.show_refusal``). ``str(refusal)`` is the
English sentence, for logs and the command line.

Values that name things (a SKU, a path, a number) travel as params, never inside the msgid, so the
sentence stays one catalogue entry (tests/core/test_core_i18n.py checks every raised msgid).
"""
from __future__ import annotations

import errno
from typing import Any


class Refusal(Exception):
    """A refused request: nothing was written.

    msgid: the English sentence, possibly with ``{name}`` placeholders; field: which input it is
    about (a service's own field key, e.g. "phone" or "quantity"), or None for the request as a whole.
    """

    def __init__(self, msgid: str, field: str | None = None, **params: Any) -> None:
        if not isinstance(msgid, str) or not msgid:
            raise TypeError("a refusal needs a msgid (the English sentence)")
        self.msgid, self.field, self.params = msgid, field, params
        super().__init__(msgid)

    def __str__(self) -> str:
        return self._fill(self.msgid, self.params)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.msgid!r}, field={self.field!r}, **{self.params!r})"

    def message(self, lang: str) -> str:
        """The refusal in ``lang`` (zh_CN or en): the msgid translated, then the values filled in."""
        from kiosk.core.i18n import gettext  # lazy: i18n reads the config, whose module must stay light
        params = {k: gettext(v, lang) if isinstance(v, Msg) else v for k, v in self.params.items()}
        return self._fill(gettext(self.msgid, lang), params)

    def _fill(self, text: str, params: dict[str, Any]) -> str:
        if not params:
            return text
        try:
            return text.format(**params)
        except (KeyError, IndexError, ValueError):  # a broken translation must not hide the refusal
            return self.msgid + " " + ", ".join(f"{k}={v}" for k, v in sorted(params.items()))


class Msg(str):
    """A refusal's value that is itself a msgid (a reason), translated with the sentence it fills."""


# What a storage fault means for the person at the desk, by errno (the OS's own text is English).
_OS_REASONS = {
    errno.ENOSPC: "the disk or USB stick is full", errno.EDQUOT: "the disk or USB stick is full",
    errno.EROFS: "the disk or USB stick is read-only", errno.EACCES: "the kiosk may not write there",
    errno.EPERM: "the kiosk may not write there", errno.ENOENT: "the folder is gone (was the USB stick removed?)",
    errno.ENODEV: "the folder is gone (was the USB stick removed?)",
    errno.ENOTCONN: "the folder is gone (was the USB stick removed?)",  # a FUSE stick whose driver lost it
    errno.ENXIO: "the folder is gone (was the USB stick removed?)", errno.EIO: "the disk or USB stick could not be read or written",
}


def os_reason(exc: OSError) -> Msg:
    """A storage fault as a translatable reason (for a refusal's ``reason`` value)."""
    return Msg(_OS_REASONS.get(exc.errno, "the disk or USB stick could not be read or written"))


# What staff read for an error that is not a refusal: its kind, never its raw text (which may be English,
# or hold personal data from a query).
FAILED = "Something went wrong ({error}). The desk keeps running; the details are in the log."
STORAGE_FAILED = "Could not save: {reason}. Nothing half-written was kept."


def message_of(exc: BaseException, lang: str) -> str:
    """Any exception as text for a screen: a refusal translated; a storage fault as what it means;
    anything else a translated notice that names only the kind of error."""
    from kiosk.core.i18n import gettext
    if isinstance(exc, Refusal):
        return exc.message(lang)
    if isinstance(exc, OSError) and exc.errno is not None:
        return gettext(STORAGE_FAILED, lang).format(reason=gettext(os_reason(exc), lang))
    return gettext(FAILED, lang).format(error=type(exc).__name__)
