"""On the touchscreen in Chinese at 800×480: the open-complaints list reads most urgent first with the
overdue on top (as a person sees it, top to bottom), an estimated deadline says so, and the manager
switches a desk to calendar days on the settings screen."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from kiosk.complaints import rules, service
from kiosk.core import auth
from tests.uikit import app_test, find, find_all, kiosk_app_factory, open_section, settle, shot, sign_in_as, tap

SH = ZoneInfo("Asia/Shanghai")


def at(y, m, d, hh, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=SH).astimezone(timezone.utc)


def seed(ctx):
    """Four complaints whose urgency is not the order they were taken in (the clock ends Mon 23 Nov 09:00)."""
    db, clock = ctx.db, ctx.clock
    monday = clock.now()
    staff = auth.users(db, role="staff")[0].actor()
    refs = {}

    def take(label, when, **kw):
        clock.set(when)
        args = dict(kind="complaint", category="noise", responsibility="company", what=f"{label} 楼上装修噪音",
                    place="3号楼")
        args.update(kw)
        cid = service.take(db, clock, staff, "Asia/Shanghai", **args)
        refs[label] = cid
        return cid
    # D: resolved Friday, callback due two working days later (Tuesday): the least urgent
    d = take("D", at(2026, 11, 20, 9))
    service.resolve(db, clock, staff, "Asia/Shanghai", d, "resolved", "已协调")
    # A: Friday 10:00, never started: its 10-minute start is long overdue
    take("A", at(2026, 11, 20, 10))
    # B: a request started Friday 11:00: resolution due Monday 11:00 (one working day)
    b = take("B", at(2026, 11, 20, 11), kind="request", category="repair")
    service.start(db, clock, staff, b)
    # C: Monday 09:00 itself: start due 09:10
    take("C", monday)
    clock.set(monday)
    ctx.seeded_refs = refs


@app_test(kiosk_app_factory(lang="zh_CN", seed=seed))
@pytest.mark.asyncio
async def test_open_complaints_read_most_urgent_first_overdue_on_top(kivy_app):
    app = kivy_app
    db = app.ctx.db
    await sign_in_as(app, "staff")
    section = await open_section(app, "complaints")
    section.refresh()
    await settle(app)
    shot(app, "complaints_open_order_zh.png")
    rows = find_all(section, cls="ComplaintRow")
    # as a person reads them: top of the screen first
    rows.sort(key=lambda r: -r.to_window(*r.pos)[1])
    ours = {service.get(db, cid).ref: label for label, cid in app.ctx.seeded_refs.items()}
    on_screen = [ours[r.complaint.ref] for r in rows if r.complaint.ref in ours]
    assert on_screen == ["A", "C", "B", "D"], on_screen
    now = app.ctx.clock.now().isoformat()
    # nothing less urgent sits above anything more urgent (demo complaints included), overdue first
    dues = [(r.complaint.start_due if r.complaint.status == "open" else r.complaint.resolve_due
             if r.complaint.status == "started" else r.complaint.callback_due) or "9999" for r in rows]
    assert dues == sorted(dues)
    late = [r.late for r in rows]
    assert late == sorted(late, reverse=True) and rows[0].late
    first = next(r for r in rows if ours.get(r.complaint.ref) == "A")
    assert first.late and first.complaint.start_due < now
    c_row = next(r for r in rows if ours.get(r.complaint.ref) == "C")
    assert not c_row.late
    # the lines are Chinese, in the screen's language
    assert app.tr(service.STATUS_LABELS["open"], "zh_CN") in c_row.line("zh_CN")
    # a tap on the top row's 打开 opens the most urgent one
    await tap(app, find(first, text=app.tr("Open", "zh_CN")))
    [detail] = find_all(app.root, cls="ComplaintDetail")
    assert detail.complaint.ref == first.complaint.ref
    shot(app, "complaints_open_order_detail_zh.png")
    detail.dismiss()
    await settle(app)
    # Starting A moves it to its resolution deadline (Friday 12:00): still overdue, still on top
    service.start(db, app.ctx.clock, auth.users(db, role="staff")[0].actor(), app.ctx.seeded_refs["A"])
    section.refresh()
    await settle(app)
    rows = sorted(find_all(section, cls="ComplaintRow"), key=lambda r: -r.to_window(*r.pos)[1])
    assert [ours[r.complaint.ref] for r in rows if r.complaint.ref in ours] == ["A", "C", "B", "D"]


def seed_year_end(ctx):
    clock = ctx.clock
    staff = auth.users(ctx.db, role="staff")[0].actor()
    clock.set(at(2026, 12, 31, 17, 59))
    ctx.estimated_id = service.take(ctx.db, clock, staff, "Asia/Shanghai", kind="complaint", category="noise",
                                    responsibility="company", what="跨年投诉：楼道灯不亮")


@app_test(kiosk_app_factory(lang="zh_CN", seed=seed_year_end))
@pytest.mark.asyncio
async def test_a_deadline_in_2027_says_estimated_on_screen_in_both_languages(kivy_app):
    app = kivy_app
    await sign_in_as(app, "staff")
    section = await open_section(app, "complaints")
    section.refresh()
    await settle(app)
    ref = service.get(app.ctx.db, app.ctx.estimated_id).ref
    [row] = [r for r in find_all(section, cls="ComplaintRow") if r.complaint.ref == ref]
    assert "时限为估算" in row.line("zh_CN")
    assert "2027" in section.banner
    detail = section.open_complaint(row.complaint)
    await settle(app)
    assert "时限为估算" in detail.text and "仅按周末" in detail.text
    shot(app, "complaints_estimated_zh.png")
    app.set_language("en")
    await settle(app)
    detail.show(detail.complaint)
    assert "Deadlines estimated" in detail.text and "deadline estimated" in row.line("en")
    detail.dismiss()


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_manager_switches_complaints_to_calendar_days_on_the_settings_screen(kivy_app):
    app = kivy_app
    db = app.ctx.db
    await sign_in_as(app, "manager")
    section = await open_section(app, "settings")
    choice = section.rule_inputs["complaint_days"]
    assert choice.text == "按工作日（法定节假日不计）" and choice.height >= 47.5
    assert section.rule_fields["complaint_days"].caption == "投诉时限计算方式"
    await tap(app, choice)
    assert choice.value == "calendar" and choice.text == "按自然日（每天营业）"
    section.rule_inputs["work_start"].text = "00:00"
    section.rule_inputs["work_end"].text = "24:00"
    await tap(app, find(section, text="保存设置"))
    assert not section.error, section.error
    loaded = rules.load(db)
    assert (loaded["complaint_days"], loaded["request_days"], loaded.hours.minutes) == ("calendar", "working", 1440)
    shot(app, "settings_calendar_days_zh.png")
    # a bad end time is refused beside its field, and the mode is not half-saved
    section.rule_inputs["work_end"].text = "24:30"
    await tap(app, choice)  # back to working days, not to be saved
    await tap(app, find(section, text="保存设置"))
    assert section.rule_inputs["work_end"].error and rules.load(db)["complaint_days"] == "calendar"
    # live language switch relabels the choice
    app.set_language("en")
    await settle(app)
    section.load()
    assert choice.value == "calendar" and choice.text == "Calendar days (open every day)"
    # a complaint taken on a Sunday at 23:55 now starts within 10 minutes, past midnight
    staff = auth.users(db, role="staff")[0].actor()
    app.ctx.clock.set(at(2026, 11, 29, 23, 55))
    cid = service.take(db, app.ctx.clock, staff, "Asia/Shanghai", kind="complaint", category="noise",
                       responsibility="company", what="深夜噪音")
    from kiosk.core.clock import parse_iso
    assert parse_iso(service.get(db, cid).start_due) - app.ctx.clock.now() == timedelta(minutes=10)
