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
    from kiosk.core.localday import FIRST_DAY, LAST_DAY
    for name, day in (("first", first), ("last", last)):
        if not FIRST_DAY <= day <= LAST_DAY:   # 0001-01-01 or 9999-12-31 would overflow into UTC below
            raise RangeError("{day} is outside the days a kiosk keeps records for ({first} to {last})", field=name,
                             day=day, first=FIRST_DAY, last=LAST_DAY)
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
    includes_today: bool = False                  # "on site now" is a figure of today's report only
    per_day: object | None = None                 # kiosk.reports.per_day.PerDay, for a range of days

    @property
    def label(self) -> str:
        return str(self.first) if self.first == self.last else f"{self.first} – {self.last}"


def _per_hour(times: list[str], tz: ZoneInfo) -> list[int]:
    """Counts by local hour. A stored UTC time (utc_iso: ...+00:00) is looked up by its UTC minute, converted
    once per minute (DST-safe: the offset is the zone's at that minute); any other text is parsed in full."""
    hours = [0] * 24
    by_minute: dict[str, int] = {}
    for text in times:
        if text.endswith("+00:00") and len(text) >= 22:
            key = text[:16]
            hour = by_minute.get(key)
            if hour is None:
                hour = by_minute[key] = parse_iso(text).astimezone(tz).hour
        else:
            hour = parse_iso(text).astimezone(tz).hour
        hours[hour] += 1
    return hours


def build(db: sqlite_utils.Database, clock: Clock, first: date, last: date, tz_name: str, *,
          with_per_day: bool = True) -> Summary:
    """Compute the summary for local days first..last.

    with_per_day=False leaves out the per-day breakdown of a range (it grows with the range: a month is a
    day's reads thirty times over); the reports screen builds it on the background worker instead."""
    start, end = range_bounds(first, last, tz_name)
    tz = ZoneInfo(tz_name)
    tables = existing_tables(db)
    out = Summary(first, last, tz_name)
    out.includes_today = first <= clock.now().astimezone(tz).date() <= last
    bounds = (utc_iso(start), utc_iso(end))
    calls = None
    if {"calls", "call_events", "call_notes", "callbacks_done"} <= tables:
        from kiosk.phone import calllog
        calls = calllog.calls_between(db, start, end)   # read once: the figures and the per-day table
        out.calls = calllog.figures(db, clock, start, end, calls=calls)
        out.calls_per_hour = _per_hour([r[0] for r in db.execute(
            "SELECT started_at FROM calls WHERE started_at >= ? AND started_at < ?", bounds)], tz)
    else:
        out.missing.append("calls")
    _visitors(db, clock, out, bounds, tz, tables)
    _payments(db, out, start, end, tables)
    _lost(db, clock, out, bounds, tables)
    if first != last and with_per_day:
        from kiosk.reports import per_day
        out.per_day = per_day.build(db, first, last, tz_name, calls=calls)
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
    if not out.includes_today:
        return  # who is in the building now says nothing about a past day's report
    try:
        from kiosk.visitors import service as visitors_mod
        out.on_site_now = visitors_mod.on_site_count(db)   # a count of the open visits, not a list
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
    out.lost_due_handover = lostfound.due_count(db, clock)


def _minutes(seconds: float) -> float:
    """Minutes to one decimal; a gap of a few seconds is 0.1, never 0.0 (it happened)."""
    return max(0.1, round(seconds / 60, 1)) if seconds > 0 else 0.0


@dataclass(frozen=True)
class Figure:
    """One summary figure, typed for a workbook: a count, an amount in fen or a share (0..1), or text.

    ``code`` is the raw code the figure is about (a payment method) for analysts; '' otherwise."""

    label: str
    count: int | None = None
    fen: int | None = None
    share: float | None = None
    text: str = ""
    code: str = ""

    @property
    def missing(self) -> bool:
        return self.count is None and self.fen is None and self.share is None and not self.text


def figures(summary: Summary, lang: str) -> list[Figure]:
    """The summary's figures in lang, typed (the workbook's summary sheet, the CSV summary, the tiles).

    A figure whose area is not in the database has no value (shown as "not available yet"); "on site
    now" appears only on a report that includes today."""
    from kiosk.core.i18n import gettext as _
    from kiosk.reports import codes

    out: list[Figure] = []

    def count(label: str, value) -> None:
        out.append(Figure(_(label, lang), count=None if value is None else int(value)))

    count("Visitors", summary.visitors)
    if summary.includes_today:
        count("On site now", summary.on_site_now)
    calls = summary.calls
    count("Calls", getattr(calls, "calls", None))
    share = getattr(calls, "share_within_three", None)
    if calls is not None and share is None:
        out.append(Figure(_("Answered within three rings", lang), text="–"))
    else:
        out.append(Figure(_("Answered within three rings", lang), share=share))
    count("Missed calls", getattr(calls, "missed", None))
    count("Open callbacks", getattr(calls, "open_callbacks", None))
    if calls is not None:
        # What the phone figures rest on: unknown outcomes are not missed ones, and unwatched time is said.
        count("Calls with unknown outcome", calls.unknown)
        gaps = len(calls.gaps)
        if gaps:
            out.append(Figure(_("Phone line not watched", lang),
                              text=_("line not watched for {minutes} min (gaps: {count})", lang)
                              .format(minutes=_minutes(calls.unwatched_seconds), count=gaps)))
        else:
            count("Phone line not watched", 0)
    if summary.payments is None:
        out.append(Figure(_("Takings by payment method", lang)))
    else:
        for method, fen in sorted(summary.payments.items()):
            out.append(Figure(_("Payment: {method}", lang).format(method=codes.label("method", method, lang)),
                              fen=int(fen), code=method))
    count("Lost items received", summary.lost_received)
    count("Lost items claimed", summary.lost_claimed)
    count("Lost items due for handover", summary.lost_due_handover)
    return out


def tiles(summary: Summary, lang: str) -> list[tuple[str, str]]:
    """(label, value) pairs for screen tiles and the PDF, in the given language."""
    from kiosk.core.i18n import gettext as _
    from kiosk.core.money import format_fen

    na = _("not available yet", lang)
    out: list[tuple[str, str]] = []
    for figure in figures(summary, lang):
        if figure.fen is not None:
            value = format_fen(figure.fen)
        elif figure.share is not None:
            value = f"{figure.share:.0%}"
        elif figure.count is not None:
            value = str(figure.count)
        else:
            value = figure.text or na
        out.append((figure.label, value))
    return out


# Zones a Chinese reader knows by their everyday name; any other zone is shown by its IANA name.
_ZONE_NAMES = {"Asia/Shanghai": "Beijing time", "Asia/Chongqing": "Beijing time", "Asia/Harbin": "Beijing time",
               "Asia/Urumqi": "Xinjiang time", "Asia/Hong_Kong": "Hong Kong time", "Asia/Macau": "Macau time",
               "Asia/Taipei": "Taipei time", "PRC": "Beijing time"}


def zone_name(tz_name: str, lang: str) -> str:
    """The site's zone for a report heading: "北京时间" on a Chinese report, "Asia/Shanghai" on an English one."""
    from kiosk.core.i18n import gettext
    msgid = _ZONE_NAMES.get(tz_name)
    return gettext(msgid, lang) if msgid and lang != "en" else tz_name
