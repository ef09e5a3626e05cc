"""Chinese working days and working hours: the arithmetic every complaint deadline is made of.

Working days follow China's statutory holidays and make-up working days (调休) from the
``chinese-calendar`` package. A year the package does not cover yet (its data is published each
winter) falls back to weekends plus the holiday and make-up lists a manager edits
(setting ``complaint_calendar``); :meth:`WorkCalendar.source` says which rule a day used, so the
screen can say that deadlines in such a year are only as good as the manager's list.

Deadlines count working time only: minutes between the configured opening and closing time on
working days. A complaint taken at 17:59 on the eve of a holiday with a 10-minute start deadline
has one minute that evening and nine after the holiday. The windows are read on the local clock, the
minutes are elapsed ones (counted in UTC): across a summer-time change 2 hours stay 2 hours.
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
# How a deadline's days were judged (the basis shown on screen and in exports): the package's statutory
# data for every day it spans; the manager's list for a year the package lacks but the manager filled;
# weekends only (an estimate) for a year neither covers; or plain calendar days (a desk open every day).
BASIS_PACKAGE, BASIS_MANUAL, BASIS_ESTIMATED, BASIS_CALENDAR = "package", "manual", "estimated", "calendar"
BASES = (BASIS_PACKAGE, BASIS_MANUAL, BASIS_ESTIMATED, BASIS_CALENDAR)
_BASIS_RANK = {BASIS_CALENDAR: 0, BASIS_PACKAGE: 1, BASIS_MANUAL: 2, BASIS_ESTIMATED: 3}
MAX_DAYS = 3660  # a deadline more than ten years of calendar days away is refused, never looped over
# Deadlines are counted on UTC datetimes: aware datetimes of one zone add and subtract on the wall clock,
# so across a summer-time change "2 hours" would be 1 or 3 elapsed hours.
UTC = ZoneInfo("UTC")


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


def _parse_hhmm(text: str) -> int:
    """Minutes after midnight of "HH:MM"; "24:00" is the end of the day (a desk open round the clock)."""
    hours, _, minutes = str(text).partition(":")
    value = int(hours) * 60 + int(minutes)
    if not 0 <= value <= 24 * 60 or int(minutes) >= 60:
        raise ValueError("a time is from 00:00 to 24:00")
    return value


def _as_minutes(value: "time | int") -> int:
    return value if isinstance(value, int) else value.hour * 60 + value.minute


@dataclass(frozen=True)
class WorkingHours:
    """Opening and closing time of the desk on a working day (local time, from the rules setting), as
    minutes after midnight so that a 24-hour desk can close at 24:00 (a `time` cannot say so)."""

    start: "time | int" = time(9, 0)
    end: "time | int" = time(18, 0)

    def __post_init__(self) -> None:
        object.__setattr__(self, "start", _as_minutes(self.start))
        object.__setattr__(self, "end", _as_minutes(self.end))
        if not 0 <= self.start < self.end <= 24 * 60:
            raise ValueError("working hours must open before they close")

    @classmethod
    def parse(cls, start: str, end: str) -> "WorkingHours":
        return cls(_parse_hhmm(start), _parse_hhmm(end))

    @property
    def minutes(self) -> int:
        """Working minutes in one working day."""
        return self.end - self.start

    def opening(self, day: date, tz: ZoneInfo) -> datetime:
        return datetime.combine(day, time(0, 0), tz) + timedelta(minutes=self.start)

    def closing(self, day: date, tz: ZoneInfo) -> datetime:
        return datetime.combine(day, time(0, 0), tz) + timedelta(minutes=self.end)

    def window(self, day: date, tz: ZoneInfo) -> tuple[datetime, datetime]:
        """Opening and closing of `day` in UTC: the times are read on the local clock, the minutes
        between them are elapsed ones (a round-the-clock day has 23 or 25 hours when summer time
        starts or ends)."""
        return self.opening(day, tz).astimezone(UTC), self.closing(day, tz).astimezone(UTC)


@dataclass(frozen=True)
class WorkCalendar:
    """Which days are working days: the package's data where it has the year, else the fallback."""

    holidays: frozenset[date] = field(default_factory=frozenset)   # the manager's extra days off
    makeup_days: frozenset[date] = field(default_factory=frozenset)  # the manager's make-up working days
    use_package: bool = True
    every_day: bool = False  # calendar days: a desk that works seven days (weekends and holidays count)

    def covered(self, year: int) -> bool:
        """True when the package has the statutory holidays of this year."""
        return self.use_package and _package_covers(year)

    def source(self, day: date) -> str:
        """PACKAGE or FALLBACK: which rule decides this day."""
        return PACKAGE if self.covered(day.year) else FALLBACK

    def is_workday(self, day: date) -> bool:
        """A working day: the package's answer for a covered year, else weekday and not a listed holiday
        (or a listed make-up day). The manager's list also overrides a covered year, for a site's own days off.
        With `every_day` every day is one (calendar days)."""
        if self.every_day:
            return True
        if day in self.holidays:
            return False
        if day in self.makeup_days:
            return True
        if self.covered(day.year):
            return bool(_cc.is_workday(day))
        return day.weekday() < 5


    def year_basis(self, year: int) -> str:
        """How the days of one year are judged: the package, the manager's list (a year it lacks but the
        manager listed holidays for), or weekends only (an estimate)."""
        if self.every_day:
            return BASIS_CALENDAR
        if self.covered(year):
            return BASIS_PACKAGE
        if self.list_covers(year):
            return BASIS_MANUAL
        return BASIS_ESTIMATED

    def list_covers(self, year: int) -> bool:
        """True when the manager's list plausibly covers the year: New Year's Day, a Spring Festival day (a
        listed holiday from 21 January to 20 February) and National Day. One listed day is a partial list:
        the deadlines it touches stay "estimated" (outside finding w5 4)."""
        days = {d for d in self.holidays if d.year == year}
        spring = any(date(year, 1, 21) <= d <= date(year, 2, 20) for d in days)
        return date(year, 1, 1) in days and spring and date(year, 10, 1) in days

    def basis(self, start: datetime, *ends: datetime | None) -> str:
        """The basis of deadlines that run from `start` to each of `ends`: judged from every year the
        days between them fall in, not from the day taken (a complaint taken on 31 December has its
        deadline in a year the package may not have). The least certain year decides."""
        first = start.date()
        last = max([e.date() for e in ends if e is not None] or [first])
        years = range(min(first.year, last.year), max(first.year, last.year) + 1)
        return max((self.year_basis(y) for y in years), key=_BASIS_RANK.__getitem__)


def worst_basis(*bases: str | None) -> str:
    """The least certain of several bases (an estimated deadline makes the whole complaint estimated)."""
    known = [b for b in bases if b in _BASIS_RANK]
    return max(known, key=_BASIS_RANK.__getitem__) if known else BASIS_PACKAGE


def _next_midnight(day: date, tz: ZoneInfo) -> datetime:
    """The start of the local day after `day`, in UTC."""
    return datetime.combine(day + timedelta(days=1), time(0, 0), tz).astimezone(UTC)


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
    cursor = start.astimezone(UTC)
    remaining = timedelta(minutes=minutes)
    for _ in range(MAX_DAYS):
        day = cursor.astimezone(tz).date()
        if calendar.is_workday(day):
            opening, closing = hours.window(day, tz)
            begin = max(cursor, opening)
            if begin < closing:
                available = closing - begin
                if remaining <= available:
                    return begin + remaining
                remaining -= available
        cursor = _next_midnight(day, tz)
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
    cursor, stop = start.astimezone(UTC), end.astimezone(UTC)
    total = timedelta()
    for _ in range(MAX_DAYS):
        day = cursor.astimezone(tz).date()
        if calendar.is_workday(day):
            opening, closing = hours.window(day, tz)
            begin, finish = max(cursor, opening), min(stop, closing)
            if finish > begin:
                total += finish - begin
        cursor = _next_midnight(day, tz)
        if cursor >= stop:
            return int(total.total_seconds() // 60)
    raise ValueError("range longer than ten years")
