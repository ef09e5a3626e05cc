"""A visitor signing out while the database is locked (another program holds the write lock) gets a visitor's
sentence on the form, whole, with no file path and no "close the program"; the code stays typed, and the same
tap works once the lock is gone (outside test finding 7: a cut one-line technician's toast over the keyboard)."""
from __future__ import annotations

import sqlite3

import pytest

from kiosk.visitors import service as visitors
from tests.uikit import app_test, find, kiosk_app_factory, settle, shot, tap


def _seed(ctx):
    host = ctx.db.execute("SELECT id FROM hosts WHERE active = 1 LIMIT 1").fetchone()[0]
    made = visitors.sign_in(ctx.db, ctx.clock, visitors.Visitor(name="李雷", phone="13911112222", host_id=host,
                                                                purpose="meeting", privacy_accepted=True))
    ctx.signout_code = made.code


@app_test(kiosk_app_factory(lang="zh_CN", seed=_seed))
@pytest.mark.asyncio
async def test_sign_out_on_a_locked_database_says_so_to_the_visitor_then_works(kivy_app):
    app = kivy_app
    toasts = []
    original = app.toast
    app.toast = lambda text: (toasts.append(text), original(text))
    await settle(app)
    app.ctx.db.execute("PRAGMA busy_timeout=200")
    app.go("visitor_signout")
    await settle(app)
    screen = app.sm.current_screen
    locker = sqlite3.connect(app.ctx.db_path, isolation_level=None)
    locker.execute("BEGIN IMMEDIATE")
    try:
        for attempt in range(2):
            screen.ids.code.text = app.ctx.signout_code
            await tap(app, find(screen, text=app.tr("Sign me out", app.lang)))
            await settle(app, 5)
            error = screen.ids.code.error
            assert error.startswith("暂时无法为您签离") and error.endswith("或到前台询问。"), error
            assert str(app.ctx.db_path) not in error and "kiosk.db" not in error
            assert screen.goodbye == "" and screen.ids.code.text == app.ctx.signout_code
        assert not toasts, toasts  # no technician's sentence in a toast
        shot(app, "visitor_signout_locked_zh.png")
    finally:
        locker.execute("ROLLBACK")
        locker.close()
    assert "李雷" in [v["name"] for v in visitors.on_site(app.ctx.db)], "nothing was written while locked"
    await tap(app, find(screen, text=app.tr("Sign me out", app.lang)))
    await settle(app, 5)
    assert screen.goodbye, "the same tap works once the lock is gone"
    assert "李雷" not in [v["name"] for v in visitors.on_site(app.ctx.db)]
