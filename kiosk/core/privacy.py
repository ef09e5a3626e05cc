"""Personal data rules shared by the registers: identity numbers are stored and shown masked."""
from __future__ import annotations

import re

_ID_CLEAN = re.compile(r"[\s-]")


def mask_id_number(number: str) -> str:
    """First 6 and last 4 characters kept, the rest starred: 110101********1234."""
    number = _ID_CLEAN.sub("", number or "")
    if len(number) <= 10:
        return number[:2] + "*" * max(0, len(number) - 2)
    return number[:6] + "*" * (len(number) - 10) + number[-4:]


def mask_name(name: str) -> str:
    """王*明 / W*** style hint that does not disclose a name to another visitor."""
    name = (name or "").strip()
    if len(name) <= 1:
        return name
    if len(name) == 2:
        return name[0] + "*"
    return name[0] + "*" * (len(name) - 2) + name[-1]


def mask_phone(phone: str) -> str:
    """138****8000."""
    digits = re.sub(r"\D", "", phone or "")
    if len(digits) < 7:
        return "*" * len(digits)
    return digits[:3] + "*" * (len(digits) - 7) + digits[-4:]
