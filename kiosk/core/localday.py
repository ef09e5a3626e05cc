"""The site zone's UTC offsets as rows, for the local-day views of migration 0020.

SQLite has no time-zone database, and analysts open the file with sqlite-utils or Datasette, where
the app's functions are not registered. So the offsets are data: ``local_offsets`` holds intervals of
UTC time with one offset each, made here from Python's zoneinfo (tzdata) for the configured zone and
rewritten when the zone changes. The views add ``offset_minutes`` to each stored UTC time.
"""
from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlite_utils

from kiosk.core.clock import utc_iso
from kiosk.core.db import write

FIRST_YEAR, LAST_YEAR = 2000, 2100   # the box keeps no record from before 2000; 2100 is far enough
# The local days a report, an export or the demo seed may name: the years the offsets above cover. A day
# outside them (0001-01-01, 9999-12-31) would overflow when its bounds are turned into UTC.
FIRST_DAY, LAST_DAY = date(FIRST_YEAR, 1, 1), date(LAST_YEAR - 1, 12, 31)
BEGIN, END = "0000-01-01T00:00:00.000000+00:00", "9999-12-31T23:59:59.999999+00:00"


def _offset(tz: ZoneInfo, moment: datetime) -> int:
    return int(moment.astimezone(tz).utcoffset().total_seconds() // 60)


def rules(tz_name: str) -> list[tuple[str, str, int]]:
    """(utc_from, utc_to, offset_minutes) covering all time: the zone's offsets FIRST_YEAR..LAST_YEAR, the
    first one stretched back and the last one forward. Changes are found day by day, then to the minute
    by bisection (a bounded loop: 36,890 days, 11 halvings each change)."""
    tz = ZoneInfo(tz_name)
    moment = datetime(FIRST_YEAR, 1, 1, tzinfo=timezone.utc)
    last = datetime(LAST_YEAR, 1, 1, tzinfo=timezone.utc)
    current = _offset(tz, moment)
    out: list[tuple[str, str, int]] = []
    start = BEGIN
    day = timedelta(days=1)
    while moment < last:
        following = moment + day
        if _offset(tz, following) != current:
            low, high = moment, following
            while high - low > timedelta(minutes=1):
                mid = low + (high - low) / 2
                if _offset(tz, mid) == current:
                    low = mid
                else:
                    high = mid
            change = high.replace(second=0, microsecond=0)
            out.append((start, utc_iso(change), current))
            start, current = utc_iso(change), _offset(tz, change)
        moment = following
    out.append((start, END, current))
    return out


def sync(db: sqlite_utils.Database, tz_name: str) -> bool:
    """Make local_offsets hold tz_name's offsets; True when it had to rewrite them. Cheap when in step."""
    try:
        zones = {row[0] for row in db.execute("SELECT DISTINCT tz FROM local_offsets")}
    except Exception:  # noqa: BLE001 - an older schema without the table (nothing to keep in step)
        return False
    if zones == {tz_name}:
        return False
    table = rules(tz_name)
    with write(db):
        db.execute("DELETE FROM local_offsets")
        db.conn.executemany("INSERT INTO local_offsets (utc_from, utc_to, offset_minutes, tz) VALUES (?, ?, ?, ?)",
                            [(a, b, minutes, tz_name) for a, b, minutes in table])
    return True
