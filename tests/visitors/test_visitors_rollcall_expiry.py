"""A roll call left open is offered for resume only while it can still be the same drill: after
`rollcall_resume_hours` (12 by default, a manager's setting) it is neither offered nor resumable, and its
record stays exactly as it was (append-only). The clock is the test's FakeClock."""
from __future__ import annotations

import pytest

from kiosk.core import settings
from kiosk.core.audit import Actor
from kiosk.core.settings import SettingError
from kiosk.visitors import service as visitors
from kiosk.visitors.service import Visitor, VisitorError

DESK = Actor("Li Na", None, "staff")
MANAGER = Actor("Boss", None, "manager")
HOUR = 3600


@pytest.fixture
def host(db, clock):
    visitors.seed_demo(db, clock)
    return visitors.find_hosts(db, "Li Na")[0]["id"]


def _rows(db) -> list:
    return [tuple(r) for r in db.execute("SELECT * FROM rollcalls ORDER BY id")] + \
        [tuple(r) for r in db.execute("SELECT * FROM rollcall_marks ORDER BY id")]


@pytest.mark.parametrize("later, offered", [(0, True), (11 * HOUR + 3599, True), (12 * HOUR, True),
                                            (12 * HOUR + 1, False), (3 * 7 * 24 * HOUR, False)])
def test_an_open_roll_call_expires_after_the_configured_hours(db, clock, host, later, offered):
    visit = visitors.sign_in(db, clock, Visitor(name="张伟", phone="13800138000", host_id=host, purpose="meeting",
                                                party_size=2, privacy_accepted=True)).visit_id
    rc = visitors.start_rollcall(db, clock, DESK)
    visitors.mark_safe(db, clock, DESK, rc, visit, 1)
    before = _rows(db)
    clock.advance(later)
    found = visitors.open_rollcall(db, clock)
    assert (found is not None and found.id == rc) is offered
    if offered:
        assert [r["safe"] for r in visitors.resume_rollcall(db, clock, DESK, rc)] == [1]
    else:
        with pytest.raises(VisitorError, match="too old to resume") as refused:
            visitors.resume_rollcall(db, clock, DESK, rc)
        assert refused.value.msgid == "this roll call is too old to resume: start a new one"
        assert _rows(db) == before, "the old roll call's record stays exactly as it was"
        assert visitors.open_rollcall(db) is not None, "without a clock (records, tools) it is still open"
        # a new drill starts fresh and is the one offered from now on
        fresh = visitors.start_rollcall(db, clock, DESK)
        assert visitors.open_rollcall(db, clock).id == fresh and fresh != rc


def test_the_expiry_is_a_managers_setting_checked_and_audited(db, clock, host):
    rc = visitors.start_rollcall(db, clock, DESK)
    clock.advance(3 * HOUR)
    assert visitors.open_rollcall(db, clock).id == rc
    settings.put_checked(db, clock, MANAGER, {"rollcall_resume_hours": "2"})
    assert visitors.open_rollcall(db, clock) is None
    settings.put_checked(db, clock, MANAGER, {"rollcall_resume_hours": 72})
    assert visitors.open_rollcall(db, clock).id == rc
    for bad in ("0", "73", "-1", "12.5", "", "１２x", True):
        with pytest.raises(SettingError):
            settings.put_checked(db, clock, MANAGER, {"rollcall_resume_hours": bad})
    assert settings.get(db, "rollcall_resume_hours") == 72
    assert db.execute("SELECT COUNT(*) FROM audit WHERE action = 'setting.change' AND record_id = ?",
                      ("rollcall_resume_hours",)).fetchone()[0] == 2


def test_an_expired_roll_call_is_not_offered_at_sign_in_through_the_desk(db, clock, host):
    """The desk binds its clock into open_rollcall, so the screens' calls apply the expiry."""
    from kiosk.core.desk import bound_names
    assert bound_names(visitors.open_rollcall) == ("db", "clock")
    assert bound_names(visitors.resume_rollcall)[:2] == ("db", "clock")


def test_the_refusal_is_translated():
    from kiosk.core.i18n import catalogue
    assert catalogue("zh_CN")["this roll call is too old to resume: start a new one"]
