"""Issue 12, after the outside attack: one matter typed with fillers and either way round (topics step 5),
an erased complaint taking its call note's personal data with it, and a callback that a close cannot skip.
Hostile cases beside each: emoji, full-width, NUL; erasing twice; a manager deactivated mid-session."""
from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from hypothesis import HealthCheck, given, settings, strategies as st

from kiosk.complaints import service, topics
from kiosk.complaints.topics import topic_key
from kiosk.core import auth
from kiosk.core.audit import SYSTEM, Actor
from kiosk.core.desk import SESSION_ENDED, Desk
from kiosk.core.errors import Refusal
from kiosk.phone import calllog
from kiosk.phone.tracker import CallEvent
from kiosk.reports import duties
from tests.complaints.common import STAFF, TZ, set_local, taker

MANAGER = Actor("Wang Jun", None, "manager")
take = taker(kind="complaint", category="facilities", responsibility="company", what="电梯坏了", place="3号楼")


# --- 1. one matter, with fillers and either way round ---------------------------------------------------------
FOLDS = {
    "停水": ("今天停水了", "家里停水", "全楼停水", "自来水停了", "水停了", "3号楼停水三天了", "我家又停水了！",
             "😡全楼停水😡", "\x00家里\x00停水\u200b", "全樓停水", "ｎｏ ｗａｔｅｒ", "water is off", "Water's off at home",
             "The water has been cut off", "there is no water today"),
    "停电": ("电停了", "今天停电了", "我家停电", "power is out", "The power is off"),
    "电梯": ("电梯坏了", "电梯故障", "今天电梯又坏了", "the lift is broken"),
    "漏水": ("there is a leak", "楼上漏水了"),
}
APART = ("停车", "车停了", "今天停车", "停水停电", "今天停水停电", "电梯里有人吸烟", "车库漏水严重吗", "窗户漏风", "水费",
         "电费", "停车费", "水压小", "this is a test")


@pytest.mark.parametrize("matter", sorted(FOLDS))
def test_fillers_and_reversals_fold_to_the_matter(matter):
    assert {t: topic_key(t) for t in FOLDS[matter]} == {t: matter for t in FOLDS[matter]}


def test_unrelated_and_double_matters_stay_apart():
    keys = {t: topic_key(t) for t in APART}
    assert keys["停车"] == keys["今天停车"] == "停车" and keys["车停了"] != "停水"
    assert not set(keys.values()) & {"停水", "停电", "电梯", "漏水"}, keys
    assert len({keys[t] for t in APART if t not in ("今天停车",)}) == len(APART) - 1  # nothing else folds together


NOISE = st.sampled_from(["", " ", "\x00", "\u3000", "😡", "！", "\u200b", "\ufeff", "~"])
FILLER = st.sampled_from([f for f in topics.FILLERS if f not in ("了",)] + ["3号楼", "三天", "了"])


def _warm():
    topic_key("電梯")  # OpenCC's tables load on the first traditional character


@settings(deadline=timedelta(milliseconds=300), max_examples=200,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.one_of(FILLER, NOISE), max_size=6), st.sampled_from(["停水", "水停了", "自来水停", "没有水"]),
       st.lists(st.one_of(FILLER, NOISE), max_size=6))
def test_fillers_and_noise_around_a_water_outage_never_change_its_matter(before, term, after):
    assert topic_key("".join(before) + term + "".join(after)) == "停水"


@settings(deadline=timedelta(milliseconds=300), max_examples=150,
          suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.sampled_from("停水电车梯坏了的今天家里全楼 \x00😀Ａwater is off\u3000"), max_size=10_000))
def test_topic_key_is_bounded_on_ten_thousand_characters_of_fillers_and_terms(text):
    _warm()
    started = time.perf_counter()
    key = topic_key(text)
    assert time.perf_counter() - started < 0.05
    assert isinstance(key, str) and "\x00" not in key


# --- 2. erasing a complaint opened from a call note -----------------------------------------------------------
def _from_call(db, clock, name="王小明", number="13800138000"):
    call_id = calllog.start_call(db, clock, "at")
    calllog.record_event(db, clock, call_id, CallEvent("callerid", 0, 1, number=number, name=name))
    note = calllog.add_note(db, clock, STAFF, call_id=call_id, category="complaint", what=f"{name}说楼道灯坏了",
                            caller_name=name, caller_number=number, place="5-302")
    cid = service.take(db, clock, STAFF, TZ, responsibility="company", **service.from_call_note(db, note))
    return call_id, note, cid


def test_erase_blanks_the_call_note_and_its_caller_id_once_audited_and_leaves_other_calls(db, clock):
    set_local(clock, 2026, 11, 17, 10)
    call_id, note, cid = _from_call(db, clock)
    other_call, other_note, _ = _from_call(db, clock, name="李娜娜", number="13900139000")
    service.erase(db, clock, MANAGER, cid)
    assert db.execute("SELECT caller_name, caller_number, what, place FROM call_notes WHERE id = ?",
                      (note,)).fetchone() == ("", "", "", "")
    assert db.execute("SELECT COUNT(*) FROM call_events WHERE call_id = ? AND (number != '' OR name != '')",
                      (call_id,)).fetchone()[0] == 0
    assert db.execute("SELECT caller_number FROM call_notes WHERE id = ?", (other_note,)).fetchone()[0] == "13900139000"
    assert db.execute("SELECT COUNT(*) FROM call_events WHERE call_id = ? AND number = '13900139000'",
                      (other_call,)).fetchone()[0] == 1
    [after] = [json.loads(r[0]) for r in db.execute("SELECT after FROM audit WHERE action = 'complaint.erase'")]
    assert after["complaint"] == 1 and after["linked"]["call_notes"] == 1 and after["linked"]["call_events"] >= 1
    assert "13800138000" not in str(after) and "王小明" not in str(after)
    with pytest.raises(service.ComplaintError, match="already erased"):  # twice: nothing left, nothing audited
        service.erase(db, clock, MANAGER, cid)
    assert db.execute("SELECT COUNT(*) FROM audit WHERE action = 'complaint.erase'").fetchone()[0] == 1
    assert not db.execute("SELECT 1 FROM privacy_erasing").fetchone()  # the guard does not outlive the erasure


def test_erase_after_retention_still_reaches_the_call_note(db, clock):
    set_local(clock, 2026, 11, 17, 10)
    _, note, cid = _from_call(db, clock)
    # retention runs from the close: an open complaint keeps its customer
    service.resolve(db, clock, STAFF, TZ, cid, "resolved", "处理完毕")
    service.close(db, clock, MANAGER, cid, "联系不上")
    clock.set(clock.now() + timedelta(days=800))
    service.apply_retention(db, clock, days=365)  # the complaint's own period: the note keeps its own
    assert service.get(db, cid).anonymised
    service.erase(db, clock, MANAGER, cid)
    assert db.execute("SELECT caller_number FROM call_notes WHERE id = ?", (note,)).fetchone()[0] == ""


def test_staff_cannot_erase_and_a_counter_complaint_erases_as_before(db, clock):
    set_local(clock, 2026, 11, 17, 10)
    _, note, from_call = _from_call(db, clock)
    with pytest.raises(service.ComplaintError):
        service.erase(db, clock, STAFF, from_call)
    assert db.execute("SELECT caller_number FROM call_notes WHERE id = ?", (note,)).fetchone()[0] == "13800138000"
    cid = take(db, clock, customer_name="丁", customer_contact="13700137000")
    service.erase(db, clock, MANAGER, cid)
    assert service.get(db, cid).anonymised
    assert db.execute("SELECT caller_number FROM call_notes WHERE id = ?", (note,)).fetchone()[0] == "13800138000"


# --- 3. a close does not skip the callback --------------------------------------------------------------------
def _resolved(db, clock):
    set_local(clock, 2026, 11, 2, 10)
    cid = take(db, clock, customer_name="丁", customer_contact="13800138000")
    service.resolve(db, clock, STAFF, TZ, cid, "resolved", "换了灯泡")
    return cid


def _duty(db, clock, cid):
    return [d.kind for d in duties.today(db, clock) if d.record_id == cid]


def test_staff_close_is_refused_also_after_an_unreachable_try(db, clock):
    cid = _resolved(db, clock)
    with pytest.raises(service.ComplaintError) as err:
        service.close(db, clock, STAFF, cid, "done")
    assert err.value.msgid == service.CALLBACK_OWED
    service.record_callback(db, clock, STAFF, cid, "unreachable")
    with pytest.raises(service.ComplaintError):
        service.close(db, clock, STAFF, cid)
    assert _duty(db, clock, cid) == ["complaint_callback"] and service.get(db, cid).status != "closed"


def test_a_manager_closes_an_unreachable_customer_only_with_a_reason_audited(db, clock):
    cid = _resolved(db, clock)
    with pytest.raises(service.ComplaintError) as err:
        service.close(db, clock, MANAGER, cid, "  ")
    assert (err.value.msgid, err.value.field) == (service.CLOSE_WHY, "note")
    service.close(db, clock, MANAGER, cid, "号码空号，三次联系不上")
    assert service.get(db, cid).status == "closed" and _duty(db, clock, cid) == []
    [after] = [json.loads(r[0]) for r in db.execute("SELECT after FROM audit WHERE action = 'complaint.close'")]
    assert after == {"unresolved": False, "callback_skipped": True}
    assert db.execute("SELECT note FROM complaint_events WHERE complaint_id = ? AND kind = 'closed'",
                      (cid,)).fetchone()[0] == "号码空号，三次联系不上"


def test_a_manager_deactivated_mid_session_cannot_close(ctx):
    boss = auth.add_user(ctx.db, ctx.clock, SYSTEM, "王经理", "manager", "9999")
    other = auth.add_user(ctx.db, ctx.clock, SYSTEM, "赵经理", "manager", "8888")
    desk = Desk(ctx, auth.sign_in(ctx.db, ctx.clock, boss.id, "9999"))
    cid = _resolved(ctx.db, ctx.clock)
    auth.set_active(ctx.db, ctx.clock, other.actor(), boss.id, False)
    with pytest.raises(Refusal) as err:
        desk.call(service.close, cid, "联系不上")
    assert err.value.msgid == SESSION_ENDED
    assert service.get(ctx.db, cid).status != "closed"


def test_the_refusals_are_translated_once():
    from pathlib import Path
    po = (Path(__file__).parents[2] / "data/locale/zh_CN/LC_MESSAGES/complaints.po").read_text(encoding="utf-8")
    for msgid in (service.CALLBACK_OWED, service.CLOSE_WHY, "Why the customer cannot be called back"):
        assert po.count(f'msgid "{msgid}"') == 1
