"""A roll call survives an explicit sign-out and a restart (issue 13): the next sign-in is asked, in the
screen's language, to resume it with its marks or end it; taps the database could not take at sign-out
are kept on disk and written on resume with the time they were tapped."""
from __future__ import annotations

import sqlite3
from datetime import timedelta

import pytest
from kivy.core.window import Window

from kiosk.core import auth
from kiosk.core.audit import Actor
from kiosk.core.clock import utc_iso
from kiosk.visitors import rollcall as copy
from kiosk.visitors import service as visitors
from screens.visitors.rollcall_prompt import RollCallChoice
from tests.uikit import app_test, find, find_all, kiosk_app_factory, settle, shot, tap

WARDEN = Actor("Fire Warden", None, "staff")


def _visitors(ctx) -> dict:
    host = visitors.find_hosts(ctx.db, "Emma")[0]["id"]
    ids = {}
    for name, phone, party in (("张伟", "13800138000", 3), ("Anna Lee", "13911112222", 1),
                               ("欧阳" + "娜" * 18, "13922223333", 1)):
        ids[name] = visitors.sign_in(ctx.db, ctx.clock, visitors.Visitor(
            name, phone, host, "meeting", party_size=party, privacy_accepted=True)).visit_id
    return ids


def _asked():
    return [w for w in Window.children if isinstance(w, RollCallChoice)]


def _in_popup(popup, text):
    """The popup's own button (its content box only: the window behind is not the popup's)."""
    [button] = [w for w in popup.children[0].walk(restrict=True) if getattr(w, "text", None) == text
                and type(w).__name__ == "BigButton"]
    return button


def _row(section, name):
    return next(r for r in find_all(section, cls="OnSiteRow") if r.visit["name"] == name)


async def _staff_in(app):
    app.sign_in(auth.users(app.ctx.db, role="staff")[0])
    await settle(app)
    return app.sm.get_screen("desk").ids.content.current_screen


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_a_sign_out_mid_drill_then_sign_in_resumes_with_the_marks(kivy_app):
    app = kivy_app
    failures = []
    app._exception_handler.report = failures.append
    await settle(app)
    _visitors(app.ctx)
    section = await _staff_in(app)
    assert _asked() == [], "no roll call open: nothing asked"
    await tap(app, find(section, text="疏散点名"))
    for _ in range(2):
        await tap(app, find(_row(section, "张伟"), text="+1  (0/3)" if not section.call.heads(1) else "+1  (1/3)"))
    await tap(app, find(_row(section, "Anna Lee"), text="确认在场"))
    assert (section.accounted, section.missing) == (3, 2)
    rc = section.call.rollcall_id
    app.sign_out()
    await settle(app)
    assert app.user is None and not app.drill_active
    section = await _staff_in(app)
    [ask] = _asked()
    assert "5 人中已确认 3 人，仍有 2 人未到" in ask.message and ask.title == "还有一次疏散点名没有结束"
    shot(app, "visitors_rollcall_resume_zh.png")
    await tap(app, _in_popup(ask, "继续点名"))
    assert _asked() == [] and section.rollcall and section.call.rollcall_id == rc
    assert (section.accounted, section.missing) == (3, 2) and app.drill_active
    assert _row(section, "张伟").heads == 2
    await tap(app, find(_row(section, "张伟"), text="+1  (2/3)"))
    assert (section.accounted, section.missing) == (4, 1)
    assert app.ctx.db.execute("SELECT COUNT(*) FROM rollcalls").fetchone()[0] == 1, "no second roll call"
    # Ending asks, then leaves a record with the count the warden saw
    await tap(app, find(section, text="结束点名"))
    [ask] = _asked()
    assert ask.message == "5 人中已确认 4 人，仍有 1 人未到。"
    await tap(app, _in_popup(ask, "继续点名"))  # "carry on": nothing ended
    assert section.rollcall and visitors.open_rollcall(app.ctx.db).id == rc
    await tap(app, find(section, text="结束点名"))
    await tap(app, _in_popup(_asked()[0], "结束点名"))
    assert not section.rollcall
    [end] = app.ctx.db.query("SELECT * FROM rollcall_ends")
    assert (end["rollcall_id"], end["accounted"], end["missing"], end["total"]) == (rc, 4, 1, 5)
    app.sign_out()
    await settle(app)
    await _staff_in(app)
    assert _asked() == [], "an ended roll call is not offered again"
    assert failures == []


def _left_by_a_crash(ctx) -> None:
    """What a previous run left: a roll call with one stored mark, and a tap the locked database did not
    take, kept in the journal beside the database (the app was then killed)."""
    ids = _visitors(ctx)
    rc = visitors.start_rollcall(ctx.db, ctx.clock, WARDEN)
    ctx.clock.advance(30)
    visitors.mark_safe(ctx.db, ctx.clock, WARDEN, rc, ids["张伟"], 3)
    ctx.clock.advance(30)
    tapped = utc_iso(ctx.clock.now())
    pending = copy.RollCall(rollcall_id=rc, rows=[{"id": ids["Anna Lee"], "party_size": 1},
                                                  {"id": 999_999, "party_size": 5}])
    pending.step(ids["Anna Lee"], +1, at=tapped)
    pending.step(999_999, +1, at=tapped)  # a visit that is not there: ignored on resume
    copy.save_journal(ctx.db_path.with_name(copy.JOURNAL_NAME), pending)
    ctx.clock.advance(120)  # the restart


@app_test(kiosk_app_factory(lang="en", seed=_left_by_a_crash))
@pytest.mark.asyncio
async def test_after_a_restart_the_roll_call_resumes_with_the_taps_kept_on_disk(kivy_app):
    app = kivy_app
    await settle(app)
    journal = app.ctx.db_path.with_name(copy.JOURNAL_NAME)
    assert journal.exists()
    section = await _staff_in(app)
    [ask] = _asked()
    assert ask.title == "A roll call is still open" and "by Fire Warden: 3 of 5 accounted for, 2 still missing" in ask.message
    shot(app, "visitors_rollcall_resume_en.png")
    await tap(app, _in_popup(ask, "Resume the roll call"))
    assert section.rollcall and (section.accounted, section.missing) == (4, 1)
    assert not journal.exists(), "the kept taps are in the database now"
    [(at, actor)] = app.ctx.db.execute("SELECT m.at, m.actor FROM rollcall_marks m JOIN visits v ON v.id = m.visit_id"
                                       " WHERE v.name = 'Anna Lee'").fetchall()
    started = app.ctx.db.execute("SELECT started_at FROM rollcalls").fetchone()[0]
    assert started < at < utc_iso(app.ctx.clock.now()), "dated when it was tapped, not when it was written"
    assert actor == auth.users(app.ctx.db, role="staff")[0].name
    actions = [a for (a,) in app.ctx.db.execute("SELECT action FROM audit WHERE record_table = 'rollcalls'")]
    assert actions == ["visitors.rollcall_start", "visitors.rollcall_resume"]


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_a_sign_out_with_the_database_locked_keeps_the_taps_on_disk(kivy_app):
    app = kivy_app
    failures = []
    app._exception_handler.report = failures.append
    await settle(app)
    _visitors(app.ctx)
    section = await _staff_in(app)
    await tap(app, find(section, text="疏散点名"))
    rc = section.call.rollcall_id
    journal = app.ctx.db_path.with_name(copy.JOURNAL_NAME)
    locker = sqlite3.connect(app.ctx.db_path)
    locker.execute("BEGIN IMMEDIATE")
    app.ctx.db.execute("PRAGMA busy_timeout=50")
    try:
        await tap(app, find(_row(section, "Anna Lee"), text="确认在场"))
        assert section.accounted == 1 and section.call.pending
        assert copy.read_journal(journal)[0] == rc, "kept on disk as soon as the database said no"
        app.sign_out()  # the warden leaves the desk: the sign-out happens, the taps stay on disk
        await settle(app)
        assert app.user is None
    finally:
        locker.rollback()
        locker.close()
    assert copy.read_journal(journal)[0] == rc
    assert app.ctx.db.execute("SELECT COUNT(*) FROM rollcall_marks").fetchone()[0] == 0
    section = await _staff_in(app)
    await tap(app, _in_popup(_asked()[0], "继续点名"))
    assert section.accounted == 1 and not section.call.pending
    assert app.ctx.db.execute("SELECT heads FROM rollcall_marks").fetchall() == [(1,)]
    assert not journal.exists()
    # "End it" at sign-in ends it without opening the drill again
    app.sign_out()
    await settle(app)
    section = await _staff_in(app)
    await tap(app, _in_popup(_asked()[0], "结束点名"))
    assert not section.rollcall and visitors.open_rollcall(app.ctx.db) is None
    assert app.ctx.db.execute("SELECT accounted, missing FROM rollcall_ends").fetchall() == [(1, 4)]
    assert failures == []
