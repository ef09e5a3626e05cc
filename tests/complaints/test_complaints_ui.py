"""A complaint from a ringing call to its follow-up callback, on the touchscreen, in Chinese; the quiet
prompt over the desk; the manager's major-complaint steps and report reminder in English."""
from __future__ import annotations

import pytest

from kiosk.complaints import service
from kiosk.core import auth
from kiosk.phone import calllog
from kiosk.phone.tracker import CallEvent
from tests.uikit import app_test, find, find_all, kiosk_app_factory, open_section, settle, shot, sign_in_as, tap


def publish_call(app, kind: str, **data) -> None:
    base = {"t": 0.0, "call_no": 1, "rings": 0, "number": "", "name": "", "outcome": "", "source": "",
            "seconds_to_answer": None, "duration": None, "call_id": None}
    app.ctx.bus.publish(f"call.{kind}", **(base | data))


def popup(app, cls: str):
    [widget] = find_all(app.root, cls=cls)
    return widget


def zh(app, msgid: str) -> str:
    return app.tr(msgid, "zh_CN")


def big_enough(app) -> None:
    from screens.widgets.common import BigButton
    for button in find_all(app.root, cls=BigButton):
        if button.opacity and button.height and button.get_root_window() is not None:
            assert button.height >= 47.5, (button.text, button.height)


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_from_a_ringing_call_to_the_follow_up_callback(kivy_app):
    app = kivy_app
    db, clock = app.ctx.db, app.ctx.clock  # FakeClock: Monday 23 Nov 2026, 09:00 in Shanghai
    await sign_in_as(app, "staff")
    # The line rings (what the tracker and call log would store), the prompt comes, staff pick up.
    call_id = calllog.start_call(db, clock, "at")
    calllog.record_event(db, clock, call_id, CallEvent("callerid", 0, 1, number="13800138000", name="王小明"))
    publish_call(app, "prompt", rings=4, number="13800138000", name="王小明", call_id=call_id)
    await settle(app)
    await tap(app, find(app.call_prompt.ids.card, text="已接听"))
    calllog.record_event(db, clock, call_id, CallEvent("answered", 0, 4, rings=4, number="13800138000"))
    calllog.record_event(db, clock, call_id, CallEvent("ended", 0, 60, rings=4, outcome="answered", source="offhook",
                                                       number="13800138000"))
    phone = await open_section(app, "phone")
    phone.refresh()
    await settle(app)
    await tap(app, find(phone, text=zh(app, "Note")))
    note_form = popup(app, "NoteForm")
    await tap(app, find(note_form, text="投诉"))
    note_form.ids.what.ids.input.text = "楼上装修噪音，早上八点就开始 😠"
    note_form.ids.place.ids.input.text = "3号楼 1201"
    await tap(app, find(note_form, text=zh(app, "Save note")))
    await settle(app)
    # The complaint opens from the note, filled in, in the complaints section.
    form = popup(app, "ComplaintForm")
    assert form.call_note_id is not None
    assert form.ids.contact.text == "13800138000" and form.ids.name.text == "王小明"
    form.ids.topic.ids.input.text = "3号楼装修噪音"
    shot(app, "complaints_form_from_call_zh.png")
    big_enough(app)
    await tap(app, find(form, text="本公司责任"))
    await tap(app, find(form, text="噪音"))
    await tap(app, find(form, text="受理"))
    [c] = service.open_complaints(db)
    assert (c.call_note_id, c.category, c.responsibility, c.customer_contact) == (form.call_note_id, "noise",
                                                                                  "company", "13800138000")
    section = app.sm.get_screen("desk").ids.content.current_screen
    assert section.name == "complaints"
    section.refresh()
    await settle(app)
    shot(app, "complaints_section_zh.png")
    # The quiet prompt: 8 minutes later, the 10-minute start is about to be missed.
    clock.advance(8 * 60)
    app._touched()  # staff were busy at the desk meanwhile (no idle sign-out)
    assert app.check_duties() is not None  # queued on the background worker, answered through the bus
    for _ in range(1000):
        await app.async_sleep(0.02)
        if app.duty_prompt is not None and app.duty_prompt.shown:
            break
    assert app.duty_prompt.shown
    # The bar sits under the section, never over it: the section's bottom edge is the bar's top.
    content = app.sm.get_screen("desk").ids.content
    assert content.y >= app.duty_prompt.top - 0.5 and app.duty_prompt.width == content.width
    shot(app, "complaints_duty_prompt_zh.png")
    await tap(app, find(app.duty_prompt, text="查看"))
    detail = popup(app, "ComplaintDetail")
    assert not app.duty_prompt.shown and c.ref in detail.text
    await tap(app, find(detail, text="开始处理"))
    assert service.get(db, c.id).started_at
    await tap(app, find(detail, text="处理完成"))
    resolve = popup(app, "ResolveForm")
    await tap(app, find(resolve, text=zh(app, "Save resolution")))
    assert resolve.ids.done.error == "请填写处理情况"
    resolve.ids.done.ids.input.text = "已联系施工方，改为九点后施工"
    await tap(app, find(resolve, text=zh(app, "Save resolution")))
    assert service.get(db, c.id).callback_required
    # The resolution is a record with who did it and what was done, shown in the detail's history.
    assert "处理记录" in detail.text and "已联系施工方，改为九点后施工" in detail.text
    assert "开始处理  Demo Staff" in detail.text and "处理完成  Demo Staff 演示员工 · 已解决 · 已联系施工方" in detail.text
    shot(app, "complaints_detail_resolved_zh.png")
    clock.advance(3600)
    app._touched()
    await tap(app, find(detail, text="回访"))
    await tap(app, find(popup(app, "ChoiceModal"), text="满意"))
    done = service.get(db, c.id)
    assert (done.status, done.callback_outcome) == ("closed", "satisfied")
    assert service.for_call_note(db, c.call_note_id) == c.id
    assert "来自 09:00 的来电（13800138000）" in detail.text  # the complaint names the call its note came from
    await tap(app, find(detail, text="返回"))
    # The other way: the phone log's row of that call links to the complaint its note opened.
    phone = await open_section(app, "phone")
    phone.refresh()
    await settle(app)
    row = next(r for r in find_all(phone, cls="CallRowView") if r.call.id == call_id)
    assert row.complaint_ref == c.ref
    others = [r for r in find_all(phone, cls="CallRowView") if r.call.id != call_id]
    assert all(not r.complaint_id for r in others)
    shot(app, "phone_call_with_complaint_zh.png")
    await tap(app, find(row, text="投诉"))
    linked = popup(app, "ComplaintDetail")
    assert c.ref in linked.text and "来自 09:00 的来电" in linked.text
    await tap(app, find(linked, text="返回"))
    section = await open_section(app, "complaints")
    # Live switch to English: the section re-translates.
    app.lang = "en"
    section.refresh()
    await settle(app)
    find(section, text="Today's duties")
    shot(app, "complaints_section_en.png")


@app_test(kiosk_app_factory(lang="en"))
@pytest.mark.asyncio
async def test_major_complaint_needs_the_manager_and_the_report_reminder(kivy_app):
    app = kivy_app
    db, clock = app.ctx.db, app.ctx.clock
    staff = auth.users(db, role="staff")[0]
    cid = service.take(db, clock, staff.actor(), "Asia/Shanghai", kind="complaint", category="safety",
                       responsibility="company", what="Lift door hurt a child", major_reason="serious_loss")
    await sign_in_as(app, "manager")
    assert "is overdue" in app._toast.text  # told at sign-in, whatever section opens first
    section = await open_section(app, "complaints")
    assert "is overdue" in section.banner  # October's report, due by 5 November, is not exported
    shot(app, "complaints_section_manager_en.png")
    row = next(r for r in find_all(section, cls="ComplaintRow") if r.complaint.id == cid)
    await tap(app, find(row, text="Open"))
    detail = popup(app, "ComplaintDetail")
    await tap(app, find(detail, text="Accept as major"))
    assert service.get(db, cid).major
    assert "Serious loss or injury" in detail.text
    await tap(app, find(detail, text="Back"))


EXPORT_DIR = __import__("tempfile").mkdtemp(prefix="complaints-export-")


@app_test(kiosk_app_factory(lang="zh_CN", config_extra={"export": {"folder": EXPORT_DIR}}))
@pytest.mark.asyncio
async def test_manager_reads_the_month_on_screen_exports_it_and_edits_the_holiday_list(kivy_app):
    from pathlib import Path
    import openpyxl
    from kiosk.complaints import monthly
    app = kivy_app
    db, clock = app.ctx.db, app.ctx.clock
    await sign_in_as(app, "manager")
    section = await open_section(app, "complaints")
    await tap(app, find(section, text="月度报告"))
    report = popup(app, "MonthReportPopup")
    assert "2026-10" in report.text and "总计" in report.text
    shot(app, "complaints_month_report_zh.png")
    await tap(app, find(report, text="导出"))
    for _ in range(200):
        await app.async_sleep(0.05)
        if report.status.startswith("已导出"):
            break
    assert report.status.startswith("已导出"), report.status
    book = next(Path(EXPORT_DIR).glob("kiosk-complaints-2026-10/*.xlsx"))
    assert openpyxl.load_workbook(book, read_only=True).sheetnames[0] == "月度报告"
    assert monthly.reminder(db, clock, "Asia/Shanghai") is None
    app.sign_out()
    app._toast.text = ""
    await sign_in_as(app, "manager")
    assert "月度" not in app._toast.text and "2026-10" not in app._toast.text  # exported: no more reminder
    section = await open_section(app, "complaints")
    await tap(app, find(section, text="月度报告"))
    report = popup(app, "MonthReportPopup")
    await tap(app, find(report, text="▶"))
    await tap(app, find(report, text="导出"))  # November is not over
    for _ in range(200):
        await app.async_sleep(0.05)
        if report.status and report.status != "正在导出…":
            break
    assert report.status == "该月尚未结束"
    await tap(app, find(report, text="返回"))
    await tap(app, find(section, text="假日表"))
    holidays = popup(app, "HolidayListPopup")
    holidays.ids.holidays.ids.input.text = "2027-01-01，2027-02-06 2027-13-01"
    await tap(app, find(holidays, text="保存"))
    assert holidays.ids.holidays.error == "日期格式如 2027-10-01"
    holidays.ids.holidays.ids.input.text = "2027-01-01，2027-02-06"
    holidays.ids.makeup.ids.input.text = "2027-01-02"
    await tap(app, find(holidays, text="保存"))
    from kiosk.core import settings
    assert settings.get(db, "complaint_calendar") == {"holidays": ["2027-01-01", "2027-02-06"],
                                                      "makeup_days": ["2027-01-02"]}


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_the_duty_check_runs_off_the_ui_thread_and_survives_a_locked_database(kivy_app):
    """The 30-second check is a background job: while another connection holds the write lock the desk
    keeps drawing, the answer still comes (WAL readers do not wait), and a check that fails with a
    database error is skipped quietly: no prompt, no dead worker, the app stays up."""
    import sqlite3
    import threading
    from kiosk.core.db import connect
    from kiosk.reports import duties
    app = kivy_app
    db, clock = app.ctx.db, app.ctx.clock
    staff = auth.users(db, role="staff")[0]
    service.take(db, clock, staff.actor(), "Asia/Shanghai", kind="complaint", category="noise",
                 responsibility="company", what="噪音" * 500, customer_name="王小明")
    clock.advance(8 * 60)
    assert app.check_duties() is not None  # nobody signed in: checked too (the home screen shows a count)
    for _ in range(1000):
        await app.async_sleep(0.02)
        if app.duties_waiting:
            break
    assert app.duties_waiting == 1 and app.duty_prompt is None  # the desk's bar is not built for a visitor
    app._touched()  # the PIN pad's taps (the fake clock moved on: no idle sign-out)
    await sign_in_as(app, "staff")
    for _ in range(1000):  # signing in checks at once, not 30 s later (up to 20 s on a loaded box)
        await app.async_sleep(0.02)
        if app.duty_prompt is not None and app.duty_prompt.shown:
            break
    assert app.duty_prompt is not None and app.duty_prompt.shown
    app.duty_prompt.hide()
    threads = []
    real = duties.prompts

    def spy(*args, **kwargs):
        threads.append(threading.current_thread())
        return real(*args, **kwargs)
    duties.prompts = spy
    other = connect(app.ctx.db_path)
    try:
        other.execute("BEGIN IMMEDIATE")
        other.execute("INSERT INTO settings (key, value, updated_at) VALUES ('x_lock', '1', 'now')")
        app.check_duties()
        for _ in range(1000):
            await app.async_sleep(0.02)
            if app.duty_prompt is not None and app.duty_prompt.shown:
                break
        assert app.duty_prompt is not None and app.duty_prompt.shown
        assert threads and all(t is not threading.main_thread() for t in threads)
        other.execute("ROLLBACK")
        # A check that hits a database error: skipped, the bar stays as it was, nothing dies.
        def locked(*args, **kwargs):
            raise sqlite3.OperationalError("database is locked")
        duties.prompts = locked
        number = app.check_duties()
        assert number is not None
        for _ in range(100):
            await app.async_sleep(0.02)
            if app.jobs.pending() == 0:
                break
        await settle(app)
        assert app.duty_prompt.shown and not app.worker_alert
        # Signing out takes the bar away at once; the check still runs, for the home screen's count only.
        duties.prompts = real
        app.sign_out()
        await settle(app)
        assert not app.duty_prompt.shown
        for _ in range(500):
            await app.async_sleep(0.02)
            if app.duties_waiting:
                break
        assert app.duties_waiting >= 1 and not app.duty_prompt.shown
    finally:
        duties.prompts = real
        other.close()
