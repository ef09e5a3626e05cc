"""The start-up quick database check (issue 18): on the housekeeping worker, off the UI thread; a problem is
told to staff in their language when they sign in, a sound file says nothing."""
from __future__ import annotations

import threading

import pytest

from kiosk.core import dbcheck
from tests.uikit import app_test, kiosk_app_factory, settle, sign_in_as


async def _wait_for(app, predicate, seconds: float = 10.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if predicate():
            return
        await app.async_sleep(0.05)
    raise AssertionError("condition not reached in time")


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_the_quick_check_runs_off_the_ui_thread_and_a_problem_reaches_staff(kivy_app, monkeypatch):
    app = kivy_app
    await settle(app)
    done, ran_on = [], []
    app.ctx.bus.subscribe("dbcheck.finished", done.append)
    real = dbcheck.quick

    def recording(*args, **kwargs):
        ran_on.append(threading.current_thread())
        return real(*args, **kwargs)
    monkeypatch.setattr(dbcheck, "quick", recording)
    await _wait_for(app, lambda: app._quick_check() is not None or done)
    await _wait_for(app, lambda: bool(done))
    assert done[-1].data["result"].ok and app.db_problem == ""
    assert ran_on and threading.main_thread() not in ran_on

    def damaged(*args, **kwargs):
        return dbcheck.QuickResult(problems=["call_notes: Tree 12 page 12: btreeInitPage() returns error code 11"],
                                   checked=["settings"], seconds=0.2)
    monkeypatch.setattr(dbcheck, "quick", damaged)
    done.clear()
    await _wait_for(app, lambda: app._quick_check() is not None)
    await _wait_for(app, lambda: bool(done))
    await settle(app)
    assert app.db_problem == "数据库检查发现问题：请联系技术支持（kiosk db check）"
    await sign_in_as(app, "staff")
    assert app._toast.text == app.db_problem, "staff hear of it when they sign in"
