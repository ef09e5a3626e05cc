"""Outside-test findings of issue 12 (w4): the assisted-callback sample counts against the month the
report measures; "five customers on the same matter" means five customers, one matter."""
from __future__ import annotations

from datetime import timedelta

from kiosk.complaints import monthly, service
from tests.complaints.common import SH, STAFF, TZ, set_local, taker


take = taker(kind="complaint", category="facilities", responsibility="assisted", what="停水", place="5号楼")


def test_month_end_assisted_complaints_are_sampled_against_the_month_they_were_taken(db, clock):
    """10 taken on 30 Nov, 10 on 1 Dec, all resolved in December, November's first: November still
    reports at least 30 % called back, and so does December."""
    november, december = [], []
    for i in range(10):
        set_local(clock, 2026, 11, 30, 9, i)
        november.append(take(db, clock, customer_name=f"住户{i}"))
    for i in range(10):
        set_local(clock, 2026, 12, 1, 9, i)
        december.append(take(db, clock, customer_name=f"业主{i}"))
    set_local(clock, 2026, 12, 2, 10)
    # Adversarial order: under a "resolved this month" quota the sampled turns (1st, 4th, 7th, 11th, 14th,
    # 17th) all fall on December's complaints and November's ten are never called back.
    dec, nov = iter(december), iter(november)
    order = [next(dec) if n in {0, 1, 2, 3, 4, 5, 6, 10, 13, 16} else next(nov) for n in range(20)]
    for cid in order:
        service.resolve(db, clock, STAFF, TZ, cid, "resolved", "已联系自来水公司")
        if service.get(db, cid).callback_required:
            service.record_callback(db, clock, STAFF, cid, "satisfied")
    for month in (11, 12):
        report = monthly.build(db, clock, 2026, month, TZ)
        assert report.assisted_resolved == 10
        assert report.assisted_share is not None and report.assisted_share >= 0.3, (month, report.assisted_share)


def test_five_complaints_at_one_place_about_different_things_are_not_one_matter(db, clock):
    set_local(clock, 2026, 11, 23, 9)
    for category, what in (("noise", "楼上装修太吵"), ("cleanliness", "大堂地面有水"), ("staff", "保安态度差"),
                           ("billing", "物业费多收了"), ("facilities", "电梯按钮坏了")):
        take(db, clock, category=category, responsibility="company", what=what, place="大堂",
             customer_name="住户" + what[:2])
        clock.set(clock.now() + timedelta(minutes=5))
    assert [p for p in service.escalation_proposals(db, clock) if p.reason == "five_customers"] == []


def test_one_customer_five_times_is_not_five_customers(db, clock):
    set_local(clock, 2026, 11, 23, 9)
    for i in range(5):
        take(db, clock, category="facilities", responsibility="company", what=f"电梯又坏了 {i}", topic="电梯坏了",
             customer_name="王先生", customer_contact="138 0013 8000" if i % 2 else "13800138000")
        clock.set(clock.now() + timedelta(minutes=5))
    assert [p for p in service.escalation_proposals(db, clock) if p.reason == "five_customers"] == []


def test_five_customers_typing_the_topic_with_different_punctuation_are_one_matter(db, clock):
    set_local(clock, 2026, 11, 23, 9)
    for i, topic in enumerate(("电梯坏了", "电梯坏了！", "电梯坏了。", " 电梯 坏了 ", "电梯坏了!!")):
        take(db, clock, category="facilities", responsibility="company", what="电梯不动", topic=topic,
             customer_name=f"住户{i}", customer_contact=f"1390000000{i}")
        clock.set(clock.now() + timedelta(minutes=5))
    proposals = [p for p in service.escalation_proposals(db, clock) if p.reason == "five_customers"]
    assert len(proposals) == 1 and len(proposals[0].complaint_ids) == 5
    assert service.topic_key("电梯坏了！") == service.topic_key("电梯坏了。") == "电梯"  # the matter (topics.SYNONYMS)


def test_a_proposal_waiting_for_the_manager_is_the_managers_duty_not_an_overdue_resolve(db, clock):
    from kiosk.reports import duties
    set_local(clock, 2026, 11, 23, 9)
    cid = take(db, clock, category="safety", responsibility="company", what="电梯夹伤")
    service.start(db, clock, STAFF, cid)
    service.escalate(db, clock, STAFF, cid, "serious_loss")
    set_local(clock, 2026, 11, 23, 15)  # the 2-hour resolution has passed while it waited
    mine = [d for d in duties.today(db, clock) if d.record_id == cid]
    assert [d.kind for d in mine] == ["complaint_decide"] and mine[0].overdue
    assert [d for d in duties.prompts(db, clock) if d.record_id == cid] == []  # not a staff prompt
    from kiosk.core.i18n import gettext
    assert gettext(duties.KIND_LABELS["complaint_decide"], "zh_CN") == "待经理决定是否重大"
    # an unstarted one still owes its start: that part is the staff's
    cid2 = take(db, clock, category="safety", responsibility="company", what="消防通道堵塞")
    service.escalate(db, clock, STAFF, cid2, "authority_press")
    assert sorted(d.kind for d in duties.today(db, clock) if d.record_id == cid2) == ["complaint_decide",
                                                                                       "complaint_start"]
