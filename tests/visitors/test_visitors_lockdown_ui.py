"""The locked-down kiosk, tried as a stranger: F1 opens nothing, an idle sign-out leaves no popup with a
visitor's data, the caller's name and number only for signed-in staff, the next visitor gets neither the
last one's half-typed pinyin nor their language."""
from __future__ import annotations

import pytest
from kivy.core.window import Window
from kivy.uix.modalview import ModalView

from kiosk.core import auth
from tests.pinyin_support import cached_engine
from tests.uikit import app_test, find, find_all, kiosk_app_factory, settle, shot, tap, type_on_keyboard

F1 = 282


def _labels(app) -> str:
    widgets = list(find_all(app.root, cls="Label"))
    for child in Window.children:
        widgets += [w for w in child.walk() if hasattr(w, "text")]
    return " | ".join(str(w.text) for w in widgets)


def _open_popups() -> list:
    return [w for w in Window.children if isinstance(w, ModalView)]


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_f1_opens_kivy_settings_only_for_a_signed_in_manager(kivy_app):
    app = kivy_app
    await settle(app)
    for screen in ("home", "visitor_signin"):
        if screen != "home":
            await tap(app, find(app.root, text="访客登记"))
        Window.dispatch("on_keyboard", F1, 0, None, [])
        await settle(app)
        assert app._app_settings is None or app._app_settings.parent is None, screen
    app.sm.current_screen.finish()
    await settle(app)
    app.sign_in(auth.users(app.ctx.db, role="staff")[0])
    await settle(app)
    Window.dispatch("on_keyboard", F1, 0, None, [])
    await settle(app)
    assert app._app_settings is None or app._app_settings.parent is None, "staff neither"
    app.sign_out()
    app.sign_in(auth.users(app.ctx.db, role="manager")[0])
    await settle(app)
    assert app.open_settings() is not False
    await settle(app)
    app.sign_out()  # signing out closes it
    await settle(app)
    assert app._app_settings is None or app._app_settings.parent is None


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_idle_sign_out_closes_every_popup_and_their_data(kivy_app):
    from screens.visitors.visitor_desk import RegisterVisitor
    from tests.uikit import open_section, sign_in_as
    app = kivy_app
    await sign_in_as(app, "staff")
    section = await open_section(app, "visitors")
    await tap(app, find(section, text="登记访客"))
    form = next(w for w in find_all(app.root, cls=RegisterVisitor))
    form.ids.name.text = "欧阳娜娜"
    form.ids.phone.text = "13922222222"
    app.require_manager(lambda manager: None, "void")
    await settle(app)
    assert len(_open_popups()) >= 2
    app.ctx.clock.advance(app.ctx.config.get("ui", "staff_idle_seconds") + 1)
    await app.async_sleep(1.2)
    await settle(app)
    assert app.user is None and app.sm.current == "home"
    assert _open_popups() == [], "no popup stays over the visitor home screen"
    text = _labels(app)
    assert "欧阳娜娜" not in text and "13922222222" not in text
    shot(app, "lockdown_after_idle_zh.png")
    [out] = app.ctx.db.execute("SELECT after FROM audit WHERE action = 'user.sign_out'").fetchall()
    assert '"idle"' in out[0], "the idle sign-out is audited"


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_the_caller_is_shown_only_to_signed_in_staff(kivy_app):
    app = kivy_app
    await settle(app)
    for _ in range(100):
        if app.call_prompt is not None:
            break
        await app.async_sleep(0.05)
    await tap(app, find(app.root, text="员工"))  # a stranger taps Staff: the PIN pad
    await settle(app)
    app.ctx.bus.publish("call.prompt", call_no=1, rings=4, number="13800138000", name="王小明")
    await settle(app)
    assert app.call_prompt.parent is not None
    text = _labels(app)
    assert "13800138000" not in text and "王小明" not in text and "有来电" in text
    shot(app, "lockdown_prompt_over_pin_pad_zh.png")
    app.sign_in(auth.users(app.ctx.db, role="staff")[0])
    await settle(app)
    assert app.call_prompt.who == "王小明  13800138000"


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_the_next_visitor_gets_no_half_typed_pinyin_and_the_site_language(kivy_app):
    cached_engine()
    app = kivy_app
    await settle(app)
    app.set_language("en")  # the last visitor switched to English
    await settle(app)
    await tap(app, find(app.root, text="Sign in as a visitor"))
    flow = app.sm.current_screen
    flow.ids.phone.ids.input.text = "13911112222"
    await tap(app, find(flow, text="Continue"))
    keyboard = flow.ids.keyboard
    await type_on_keyboard(app, keyboard, "wang")
    assert keyboard.composition == "wang" and keyboard.candidates
    # They walk away: after the idle time the next visitor starts clean, in the site's language.
    app.ctx.clock.advance(app.ctx.config.get("ui", "visitor_idle_seconds") + 1)
    await app.async_sleep(1.2)
    await settle(app)
    assert app.sm.current == "home" and app.lang == "zh_CN"
    await tap(app, find(app.root, text="访客登记"))
    flow.ids.phone.ids.input.text = "13500000000"
    await tap(app, find(flow, text="下一步"))
    assert keyboard.composition == "" and list(keyboard.candidates) == []
    assert flow.ids.name.text == "" and flow.ids.organisation.text == ""
