"""Issue 12 after the outside attack, on the touchscreen: the Close button of a complaint whose callback is
owed (off for staff, with the reason; a manager's close asks why), and the call line after an erasure."""
from __future__ import annotations

import pytest

from kiosk.complaints import service
from kiosk.core import auth
from kiosk.phone import calllog
from tests.uikit import app_test, find, find_all, kiosk_app_factory, open_section, settle, sign_in_as, tap

TZ = "Asia/Shanghai"


def _owed(app) -> int:
    db, clock = app.ctx.db, app.ctx.clock
    staff = auth.users(db, role="staff")[0].actor()
    note = calllog.add_note(db, clock, staff, call_id=None, category="complaint", what="楼道灯坏了",
                            caller_name="王小明", caller_number="13800138000", place="5-302")
    cid = service.take(db, clock, staff, TZ, responsibility="company", **service.from_call_note(db, note))
    service.resolve(db, clock, staff, TZ, cid, "resolved", "换了灯泡")
    return cid


def _own(popup, text: str):
    """The one button of this popup with that text (tests.uikit.find also walks the other popups open)."""
    [button] = [w for w in popup.walk(restrict=True) if getattr(w, "text", None) == text]
    return button


async def _detail(app, role: str):
    """A resolved complaint whose callback is owed, opened by `role`: (its id, its detail)."""
    cid = _owed(app)
    await sign_in_as(app, role)
    section = await open_section(app, "complaints")
    await settle(app)
    row = next(r for r in find_all(section, cls="ComplaintRow") if r.complaint.id == cid)
    await tap(app, find(row, text="Open"))
    await settle(app)
    [detail] = find_all(app.root, cls="ComplaintDetail")
    return cid, detail


@app_test(kiosk_app_factory(lang="en"))
@pytest.mark.asyncio
async def test_staff_see_the_close_button_off_and_why(kivy_app):
    app = kivy_app
    cid, detail = await _detail(app, "staff")
    assert _own(detail, "Close the case").disabled
    assert app.tr(service.CALLBACK_OWED, "en") in detail.text
    assert service.get(app.ctx.db, cid).status != "closed"


@app_test(kiosk_app_factory(lang="en"))
@pytest.mark.asyncio
async def test_a_manager_closes_with_a_reason_and_an_erasure_hides_the_callers_number(kivy_app):
    app = kivy_app
    cid, detail = await _detail(app, "manager")
    assert "13800138000" in detail.text
    close = _own(detail, "Close the case")
    assert not close.disabled
    await tap(app, close)
    await settle(app)
    [form] = find_all(app.root, cls="CloseForm")
    await tap(app, _own(form, "Close the case"))
    assert form.ids.why.error  # no reason: refused, the form stays
    form.ids.why.ids.input.text = "空号，联系不上"
    await tap(app, _own(form, "Close the case"))
    await settle(app)
    assert service.get(app.ctx.db, cid).status == "closed"
    await tap(app, _own(detail, "Erase personal details"))
    await settle(app)
    assert service.get(app.ctx.db, cid).anonymised
    assert "13800138000" not in detail.text and "王小明" not in detail.text
