"""The counter's refusal type, in its own module so every counter module (sales, shifts, stock counts)
can raise it without importing the others."""
from __future__ import annotations

from kiosk.core.errors import Refusal


class CounterError(Refusal, ValueError):
    """A refused sale or change (a Refusal: msgid, field=, values as params); nothing was written."""
