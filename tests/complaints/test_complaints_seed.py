"""`kiosk demo seed` fills the complaints register through its own services: realistic, never dated in the
future, some still open today, and the monthly report and the daily export read it."""
from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from kiosk.complaints import monthly, service
from kiosk.core.clock import FakeClock, utc_iso
from kiosk.core.db import append_only_problems, connect
from kiosk.demo import seed
from kiosk.reports import logs

SH = ZoneInfo("Asia/Shanghai")


def test_seeded_complaints_are_in_the_past_follow_the_rules_and_are_counted(tmp_path):
    db = connect(tmp_path / "kiosk.db")
    now = datetime(2026, 11, 23, 11, 30, tzinfo=SH)  # a Monday morning: the day's first ones still open
    clock = FakeClock(now)
    made = seed.seed(db, clock, days=60, tz_name="Asia/Shanghai", visitors=0, calls=0, sales=0)
    assert made["complaints"] >= 30, made
    stamp = utc_iso(clock.now())
    assert db.execute("SELECT COUNT(*) FROM complaints WHERE taken_at > ?", (stamp,)).fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM complaint_events WHERE at > ?", (stamp,)).fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM audit WHERE action LIKE 'complaint.%' AND at > ?", (stamp,)).fetchone()[0] == 0
    all_ = service.all_between(db, "2000-01-01", "2100-01-01")
    statuses = {c.status for c in all_}
    assert {"closed"} <= statuses and statuses & {"open", "started", "resolved"}, statuses
    assert {c.kind for c in all_} == {"complaint", "request"}
    assert {c.responsibility for c in all_} >= {"company", "assisted"}
    for c in all_:  # every step after the one before it, as the services enforce
        assert not c.started_at or c.started_at >= c.taken_at
        assert not c.resolved_at or (c.started_at and c.resolved_at >= c.started_at)
        assert not c.closed_at or c.resolved_at
    from kiosk.complaints.monthly import month_bounds
    report = monthly.build(db, clock, 2026, 10, "Asia/Shanghai")
    october = [c for c in all_ if datetime.fromisoformat(c.taken_at).astimezone(SH).strftime("%Y-%m") == "2026-10"]
    assert report.total == len(october) > 0
    start, end = month_bounds(2026, 10, "Asia/Shanghai")
    assert len(list(logs.fetch(db, logs.COMPLAINTS, utc_iso(start), utc_iso(end)))) == report.total
    assert append_only_problems(db) == []
    # Seeding again (another random seed) adds, and still nothing is in the future.
    seed.seed(db, clock, days=3, tz_name="Asia/Shanghai", visitors=0, calls=0, sales=0, random_seed=7)
    assert db.execute("SELECT COUNT(*) FROM complaint_events WHERE at > ?", (stamp,)).fetchone()[0] == 0
