"""What the complaints tests share: a staff member, the site's time zone, local-time clock setting and
a complaint taker with each file's own defaults."""
from __future__ import annotations

from datetime import datetime, timezone
from typing import Callable
from zoneinfo import ZoneInfo

from kiosk.complaints import service
from kiosk.core.audit import Actor

STAFF = Actor("Li Na", None, "staff")
TZ = "Asia/Shanghai"
SH = ZoneInfo(TZ)


def set_local(clock, y, m, d, hh, mm=0) -> None:
    """Set the test clock to a Shanghai wall-clock time."""
    clock.set(datetime(y, m, d, hh, mm, tzinfo=SH).astimezone(timezone.utc))


def taker(**defaults) -> Callable:
    """A `take(db, clock, **kw)` that files a complaint by STAFF with these defaults, overridden by kw."""
    def take(db, clock, **kw):
        return service.take(db, clock, STAFF, TZ, **{**defaults, **kw})
    return take
