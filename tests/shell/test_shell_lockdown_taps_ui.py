"""Item 10 of issue 16 re-tested by tapping, as a stranger would: keys from a USB keyboard or a scanner
(F1, Escape) on every visitor screen, an idle staff sign-out over open forms, the sign-out screen's keyboard
and the home screen's language left behind by the last visitor, and a finished step's timer that must not
throw the next visitor out mid-form."""
from __future__ import annotations

import pytest
from kivy.core.window import Window
from kivy.uix.modalview import ModalView

from kiosk.core import auth
from tests.pinyin_support import cached_engine
from tests.uikit import app_test, find, find_all, kiosk_app_factory, open_section, settle, shot, sign_in_as, tap, type_on_keyboard

F1, ESCAPE = 282, 27


def _popups() -> list:
    return [w for w in Window.children if isinstance(w, ModalView)]


def _everything_shown(app) -> str:
    widgets = list(app.root.walk())
    for child in Window.children:
        widgets += list(child.walk())
    return " | ".join(str(getattr(w, "text", "")) for w in widgets)


async def _press(app, key: int) -> None:
    Window.dispatch("on_key_down", key, 0, None, [])
    Window.dispatch("on_keyboard", key, 0, None, [])
    Window.dispatch("on_key_up", key, 0)
    await settle(app)


def _settings_closed(app) -> bool:
    return app._app_settings is None or app._app_settings.parent is None


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_f1_and_escape_do_nothing_on_any_screen_a_stranger_reaches(kivy_app, monkeypatch):
    app = kivy_app
    stopped = []
    import kivy.base
    monkeypatch.setattr(kivy.base, "stopTouchApp", lambda *a: stopped.append(a))
    monkeypatch.setattr(Window, "close", lambda *a: stopped.append(a))
    await settle(app)
    visited = []

    async def check(where):
        for key in (F1, ESCAPE):
            await _press(app, key)
            assert _settings_closed(app), f"{where}: key {key} opened Kivy's settings"
            assert not stopped, f"{where}: key {key} closed the app"
        visited.append((where, app.sm.current))
    await check("home")
    await tap(app, find(app.root, text="访客登记"))
    await check("sign-in phone step")
    flow = app.sm.current_screen
    flow.ids.phone.ids.input.text = "13911112222"
    await tap(app, find(flow, text="下一步"))
    await check("sign-in name step")
    await tap(app, find(flow, text="取消"))
    await tap(app, find(app.root, text="离开时签离"))
    await check("sign-out")
    await tap(app, find(app.sm.current_screen, text="返回"))
    await tap(app, find(app.root, text="员工"))  # the PIN pad
    await check("staff PIN pad")
    assert [s for _, s in visited] == ["home", "visitor_signin", "visitor_signin", "visitor_signout", "login"]
    # Signed-in staff neither: only a manager's screen opens Kivy's panel.
    app.sign_in(auth.users(app.ctx.db, role="staff")[0])
    await settle(app)
    await _press(app, F1)
    assert _settings_closed(app)


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_idle_sign_out_over_the_call_note_form_leaves_nothing_and_the_next_form_is_empty(kivy_app):
    from screens.phone.phone_section import NoteForm
    app = kivy_app
    await sign_in_as(app, "staff")
    section = await open_section(app, "phone")
    await settle(app)
    NoteForm(section, None).open()
    await settle(app)
    [form] = [w for w in _popups() if isinstance(w, NoteForm)]
    for key in ("name", "number", "what"):
        form.ids[key].text = "哨兵来电人王小明" if key != "number" else "13987654321"
    assert "哨兵来电人王小明" in _everything_shown(app)
    app.ctx.clock.advance(app.ctx.config.get("ui", "staff_idle_seconds") + 1)
    await app.async_sleep(1.2)
    await settle(app)
    assert app.user is None and app.sm.current == "home" and _popups() == []
    assert "哨兵来电人王小明" not in _everything_shown(app) and "13987654321" not in _everything_shown(app)
    shot(app, "lockdown_idle_note_form_zh.png")
    # A stranger taps Staff: the PIN pad, nothing of the note. The next staff member's form starts empty.
    await tap(app, find(app.root, text="员工"))
    assert "哨兵来电人王小明" not in _everything_shown(app)
    await sign_in_as(app, "staff")
    section = await open_section(app, "phone")
    NoteForm(section, None).open()
    await settle(app)
    assert "哨兵来电人王小明" not in _everything_shown(app)
    app.close_everything()


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_the_sign_out_screen_keyboard_and_the_home_language_are_reset_for_the_next_visitor(kivy_app):
    cached_engine()
    app = kivy_app
    await settle(app)
    await tap(app, find(app.root, text="离开时签离"))
    screen = app.sm.current_screen
    keyboard = screen.ids.keyboard
    await tap(app, next(k for k in find_all(keyboard, cls="KeyButton") if k.key == "mode:zh"))
    await type_on_keyboard(app, keyboard, "wang")
    assert keyboard.composition == "wang" and keyboard.candidates
    app.ctx.clock.advance(app.ctx.config.get("ui", "visitor_idle_seconds") + 1)
    await app.async_sleep(1.2)
    await settle(app)
    assert app.sm.current == "home"
    await tap(app, find(app.root, text="离开时签离"))
    assert keyboard.composition == "" and list(keyboard.candidates) == [] and keyboard.mode == "en"
    assert "wang" not in _everything_shown(app)
    await tap(app, find(screen, text="返回"))
    # The last visitor switched the home screen to English and walked away: the next one gets the site's.
    app.set_language("en")
    await settle(app)
    app.ctx.clock.advance(app.ctx.config.get("ui", "visitor_idle_seconds") + 1)
    await app.async_sleep(1.2)
    await settle(app)
    assert app.lang == "zh_CN" and find(app.root, text="访客登记")


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_a_goodbye_timer_never_throws_the_next_visitor_out(kivy_app):
    from kiosk.visitors import service as visitors
    app = kivy_app
    await settle(app)
    host = visitors.find_hosts(app.ctx.db, "Emma")[0]["id"]
    visit = visitors.sign_in(app.ctx.db, app.ctx.clock, visitors.Visitor("哨兵甲", "13911112222", host, "meeting",
                                                                          privacy_accepted=True))
    await tap(app, find(app.root, text="离开时签离"))
    screen = app.sm.current_screen
    screen.ids.code.ids.input.text = visit.code
    await tap(app, find(screen, text=app.tr("Sign me out", "zh_CN")))
    assert screen.goodbye
    await tap(app, find(screen, text="返回"))           # visitor A leaves at once
    await tap(app, find(app.root, text="离开时签离"))      # visitor B starts typing their code
    screen.ids.code.ids.input.text = "AB"
    await app.async_sleep(4.5)                         # A's goodbye timer would have fired by now
    await settle(app)
    assert app.sm.current == "visitor_signout" and screen.ids.code.ids.input.text == "AB", \
        "the next visitor keeps their screen and what they typed"
    assert screen.goodbye == "", "A's goodbye is not shown to B"


def test_a_config_file_cannot_turn_kivys_inspector_or_keyboard_on():
    """A ~/.kivy/config.ini with [modules] inspector = (Ctrl+E: every widget's text) or keyboard_mode = dock
    is overridden by the launcher."""
    from configparser import ConfigParser

    from screens.launch import lock_down
    config = ConfigParser()
    config.read_string("[kivy]\nkeyboard_mode = dock\nexit_on_escape = 1\n[modules]\ninspector =\nmonitor =\n"
                       "touchring = \nscreen = phone_iphone_6\n")
    assert sorted(lock_down(config)) == ["inspector", "monitor", "screen", "touchring"]
    assert config.options("modules") == [] and config.get("kivy", "keyboard_mode") == "system"


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_outside_findings_on_the_lock_down(kivy_app):
    """F5: the handwriting pad's strokes go with the visitor; F6: a popup opened over home closes after the
    visitor idle time; F12: over the PIN pad the prompt says nothing of the caller's history; F13: the staff
    dock keyboard's half-typed pinyin goes with an idle sign-out."""
    cached_engine()
    app = kivy_app
    await settle(app)
    await tap(app, find(app.root, text="访客登记"))
    flow = app.sm.current_screen
    keyboard = flow.ids.keyboard
    keyboard.mode = "write"
    await settle(app)
    pad = keyboard._pad
    pad.strokes = [[(0.1, 0.1), (0.9, 0.9)], [(0.9, 0.1), (0.1, 0.9)]]
    cancel = [w for w in find_all(flow, cls="BigButton") if getattr(w, "text", "") == "取消"]
    await tap(app, cancel[0])  # the step bar's Cancel (the pad has its own)
    await tap(app, find(app.root, text="访客登记"))
    assert pad.strokes == [] and keyboard.mode == "zh"
    await tap(app, [w for w in find_all(flow, cls="BigButton") if getattr(w, "text", "") == "取消"][0])
    # F6: a popup over home (any ModalView: the call banner's staff PIN is one) closes when left alone.
    ModalView(size_hint=(0.5, 0.5)).open()
    await settle(app)
    assert _popups()
    app.ctx.clock.advance(app.ctx.config.get("ui", "visitor_idle_seconds") + 1)
    await app.async_sleep(1.2)
    await settle(app)
    assert _popups() == [] and app.sm.current == "home"
    # F12: the caller's history is staff information.
    for _ in range(100):
        if app.call_prompt is not None:
            break
        await app.async_sleep(0.05)
    await tap(app, find(app.root, text="员工"))
    app.ctx.bus.publish("call.prompt", call_no=1, rings=4, number="13800138000", name="王小明", times=3,
                        last="2026-11-20T06:00:00Z")
    await settle(app)
    shown = _everything_shown(app)
    assert "3 次" not in shown and "13800138000" not in shown, shown
    # F13: the dock keyboard of the staff desk.
    app.sign_in(auth.users(app.ctx.db, role="staff")[0])
    await settle(app)
    dock = app.keyboard_dock
    from screens.widgets.keyboard import OnScreenKeyboard
    dock._keyboard = dock._keyboard or OnScreenKeyboard()
    dock._keyboard.composition, dock._keyboard.candidates = "ouyang", ["欧阳"]
    app.ctx.clock.advance(app.ctx.config.get("ui", "staff_idle_seconds") + 1)
    await app.async_sleep(1.2)
    await settle(app)
    assert app.user is None and dock._keyboard.composition == "" and list(dock._keyboard.candidates) == []
