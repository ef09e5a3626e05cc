"""The phone section in zh_CN at 800×480: a known caller's name on the row over a whole number, the gap
row with its length, and the callback result chosen in Chinese, stored as a code, toasted in Chinese."""
from __future__ import annotations

from datetime import timedelta

import pytest

from kiosk.core import auth
from kiosk.core.audit import Actor
from kiosk.phone import calllog
from kiosk.phone.tracker import CallEvent
from tests.phone.test_phone_ui import staff
from tests.uikit import app_test, find, find_all, kiosk_app_factory, settle, shot, tap


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_phone_section_in_chinese_names_the_caller_and_records_a_coded_result(kivy_app):
    app = kivy_app
    await settle(app)
    db, clock = app.ctx.db, app.ctx.clock
    call_id = calllog.start_call(db, clock, "at")
    calllog.record_event(db, clock, call_id, CallEvent("ended", 0, 1, rings=5, outcome="unknown", source="heuristic",
                                                       number="13800138000", name="欧阳建国（物业管理处维修班长）"))
    calllog.record_gap(db, clock.now() - timedelta(seconds=7), clock.now(), "reconnecting", "unplugged", "at")
    user = auth.users(db, role="staff")[0]
    note_id = calllog.add_note(db, clock, Actor(user.name, user.id, "staff"), call_id=call_id, category="repair",
                               what="水管漏水", caller_name="欧阳建国", caller_number="13800138000", needs_callback=True)
    staff(app)
    await settle(app)
    nav = app.sm.get_screen("desk").ids.nav
    await tap(app, next(b for b in nav.children if b.section_name == "phone"))
    section = app.sm.get_screen("desk").ids.content.current_screen
    await settle(app)
    row = next(w for w in section.ids.call_list.rows.children if type(w).__name__ == "CallRowView")
    number = next(w for w in row.walk() if getattr(w, "text", "") == "13800138000")
    name = next(w for w in row.walk() if getattr(w, "text", "").startswith("欧阳建国"))
    number.texture_update()
    assert number.texture_size[0] <= number.width + 1 and number.height >= 18, "the whole number shows"
    assert name.height >= 18 and name.opacity == 1 and name.y > number.y, "the name above the number"
    gap = next(w for w in section.ids.call_list.rows.children if type(w).__name__ == "GapRowView")
    assert gap.text.endswith("共 7 秒"), gap.text
    buttons = [b for b in find_all(section, cls="BigButton") if b.opacity and not b.disabled]
    assert all(b.height >= 48 for b in buttons)
    shot(app, "phone_section_zh.png")
    await settle(app, 5)  # recycled rows get their data on the next frames
    cb = next(w for w in section.ids.callback_list.rows.children if type(w).__name__ == "CallbackRowView")
    assert any(t.startswith("13800138000") for t in (w.text for w in cb.walk() if hasattr(w, "text")))
    await tap(app, find(cb, text="已完成"))
    await settle(app)
    choice = find_all(app.root, cls="CallbackResult")[0]
    shot(app, "phone_callback_result_zh.png")
    await tap(app, find(choice, text="已留言"))
    await settle(app)
    assert db.execute("SELECT result FROM callbacks_done WHERE note_id = ?", (note_id,)).fetchone()[0] == "left_message"
    assert app._toast.text == "已记录回电结果：已留言"
