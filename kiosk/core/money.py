"""Money is integer fen end to end. Decimal with ROUND_HALF_UP only at input and display."""
from __future__ import annotations

import re
from decimal import ROUND_HALF_UP, Decimal, InvalidOperation

from kiosk.core.errors import Refusal

_AMOUNT = re.compile(r"^\s*[¥￥]?\s*(-?)\s*(\d{1,9}(?:,\d{3})*|\d+)?(?:\.(\d+))?\s*(元|yuan|CNY)?\s*$", re.I)
MAX_FEN = 10_000_000_00  # ten million yuan: anything above is a typing slip at a front desk


class AmountError(Refusal, ValueError):
    """A typed amount that cannot be read as money (a Refusal)."""


def parse_amount(text: str, *, allow_negative: bool = False) -> int:
    """Read a typed amount in yuan ("12.5", "¥1,234.56", "3元") into integer fen.

    Rounds half up to the fen. Raises AmountError with a message fit for the screen.
    """
    if text is None:
        raise AmountError("amount is empty")
    match = _AMOUNT.match(str(text))
    if not match or (match.group(2) is None and match.group(3) is None):
        raise AmountError("not an amount: {text}", text=repr(text))
    sign, whole, frac = match.group(1), (match.group(2) or "0").replace(",", ""), match.group(3) or "0"
    try:
        value = Decimal(f"{whole}.{frac}")
    except InvalidOperation as exc:  # pragma: no cover - the regex already guards this
        raise AmountError("not an amount: {text}", text=repr(text)) from exc
    fen = int((value * 100).quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    if sign:
        if not allow_negative:
            raise AmountError("amount must not be negative")
        fen = -fen
    if abs(fen) > MAX_FEN:
        raise AmountError("amount is too large")
    return fen


def fen_to_decimal(fen: int) -> Decimal:
    """Exact yuan value of an amount in fen (for spreadsheets and reports)."""
    if not isinstance(fen, int):
        raise TypeError(f"money must be int fen, got {type(fen).__name__}")
    return (Decimal(fen) / 100).quantize(Decimal("0.01"))


def format_fen(fen: int, *, symbol: str = "¥", grouping: bool = True) -> str:
    """Display form: ¥1,234.50 (negative as -¥3.00)."""
    value = fen_to_decimal(fen)
    sign = "-" if value < 0 else ""
    body = f"{abs(value):,.2f}" if grouping else f"{abs(value):.2f}"
    return f"{sign}{symbol}{body}"
