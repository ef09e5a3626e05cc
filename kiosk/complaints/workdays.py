"""Chinese working days and working hours: the arithmetic every complaint deadline is made of.

Working days follow China's statutory holidays and make-up working days (调休) from the
``chinese-calendar`` package. A year the package does not cover yet (its data is published each
winter) falls back to weekends plus the holiday and make-up lists a manager edits
(setting ``complaint_calendar``); :meth:`WorkCalendar.source` says which rule a day used, so the
screen can say that deadlines in such a year are only as good as the manager's list.

Deadlines count working time only: minutes between the configured opening and closing time on
working days. A complaint taken at 17:59 on the eve of a holiday with a 10-minute start deadline
has one minute that evening and nine after the holiday.
"""
from __future__ import annotations

from dataclasses import dataclass, field
from functools import lru_cache
from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

try:  # the maintained calendar; without it every year uses the manager's list
    import chinese_calendar as _cc
except ImportError:  # pragma: no cover - the package is a declared dependency
    _cc = None

PACKAGE, FALLBACK = "package", "fallback"
MAX_DAYS = 3660  # a deadline more than ten years of calendar days away is refused, never looped over


@lru_cache(maxsize=64)
def _package_covers(year: int) -> bool:
    """Whether the installed package has this year (asked once per year: the answer is per release)."""
    if _cc is None:
        return False
    try:
        _cc.is_workday(date(year, 6, 1))
    except NotImplementedError:
        return False
    return True


def _parse_hhmm(text: str) -> time:
    hours, _, minutes = str(text).partition(":")
    return time(int(hours), int(minutes))


@dataclass(frozen=True)
class WorkingHours:
    """Opening and closing time of the desk on a working day (local time, from the rules setting)."""

    start: time = time(9, 0)
    end: time = time(18, 0)

    def __post_init__(self) -> None:
        if not self.start < self.end:
            raise ValueError("working hours must open before they close")

    @classmethod
    def parse(cls, start: str, end: str) -> "WorkingHours":
        return cls(_parse_hhmm(start), _parse_hhmm(end))

    @property
    def minutes(self) -> int:
        """Working minutes in one working day."""
        return (self.end.hour * 60 + self.end.minute) - (self.start.hour * 60 + self.start.minute)


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are working days: the package's data where it has the year, else the fallback."""

    holidays: frozenset[date] = field(default_factory=frozenset)   # the manager's extra days off
    makeup_days: frozenset[date] = field(default_factory=frozenset)  # the manager's make-up working days
    use_package: bool = True

    def covered(self, year: int) -> bool:
        """True when the package has the statutory holidays of this year."""
        return self.use_package and _package_covers(year)

    def source(self, day: date) -> str:
        """PACKAGE or FALLBACK: which rule decides this day."""
        return PACKAGE if self.covered(day.year) else FALLBACK

    def is_workday(self, day: date) -> bool:
        """A working day: the package's answer for a covered year, else weekday and not a listed holiday
        (or a listed make-up day). The manager's list also overrides a covered year, for a site's own days off."""
        if day in self.holidays:
            return False
        if day in self.makeup_days:
            return True
        if self.covered(day.year):
            return bool(_cc.is_workday(day))
        return day.weekday() < 5


def add_working_minutes(start: datetime, minutes: int, calendar: WorkCalendar, hours: WorkingHours,
                        tz_name: str) -> datetime:
    """The moment `minutes` of working time after `start` (aware), as an aware UTC datetime.

    Zero minutes outside working time is the next opening. Refuses (ValueError) a deadline that
    would need more than MAX_DAYS calendar days, so a calendar with no working day cannot loop.
    """
    if start.tzinfo is None:
        raise ValueError("naive datetime: times must be timezone-aware")
    if minutes < 0:
        raise ValueError("minutes must not be negative")
    tz = ZoneInfo(tz_name)
    cursor = start.astimezone(tz)
    remaining = timedelta(minutes=minutes)
    for _ in range(MAX_DAYS):
        day = cursor.date()
        if calendar.is_workday(day):
            opening = datetime.combine(day, hours.start, tz)
            closing = datetime.combine(day, hours.end, tz)
            begin = max(cursor, opening)
            if begin < closing:
                available = closing - begin
                if remaining <= available:
                    return (begin + remaining).astimezone(ZoneInfo("UTC"))
                remaining -= available
        cursor = datetime.combine(day + timedelta(days=1), time(0, 0), tz)
    raise ValueError("no working time within ten years: check the holiday list")


def add_working_days(start: datetime, days: int, calendar: WorkCalendar, hours: WorkingHours, tz_name: str) -> datetime:
    """`days` whole working days of working time after `start` (2 working days = twice the day's hours)."""
    return add_working_minutes(start, days * hours.minutes, calendar, hours, tz_name)


def working_minutes_between(start: datetime, end: datetime, calendar: WorkCalendar, hours: WorkingHours,
                            tz_name: str) -> int:
    """Whole working minutes in [start, end) (0 when end is not after start); bounded like the adders."""
    if end <= start:
        return 0
    tz = ZoneInfo(tz_name)
    cursor, stop = start.astimezone(tz), end.astimezone(tz)
    total = timedelta()
    for _ in range(MAX_DAYS):
        day = cursor.date()
        if calendar.is_workday(day):
            begin = max(cursor, datetime.combine(day, hours.start, tz))
            finish = min(stop, datetime.combine(day, hours.end, tz))
            if finish > begin:
                total += finish - begin
        cursor = datetime.combine(day + timedelta(days=1), time(0, 0), tz)
        if cursor >= stop:
            return int(total.total_seconds() // 60)
    raise ValueError("range longer than ten years")
