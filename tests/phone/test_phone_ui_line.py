"""The line alarm strip, the visitor banner's limits, known callers, one-tap outcomes, gaps and
callback results on screen (zh_CN and en)."""
from __future__ import annotations

from datetime import timedelta

import pytest

from kiosk.core import auth
from kiosk.core.audit import Actor
from kiosk.phone import calllog
from kiosk.phone.tracker import CallEvent
from tests.phone.test_phone_ui import publish_call, staff
from tests.uikit import app_test, find, find_all, kiosk_app_factory, settle, shot, tap


def texts(widget) -> list[str]:
    return [w.text for w in widget.walk() if hasattr(w, "text") and isinstance(w.text, str)]


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_line_alarm_on_the_visitor_screen_and_the_banner_cannot_set_an_outcome(kivy_app):
    app = kivy_app
    await settle(app)
    answered = []
    app.ctx.bus.subscribe("call.staff_answered", answered.append)
    app.ctx.bus.publish("phone.alarm", active=True, since="2026-11-23T06:02:00+00:00", state="reconnecting")
    await settle(app)
    shot(app, "phone_line_alarm_visitor_zh.png")
    staff_button = next(w for w in app.sm.get_screen("home").walk() if getattr(w, "text", "") == "员工")
    sx, sy = staff_button.to_window(*staff_button.pos)
    assert sy + staff_button.height <= app.line_alarm.ids.strip.y, "the strip leaves the Staff button free"
    publish_call(app, "callerid", number="13800138000", name="王小明", times=3, last="2026-11-20T02:00:00+00:00")
    publish_call(app, "prompt", rings=4, number="13800138000")
    await settle(app)
    strip = app.line_alarm
    assert strip.parent is not None and strip.since == "14:02"
    assert any("14:02" in t and "无人监听" in t for t in texts(strip))
    prompt = app.call_prompt
    assert prompt.banner and prompt.caller == "王小明" and prompt.times == 3
    banner = prompt.ids.banner
    assert not [t for t in texts(banner) if t == "已接听"], "no outcome from a visitor"
    prompt.answered()   # even called directly, nothing is sent without staff
    await settle(app)
    assert answered == []
    # the language switch (top right) stays uncovered by the banner
    switch = next(w for w in app.sm.get_screen("home").walk() if type(w).__name__ == "LanguageSwitch")
    sx, sy = switch.to_window(*switch.pos)
    bx, by = banner.to_window(*banner.pos)
    assert sx >= bx + banner.width or sy + switch.height <= by, "banner covers the language switch"
    assert strip.ids.strip.height >= 48
    assert banner.top <= strip.ids.strip.y + 1, "the banner sits below the red strip, both readable"
    shot(app, "phone_banner_visitor_zh.png")
    app.ctx.bus.publish("phone.alarm", active=False, since="2026-11-23T06:02:00+00:00")
    await settle(app)
    assert strip.parent is None


@app_test(kiosk_app_factory(lang="en"))
@pytest.mark.asyncio
async def test_section_one_tap_picked_up_gap_row_basis_and_callback_result(kivy_app):
    app = kivy_app
    await settle(app)
    db, clock = app.ctx.db, app.ctx.clock
    for n in range(4):
        call_id = calllog.start_call(db, clock, "at")
        calllog.record_event(db, clock, call_id, CallEvent("ended", 0, n + 1, rings=2, outcome="unknown",
                                                           source="heuristic", number=f"1391234567{n}"))
    calllog.record_gap(db, clock.now() - timedelta(minutes=3), clock.now(), "deaf", "no answer", "at")
    user = auth.users(db, role="staff")[0]
    note_id = calllog.add_note(db, clock, Actor(user.name, user.id, "staff"), call_id=call_id, category="inquiry",
                               what="Asked about parking", caller_name="Zhuge Kongming of the Very Long Company Name Ltd",
                               caller_number="13912345673", needs_callback=True,
                               callback_minutes=-24 * 60)   # promised for yesterday: overdue, with its date
    staff(app)
    await settle(app)
    nav = app.sm.get_screen("desk").ids.nav
    await tap(app, next(b for b in nav.children if b.section_name == "phone"))
    section = app.sm.get_screen("desk").ids.content.current_screen
    await settle(app)
    assert "4 of 4 calls unknown: answer sensing is not wired" in section.basis_text
    gap_rows = [w for w in section.ids.call_list.rows.children if type(w).__name__ == "GapRowView"]
    assert gap_rows and "line not watched" in gap_rows[0].text and gap_rows[0].text.endswith(", 3 min"), gap_rows[0].text
    shot(app, "phone_section_gap_basis_en.png")
    buttons = list(find_all(section, text="I picked up"))
    assert len(buttons) == 4 and all(b.height >= 48 for b in buttons)
    await tap(app, buttons[0])
    await settle(app)
    start, end = calllog.day_bounds(clock, "Asia/Shanghai")
    outcomes = sorted(c.outcome + "|" + c.source for c in calllog.calls_between(db, start, end))
    assert outcomes.count("answered|staff") == 1
    figures = calllog.figures(db, clock, start, end)
    assert (figures.answered, figures.unknown, figures.missed) == (1, 3, 0), "unknown is never missed"
    # the callback row: the due time carries its date when it is not today, and Done records a result
    section.refresh()   # (no clock jump: a day would sign the staff member out for idleness)
    await settle(app)
    row = next(w for w in section.ids.callback_list.rows.children if type(w).__name__ == "CallbackRowView")
    assert any(t.startswith("overdue ") and "-" in t for t in texts(row)), texts(row)
    shot(app, "phone_section_callback_en.png")
    await tap(app, find(row, text="Done"))
    await settle(app)
    choice = next(w for w in find_all(app.root, cls="CallbackResult"))
    await tap(app, find(choice, text="No answer"))
    # stored as its code, never as the screen's English wording; shown translated
    assert db.execute("SELECT result FROM callbacks_done WHERE note_id = ?", (note_id,)).fetchone()[0] == "no_answer"
    assert app._toast.text == "Callback recorded: No answer"
