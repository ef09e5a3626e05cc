"""The bound desk: services called without threading db, clock, actor and terminal through screens."""
from __future__ import annotations

import threading

import pytest

from kiosk.core import auth
from kiosk.core.audit import SYSTEM, VISITOR, Actor
from kiosk.core.desk import BOUND, Desk, bound_names
from kiosk.core.errors import Refusal


def _all(db, clock, actor, terminal_id, tz, extra, *, flag=False):
    return db, clock, actor, terminal_id, tz, extra, flag


def _db_only(db, text):
    return db, text


def _clock_first(clock, tz_name):
    return clock, tz_name


def _gap(db, clock, user_id, actor=None):  # actor is not in the leading run: never filled
    return db, clock, user_id, actor


def _misplaced(rows, db, lang):
    return rows, db, lang


@pytest.fixture
def staff(ctx):
    user = auth.add_user(ctx.db, ctx.clock, SYSTEM, "Li Na", "staff", "1234")
    return auth.sign_in(ctx.db, ctx.clock, user.id, "1234")


def test_binds_the_leading_run_by_name_and_passes_the_rest(ctx, staff):
    desk = Desk(ctx, staff)
    db, clock, actor, terminal, tz, extra, flag = desk.call(_all, "x", flag=True)
    assert db is ctx.db and clock is ctx.clock and terminal == ctx.terminal_id == "T01"
    assert actor == staff.actor() and actor.role == "staff" and tz == ctx.config.get("site", "timezone")
    assert (extra, flag) == ("x", True)
    assert desk.call(_db_only, "abc") == (ctx.db, "abc")
    assert desk.call(_clock_first, "UTC") == (ctx.clock, "UTC")
    assert desk.call(_gap, 7) == (ctx.db, ctx.clock, 7, None), "a later 'actor' is the caller's to give"
    assert bound_names(_all) == BOUND and bound_names(len) == ()


def test_a_keyword_overrides_the_desk_for_one_call(ctx, staff):
    desk = Desk(ctx, staff)
    manager = Actor("Zhou Min", 9, "manager")
    assert desk.call(_all, "x", actor=manager)[2] == manager
    assert desk.actor == staff.actor(), "the override does not stick"


def test_actor_follows_sign_in_and_sign_out(ctx, staff):
    desk = Desk(ctx)
    assert not desk.signed_in and desk.actor == VISITOR
    desk.sign_in(staff)
    assert desk.actor == staff.actor() and desk.staff == staff.actor()
    desk.sign_out()
    assert desk.actor == VISITOR and desk.visitor_call(_all, 1)[2] == VISITOR


def test_staff_calls_refuse_with_nobody_signed_in_and_run_nothing(ctx):
    desk = Desk(ctx)
    ran = []
    with pytest.raises(Refusal) as refused:
        desk.call(lambda db: ran.append(db))
    assert refused.value.msgid == "sign in first" and refused.value.message("zh_CN") == "请先登录"
    assert not ran
    with pytest.raises(Refusal):
        _ = desk.staff
    assert desk.visitor_call(_db_only, "t") == (ctx.db, "t"), "visitor calls still work"


def test_a_service_that_does_not_take_db_first_is_refused_not_misfed(ctx, staff):
    with pytest.raises(TypeError, match="does not take db first"):
        Desk(ctx, staff).call(_misplaced, [], "zh_CN")


def test_each_thread_gets_its_own_connection(ctx, staff):
    desk = Desk(ctx, staff)
    here = desk.call(_db_only, "")[0]
    there = []

    def work():
        there.append(desk.call(_db_only, "")[0])
        ctx.close()

    worker = threading.Thread(target=work)
    worker.start()
    worker.join()
    assert there and there[0] is not here and desk.db is here


def test_real_services_through_the_desk(ctx, staff):
    """A sale through the desk is the same sale: the rule (open shift) and the actor come along."""
    from kiosk.counter import sales, shifts
    from kiosk.counter.sales import CounterError, Payment
    desk = Desk(ctx, staff)
    sales.seed_demo(ctx.db, ctx.clock)
    water = desk.call(sales.by_sku, "DRK-001")
    with pytest.raises(CounterError, match="open the counter first"):
        desk.call(sales.sell, {water.id: 1}, Payment("card", reference="x"))
    desk.call(shifts.open_shift, float_fen=0)
    result = desk.call(sales.sell, {water.id: 1}, Payment("card", reference="x"))
    assert result.receipt_no == "T01-S-000001"
    assert ctx.db.execute("SELECT actor FROM sales WHERE id = ?", (result.sale_id,)).fetchone()[0] == "Li Na"


@pytest.mark.parametrize("change", ["deactivate", "pin_reset"])
def test_a_deactivated_or_reset_account_loses_its_open_session_at_the_next_call(ctx, staff, change):
    """Outside test (fifth round): a manager deactivates someone who is signed in; their open session
    went on working (visitor search with names and phones) until the idle timeout."""
    boss = auth.add_user(ctx.db, ctx.clock, SYSTEM, "王经理", "manager", "9999")
    desk = Desk(ctx, staff)
    ended = []
    desk.on_session_ended = lambda: ended.append(True)
    assert desk.call(_db_only, "x")[1] == "x"
    if change == "deactivate":
        auth.set_active(ctx.db, ctx.clock, boss.actor(), staff.id, False)
    else:
        auth.reset_pin(ctx.db, ctx.clock, boss.actor(), staff.id, "5678")
    for call in (desk.call, desk.visitor_call, desk.quick_call):
        with pytest.raises(Refusal) as err:
            call(_db_only, "x")
        assert err.value.msgid == "your account was changed by a manager: sign in again"
    assert ended == [True, True, True]
    desk.unchecked_call(auth.sign_out, staff, reason="account_changed")  # the sign-out is still audited
    if change == "pin_reset":  # signed in again with the new PIN: a new session works
        desk.sign_in(auth.sign_in(ctx.db, ctx.clock, staff.id, "5678"))
        assert desk.call(_db_only, "y")[1] == "y"


def test_changes_that_do_not_end_a_session(ctx, staff):
    boss_user = auth.add_user(ctx.db, ctx.clock, SYSTEM, "王经理", "manager", "9999")
    boss = auth.sign_in(ctx.db, ctx.clock, boss_user.id, "9999")
    desk = Desk(ctx, boss)
    auth.change_own_pin(ctx.db, ctx.clock, staff.id, "1234", "4321")    # someone else's own change
    auth.reset_pin(ctx.db, ctx.clock, boss.actor(), boss.id, "8888")   # a manager resetting their own PIN
    auth.unlock(ctx.db, ctx.clock, boss.actor(), staff.id)
    assert desk.call(_db_only, "x")[1] == "x"
    other = Desk(ctx, staff)
    auth.change_own_pin(ctx.db, ctx.clock, staff.id, "4321", "2468")    # their own PIN change keeps them in
    assert other.call(_db_only, "x")[1] == "x"
