"""A pending major proposal holds the complaint open until a manager decides; a declined proposal is
honoured (outside tester, issue 12 fix)."""
from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from kiosk.complaints import service
from kiosk.complaints.service import ComplaintError
from kiosk.core.audit import Actor

STAFF, MANAGER = Actor("Li Na", None, "staff"), Actor("Zhou Min", None, "manager")
TZ = "Asia/Shanghai"


def _at(clock, *args):
    clock.set(datetime(*args, tzinfo=ZoneInfo(TZ)).astimezone(timezone.utc))


def _take(db, clock, topic=""):
    return service.take(db, clock, STAFF, TZ, kind="complaint", category="noise", responsibility="company",
                        what="楼上装修　ＮＯＩＳＥ噪音 \U0001F4A5", topic=topic)


def test_pending_proposal_blocks_callback_and_close(db, clock):
    _at(clock, 2026, 11, 17, 10)
    cid = _take(db, clock)
    service.resolve(db, clock, STAFF, TZ, cid, "resolved", "done")
    service.escalate(db, clock, STAFF, cid, "serious_loss")
    for call in (lambda who: service.record_callback(db, clock, who, cid, "satisfied"),
                 lambda who: service.close(db, clock, who, cid)):
        for who in (STAFF, MANAGER):  # a manager decides first, through decide_major, not by closing
            with pytest.raises(ComplaintError, match="manager must first decide"):
                call(who)
    assert service.get(db, cid).status == "resolved" and service.get(db, cid).major_proposed
    service.decide_major(db, clock, MANAGER, TZ, cid, False)
    service.record_callback(db, clock, STAFF, cid, "satisfied")
    assert service.get(db, cid).status == "closed"


def test_declined_topic_is_not_proposed_again_until_a_new_complaint_joins(db, clock):
    _at(clock, 2026, 11, 17, 10)
    ids = [_take(db, clock, topic="电梯") for _ in range(5)]
    [proposal] = service.escalation_proposals(db, clock)
    assert set(proposal.complaint_ids) == set(ids)
    for cid in proposal.complaint_ids:
        service.escalate(db, clock, STAFF, cid, proposal.reason)
        service.decide_major(db, clock, MANAGER, TZ, cid, False, "同一部电梯，已报修")
    assert service.escalation_proposals(db, clock) == []
    clock.set(clock.now() + timedelta(hours=1))
    assert service.escalation_proposals(db, clock) == []  # the decision holds on every later look
    newcomer = _take(db, clock, topic=" 电梯 ")  # same topic, spelt with spaces
    [again] = service.escalation_proposals(db, clock)
    assert newcomer in again.complaint_ids


def test_declined_after_a_month_stays_declined(db, clock):
    _at(clock, 2026, 10, 1, 10)
    cid = _take(db, clock)
    clock.set(clock.now() + timedelta(days=40))
    [p] = service.escalation_proposals(db, clock)
    assert p.reason == "unresolved_month"
    service.escalate(db, clock, STAFF, cid, p.reason)
    service.decide_major(db, clock, MANAGER, TZ, cid, False)
    assert service.escalation_proposals(db, clock) == []
    assert service.get(db, cid).declined == ("unresolved_month",)


def test_export_says_declined(db, clock):
    from kiosk.reports.logs import COMPLAINTS, fetch
    _at(clock, 2026, 11, 17, 10)
    declined, accepted, pending = _take(db, clock), _take(db, clock), _take(db, clock)
    for cid in (declined, accepted, pending):
        service.escalate(db, clock, STAFF, cid, "serious_loss")
    service.decide_major(db, clock, MANAGER, TZ, declined, False)
    service.decide_major(db, clock, MANAGER, TZ, accepted, True)
    keys = [c.key for c in COMPLAINTS.columns]
    rows = {r[keys.index("id")]: r[keys.index("major")]
            for r in fetch(db, COMPLAINTS, "2026-11-01T00:00:00", "2026-12-01T00:00:00")}
    assert rows == {declined: "declined", accepted: "major", pending: "proposed"}
    # proposed again after the decline: pending once more
    service.escalate(db, clock, STAFF, declined, "authority_press")
    rows = {r[keys.index("id")]: r[keys.index("major")]
            for r in fetch(db, COMPLAINTS, "2026-11-01T00:00:00", "2026-12-01T00:00:00")}
    assert rows[declined] == "proposed"
