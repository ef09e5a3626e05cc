"""Dates for tests that seed through the CLI on the real clock: a whole past day, so what is seeded does
not depend on the hour the suite runs (before 08:00 in Shanghai, "today" holds no activity yet)."""
from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo


def yesterday(tz: str = "Asia/Shanghai") -> str:
    """Yesterday at the site, as the CLI's --end-day takes it."""
    return (datetime.now(ZoneInfo(tz)).date() - timedelta(days=1)).isoformat()
