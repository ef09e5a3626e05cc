"""The per-day breakdown of a range: one row per local day (visitors, calls, takings, lost items).

Each figure follows the same rule as the range's summary, so the days add up to the range: calls
by kiosk.phone.calllog's outcome rules, takings by kiosk.counter.shifts.payment_totals (net of voids and
refunds, by payment method). Days are local days in the site's time zone (DST-safe bounds).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import sqlite_utils

from kiosk.core.clock import parse_iso, utc_iso
from kiosk.reports.logs import existing_tables


@dataclass
class DayRow:
    """One local day's figures (None: the area's tables are not in this database)."""

    day: date
    visitors: int | None = None
    calls: int | None = None
    answered: int | None = None
    missed: int | None = None
    takings: dict[str, int] | None = None     # method -> fen, net
    lost_received: int | None = None

    @property
    def takings_fen(self) -> int | None:
        return None if self.takings is None else sum(self.takings.values())


@dataclass
class PerDay:
    """The breakdown, with every payment method that occurs on any day (for fixed columns)."""

    rows: list[DayRow] = field(default_factory=list)
    methods: list[str] = field(default_factory=list)


def _bounds(first: date, last: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
    """UTC [start, end) of local days first..last (the same rule as kiosk.reports.summary.range_bounds,
    which imports this module: no loop back to it)."""
    start = datetime.combine(first, datetime.min.time(), tz)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tz)
    return start.astimezone(timezone.utc), end.astimezone(timezone.utc)


def build(db: sqlite_utils.Database, first: date, last: date, tz_name: str, calls: list | None = None) -> PerDay:
    """One row per local day first..last (inclusive); calls: kiosk.phone.calllog.calls_between over the same
    days when the caller has read it already."""
    tz = ZoneInfo(tz_name)
    range_bounds = lambda a, b, _name: _bounds(a, b, tz)  # noqa: E731 - the summary's signature
    days = [first + timedelta(days=i) for i in range((last - first).days + 1)]
    rows = {day: DayRow(day) for day in days}
    start, end = range_bounds(first, last, tz_name)
    bounds = (utc_iso(start), utc_iso(end))
    tables = existing_tables(db)

    def local_day(text: str) -> date:
        return parse_iso(text).astimezone(tz).date()

    day_bounds = {day: tuple(utc_iso(b) for b in range_bounds(day, day, tz_name)) for day in days}

    def count_by_day(sql: str) -> dict[date, int]:
        """One indexed COUNT per local day (its own DST-safe bounds): a month's rows never come to Python."""
        return {day: db.execute(sql, day_bounds[day]).fetchone()[0] for day in days}

    if "visits" in tables:
        for day, n in count_by_day("SELECT COUNT(*) FROM visits WHERE signed_in_at >= ? AND signed_in_at < ?").items():
            rows[day].visitors = n
    if {"calls", "call_events", "call_notes", "callbacks_done"} <= tables:
        from kiosk.phone import calllog
        for row in rows.values():
            row.calls = row.answered = row.missed = 0
        for call in calllog.calls_between(db, start, end) if calls is None else calls:
            if call.outcome == "ringing":
                continue  # as the summary's figures: a call still ringing has no outcome yet
            row = rows[local_day(call.started_at)]
            row.calls += 1
            if call.outcome == "answered" and call.source in ("offhook", "staff"):
                row.answered += 1
            elif call.outcome == "missed":
                row.missed += 1
    methods: set[str] = set()
    try:
        from kiosk.counter import shifts
    except ImportError:
        shifts = None
    if shifts is not None and {"sales", "payments", "fee_collections"} <= tables:
        for day in days:
            day_start, day_end = (parse_iso(b) for b in day_bounds[day])
            totals = {str(k): int(v) for k, v in shifts.payment_totals(db, day_start, day_end).items()}
            rows[day].takings = totals
            methods.update(totals)
    if "lf_items" in tables:
        for day, n in count_by_day("SELECT COUNT(*) FROM lf_items WHERE created_at >= ? AND created_at < ?").items():
            rows[day].lost_received = n
    order = ["cash", "card", "mobile"]
    return PerDay([rows[d] for d in days], sorted(methods, key=lambda m: (order.index(m) if m in order else 9, m)))
