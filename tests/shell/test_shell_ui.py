"""The app shell driven as a person would: home, language switch, PIN sign-in, desk, idle logout."""
from __future__ import annotations

import pytest

from kiosk.demo import accounts as demo
from tests.uikit import (app_test, find, find_all, kiosk_app_factory, open_section, settle, shot, sign_in_as, tap,
                         visible_buttons)

STAFF, STAFF_PIN = demo.DEMO_STAFF
MANAGER, MANAGER_PIN = demo.DEMO_MANAGER


async def enter_pin(app, pin: str) -> None:
    for digit in pin:
        await tap(app, find(app.sm.current_screen, text=digit), frames=1)
    await tap(app, find(app.sm.current_screen, text=app.tr("OK")))


def assert_touch_targets(app) -> None:
    """Every visible button is at least 48 px each way (800×480, density 1)."""
    small = [(b.text, tuple(b.size)) for b in visible_buttons(app.root) if b.height < 48 or b.width < 48]
    assert not small, f"buttons too small for a finger: {small}"


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_home_language_switch_and_staff_sign_in(kivy_app):
    app = kivy_app
    await settle(app)
    assert app.sm.current == "home" and app.visitor_mode
    find(app.root, text="欢迎光临")
    assert_touch_targets(app)
    shot(app, "shell_home_zh.png")

    await tap(app, find(app.sm.current_screen, text="English"))
    assert app.lang == "en"
    find(app.root, text="Welcome")
    shot(app, "shell_home_en.png")

    await tap(app, find(app.root, text="Staff"))
    assert app.sm.current == "login"
    await tap(app, find(app.sm.current_screen, text=STAFF))
    await enter_pin(app, "0000")
    find(app.root, text="Wrong PIN")
    shot(app, "shell_login_wrong_pin_en.png")
    assert_touch_targets(app)
    await enter_pin(app, STAFF_PIN)
    assert app.sm.current == "desk" and app.user.name == STAFF and not app.visitor_mode
    shot(app, "shell_desk_staff_en.png")
    assert_touch_targets(app)

    # Live switch on the desk too.
    await tap(app, find(app.sm.current_screen, text="中文"))
    find(app.root, text="退出")
    shot(app, "shell_desk_staff_zh.png")
    await tap(app, find(app.root, text="退出"))
    assert app.sm.current == "home" and app.user is None


@app_test(kiosk_app_factory(lang="en"))
@pytest.mark.asyncio
async def test_visitor_mode_cannot_reach_staff_screens_and_idle_logs_out(kivy_app):
    app = kivy_app
    await settle(app)
    app.go("desk")
    await settle(app)
    assert app.sm.current == "login", "the desk must ask for a PIN"
    app.go("home")
    await settle(app)
    await tap(app, find(app.root, text="Staff"))
    await tap(app, find(app.sm.current_screen, text=MANAGER))
    await enter_pin(app, MANAGER_PIN)
    assert app.user.role == "manager"
    app.ctx.clock.advance(app.ctx.config.get("ui", "staff_idle_seconds") + 1)
    await app.async_sleep(1.2)  # the idle check runs once a second
    await settle(app)
    assert app.user is None and app.sm.current == "home"


@app_test(kiosk_app_factory(lang="en"))
@pytest.mark.asyncio
async def test_status_bar_follows_device_events_from_threads(kivy_app):
    import threading
    app = kivy_app
    await settle(app)
    app.sign_in(app.ctx.db and __import__("kiosk.core.auth", fromlist=["users"]).users(app.ctx.db, role="staff")[0])
    await settle(app)
    worker = threading.Thread(target=lambda: app.ctx.bus.publish("printer.state", state="offline",
                                                                 detail="no answer", queued=2))
    worker.start(); worker.join()
    app.ctx.bus.publish("phone.state", state="reconnecting", detail="cable?")
    await settle(app, 5)
    texts = [w.text for w in find_all(app.root, cls="Label") if "Printer" in w.text or "Phone" in w.text]
    assert "Printer: offline (2 queued)" in texts and "Phone: reconnecting" in texts
    shot(app, "shell_status_bar_offline_en.png")


@app_test(kiosk_app_factory(lang="en", demo_data=False))
@pytest.mark.asyncio
async def test_first_run_creates_first_manager_on_screen(kivy_app):
    app = kivy_app
    await settle(app)
    await tap(app, find(app.root, text="Staff"))
    login = app.sm.current_screen
    assert login.first_run
    login.ids.fm_name.text = "Zhou Min"
    login.ids.fm_pin.text = "12"
    login.ids.fm_pin2.text = "12"
    await tap(app, find(login, text="Create manager and sign in"))
    assert login.ids.fm_pin.error == "PIN must be 4 to 8 digits"
    login.ids.fm_pin.text = login.ids.fm_pin2.text = "4321"
    await tap(app, find(login, text="Create manager and sign in"))
    assert app.user is not None and app.user.role == "manager" and app.user.name == "Zhou Min"


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_manager_changes_settings_on_screen_and_the_site_name_follows(kivy_app):
    from kiosk.core import settings
    app = kivy_app
    await sign_in_as(app, "manager")
    section = await open_section(app, "settings")
    assert section.ids.visitor_retention_days.text == "30"
    section.ids.visitor_retention_days.text = "0"
    await tap(app, find(section, text="保存设置"))
    assert section.error == "访客信息保存天数: 须为 1 至 3650 之间的整数"
    section.ids.visitor_retention_days.text = "60"
    section.ids.site_name_zh_CN.text = "绿谷球会前台"
    await tap(app, find(section, text="保存设置"))
    assert section.message == "已保存：修改了 2 项"
    assert settings.get(app.ctx.db, "visitor_retention_days") == 60 and app.site_name == "绿谷球会前台"
    shot(app, "settings_zh.png")
