"""Visitor self sign-in by taps in both languages (a Chinese name through the pinyin keyboard), and
sign-out by code."""
from __future__ import annotations

import pytest

from kiosk.printing import queue as printqueue
from kiosk.visitors import service as visitors
from tests.pinyin_support import cached_engine
from tests.uikit import app_test, find, find_all, kiosk_app_factory, open_section, settle, shot, tap


async def type_pinyin(app, keyboard, letters: str) -> None:
    for letter in letters:
        await tap(app, next(k for k in find_all(keyboard, cls="KeyButton") if k.key == letter), frames=1)


async def wait_engine(app, keyboard) -> None:
    for _ in range(400):
        if keyboard.engine_ready:
            return
        await app.async_sleep(0.05)
    raise AssertionError("pinyin engine did not load")


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_self_sign_in_in_chinese_then_sign_out_by_code(kivy_app):
    cached_engine()
    app = kivy_app
    await settle(app)
    await tap(app, find(app.root, text="访客登记"))
    flow = app.sm.current_screen
    assert flow.name == "visitor_signin" and app.visitor_mode
    ids = flow.ids
    for digit in "138abc":
        if digit.isdigit():
            await tap(app, find(ids.numpad, text=digit), frames=1)
    await tap(app, find(flow, text="下一步"))
    assert ids.phone.error == "电话号码只能包含数字"
    for digit in "00138000":
        await tap(app, find(ids.numpad, text=digit), frames=1)
    await tap(app, find(flow, text="下一步"))
    assert ids.steps.current == "name"
    await wait_engine(app, ids.keyboard)
    await type_pinyin(app, ids.keyboard, "wang")
    await tap(app, find(ids.keyboard, text="王"))
    await type_pinyin(app, ids.keyboard, "xiaoming")
    await tap(app, find(ids.keyboard, text="小明"))
    assert ids.name.text == "王小明"
    shot(app, "visitor_signin_name_zh.png")
    await tap(app, find(flow, text="下一步"))
    assert ids.steps.current == "host"
    ids.host_search.ids.input.text = "张敏"
    await settle(app)
    await tap(app, find(ids.host_results, text="张敏 Zhang Min"))
    await tap(app, find(flow, text="+"))
    shot(app, "visitor_signin_host_zh.png")
    await tap(app, find(flow, text="下一步"))
    assert ids.steps.current == "privacy" and "30 天" in ids.notice.text
    await tap(app, find(flow, text="我同意，登记入场"))
    assert ids.steps.current == "done" and flow.greeting == "欢迎两位光临！"
    shot(app, "visitor_signin_done_zh.png")
    [visit] = visitors.on_site(app.ctx.db)
    assert (visit["name"], visit["host_name"], visit["party_size"]) == ("王小明", "张敏 Zhang Min", 2)
    [job] = printqueue.for_record(app.ctx.db, "visits", visit["id"])
    assert job.receipt.kind == "badge" and any(getattr(b, "data", "") == f"SO:{flow.code}" for b in job.receipt.blocks)
    code = flow.code
    await tap(app, find(flow, text="已完成"))
    assert app.sm.current == "home" and ids.name.text == "", "the form is wiped"

    await tap(app, find(app.root, text="离开时签离"))
    out = app.sm.current_screen
    out.ids.code.ids.input.text = "ZZZZZ"
    await tap(app, find(out, text="签离"))
    assert out.ids.code.error == "没有这个离开代码"
    out.ids.code.ids.input.text = code
    await tap(app, find(out, text="签离"))
    assert out.goodbye == "感谢来访，再见！" and visitors.on_site(app.ctx.db) == []


def _screen_text(app) -> str:
    return " | ".join(str(getattr(w, "text", "")) for w in find_all(app.root, cls="Label"))


async def _walk_to_done(app, flow, name: str, host_query: str = "Emma", host: str = "Emma Clarke") -> None:
    flow.ids.name.ids.input.text = name
    await tap(app, find(flow, text="Continue"))
    if not flow.host_id:
        flow.ids.host_search.ids.input.text = host_query
        await settle(app)
        await tap(app, find(flow.ids.host_results, text=host))
    await tap(app, find(flow, text="Continue"))
    await tap(app, find(flow, text="I accept, sign me in"))


@app_test(kiosk_app_factory(lang="en"))
@pytest.mark.asyncio
async def test_english_flow_returning_visitor_and_idle_reset(kivy_app):
    app = kivy_app
    await settle(app)
    host = visitors.find_hosts(app.ctx.db, "Emma")[0]["id"]
    visitors.sign_in(app.ctx.db, app.ctx.clock, visitors.Visitor("欧阳娜娜", "13911112222", host, "meeting",
                                                                  organisation="华为技术有限公司", privacy_accepted=True))
    # A stranger types her phone number: straight on to "your name", nothing shown about any visit.
    await tap(app, find(app.root, text="Sign in as a visitor"))
    flow = app.sm.current_screen
    flow.ids.phone.ids.input.text = "139 1111 2222"
    await tap(app, find(flow, text="Continue"))
    assert flow.ids.steps.current == "name" and flow.ids.name.text == "" and flow.ids.organisation.text == ""
    shown = _screen_text(app)
    for leak in ("欧", "娜", "华为", "2222", "Welcome back", "Is this you"):
        assert leak not in shown, leak
    await _walk_to_done(app, flow, "Stranger")
    assert flow.greeting == "Welcome!" and not flow.returning, "another name is a first visit"
    stranger = next(app.ctx.db.query("SELECT * FROM visits ORDER BY id DESC LIMIT 1"))
    assert (stranger["name"], stranger["organisation"]) == ("Stranger", ""), "nothing of hers copied to him"
    await tap(app, find(flow, text="Done"))
    # She comes back and types her own name: welcome back, her company copied without being shown.
    await tap(app, find(app.root, text="Sign in as a visitor"))
    flow.ids.phone.ids.input.text = "13911112222"
    await tap(app, find(flow, text="Continue"))
    flow.ids.name.ids.input.text = "欧阳娜娜"
    assert flow.ids.organisation.text == ""
    await _walk_to_done(app, flow, "欧阳娜娜")
    assert flow.greeting == "Welcome back!"
    mine = next(app.ctx.db.query("SELECT * FROM visits ORDER BY id DESC LIMIT 1"))
    assert mine["organisation"] == "华为技术有限公司"
    # The finished step returns home by itself for the next visitor.
    await app.async_sleep(9)
    await settle(app)
    assert app.sm.current == "home" and flow.ids.name.text == "" and flow.code == ""
    # Walk away mid-flow: after the idle time the form is cleared and the home screen returns.
    await tap(app, find(app.root, text="Sign in as a visitor"))
    flow.ids.phone.ids.input.text = "13911112222"
    await tap(app, find(flow, text="Continue"))
    app.ctx.clock.advance(app.ctx.config.get("ui", "visitor_idle_seconds") + 1)
    await app.async_sleep(1.2)
    await settle(app)
    assert app.sm.current == "home" and flow.ids.name.text == "" and flow.ids.phone.text == ""


@app_test(kiosk_app_factory(lang="en"))
@pytest.mark.asyncio
async def test_expected_visitor_is_welcomed_by_host_and_the_desk_is_told(kivy_app):
    from kiosk.core import auth
    app = kivy_app
    await settle(app)
    host = visitors.find_hosts(app.ctx.db, "Emma")[0]["id"]
    staff = auth.users(app.ctx.db, role="staff")[0]
    today = app.ctx.clock.now().astimezone(__import__("zoneinfo").ZoneInfo(app.desk.tz)).date().isoformat()
    visitors.add_expected(app.ctx.db, app.ctx.clock, staff.actor(), name="Anna Lee", phone="13911112222",
                          host_id=host, expected_on=today)
    await tap(app, find(app.root, text="Sign in as a visitor"))
    flow = app.sm.current_screen
    # Her phone with another name: not welcomed as expected, host not chosen (a phone alone proves nothing).
    flow.ids.phone.ids.input.text = "13911112222"
    await tap(app, find(flow, text="Continue"))
    flow.ids.name.ids.input.text = "Somebody Else"
    await tap(app, find(flow, text="Continue"))
    assert flow.host_id == 0 and flow.ids.host_results.children == []
    flow.reset()
    await settle(app)
    flow.ids.phone.ids.input.text = "13911112222"
    await tap(app, find(flow, text="Continue"))
    flow.ids.name.ids.input.text = "anna  lee"
    await tap(app, find(flow, text="Continue"))
    assert flow.host_id == host and flow.host_name == "Emma Clarke", "the host is prefilled"
    await tap(app, find(flow, text="Continue"))
    await tap(app, find(flow, text="I accept, sign me in"))
    assert flow.greeting == "Welcome — Emma Clarke is expecting you"
    assert "back" not in flow.greeting
    arrived = [e for e in app.ctx.db.query("SELECT * FROM audit WHERE action = 'visitor.expected_arrived'")]
    assert len(arrived) == 1 and "Emma Clarke" in arrived[0]["after"]
    await settle(app)
    assert "Emma Clarke" in app.arrival_alert, "kept for the desk (nobody signed in yet)"
    assert app.arrival_alert not in _screen_text(app), "never on the visitor's screen"
    app.sign_in(staff)
    await settle(app)
    assert app.arrival_alert == "" and "Emma Clarke" in app._toast.text, "staff are told to fetch the host"


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_staff_on_site_list_roll_call_and_sign_out(kivy_app):
    from kiosk.core import auth
    app = kivy_app
    await settle(app)
    host = visitors.find_hosts(app.ctx.db, "Emma")[0]["id"]
    for name, phone in (("王小明", "13800138000"), ("Anna Lee", "13911112222")):
        visitors.sign_in(app.ctx.db, app.ctx.clock, visitors.Visitor(name, phone, host, "meeting", party_size=1,
                                                                      privacy_accepted=True))
    app.sign_in(auth.users(app.ctx.db, role="staff")[0])
    await settle(app)
    section = app.sm.get_screen("desk").ids.content.current_screen
    assert section.name == "visitors" and section.people == 2
    await tap(app, find(section, text="疏散点名"))
    rows = find_all(section, cls="OnSiteRow")
    await tap(app, find(rows[0], text="确认在场"))
    await tap(app, find(section, text="隐藏已确认"))
    assert [r.visit["name"] for r in find_all(section, cls="OnSiteRow")] == ["Anna Lee"]
    shot(app, "visitors_rollcall_zh.png")
    await tap(app, find(section, text="打印未到名单"))
    assert printqueue.recent(app.ctx.db, 1)[0].receipt.kind == "rollcall"
    await tap(app, find(section, text="结束点名"))  # ending asks first (issue 13: a roll call is a record)
    from kivy.core.window import Window
    from screens.visitors.rollcall_prompt import RollCallChoice
    [ask] = [w for w in Window.children if isinstance(w, RollCallChoice)]
    [end] = [w for w in ask.children[0].walk(restrict=True) if type(w).__name__ == "BigButton" and w.text == "结束点名"]
    await tap(app, end)
    assert not section.rollcall
    await tap(app, find(find_all(section, cls="OnSiteRow")[1], text="签离"))
    assert [v["name"] for v in visitors.on_site(app.ctx.db)] == ["王小明"]


async def _fill_anna(app, popup) -> None:
    """Name, phone, and the host found by typing part of her name (the directory is never browsed)."""
    popup.ids.name.text = "Anna Lee"
    popup.ids.phone.text = "13911112222"
    popup.ids.host_search.text = "Emma"
    await settle(app)
    await tap(app, find(popup, text="Emma Clarke"))


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_staff_register_with_id_check_expected_list_and_a_discreet_deny_alert(kivy_app):
    from kiosk.core import auth
    from screens.visitors.visitor_desk import ExpectedVisitors, RegisterVisitor
    app = kivy_app
    await settle(app)
    staff = auth.users(app.ctx.db, role="staff")[0]
    visitors.add_to_deny_list(app.ctx.db, app.ctx.clock, staff.actor(), phone="13300000000", reason="曾闹事")
    # At the visitor screen the denied person sees only "please see the desk".
    await tap(app, find(app.root, text="访客登记"))
    flow = app.sm.current_screen
    flow.ids.name.text = "赵某"
    flow.ids.phone.ids.input.text = "13300000000"
    flow.host_id = visitors.find_hosts(app.ctx.db, "Emma")[0]["id"]
    flow.accept()
    await settle(app)
    assert flow.ids.steps.current == "seedesk" and "曾闹事" not in " ".join(
        getattr(w, "text", "") for w in find_all(app.root, cls="Label"))
    flow.finish()
    await settle(app)
    app.sign_in(staff)
    await settle(app)
    section = app.sm.get_screen("desk").ids.content.current_screen
    assert app.deny_alerts_unseen == 1
    await tap(app, find(section, text="提醒：1"))
    assert find(app.root, text=next(t for t in (w.text for w in find_all(app.root, cls="InfoRow")) if "曾闹事" in t))
    await tap(app, find(app.root, text="关闭"))
    assert app.deny_alerts_unseen == 0

    # Pre-register a visitor for today, then register her at the counter with her ID checked.
    await tap(app, find(section, text="预约访客"))
    expected = next(w for w in find_all(app.root, cls=ExpectedVisitors))
    await _fill_anna(app, expected)
    await tap(app, find(expected, text="加入预约名单"))
    [row] = find_all(expected, cls="InfoRow")
    code = expected.message.rsplit(" ", 1)[-1]  # the invitation code staff pass on, also on the list's row
    assert expected.message == f"已加入预约名单，邀请码 {code}" and len(code) == 5 and f"邀请码 {code}" in row.text
    shot(app, "visitors_expected_zh.png")
    await tap(app, find(expected, text="关闭"))
    await tap(app, find(section, text="登记访客"))
    form = next(w for w in find_all(app.root, cls=RegisterVisitor))
    await _fill_anna(app, form)
    await tap(app, find(form, text="送货"))
    await tap(app, find(form, text="登记并打印访客条"))
    assert form.message == "请填写已核验的证件号码"  # the document check is required at the counter
    form.ids.id_number.text = "110101199003071234"
    await tap(app, find(form, text="登记并打印访客条"))
    assert form.message == "身份证号码有误：校验位不符", "a mistyped resident ID is refused"
    form.ids.id_number.text = "110101199003071233"
    shot(app, "visitors_register_zh.png")
    await tap(app, find(form, text="登记并打印访客条"))
    row = next(r for r in app.ctx.db.query("SELECT * FROM visits WHERE phone = '13911112222'"))
    assert (row["registered_by"], row["id_type"], row["id_number"], row["purpose"]) == (
        "staff", "id_card", "110101********1233", "delivery")
    assert row["expected_id"] is not None
    assert printqueue.recent(app.ctx.db, 1)[0].receipt.kind == "badge"
    assert [r.visit["name"] for r in find_all(section, cls="OnSiteRow")] == ["Anna Lee"]


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_bad_names_get_a_message_on_the_field_and_nothing_is_stored(kivy_app):
    app = kivy_app
    await settle(app)
    await tap(app, find(app.root, text="访客登记"))
    flow = app.sm.current_screen
    ids = flow.ids
    for digit in "13800138000":
        await tap(app, find(ids.numpad, text=digit), frames=1)
    await tap(app, find(flow, text="下一步"))
    assert ids.steps.current == "name"
    for typed, message in (("", "请填写姓名"), ("王" * 41, "姓名过长（最多 40 个字）"),
                           ("王小明😀", "姓名不能包含表情符号"), ("王\u200b明", "姓名含有不可见的控制字符")):
        ids.name.text = typed
        await tap(app, find(flow, text="下一步"))
        assert ids.steps.current == "name" and ids.name.error == message, typed
        assert app.ctx.db.execute("SELECT COUNT(*) FROM visits").fetchone()[0] == 0
    # Text that looks like SQL is only text: stored exactly as typed, the register intact.
    ids.name.text = "Robert'); DROP TABLE visits;--"
    await tap(app, find(flow, text="下一步"))
    assert ids.steps.current == "host" and ids.name.error == ""
    ids.host_search.ids.input.text = "张敏"
    await settle(app)
    await tap(app, find(ids.host_results, text="张敏 Zhang Min"))
    await tap(app, find(flow, text="下一步"))
    await tap(app, find(flow, text="我同意，登记入场"))
    assert ids.steps.current == "done"
    assert [r[0] for r in app.ctx.db.execute("SELECT name FROM visits")] == ["Robert'); DROP TABLE visits;--"]


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_staff_keep_the_host_directory_and_a_manager_lifts_a_deny_entry(kivy_app):
    from kiosk.demo import accounts as demo
    from screens.visitors.visitor_desk import DirectoryPopup
    from tests.uikit import open_section, sign_in_as
    app = kivy_app
    await sign_in_as(app, "staff")
    section = await open_section(app, "visitors")
    shot(app, "visitors_section_zh.png")
    await tap(app, find(section, text="名录与禁止名单"))
    popup = next(iter(find_all(app.root, cls=DirectoryPopup)))
    popup.ids.host_name.text = "孙丽 Sun Li"
    popup.ids.host_department.text = "人事部"
    await tap(app, find(popup, text="添加被访人"))
    assert visitors.find_hosts(app.ctx.db, "孙丽")[0]["name"] == "孙丽 Sun Li"
    await tap(app, find(popup, text="孙丽 Sun Li · 人事部"))
    assert visitors.find_hosts(app.ctx.db, "孙丽") == [], "retired: visitors no longer find her"
    await tap(app, find(popup, text="加入禁止名单"))
    assert popup.message == "请填写姓名或电话号码"
    popup.ids.deny_phone.text = "13300000000"
    popup.ids.deny_reason.text = "曾闹事"
    await tap(app, find(popup, text="加入禁止名单"))
    assert [e["reason"] for e in visitors.deny_entries(app.ctx.db)] == ["曾闹事"]
    shot(app, "visitors_directory_zh.png")
    await tap(app, find(popup, text="解除"))
    assert popup.message == "请先在原因栏填写解除原因"
    popup.ids.deny_reason.text = "已道歉"
    await tap(app, find(popup, text="解除"))
    approval = find_all(app.root, cls="ManagerApproval")[0]
    for digit in demo.DEMO_MANAGER[1]:
        await tap(app, find(approval, text=digit), frames=1)
    await tap(app, find(approval, text="确定"))
    assert popup.message == "已解除禁止" and visitors.deny_entries(app.ctx.db) == []
    lift = next(app.ctx.db.query("SELECT * FROM deny_list_lifts"))
    assert lift["actor"].startswith("Demo Manager") and lift["reason"] == "已道歉"


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_a_fire_drill_roll_call_with_the_database_locked(kivy_app):
    """Per-head marks, undo, the live header; then another process holds the write lock: taps still
    count on screen with a message, the missing list prints from memory, and the marks are saved once
    the lock is gone. Nothing escapes to the app's exception handler."""
    import sqlite3
    from kiosk.core import auth
    app = kivy_app
    failures = []
    app._exception_handler.report = failures.append
    await settle(app)
    host = visitors.find_hosts(app.ctx.db, "Emma")[0]["id"]
    for name, phone, party in (("张伟", "13800138000", 3), ("Anna Lee", "13911112222", 1),
                               ("欧阳" + "娜" * 18, "13922223333", 1)):
        visitors.sign_in(app.ctx.db, app.ctx.clock, visitors.Visitor(name, phone, host, "meeting", party_size=party,
                                                                      privacy_accepted=True))
    app.sign_in(auth.users(app.ctx.db, role="staff")[0])
    await settle(app)
    section = app.sm.get_screen("desk").ids.content.current_screen
    await tap(app, find(section, text="疏散点名"))
    assert find(section, text="已确认 0 人 / 未到 5 人")
    assert len(find_all(section, cls="OnSiteRow")) == 3, "one row per visit (a party of three is one row)"
    assert not find_all(section, text="已在场 ✓"), "nobody is marked before the roll call"
    for _ in range(3):
        await tap(app, next(b for b in find_all(_row(section, "张伟"), cls="BigButton") if b.text.startswith("+1")))
    assert _row(section, "张伟").heads == 3 and find(_row(section, "张伟"), text="已在场 3/3 ✓")
    await tap(app, find(_row(section, "张伟"), text="撤销"))
    assert _row(section, "张伟").heads == 2
    await tap(app, find(_row(section, "Anna Lee"), text="确认在场"))
    assert find(section, text="已确认 3 人 / 未到 2 人")
    shot(app, "visitors_rollcall_counts_zh.png")

    locker = sqlite3.connect(app.ctx.db_path)
    locker.execute("BEGIN IMMEDIATE")  # another process holds the write lock
    app.ctx.db.execute("PRAGMA busy_timeout=50")
    try:
        await tap(app, find(_row(section, "欧阳" + "娜" * 18), text="确认在场"))
        assert find(section, text="已确认 4 人 / 未到 1 人"), "the tap counts on screen"
        assert "确认记录暂存在本屏" in app._toast.text
        await tap(app, find(section, text="打印未到名单"))
        assert "直接发送到打印机" in app._toast.text
        for _ in range(40):
            await app.async_sleep(0.05)
            if "未到名单已打印" in app._toast.text:
                break
        assert "未到名单已打印" in app._toast.text
        shot(app, "visitors_rollcall_locked_zh.png")
    finally:
        locker.rollback()
        locker.close()
    await tap(app, find(_row(section, "张伟"), text="撤销"))
    rc = app.ctx.db.execute("SELECT MAX(id) FROM rollcalls").fetchone()[0]
    saved = {r["name"]: r["safe"] for r in visitors.rollcall_list(app.ctx.db, rc)}
    assert saved == {"张伟": 1, "Anna Lee": 1, "欧阳" + "娜" * 18: 1}, "the pending mark was saved after the lock"
    assert failures == []


def _row(section, name):
    return next(r for r in find_all(section, cls="OnSiteRow") if r.visit["name"] == name)


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_roll_call_taps_do_not_freeze_with_the_default_busy_timeout(kivy_app):
    """Another process holds the write lock and the connection keeps its DEFAULT 5 s busy timeout: every
    tap returns in well under 300 ms, counts on screen at once, and the marks are written by the retry
    timer once the lock is gone - without another tap (outside tester, issue 13 fix)."""
    import sqlite3
    import time
    from kiosk.core import auth
    from kiosk.core.db import busy_timeout_ms
    app = kivy_app
    failures = []
    app._exception_handler.report = failures.append
    await settle(app)
    host = visitors.find_hosts(app.ctx.db, "Emma")[0]["id"]
    names = [f"欧阳访客{i}号" + "娜" * 12 for i in range(4)]  # long names
    for i, name in enumerate(names):
        visitors.sign_in(app.ctx.db, app.ctx.clock, visitors.Visitor(name, f"1390000{i:04d}", host, "meeting",
                                                                      party_size=1, privacy_accepted=True))
    app.sign_in(auth.users(app.ctx.db, role="staff")[0])
    await settle(app)
    section = app.sm.get_screen("desk").ids.content.current_screen
    await tap(app, find(section, text="疏散点名"))
    default = int(app.ctx.db.execute("PRAGMA busy_timeout").fetchone()[0])
    assert default == busy_timeout_ms() >= 1000
    locker = sqlite3.connect(app.ctx.db_path)
    locker.execute("BEGIN IMMEDIATE")
    try:
        for i, name in enumerate(names[:3]):
            started = time.monotonic()
            section.step(_row(section, name).visit, +1)
            took = time.monotonic() - started
            assert took < 0.3, f"tap {i} blocked the UI thread {took:.2f} s"
            assert find(section, text=f"已确认 {i + 1} 人 / 未到 {len(names) - i - 1} 人")
        assert int(app.ctx.db.execute("PRAGMA busy_timeout").fetchone()[0]) == default, "timeout restored"
    finally:
        locker.rollback()
        locker.close()
    for _ in range(60):  # the retry timer (2 s) writes the pending marks
        await app.async_sleep(0.1)
        if not section.call.pending:
            break
    assert not section.call.pending
    rc = app.ctx.db.execute("SELECT MAX(id) FROM rollcalls").fetchone()[0]
    saved = {r["name"]: r["safe"] for r in visitors.rollcall_list(app.ctx.db, rc)}
    assert saved == {names[0]: 1, names[1]: 1, names[2]: 1, names[3]: 0}
    assert failures == []


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_a_visit_from_another_day_shows_its_date_over_its_time_not_cut(kivy_app):
    """Outside tester (issue 13): a visit signed in yesterday read ".-23 09:0张三" in the on-site row."""
    from kiosk.core import auth
    app = kivy_app
    await settle(app)
    host = visitors.find_hosts(app.ctx.db, "Emma")[0]["id"]
    visitors.sign_in(app.ctx.db, app.ctx.clock, visitors.Visitor("欧阳娜娜" * 5, "13800138000", host, "meeting",
                                                                  party_size=3, privacy_accepted=True))
    app.ctx.clock.advance(26 * 3600)
    visitors.sign_in(app.ctx.db, app.ctx.clock, visitors.Visitor("李四", "13911112222", host, "meeting",
                                                                  party_size=1, privacy_accepted=True))
    app._touched()
    app.sign_in(auth.users(app.ctx.db, role="staff")[0])
    await settle(app)
    section = await open_section(app, "visitors")
    await tap(app, find(section, text="疏散点名"))
    await settle(app)
    times = {row.visit["name"]: row.children[-1] for row in find_all(section, cls="OnSiteRow")}
    old, today = times["欧阳娜娜" * 5], times["李四"]
    assert "\n" in old.text and old.text.split("\n")[0].count("-") == 1, old.text
    assert "\n" not in today.text and ":" in today.text
    for label in (old, today):
        label.texture_update()
        assert label.texture_size[0] <= label.width + 1 and label.texture_size[1] <= label.parent.height
    shot(app, "visitors_rollcall_other_day_zh.png")
