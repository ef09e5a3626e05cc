"""The accounts screen by touch, in zh_CN: a manager adds, renames, resets a PIN, deactivates,
reactivates and unlocks, each with a manager's PIN; refusals translated on their field; staff only change
their own PIN; every change audited."""
from __future__ import annotations

import pytest

from kiosk.core import auth
from kiosk.demo import accounts as demo
from tests.uikit import app_test, find, find_all, kiosk_app_factory, open_section, settle, shot, sign_in_as, tap


def _tr(app, msgid: str) -> str:
    return app.tr(msgid, app.lang)


async def _pad(app, popup, pin: str) -> None:
    for digit in pin:
        await tap(app, find(popup, text=digit), frames=1)
    await tap(app, find(popup, text=_tr(app, "OK")))


def _popup(app, cls: str):
    found = find_all(app.root, cls=cls)
    assert len(found) == 1, f"{cls}: {len(found)} open"
    return found[0]


async def _new_pin_twice(app, pin: str) -> None:
    entry = _popup(app, "PinEntry")
    await _pad(app, entry, pin)
    await _pad(app, entry, pin)


async def _approve(app, pin: str = demo.DEMO_MANAGER[1]) -> None:
    await _pad(app, _popup(app, "ManagerApproval"), pin)


def _actions(app, actor_id: int | None = None) -> list[str]:
    return [r[0] for r in app.ctx.db.execute("SELECT action FROM audit WHERE action LIKE 'user.%' ORDER BY id")]


def _row(screen, name: str):
    return next(b for b in screen.ids.account_list.children if b.text.startswith(name + "\n"))


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_a_manager_keeps_the_accounts_by_touch(kivy_app):
    app = kivy_app
    await sign_in_as(app, "manager")
    screen = await open_section(app, "accounts")
    assert screen.is_manager and screen.ids.views.current == "manager"
    names = [b.text for b in screen.ids.account_list.children]
    assert demo.DEMO_STAFF[0] + "\n员工 · 在用" in names, names
    shot(app, "accounts_list_zh.png")

    # A name with a control character never gets as far as a PIN.
    screen.ids.name.ids.input.text = "赵\x1b[2J六"
    await tap(app, find(screen, text="添加账户"))
    assert screen.ids.name.error == "姓名不能包含不可见字符或控制字符" and not find_all(app.root, cls="PinEntry")
    screen.ids.name.ids.input.text = "赵" * 41
    await tap(app, find(screen, text="添加账户"))
    assert screen.ids.name.error == "姓名须为 1 到 40 个字符"

    # A new account: a PIN too short is refused on the pad, a repeat that differs starts over, then a
    # manager's PIN (a wrong one first).
    screen.ids.name.ids.input.text = "  赵六  "
    await tap(app, find(screen, text="添加账户"))
    entry = _popup(app, "PinEntry")
    await _pad(app, entry, "12")
    assert entry.ids.pad.message == "PIN 码必须是 4 到 8 位数字" and entry.prompt == "新 PIN 码（4 到 8 位数字）"
    await _pad(app, entry, "2468")
    assert entry.prompt == "再输入一次新 PIN 码"
    await _pad(app, entry, "1357")
    assert entry.ids.pad.message == "两次输入的 PIN 码不一致，请重新输入新 PIN 码"
    shot(app, "accounts_pin_differs_zh.png")
    await _new_pin_twice(app, "2468")
    approval = _popup(app, "ManagerApproval")
    assert approval.reason == "添加账户"
    await _pad(app, approval, "0000")
    assert approval.ids.pad.message == "PIN 码错误"
    await _approve(app)
    assert screen.message == "已添加账户：赵六"
    zhao = next(u for u in auth.users(app.ctx.db) if u.name == "赵六")
    assert zhao.role == "staff" and auth.sign_in(app.ctx.db, app.ctx.clock, zhao.id, "2468") == zhao
    assert screen.selected["id"] == zhao.id
    shot(app, "accounts_added_zh.png")

    # Rename onto someone else's name: refused on the name field, in Chinese.
    screen.ids.name.ids.input.text = demo.DEMO_STAFF[0]
    await tap(app, find(screen, text="改名"))
    await _approve(app)
    assert screen.ids.name.error.startswith("已有名为") and screen.error == ""
    screen.ids.name.ids.input.text = "赵小六"
    await tap(app, find(screen, text="改名"))
    await _approve(app)
    assert screen.message == "已改名为 赵小六"

    # Five wrong PINs lock her out; the list says so, and the manager unlocks her at once.
    for _ in range(5):
        with pytest.raises(auth.AuthError):
            auth.sign_in(app.ctx.db, app.ctx.clock, zhao.id, "0000")
    screen.load()
    await settle(app)
    await tap(app, _row(screen, "赵小六"))
    assert "已锁定" in _row(screen, "赵小六").text
    await tap(app, find(screen, text="解锁"))
    await _approve(app)
    assert auth.seconds_locked(app.ctx.db, app.ctx.clock, zhao.id) == 0 and "在用" in _row(screen, "赵小六").text

    # She forgot her PIN: a new one from the manager.
    await tap(app, find(screen, text="重设 PIN 码"))
    await _new_pin_twice(app, "97531")
    await _approve(app)
    assert auth.sign_in(app.ctx.db, app.ctx.clock, zhao.id, "97531").name == "赵小六"

    # She left: deactivated, her PIN stops at once; back again later.
    await tap(app, find(screen, text="停用"))
    await _approve(app)
    assert screen.message == "已停用：赵小六" and "已停用" in _row(screen, "赵小六").text
    with pytest.raises(auth.AuthError, match="no such account"):
        auth.sign_in(app.ctx.db, app.ctx.clock, zhao.id, "97531")
    await tap(app, find(screen, text="重新启用"))
    await _approve(app)
    assert auth.sign_in(app.ctx.db, app.ctx.clock, zhao.id, "97531").name == "赵小六"

    # The last manager cannot be deactivated: the refusal under the buttons, translated.
    await tap(app, _row(screen, demo.DEMO_MANAGER[0]))
    await tap(app, find(screen, text="停用"))
    await _approve(app)
    assert screen.error == "不能停用最后一位经理"
    shot(app, "accounts_last_manager_zh.png")

    # A new manager account (the role toggle), then the language switches live.
    await tap(app, find(screen, text="新账户", cls="BigButton"))
    screen.ids.name.ids.input.text = "Wu Fang"
    await tap(app, find(screen, text="角色: 员工"))
    await tap(app, find(screen, text="添加账户"))
    await _new_pin_twice(app, "86420")
    await _approve(app)
    assert next(u for u in auth.users(app.ctx.db) if u.name == "Wu Fang").role == "manager"
    app.set_language("en")
    await settle(app)
    assert find(screen, text="Reset PIN") and find(screen, text="Change my PIN")
    shot(app, "accounts_en.png")
    by_manager = [r for r in app.ctx.db.execute(
        "SELECT action, actor FROM audit WHERE action IN ('user.add', 'user.rename', 'user.unlock', 'user.pin_reset',"
        " 'user.deactivate', 'user.reactivate') ORDER BY id") if r[1] == demo.DEMO_MANAGER[0]]
    assert [a for a, _ in by_manager] == ["user.add", "user.rename", "user.unlock", "user.pin_reset",
                                          "user.deactivate", "user.reactivate", "user.add"]


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_staff_only_change_their_own_pin(kivy_app):
    app = kivy_app
    await sign_in_as(app, "staff")
    screen = await open_section(app, "accounts")
    assert screen.ids.views.current == "staff" and not screen.ids.account_list.children
    assert not find_all(app.root, text="重设 PIN 码") and not find_all(app.root, text="停用")
    shot(app, "accounts_staff_zh.png")
    await tap(app, find(screen, text="修改我的 PIN 码"))
    entry = _popup(app, "PinEntry")
    assert entry.prompt == "您现在的 PIN 码"
    await _pad(app, entry, "0000")          # wrong current PIN: told after the new one, counted as a wrong PIN
    await _new_pin_twice(app, "4321")
    assert screen.error == "PIN 码错误"
    await tap(app, find(screen, text="修改我的 PIN 码"))
    entry = _popup(app, "PinEntry")
    await _pad(app, entry, demo.DEMO_STAFF[1])
    await _pad(app, entry, "12345678")
    await _pad(app, entry, "12345678")
    assert screen.message == "您的 PIN 码已更改" and screen.error == ""
    staff = auth.users(app.ctx.db, role="staff")[0]
    assert auth.sign_in(app.ctx.db, app.ctx.clock, staff.id, "12345678") == staff
    assert "user.pin_change" in _actions(app)


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_a_half_typed_pin_popup_closes_on_the_idle_sign_out(kivy_app):
    """A manager walks away mid-change: the idle sign-out closes the PIN popup, nothing typed stays, and
    the accounts are not open to the next person at the counter."""
    from kivy.core.window import Window
    from kivy.uix.modalview import ModalView
    app = kivy_app
    await sign_in_as(app, "manager")
    screen = await open_section(app, "accounts")
    screen.ids.name.ids.input.text = "Temp Worker"
    await tap(app, find(screen, text="添加账户"))
    entry = _popup(app, "PinEntry")
    await tap(app, find(entry, text="4"), frames=1)
    await tap(app, find(entry, text="2"), frames=1)
    assert entry.ids.pad.pin == "42"
    app.ctx.clock.advance(app.ctx.config.get("ui", "staff_idle_seconds") + 1)
    await app.async_sleep(1.2)
    await settle(app)
    assert app.user is None and app.sm.current == "home"
    assert [w for w in Window.children if isinstance(w, ModalView)] == []
    assert not find_all(app.root, cls="AccountsSection")
    assert "Temp Worker" not in [u.name for u in auth.users(app.ctx.db)]


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_deactivated_while_signed_in_is_signed_out_at_the_next_tap(kivy_app):
    """Staff signed in on the desk; a manager (at the CLI or another kiosk) deactivates them: the next
    action is refused and the desk goes back to the visitor home screen, audited."""
    from kiosk.core.audit import Actor
    app = kivy_app
    await sign_in_as(app, "staff")
    await open_section(app, "accounts")
    staff = app.user
    boss = auth.users(app.ctx.db, role="manager")[0]
    auth.set_active(app.ctx.db, app.ctx.clock, Actor(boss.name, boss.id, "manager"), staff.id, False)
    await open_section(app, "visitors")   # its on-site list is a staff call: it finds the session ended
    await settle(app)
    assert app.user is None and app.sm.current == "home"
    assert ("user.sign_out" in _actions(app))
