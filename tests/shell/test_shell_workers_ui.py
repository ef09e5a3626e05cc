"""Workers and failures as staff see them: an exception in a button handler is shown translated and the
app carries on; a background worker that dies says so on the status bar and comes back; housekeeping
runs off the UI thread and reports through the bus."""
from __future__ import annotations

import logging
import threading

import pytest

from kiosk.demo import accounts as demo
from tests.uikit import app_test, find, find_all, kiosk_app_factory, settle, shot, sign_in_as, tap

STAFF, STAFF_PIN = demo.DEMO_STAFF
FAILED_ZH = "出现错误（RuntimeError）。前台系统仍在运行，详情已记入日志。"


async def enter_pin(app, pin: str) -> None:
    for digit in pin:
        await tap(app, find(app.sm.current_screen, text=digit), frames=1)
    await tap(app, find(app.sm.current_screen, text=app.tr("OK")))


async def wait_for(app, predicate, seconds: float = 5.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if predicate():
            return
        await app.async_sleep(0.05)
    raise AssertionError("condition not reached in time")


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_an_exception_in_a_button_handler_is_shown_translated_and_the_app_keeps_running(
        kivy_app, monkeypatch, caplog):
    from kiosk.core import auth
    app = kivy_app
    await settle(app)
    await tap(app, find(app.root, text="员工"))
    await tap(app, find(app.sm.current_screen, text=STAFF))
    real_sign_in = auth.sign_in

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire at 13800138000")
    monkeypatch.setattr(auth, "sign_in", broken)
    with caplog.at_level(logging.ERROR, logger="screens.errors"):
        await enter_pin(app, STAFF_PIN)   # the OK button's handler raises inside Kivy's loop
        await settle(app)
    assert app._toast.text == FAILED_ZH and app._toast.opacity == 1
    assert "13800138000" not in app._toast.text, "the raw error text (maybe personal data) stays in the log"
    [record] = [r for r in caplog.records if r.name == "screens.errors"]
    assert record.exc_info and "disk on fire" in str(record.exc_info[1]), "logged with its traceback"
    shot(app, "shell_failure_toast_zh.png")
    # Still running: the same screen works once the fault is gone.
    monkeypatch.setattr(auth, "sign_in", real_sign_in)
    await tap(app, find(app.sm.current_screen, text=STAFF))
    await enter_pin(app, STAFF_PIN)
    assert app.sm.current == "desk" and app.user.name == STAFF


@app_test(kiosk_app_factory(lang="en"))
@pytest.mark.asyncio
async def test_the_same_failure_every_frame_is_logged_once_in_full(kivy_app, caplog):
    from kivy.clock import Clock
    app = kivy_app
    await settle(app)

    def every_frame(dt):
        raise ValueError("a callback that fails every frame")
    with caplog.at_level(logging.ERROR, logger="screens.errors"):
        event = Clock.schedule_interval(every_frame, 0)
        await app.wait_clock_frames(20)
        event.cancel()
        await settle(app)
    full = [r for r in caplog.records if r.name == "screens.errors" and r.exc_info]
    assert len(full) == 1
    assert app._toast.text.startswith("Something went wrong (ValueError)")


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_a_dying_background_worker_shows_on_the_status_bar_and_comes_back(kivy_app):
    app = kivy_app
    await sign_in_as(app, "staff")
    pill = app.sm.get_screen("desk").ids.worker_status
    assert pill.width == 0 and pill.opacity == 0, "no alert, no pill"
    finished = []
    app.ctx.bus.subscribe("export.finished", lambda e: finished.append(e.data["job"]))
    app.jobs.submit("export", lambda progress: 1 / 0)
    await wait_for(app, lambda: app.worker_alert_state == "restarting")
    await settle(app)
    assert pill.text == "后台任务：出错，正在重启" and pill.width > 0 and not pill.good
    assert app._toast.text == "后台任务：出错，正在重启"
    shot(app, "shell_worker_restarting_zh.png")
    await wait_for(app, lambda: app.worker_alert_state == "running")  # after the one-second back-off
    await settle(app)
    assert pill.text == "后台任务：已重启（1 次）"
    number = app.jobs.submit("export", lambda progress: "ok")
    await wait_for(app, lambda: number in finished)
    await tap(app, pill)  # staff saw it
    assert app.worker_alert == "" and pill.width == 0


@app_test(kiosk_app_factory(lang="en"))
@pytest.mark.asyncio
async def test_printer_worker_restarts_reach_the_status_bar_from_any_thread(kivy_app):
    app = kivy_app
    await sign_in_as(app, "staff")
    worker = threading.Thread(target=lambda: app.ctx.bus.publish(
        "worker.state", name="printer", state="restarting", detail="OSError: gone", restarts=3, delay=4.0))
    worker.start(), worker.join()
    await settle(app, 5)
    texts = [w.text for w in find_all(app.root, cls="Label")]
    assert "Printing: restarting" in texts
    app.ctx.bus.publish("printer.state", state="offline", detail="no answer", queued=2)
    app.ctx.bus.publish("phone.state", state="reconnecting", detail="cable?")
    app.ctx.bus.publish("worker.state", name="phone.reader", state="restarting", detail="", restarts=1, delay=1)
    await settle(app, 5)
    pill = app.sm.get_screen("desk").ids.worker_status
    assert pill.text == "Phone reader: restarting"
    assert pill.right <= app.sm.get_screen("desk").ids.sign_out.x, "the status bar still fits at 800 px"
    shot(app, "shell_worker_restarting_en.png")
    app.set_language("zh_CN")
    await settle(app)
    assert pill.text == "电话线路：出错，正在重启"


def _visitor_on_site(ctx) -> None:
    from kiosk.core import settings
    from kiosk.core.audit import SYSTEM
    from kiosk.visitors import service as visitors
    visitors.seed_demo(ctx.db, ctx.clock)
    host = visitors.find_hosts(ctx.db, "Li Na")[0]["id"]
    visitors.sign_in(ctx.db, ctx.clock, visitors.Visitor(
        name="王小明", phone="13800138000", host_id=host, purpose="meeting", party_size=1,
        organisation="星河科技", privacy_accepted=True))
    settings.put(ctx.db, ctx.clock, SYSTEM, "auto_signout_time", "20:00")


@app_test(kiosk_app_factory(lang="zh_CN", seed=_visitor_on_site))
@pytest.mark.asyncio
async def test_housekeeping_runs_off_the_ui_thread_and_reports_through_the_bus(kivy_app, monkeypatch):
    from kiosk.visitors import housekeeping
    app = kivy_app
    await sign_in_as(app, "staff")
    ran_on, done = [], []
    real = housekeeping.run_due

    def recording(db, clock, tz, **kwargs):
        ran_on.append(threading.current_thread())
        return real(db, clock, tz, **kwargs)
    monkeypatch.setattr(housekeeping, "run_due", recording)
    app.ctx.bus.subscribe("housekeeping.finished", lambda e: done.append(e.data["result"]))
    app.ctx.clock.advance(11.5 * 3600)  # 20:30 in Shanghai: past the automatic sign-out time
    number = None
    for _ in range(100):  # the start-up run (2 s after start) may still hold the slot
        number = app._housekeeping()
        if number is not None:
            break
        await app.async_sleep(0.05)
    assert number is not None
    await wait_for(app, lambda: any(d.signed_out for d in done))
    await settle(app)
    assert ran_on and all(t is not threading.main_thread() for t in ran_on), "no database work on the UI thread"
    assert app._toast.text == "已为 1 位访客自动签离"
    from kiosk.visitors import service as visitors
    assert visitors.on_site(app.ctx.db) == []
