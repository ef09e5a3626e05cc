"""Outside-test fixes for the drill (issue 13 item 2): a roll call started while a search is on screen and the
database is locked runs from the last on-site list, never the search results; a warden who stops tapping for
longer than the staff idle timeout keeps the desk and the roll call."""
from __future__ import annotations

import sqlite3

import pytest

from kiosk.core import auth
from kiosk.visitors import service as visitors
from tests.uikit import app_test, find, find_all, kiosk_app_factory, settle, shot, tap


def _visitors(app):
    host = visitors.find_hosts(app.ctx.db, "Emma")[0]["id"]
    ids = {}
    for name, phone, party in (("王小明", "13700001111", 2), ("张伟", "13800138000", 3), ("Anna Lee", "13911112222", 1),
                               ("王芳", "13922223333", 1)):
        ids[name] = visitors.sign_in(app.ctx.db, app.ctx.clock, visitors.Visitor(
            name, phone, host, "meeting", party_size=party, privacy_accepted=True)).visit_id
    return ids


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_a_search_then_a_drill_with_the_database_locked_runs_on_everyone_on_site(kivy_app):
    app = kivy_app
    failures = []
    app._exception_handler.report = failures.append
    await settle(app)
    ids = _visitors(app)
    staff = auth.users(app.ctx.db, role="staff")[0]
    visitors.sign_out(app.ctx.db, app.ctx.clock, staff.actor(), ids["王小明"])  # left before the alarm
    app.sign_in(auth.users(app.ctx.db, role="staff")[0])
    await settle(app)
    section = app.sm.get_screen("desk").ids.content.current_screen
    section.refresh()  # the on-site list: 张伟 ×3, Anna Lee, 王芳
    section.ids.search.text = "王"
    section.refresh()  # the search lists past visits too: 王小明 (gone), 王芳
    await settle(app)
    assert {r["name"] for r in section.rows} >= {"王小明", "王芳"}
    locker = sqlite3.connect(app.ctx.db_path)
    locker.execute("BEGIN IMMEDIATE")
    app.ctx.db.execute("PRAGMA busy_timeout=50")
    try:
        await tap(app, find(section, text="疏散点名"))
        names = {r["name"] for r in section.call.rows}
        assert names == {"张伟", "Anna Lee", "王芳"}, names
        assert section.missing == 5 and section.accounted == 0
        section.ids.search.text = ""
        section.refresh()
        await settle(app)
        assert find(section, text="已确认 0 人 / 未到 5 人")
        shot(app, "visitors_drill_after_search_locked_zh.png")
    finally:
        locker.rollback()
        locker.close()
    assert failures == []


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_the_idle_timeout_never_ends_a_drill(kivy_app):
    app = kivy_app
    await settle(app)
    _visitors(app)
    app.sign_in(auth.users(app.ctx.db, role="staff")[0])
    await settle(app)
    section = app.sm.get_screen("desk").ids.content.current_screen
    await tap(app, find(section, text="疏散点名"))
    row = next(r for r in find_all(section, cls="OnSiteRow") if r.visit["name"] == "Anna Lee")
    await tap(app, find(row, text="确认在场"))
    idle = app.ctx.config.section("ui")["staff_idle_seconds"]
    app._last_activity -= idle * 5  # five timeouts without a tap
    app._tick(0)
    await settle(app)
    assert app.user is not None and app.sm.current == "desk" and section.rollcall
    assert section.accounted == 1
    # the drill over (the same button), the timeout applies again
    await tap(app, find(section, text="结束点名"))
    assert section.rollcall, "ending asks first"
    from kivy.core.window import Window
    from screens.visitors.rollcall_prompt import RollCallChoice
    [ask] = [w for w in Window.children if isinstance(w, RollCallChoice)]
    [end] = [w for w in ask.children[0].walk(restrict=True) if type(w).__name__ == "BigButton" and w.text == "结束点名"]
    await tap(app, end)
    assert not section.rollcall and not app.drill_active
    app._last_activity -= idle * 5
    app._tick(0)
    await settle(app)
    assert app.user is None
