"""The visitor banner's staff path: an outcome only after a staff PIN, and no caller details before it
(or after it: a visitor may be standing at the screen). zh_CN, 800×480, headless."""
from __future__ import annotations

import pytest

from kiosk.core import audit
from kiosk.demo.accounts import DEMO_STAFF
from tests.phone.test_phone_ui import publish_call
from tests.uikit import app_test, find, find_all, kiosk_app_factory, settle, shot, tap

NUMBER, NAME = "13800138000", "王小明"


def texts(widget) -> list[str]:
    return [w.text for w in widget.walk() if isinstance(getattr(w, "text", None), str)]


async def type_pin(app, pad, pin: str) -> None:
    for digit in pin:
        await tap(app, find(pad, text=digit), frames=1)
    await tap(app, find(pad, cls="BigButton", predicate=lambda b: b.text in ("OK", "确定", "确认")), frames=2)


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_the_banner_marks_a_call_answered_only_after_a_staff_pin(kivy_app):
    app = kivy_app
    await settle(app)
    answered = []
    app.ctx.bus.subscribe("call.staff_answered", lambda e: answered.append(dict(e.data)))
    publish_call(app, "callerid", number=NUMBER, name=NAME, times=3, last="2026-11-20T02:00:00+00:00")
    publish_call(app, "prompt", rings=4, number=NUMBER, call_id=7)
    await settle(app)
    prompt = app.call_prompt
    assert prompt.banner and prompt.parent is not None and app.user is None
    banner = prompt.ids.banner
    assert not [t for t in texts(banner) if NUMBER in t or NAME in t], "the banner names no caller"
    button = find(banner, text="员工确认已接听")
    assert button.height >= 48 and button.width >= 48
    shot(app, "phone_banner_staff_pin_zh.png")
    await tap(app, button)
    await settle(app)
    [pin] = find_all(app.root, cls="StaffAnswerPin")
    shown = " ".join(texts(pin))
    assert NUMBER not in shown and NAME not in shown and "13800" not in shown, "no caller details before the PIN"
    assert "仅限员工" in shown
    await tap(app, find(pin, text=DEMO_STAFF[0]))
    for key in "0000":          # the pad's own keys (tapping each is the next PIN's job)
        pin.ids.pad.press(key)
    pin.ids.pad.press("ok")
    await settle(app, 1)
    assert pin.ids.pad.message == "PIN 码错误" and answered == [], "a wrong PIN sets no outcome"
    shot(app, "phone_staff_pin_wrong_zh.png")
    await type_pin(app, pin.ids.pad, DEMO_STAFF[1])
    await settle(app)
    assert len(answered) == 1
    sent = answered[0]
    assert (sent["call_no"], sent["call_id"], sent["actor"]) == (1, 7, DEMO_STAFF[0])
    assert prompt.parent is None, "the banner goes once the call is marked"
    assert app.user is None and app.visitor_mode, "the PIN signs nobody in"
    assert not find_all(app.root, cls="StaffAnswerPin")
    assert NUMBER not in app._toast.text and DEMO_STAFF[0] in app._toast.text
    actions = [e["action"] for e in audit.entries(app.ctx.db)]
    assert "user.call_answer" in actions
    shot(app, "phone_staff_pin_done_zh.png")


@app_test(kiosk_app_factory(lang="en"))
@pytest.mark.asyncio
async def test_the_pin_pad_follows_a_language_switch_and_cancel_sends_nothing(kivy_app):
    app = kivy_app
    await settle(app)
    answered = []
    app.ctx.bus.subscribe("call.staff_answered", answered.append)
    publish_call(app, "prompt", rings=5, number=NUMBER)
    await settle(app)
    pin = app.call_prompt.staff_pin()
    await settle(app)
    assert "Staff only: who answered the phone?" in texts(pin)
    app.set_language("zh_CN")
    await settle(app)
    assert "仅限员工：谁接听了电话？" in texts(pin)
    await tap(app, find(pin, text="取消"))
    await settle(app)
    assert answered == [] and app.call_prompt.parent is not None, "cancel leaves the banner"


@app_test(kiosk_app_factory(lang="en"))
@pytest.mark.asyncio
async def test_a_visitor_guessing_pins_is_locked_out_and_marks_nothing(kivy_app):
    app = kivy_app
    await settle(app)
    answered = []
    app.ctx.bus.subscribe("call.staff_answered", answered.append)
    publish_call(app, "prompt", rings=4, number=NUMBER, name=NAME)
    await settle(app)
    pin = app.call_prompt.staff_pin()
    await settle(app)
    pad = pin.ids.pad
    pad.press("ok")                      # nobody chosen, nothing typed: nothing happens
    pin.submit("1111")
    assert pad.message == "Choose your name first" and answered == []
    await tap(app, find(pin, text=DEMO_STAFF[0]))
    for guess in ("0000", "1234", "9999", "4321", "0001"):   # the fifth wrong PIN locks
        for key in guess:
            pad.press(key)
        pad.press("ok")
    await settle(app, 1)
    assert pad.message.startswith("Locked for"), pad.message
    for key in DEMO_STAFF[1]:
        pad.press(key)
    pad.press("ok")                      # the right PIN while locked is refused too
    await settle(app)
    assert answered == [] and app.call_prompt.parent is not None and app.user is None
    assert NUMBER not in " ".join(texts(pin)) and NAME not in " ".join(texts(pin))
