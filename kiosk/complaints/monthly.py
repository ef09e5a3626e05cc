"""The monthly complaints report: counts by category, responsibility, outcome and follow-up, on-time
rates for each deadline, the major complaints, and whether the month's report has been exported."""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime
from zoneinfo import ZoneInfo

import sqlite_utils

from kiosk.complaints import rules as R
from kiosk.complaints import service
from kiosk.complaints.service import Complaint
from kiosk.core.clock import Clock, utc_iso


def month_bounds(year: int, month: int, tz: str) -> tuple[datetime, datetime]:
    """Start and end (aware, local midnight) of a calendar month in the site's time zone."""
    zone = ZoneInfo(tz)
    start = datetime(year, month, 1, tzinfo=zone)
    end = datetime(year + (month == 12), month % 12 + 1, 1, tzinfo=zone)
    return start, end


def previous_month(today: date) -> tuple[int, int]:
    return (today.year - 1, 12) if today.month == 1 else (today.year, today.month - 1)


@dataclass(frozen=True)
class Rate:
    """How many of the complaints a deadline applied to met it (due ones not yet done count as late)."""

    on_time: int
    due: int

    @property
    def share(self) -> float | None:
        return round(self.on_time / self.due, 4) if self.due else None


@dataclass
class MonthReport:
    """One month's figures (taken in that month, as they stand when the report is built)."""

    year: int
    month: int
    total: int = 0
    by_kind: dict[str, int] = field(default_factory=dict)
    by_category: dict[str, int] = field(default_factory=dict)
    by_responsibility: dict[str, int] = field(default_factory=dict)
    by_outcome: dict[str, int] = field(default_factory=dict)       # resolved / referred / not_resolved / open
    by_follow_up: dict[str, int] = field(default_factory=dict)     # satisfied / ... / due / not_required
    start: Rate = Rate(0, 0)
    resolve: Rate = Rate(0, 0)
    callback: Rate = Rate(0, 0)
    assisted_resolved: int = 0
    assisted_called_back: int = 0
    assisted_target: float = 0.30
    majors: list[Complaint] = field(default_factory=list)

    @property
    def label(self) -> str:
        return f"{self.year:04d}-{self.month:02d}"

    @property
    def assisted_share(self) -> float | None:
        return round(self.assisted_called_back / self.assisted_resolved, 4) if self.assisted_resolved else None


def _count(into: dict[str, int], key: str) -> None:
    into[key] = into.get(key, 0) + 1


def _rate(items: list[tuple[str, str | None]], now_iso: str) -> Rate:
    """(due, done) pairs: done by due is on time; not done and not yet due is left out."""
    on_time = due = 0
    for deadline, done in items:
        if done is None and deadline > now_iso:
            continue
        due += 1
        on_time += int(done is not None and done <= deadline)
    return Rate(on_time, due)


def build(db: sqlite_utils.Database, clock: Clock, year: int, month: int, tz: str) -> MonthReport:
    """The report for one month, from the records."""
    start, end = month_bounds(year, month, tz)
    items = service.all_between(db, utc_iso(start), utc_iso(end))
    rules = R.load(db)
    now = utc_iso(clock.now())
    out = MonthReport(year, month, total=len(items), assisted_target=float(rules["assisted_callback_share"]))
    starts, resolves, callbacks = [], [], []
    for c in items:
        _count(out.by_kind, c.kind)
        _count(out.by_category, c.category)
        _count(out.by_responsibility, c.responsibility)
        _count(out.by_outcome, c.outcome or "open")
        if c.callback_outcome:
            _count(out.by_follow_up, c.callback_outcome)
        elif c.callback_required:
            _count(out.by_follow_up, "due")
        elif c.resolved_at:
            _count(out.by_follow_up, "not_required")
        starts.append((c.start_due, c.started_at))
        resolves.append((c.resolve_due, c.resolved_at))
        if c.callback_required and c.callback_due:
            # an unreachable customer has not been called back: only a call that reached them counts
            reached = c.callback_at if c.callback_outcome not in (None, "unreachable") else None
            callbacks.append((c.callback_due, reached))
        if c.responsibility == "assisted" and c.kind == "complaint" and c.resolved_at:
            out.assisted_resolved += 1
            out.assisted_called_back += int(c.callback_at is not None and c.callback_outcome != "unreachable")
        if c.major or c.major_proposed:
            out.majors.append(c)
    out.start, out.resolve, out.callback = _rate(starts, now), _rate(resolves, now), _rate(callbacks, now)
    return out


def exported(db: sqlite_utils.Database, year: int, month: int) -> bool:
    """True once the month's report has been exported."""
    return db.execute("SELECT 1 FROM complaint_report_exports WHERE month = ?",
                      (f"{year:04d}-{month:02d}",)).fetchone() is not None


@dataclass(frozen=True)
class Reminder:
    """The manager's reminder: the oldest month whose report is ready and not exported yet."""

    year: int
    month: int
    due: date
    overdue: bool
    missing: tuple[str, ...] = ()  # every unexported month ("2026-10", ...), oldest first


def _next_month(year: int, month: int) -> tuple[int, int]:
    return (year + 1, 1) if month == 12 else (year, month + 1)


def reminder(db: sqlite_utils.Database, clock: Clock, tz: str) -> Reminder | None:
    """From the 1st until it is exported: every finished month since the first complaint whose report was
    never exported (not only last month's), the oldest first; overdue after its report day (the 5th of the
    month after it)."""
    zone = ZoneInfo(tz)
    today = clock.now().astimezone(zone).date()
    last = previous_month(today)
    first_taken = db.execute("SELECT MIN(taken_at) FROM complaints").fetchone()[0]
    # with no complaint at all, last month still has its (empty) report, as before
    first = last if first_taken is None else min(last, _local_month(first_taken, zone))
    done = {m for (m,) in db.execute("SELECT month FROM complaint_report_exports")}
    missing, cursor = [], first
    while cursor <= last:
        if f"{cursor[0]:04d}-{cursor[1]:02d}" not in done:
            missing.append(cursor)
        cursor = _next_month(*cursor)
    if not missing:
        return None
    year, month = missing[0]
    after = _next_month(year, month)
    due = date(after[0], after[1], int(R.load(db)["report_due_day"]))
    return Reminder(year, month, due, today > due, tuple(f"{y:04d}-{m:02d}" for y, m in missing))


def _local_month(iso: str, zone: ZoneInfo) -> tuple[int, int]:
    from kiosk.core.clock import parse_iso
    local = parse_iso(iso).astimezone(zone)
    return local.year, local.month
