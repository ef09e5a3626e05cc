"""Monthly figures (outside tester, issue 12 fix): an unreachable customer is not an on-time callback, and
the reminder covers every month never exported since the first complaint."""
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

from kiosk.complaints import monthly, service
from kiosk.core.audit import Actor

STAFF = Actor("Li Na", None, "staff")
TZ = "Asia/Shanghai"


def _at(clock, *args):
    clock.set(datetime(*args, tzinfo=ZoneInfo(TZ)).astimezone(timezone.utc))


def _resolved(db, clock):
    cid = service.take(db, clock, STAFF, TZ, kind="complaint", category="noise", responsibility="company",
                       what="楼上装修 \U0001F528")
    service.resolve(db, clock, STAFF, TZ, cid, "resolved", "done")
    return cid


def _export(db, month):
    db.execute("INSERT INTO complaint_report_exports (at, month, folder, actor) VALUES ('2026-12-02T02:00:00Z', ?, ?, 'Zhou Min')",
               (month, "/tmp/x"))


def test_unreachable_is_not_an_on_time_callback(db, clock):
    _at(clock, 2026, 10, 12, 10)
    unreachable, reached, retried = _resolved(db, clock), _resolved(db, clock), _resolved(db, clock)
    service.record_callback(db, clock, STAFF, unreachable, "unreachable")
    service.record_callback(db, clock, STAFF, reached, "unsatisfied")
    service.record_callback(db, clock, STAFF, retried, "unreachable")
    service.record_callback(db, clock, STAFF, retried, "satisfied")  # tried again the same day: reached
    _at(clock, 2026, 11, 3, 10)
    r = monthly.build(db, clock, 2026, 10, TZ)
    assert (r.callback.on_time, r.callback.due) == (2, 3)
    assert r.by_follow_up["unreachable"] == 1


def test_reminder_covers_every_unexported_month(db, clock):
    _at(clock, 2026, 9, 20, 10)
    _resolved(db, clock)
    _at(clock, 2026, 12, 2, 10)
    rem = monthly.reminder(db, clock, TZ)
    assert (rem.year, rem.month) == (2026, 9) and rem.overdue and rem.due.isoformat() == "2026-10-05"
    assert rem.missing == ("2026-09", "2026-10", "2026-11")
    _export(db, "2026-09")
    _export(db, "2026-11")
    rem = monthly.reminder(db, clock, TZ)
    assert rem.missing == ("2026-10",) and rem.overdue
    _export(db, "2026-10")
    assert monthly.reminder(db, clock, TZ) is None


def test_reminder_across_the_new_year_and_with_no_complaints(db, clock):
    _at(clock, 2027, 1, 3, 10)
    rem = monthly.reminder(db, clock, TZ)  # no complaint yet: last month's (empty) report, as before
    assert (rem.year, rem.month, rem.overdue, rem.missing) == (2026, 12, False, ("2026-12",))
    _at(clock, 2026, 12, 31, 23, 30)  # late on New Year's Eve local time (15:30 UTC)
    _resolved(db, clock)
    _at(clock, 2027, 1, 6, 9)
    rem = monthly.reminder(db, clock, TZ)
    assert rem.missing == ("2026-12",) and rem.overdue and rem.due.isoformat() == "2027-01-05"


def test_resolved_without_callback_closes_and_unresolved_stays_open(db, clock):
    _at(clock, 2026, 1, 5, 10)
    closed_now, unresolved, company = [service.take(
        db, clock, STAFF, TZ, kind="complaint", category="noise", responsibility=r, what="３号楼 噪音")
        for r in ("not_company", "not_company", "company")]
    service.resolve(db, clock, STAFF, TZ, closed_now, "referred", "not ours: 已转交街道")
    service.resolve(db, clock, STAFF, TZ, unresolved, "not_resolved", "业主不在家")
    service.resolve(db, clock, STAFF, TZ, company, "resolved", "done")
    assert service.get(db, closed_now).status == "closed"
    assert service.get(db, unresolved).status == "started"    # nothing was resolved: still being handled
    assert service.get(db, company).status == "resolved"      # waits for its callback
    assert {c.id for c in service.open_complaints(db)} == {unresolved, company}
