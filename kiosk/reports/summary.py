"""The day/range summary the manager sees on screen and on the first page of every export.

Each section comes from the owning area's service where it exists; a section whose tables are not
in the database yet is None and named in ``missing`` (shown as "not available", never as zero).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import sqlite_utils

from kiosk.core.clock import Clock, parse_iso, utc_iso
from kiosk.core.errors import Refusal
from kiosk.reports.logs import existing_tables


class RangeError(Refusal, ValueError):
    """A day range that cannot be reported (end before start, too long): a Refusal."""


MAX_DAYS = 366


def range_bounds(first: date, last: date, tz_name: str) -> tuple[datetime, datetime]:
    """UTC [start, end) of local days first..last inclusive in the site's time zone (DST-safe)."""
    if last < first:
        raise RangeError("the end date {last} is before the start date {first}", field="last", last=last, first=first)
    if (last - first).days + 1 > MAX_DAYS:
        raise RangeError("a range is at most {days} days", field="last", days=MAX_DAYS)
    tz = ZoneInfo(tz_name)
    start = datetime.combine(first, datetime.min.time(), tz)
    end = datetime.combine(last + timedelta(days=1), datetime.min.time(), tz)
    return start.astimezone(ZoneInfo("UTC")), end.astimezone(ZoneInfo("UTC"))


@dataclass
class Summary:
    """What happened at the desk over a range of local days."""

    first: date
    last: date
    tz: str
    calls: object | None = None                   # kiosk.calllog.DeskFigures
    calls_per_hour: list[int] | None = None       # local hour of day 0..23
    visitors: int | None = None
    visitors_per_hour: list[int] | None = None
    on_site_now: int | None = None
    payments: dict[str, int] | None = None        # method -> fen (sales + fees, net of refunds)
    sales_fen: int | None = None
    fees_fen: int | None = None
    lost_received: int | None = None
    lost_claimed: int | None = None
    lost_due_handover: int | None = None
    missing: list[str] = field(default_factory=list)

    @property
    def label(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first} – {self.last}"


def _per_hour(times: list[str], tz: ZoneInfo) -> list[int]:
    hours = [0] * 24
    for text in times:
        hours[parse_iso(text).astimezone(tz).hour] += 1
    return hours


def build(db: sqlite_utils.Database, clock: Clock, first: date, last: date, tz_name: str) -> Summary:
    """Compute the summary for local days first..last."""
    start, end = range_bounds(first, last, tz_name)
    tz = ZoneInfo(tz_name)
    tables = existing_tables(db)
    out = Summary(first, last, tz_name)
    bounds = (utc_iso(start), utc_iso(end))
    if {"calls", "call_events", "call_notes", "callbacks_done"} <= tables:
        from kiosk.phone import calllog
        out.calls = calllog.figures(db, clock, start, end)
        out.calls_per_hour = _per_hour([r[0] for r in db.execute(
            "SELECT started_at FROM calls WHERE started_at >= ? AND started_at < ?", bounds)], tz)
    else:
        out.missing.append("calls")
    _visitors(db, clock, out, bounds, tz, tables)
    _payments(db, out, start, end, tables)
    _lost(db, clock, out, bounds, tables)
    return out


def _visitors(db, clock, out: Summary, bounds, tz, tables) -> None:
    if "visits" not in tables:
        out.missing.append("visitors")
        return
    cols = {r[1] for r in db.execute("PRAGMA table_info(visits)")}
    arrived = next((c for c in ("arrived_at", "signed_in_at", "checked_in_at", "at", "created_at") if c in cols), None)
    left = next((c for c in ("left_at", "signed_out_at", "checked_out_at") if c in cols), None)
    if arrived is None:
        out.missing.append("visitors")
        return
    times = [r[0] for r in db.execute(f"SELECT {arrived} FROM visits WHERE {arrived} >= ? AND {arrived} < ?", bounds)]
    out.visitors, out.visitors_per_hour = len(times), _per_hour(times, tz)
    try:
        from kiosk.visitors import service as visitors_mod
        out.on_site_now = len(visitors_mod.on_site(db))
    except (ImportError, AttributeError, TypeError):
        if left:
            out.on_site_now = db.execute(f"SELECT COUNT(*) FROM visits WHERE {left} IS NULL").fetchone()[0]


def _payments(db, out: Summary, start: datetime, end: datetime, tables) -> None:
    """Totals by payment method from the counter area's own function (the end-of-day figures)."""
    try:
        from kiosk.counter import shifts
        totals = shifts.payment_totals(db, start, end)
    except (ImportError, AttributeError):
        out.missing.append("sales and fees")
        return
    out.payments = {str(k): int(v) for k, v in dict(totals).items()}


def _lost(db, clock, out: Summary, bounds, tables) -> None:
    """Items received and claimed in the range; items due for handover now (the area's own rule)."""
    if not {"lf_items", "lf_events"} <= tables:
        out.missing.append("lost and found")
        return
    from kiosk.lostfound import service as lostfound
    out.lost_received = db.execute("SELECT COUNT(*) FROM lf_items WHERE created_at >= ? AND created_at < ?",
                                   bounds).fetchone()[0]
    out.lost_claimed = db.execute("SELECT COUNT(*) FROM lf_events WHERE status = 'claimed' AND at >= ? AND at < ?",
                                  bounds).fetchone()[0]
    out.lost_due_handover = len(lostfound.due_for_handover(db, clock))


def tiles(summary: Summary, lang: str) -> list[tuple[str, str]]:
    """(label, value) pairs for screen tiles and the summary sheet/page, in the given language."""
    from kiosk.core.i18n import gettext as _
    from kiosk.core.money import format_fen

    na = _("not available yet", lang)
    out: list[tuple[str, str]] = []

    def add(label: str, value) -> None:
        out.append((_(label, lang), na if value is None else str(value)))

    add("Visitors", summary.visitors)
    add("On site now", summary.on_site_now)
    calls = summary.calls
    add("Calls", getattr(calls, "calls", None))
    share = getattr(calls, "share_within_three", None)
    add("Answered within three rings", None if calls is None else ("–" if share is None else f"{share:.0%}"))
    add("Missed calls", getattr(calls, "missed", None))
    add("Open callbacks", getattr(calls, "open_callbacks", None))
    if summary.payments is None:
        add("Takings by payment method", None)
    else:
        for method, fen in sorted(summary.payments.items()):
            out.append((_("Payment: {method}", lang).format(method=method), format_fen(fen)))
    add("Lost items received", summary.lost_received)
    add("Lost items claimed", summary.lost_claimed)
    add("Lost items due for handover", summary.lost_due_handover)
    return out
