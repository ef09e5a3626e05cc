"""What does someone who is not this visitor learn from each visitor screen? Taps in zh_CN as a stranger
(her phone number, a part of her name, made-up badge codes) and as the visitor herself (her own name, her
own badge code, expected today). Every label on screen is read at every step."""
from __future__ import annotations

import pytest

from kiosk.visitors import service as visitors
from tests.uikit import app_test, find, find_all, kiosk_app_factory, settle, shot, tap

NAME, PHONE, ORG = "欧阳娜娜", "13911112222", "华为技术有限公司"
LEAKS = ("欧", "娜", "华为", "2222", "1391", "欢迎再次", "再次光临", "Welcome back")


def _seed(ctx):
    host = visitors.find_hosts(ctx.db, "Emma")[0]["id"]
    visit = visitors.sign_in(ctx.db, ctx.clock, visitors.Visitor(NAME, PHONE, host, "delivery", organisation=ORG,
                                                                  privacy_accepted=True))
    ctx.db.execute("INSERT INTO settings (key, value, updated_at) VALUES ('test_code', ?, '')",
                   ('"' + visit.code + '"',))
    ctx.db.conn.commit()


def _shown(app) -> str:
    """Every text a person can read now: labels, buttons, and what the fields hold."""
    texts = [str(getattr(w, "text", "")) for w in find_all(app.root, cls="Label")]
    texts += [str(getattr(w, "text", "")) for w in find_all(app.root, cls="TextInput")]
    texts += [str(getattr(w, "hint_text", "")) for w in find_all(app.root, cls="TextInput")]
    return " | ".join(texts)


def _assert_nothing_of_her(app, where: str) -> None:
    shown = _shown(app)
    for leak in LEAKS:
        assert leak not in shown, f"{where}: {leak!r} on screen"
    chosen = [b.purpose for b in find_all(app.root, cls="PurposeButton") if b.kind == "selected"]
    assert chosen == [], f"{where}: her purpose {chosen} preselected"


def _her_code(app) -> str:
    import json
    return json.loads(app.ctx.db.execute("SELECT value FROM settings WHERE key = 'test_code'").fetchone()[0])


async def _choose_host(app, flow, query="Emma", host="Emma Clarke") -> None:
    flow.ids.host_search.ids.input.text = query
    await settle(app)
    await tap(app, find(flow.ids.host_results, text=host))


@app_test(kiosk_app_factory(lang="zh_CN", seed=_seed))
@pytest.mark.asyncio
async def test_a_stranger_with_her_phone_or_a_guessed_code_learns_nothing(kivy_app):
    app = kivy_app
    await settle(app)
    await tap(app, find(app.root, text="访客登记"))
    flow = app.sm.current_screen
    ids = flow.ids
    badge = find(flow, text="我有胸牌或邀请码")
    assert badge.height >= 48 and badge.width >= 48
    shot(app, "visitor_phone_step_zh.png")
    # Her phone number: on to "your name", nothing of her, not even that a visit exists.
    ids.phone.ids.input.text = "139 1111 2222"
    await tap(app, find(flow, text="下一步"))
    assert ids.steps.current == "name"
    _assert_nothing_of_her(app, "name step after her phone")
    # Half her name (the old hint showed 欧**娜): not a proof; company and purpose are not hers.
    ids.name.ids.input.text = "欧阳"
    await tap(app, find(flow, text="下一步"))
    assert ids.steps.current == "host" and flow.host_id == 0 and list(ids.host_results.children) == []
    _assert_nothing_of_her(app, "host step")
    await _choose_host(app, flow)
    await tap(app, find(flow, text="下一步"))
    await tap(app, find(flow, text="我同意，登记入场"))
    assert flow.greeting == "欢迎光临！" and not flow.returning
    row = next(app.ctx.db.query("SELECT * FROM visits ORDER BY id DESC LIMIT 1"))
    assert (row["organisation"], row["purpose"]) == ("", "meeting"), "nothing of hers copied to the stranger"
    await tap(app, find(flow, text="已完成"))

    # Guessed badge codes: the same translated answer on the field, whatever the reason; then the desk.
    await tap(app, find(app.root, text="访客登记"))
    await tap(app, find(flow, text="我有胸牌或邀请码"))
    assert ids.steps.current == "pass"
    shot(app, "visitor_pass_step_zh.png")
    for guess in ("ZZZZZ", "SO:AAAAA", "１２３４５", "x" * 500, "A\x00CDE", "😀😀😀😀😀", ""):
        ids.pass_code.ids.input.text = guess
        await tap(app, find(flow, text="下一步"))
        assert ids.steps.current == "pass", guess
        assert ids.pass_code.error == "没有找到这个代码：请核对胸牌，或用手机号登记", guess
        _assert_nothing_of_her(app, f"pass step after {guess!r}")
    shot(app, "visitor_pass_wrong_zh.png")
    # Only SO:AAAAA could have been a code (Z, 1, 2, 5 are not in the alphabet): the malformed guesses used
    # up no one's tries; nine more well-formed wrong codes do.
    assert visitors._pass_tries_left(app.ctx.db, app.ctx.clock) == visitors.PASS_TRIES - 1
    for _ in range(visitors.PASS_TRIES - 1):
        ids.pass_code.ids.input.text = "QQQQQ"
        await tap(app, find(flow, text="下一步"))
    ids.pass_code.ids.input.text = _her_code(app)  # even the right code: the touchscreen stopped answering
    await tap(app, find(flow, text="下一步"))
    assert ids.pass_code.error == "错误次数过多，请到前台办理" and ids.steps.current == "pass"
    _assert_nothing_of_her(app, "locked pass step")
    app.ctx.clock.advance(visitors.PASS_WINDOW + 1)
    await tap(app, find(flow, text="取消"))
    assert app.sm.current == "home" and ids.pass_code.text == ""


@app_test(kiosk_app_factory(lang="zh_CN", seed=_seed))
@pytest.mark.asyncio
async def test_her_own_badge_code_is_her_proof_and_nothing_is_shown_back(kivy_app):
    app = kivy_app
    await settle(app)
    await tap(app, find(app.root, text="访客登记"))
    flow = app.sm.current_screen
    ids = flow.ids
    await tap(app, find(flow, text="我有胸牌或邀请码"))
    ids.pass_code.ids.input.text = "so:" + _her_code(app).lower()  # the badge's QR, scanned, any case
    await tap(app, find(flow, text="下一步"))
    assert ids.steps.current == "host" and ids.pass_code.error == ""
    _assert_nothing_of_her(app, "host step after her code")
    shot(app, "visitor_pass_host_zh.png")
    await _choose_host(app, flow)
    await tap(app, find(flow, text="下一步"))
    assert ids.steps.current == "privacy"
    _assert_nothing_of_her(app, "privacy step")
    await tap(app, find(flow, text="返回"))
    await tap(app, find(flow, text="返回"))
    assert ids.steps.current == "pass", "Back from the host step goes to the badge step it came from"
    await tap(app, find(flow, text="下一步"))
    await tap(app, find(flow, text="下一步"))
    await tap(app, find(flow, text="我同意，登记入场"))
    assert flow.greeting == "欢迎再次光临！" and flow.returning
    row = next(app.ctx.db.query("SELECT * FROM visits ORDER BY id DESC LIMIT 1"))
    assert (row["name"], row["phone"], row["organisation"], row["purpose"]) == (NAME, PHONE, ORG, "delivery"), \
        "name, phone, company and purpose come from her own earlier visit"
    done = _shown(app)
    assert NAME not in done and ORG not in done and PHONE[-4:] not in done
    shot(app, "visitor_pass_done_zh.png")
    await tap(app, find(flow, text="已完成"))


@app_test(kiosk_app_factory(lang="zh_CN", seed=_seed))
@pytest.mark.asyncio
async def test_her_typed_name_copies_her_purpose_unless_she_chooses_one(kivy_app):
    app = kivy_app
    await settle(app)
    for tapped, expected in ((None, "delivery"), ("面试", "interview")):
        await tap(app, find(app.root, text="访客登记"))
        flow = app.sm.current_screen
        flow.ids.phone.ids.input.text = PHONE
        await tap(app, find(flow, text="下一步"))
        flow.ids.name.ids.input.text = "欧阳 娜娜"  # her name, spaced: folded before comparing
        await tap(app, find(flow, text="下一步"))
        assert not [b for b in find_all(flow, cls="PurposeButton") if b.kind == "selected"], "nothing preselected"
        await _choose_host(app, flow)
        if tapped:
            await tap(app, find(flow, text=tapped))
        await tap(app, find(flow, text="下一步"))
        await tap(app, find(flow, text="我同意，登记入场"))
        assert flow.greeting == "欢迎再次光临！"
        row = next(app.ctx.db.query("SELECT * FROM visits ORDER BY id DESC LIMIT 1"))
        assert (row["organisation"], row["purpose"]) == (ORG, expected)
        await tap(app, find(flow, text="已完成"))


def _seed_expected(ctx):
    _seed(ctx)
    from kiosk.core.audit import Actor
    host = visitors.find_hosts(ctx.db, "张敏")[0]["id"]
    ctx.db.execute("UPDATE hosts SET phone = '8021' WHERE id = ?", (host,))
    ctx.db.conn.commit()
    today = ctx.clock.now().astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai")).date().isoformat()
    visitors.add_expected(ctx.db, ctx.clock, Actor("Li Na", None, "staff"), name=NAME, phone=PHONE, host_id=host,
                          expected_on=today)


@app_test(kiosk_app_factory(lang="zh_CN", seed=_seed_expected))
@pytest.mark.asyncio
async def test_expected_today_with_her_badge_her_host_is_preset_and_the_desk_alerted(kivy_app):
    app = kivy_app
    await settle(app)
    alerts = []
    app.ctx.bus.subscribe("visitor.expected_arrived", alerts.append)
    await tap(app, find(app.root, text="访客登记"))
    flow = app.sm.current_screen
    await tap(app, find(flow, text="我有胸牌或邀请码"))
    flow.ids.pass_code.ids.input.text = _her_code(app)
    await tap(app, find(flow, text="下一步"))
    assert flow.host_name == "张敏 Zhang Min" and find(flow.ids.host_results, text="张敏 Zhang Min")
    await tap(app, find(flow, text="下一步"))
    await tap(app, find(flow, text="我同意，登记入场"))
    await settle(app)
    assert flow.greeting == "欢迎，张敏 Zhang Min 正在等您"
    assert alerts and alerts[-1].data["extension"] == "8021" and alerts[-1].data["host"] == "张敏 Zhang Min"


def _seed_invited(ctx):
    from kiosk.core.audit import Actor
    host = visitors.find_hosts(ctx.db, "张敏")[0]["id"]
    today = ctx.clock.now().astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai")).date().isoformat()
    visitors.add_expected(ctx.db, ctx.clock, Actor("Li Na", None, "staff"), name="Wu Fang", phone="13500000000",
                          host_id=host, expected_on=today)


@app_test(kiosk_app_factory(lang="en", seed=_seed_invited))
@pytest.mark.asyncio
async def test_an_invited_visitor_signs_in_with_the_invitation_code(kivy_app):
    app = kivy_app
    await settle(app)
    today = app.ctx.clock.now().astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai")).date().isoformat()
    [invite] = visitors.expected_on(app.ctx.db, today)
    await tap(app, find(app.root, text="Sign in as a visitor"))
    flow = app.sm.current_screen
    await tap(app, find(flow, text="I have a badge or an invitation code"))
    flow.ids.pass_code.ids.input.text = invite["invite_code"]
    await tap(app, find(flow, text="Continue"))
    assert flow.ids.steps.current == "host" and flow.host_name == "张敏 Zhang Min"
    assert "Wu Fang" not in _shown(app) and "13500000000" not in _shown(app)
    await tap(app, find(flow, text="Continue"))
    await tap(app, find(flow, text="I accept, sign me in"))
    assert flow.greeting == "Welcome — 张敏 Zhang Min is expecting you"
    row = next(app.ctx.db.query("SELECT * FROM visits ORDER BY id DESC LIMIT 1"))
    assert (row["name"], row["phone"], row["expected_id"]) == ("Wu Fang", "13500000000", invite["id"])
    shot(app, "visitor_invited_done_en.png")
