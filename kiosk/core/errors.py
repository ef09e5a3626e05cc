"""One refusal type for every area: a service says no with a msgid, the field it is about, and values.

A service that refuses a request raises :class:`Refusal` (or an area's subclass of it) and writes
nothing. The screen never parses the text: it translates ``msgid`` into its own language, fills in
``params`` and marks ``field`` (see ``screens.widgets.common.show_refusal``). ``str(refusal)`` is the
English sentence, for logs and the command line.

Values that name things (a SKU, a path, a number) travel as params, never inside the msgid, so the
sentence stays one catalogue entry (tests/core/test_core_i18n.py checks every raised msgid).
"""
from __future__ import annotations

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
        return self._fill(self.msgid)

    def __repr__(self) -> str:
        return f"{type(self).__name__}({self.msgid!r}, field={self.field!r}, **{self.params!r})"

    def message(self, lang: str) -> str:
        """The refusal in ``lang`` (zh_CN or en): the msgid translated, then the values filled in."""
        from kiosk.core.i18n import gettext  # lazy: i18n reads the config, whose module must stay light
        return self._fill(gettext(self.msgid, lang))

    def _fill(self, text: str) -> str:
        if not self.params:
            return text
        try:
            return text.format(**self.params)
        except (KeyError, IndexError, ValueError):  # a broken translation must not hide the refusal
            return self.msgid + " " + ", ".join(f"{k}={v}" for k, v in sorted(self.params.items()))


# What staff read for an error that is not a refusal: its kind, never its raw text (which may be English,
# or hold personal data from a query).
FAILED = "Something went wrong ({error}). The desk keeps running; the details are in the log."


def message_of(exc: BaseException, lang: str) -> str:
    """Any exception as text for a screen: a refusal translated, anything else a translated notice that
    names only the kind of error."""
    if isinstance(exc, Refusal):
        return exc.message(lang)
    from kiosk.core.i18n import gettext
    return gettext(FAILED, lang).format(error=type(exc).__name__)
