"""The three-ring prompt over the app, the banner in visitor mode, and the phone section."""
from __future__ import annotations

import pytest

from kiosk.core import auth
from kiosk.phone import calllog
from kiosk.phone.tracker import CallEvent
from tests.uikit import app_test, find, find_all, kiosk_app_factory, settle, shot, tap


def publish_call(app, kind: str, call_no: int = 1, **data) -> None:
    base = {"t": 0.0, "call_no": call_no, "rings": 0, "number": "", "name": "", "outcome": "", "source": "",
            "seconds_to_answer": None, "duration": None, "call_id": None}
    app.ctx.bus.publish(f"call.{kind}", **(base | data))


def staff(app):
    app.sign_in(auth.users(app.ctx.db, role="staff")[0])


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_prompt_over_the_desk_and_answered_is_sent_back(kivy_app):
    app = kivy_app
    await settle(app)
    staff(app)
    await settle(app)
    answered = []
    app.ctx.bus.subscribe("call.staff_answered", answered.append)
    publish_call(app, "prompt", rings=4, number="13800138000", name="王小明")
    await settle(app)
    assert app.call_prompt.parent is not None and not app.call_prompt.banner
    find(app.root, text="电话已响 4 声，请接听")
    find(app.root, text="王小明  13800138000")
    apology = app.call_prompt.apology
    assert "对不起，让您久等了。" in apology
    assert "“您好，前台服务中心，请问有什么可以帮您？”" in [w.text for w in find_all(app.root, cls="Label")]
    shot(app, "phone_prompt_zh.png")
    publish_call(app, "ring", rings=5, number="13800138000", name="王小明")
    await settle(app)
    assert "必须先道歉" in app.call_prompt.apology
    await tap(app, find(app.call_prompt.ids.card, text="已接听"))
    assert answered and app.call_prompt.parent is None
    assert answered[0].data["actor"] == app.user.name and answered[0].data["actor_id"] == app.user.id, "who answered"


@app_test(kiosk_app_factory(lang="en"))
@pytest.mark.asyncio
async def test_banner_in_visitor_mode_leaves_the_form_alone(kivy_app):

    from screens.widgets.common import FormField
    app = kivy_app
    await settle(app)
    home = app.sm.get_screen("home")
    form = FormField(label="Your name", size_hint=(None, None), size=(400, 96), pos=(200, 150))
    home.add_widget(form)  # a visitor's half-filled form
    form.ids.input.text = "Wang Xiao"
    await settle(app)
    publish_call(app, "prompt", rings=4, number="02161234567")
    await settle(app)
    assert app.call_prompt.banner and app.call_prompt.parent is not None
    shot(app, "phone_banner_visitor_mode_en.png")
    await tap(app, form.ids.input)  # touches below the banner still reach the form
    assert form.ids.input.focus and form.ids.input.text == "Wang Xiao"
    assert app.sm.current == "home"
    publish_call(app, "ended", outcome="missed", source="offhook")
    await settle(app)
    assert app.call_prompt.parent is None
    home.remove_widget(form)


@app_test(kiosk_app_factory(lang="en"))
@pytest.mark.asyncio
async def test_phone_section_confirm_unknown_and_write_a_note(kivy_app):
    app = kivy_app
    await settle(app)
    db, clock = app.ctx.db, app.ctx.clock
    call_id = calllog.start_call(db, clock, "at")
    calllog.record_event(db, clock, call_id, CallEvent("callerid", 0, 1, number="13912345678", name="LI LEI"))
    calllog.record_event(db, clock, call_id, CallEvent("ended", 0, 1, rings=5, outcome="unknown", source="heuristic",
                                                       number="13912345678"))
    staff(app)
    await settle(app)
    nav = app.sm.get_screen("desk").ids.nav
    await tap(app, next(b for b in nav.children if b.section_name == "phone"))
    section = app.sm.get_screen("desk").ids.content.current_screen
    assert section.name == "phone"
    shot(app, "phone_section_en.png")
    await tap(app, find(section, text="not known"))
    await tap(app, find(app.root, text="Answered"))
    start, end = calllog.day_bounds(clock, "Asia/Shanghai")
    [call] = calllog.calls_between(db, start, end)
    assert (call.outcome, call.source) == ("answered", "staff")
    await tap(app, find(section, text="Note"))
    form = next(w for w in find_all(app.root, cls="NoteForm"))
    assert form.ids.number.text == "13912345678"
    await tap(app, find(form, text="Save note"))
    assert form.ids.what.error == "what is required"
    # Staff type on the touchscreen: the keyboard docks when a field is tapped (above the popup).
    await tap(app, form.ids.what.ids.input)
    keyboard = app.keyboard_dock.shown
    assert keyboard is not None and keyboard.target is form.ids.what.ids.input
    await tap(app, find(keyboard, text="EN"))
    for letter in "hi":
        await tap(app, find(keyboard, text=letter), frames=1)
    assert form.ids.what.text == "hi"
    shot(app, "phone_note_form_keyboard_en.png")
    await tap(app, find(keyboard, text="Hide"))
    assert app.keyboard_dock.shown is None
    form.ids.what.text = "Asked about the member tournament on Saturday"
    await tap(app, find(form, text="Complaint"))
    await tap(app, find(form, text="Needs a callback?"))
    shot(app, "phone_note_form_en.png")
    await tap(app, find(form, text="Save note"))
    [note] = calllog.open_callbacks(db)
    assert (note["category"], note["caller_number"]) == ("complaint", "13912345678")
    await settle(app)
    # A complaint note opens the complaint form, filled from the note (tests/complaints takes it further).
    [complaint_form] = find_all(app.root, cls="ComplaintForm")
    assert complaint_form.call_note_id == note["id"] and complaint_form.ids.contact.text == "13912345678"
    await tap(app, find(complaint_form, text="Cancel"))
    shot(app, "phone_section_after_note_en.png")


@app_test(kiosk_app_factory(lang="zh_CN", config_extra={"phone": {"apology_mandatory_rings": 7}}))
@pytest.mark.asyncio
async def test_the_prompt_follows_the_configured_apology_threshold(kivy_app):
    """The screen asks kiosk.phone.apology; a site that makes the apology mandatory from ring 7 gets that."""
    app = kivy_app
    await settle(app)  # nobody signed in: the prompt shows as the visitor-mode banner
    publish_call(app, "prompt", rings=5, number="13800138000")
    await settle(app)
    assert app.call_prompt.apology.startswith("接听较晚，请先道歉："), app.call_prompt.apology
    publish_call(app, "ring", rings=7, number="13800138000")
    await settle(app)
    assert app.call_prompt.apology.startswith("已响到第 7 声，必须先道歉："), app.call_prompt.apology  # from ring 7 on, not "over 7"
    assert not app.desk.signed_in and app.desk.actor.role == "visitor"
