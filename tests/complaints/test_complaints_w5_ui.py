"""With nobody signed in, a complaint deadline about to be missed still reaches the desk: the home screen
says how many and that staff are needed, nothing a visitor could read about a customer; after the PIN the
desk's bar shows the details."""
from __future__ import annotations

import pytest

from kiosk.complaints import service
from kiosk.core import auth
from tests.uikit import app_test, find, find_all, kiosk_app_factory, settle, shot, sign_in_as, tap


async def wait_for(app, condition, steps: int = 1000) -> bool:
    for _ in range(steps):
        if condition():
            return True
        await app.async_sleep(0.02)
    return condition()


def all_text(root) -> str:
    from tests.uikit import walk
    return "\n".join(str(getattr(w, "text", "")) for w in walk(root))


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_home_screen_says_staff_are_needed_without_naming_anyone(kivy_app):
    app = kivy_app
    db, clock = app.ctx.db, app.ctx.clock
    staff = auth.users(db, role="staff")[0]
    name, topic = "欧阳娜娜𠀀", "1201漏水😀"
    cid = service.take(db, clock, staff.actor(), "Asia/Shanghai", kind="complaint", category="facilities",
                       responsibility="company", what="楼上漏水，" * 100, customer_name=name,
                       customer_contact="13912345678", place="3号楼1201", topic=topic)
    ref = service.get(db, cid).ref
    await settle(app)
    assert app.sm.current == "home" and app.user is None
    clock.advance(8 * 60)  # the 10-minute start is 2 minutes off
    app._touched()
    assert app.check_duties() is not None
    assert await wait_for(app, lambda: app.duties_waiting == 1)
    await settle(app)
    home = app.sm.get_screen("home")
    from screens.widgets.duty_notice import DutyNotice
    [notice] = find_all(home, cls=DutyNotice)
    assert notice.opacity == 1 and not notice.disabled and "1" in notice.text and "工作人员" in notice.text
    assert notice.height >= 47.5 and notice.width >= 200
    shown = all_text(app.root)
    for secret in (name, "13912345678", topic, "漏水", ref, "1201"):
        assert secret not in shown, secret
    shot(app, "complaints_home_staff_needed_zh.png")
    # live language switch: the same count in English
    app.lang = "en"
    await settle(app)
    assert notice.text == "Staff needed at the desk: complaint deadlines to see to (1)"
    app.lang = "zh_CN"
    await settle(app)
    # tapping it asks for a PIN; after the PIN the desk's bar names the complaint
    await tap(app, notice)
    assert app.sm.current == "login"
    app._touched()
    await sign_in_as(app, "staff")
    assert await wait_for(app, lambda: app.duty_prompt is not None and app.duty_prompt.shown)
    assert ref in app.duty_prompt.text and app.duties_waiting == 0
    # signed out again: the details go with the staff member, the count comes back
    app.sign_out()
    assert await wait_for(app, lambda: app.duties_waiting == 1)
    assert not app.duty_prompt.shown
    assert ref not in all_text(app.root)
    # started: nothing due, the notice empties and cannot be tapped
    service.start(db, clock, staff.actor(), cid)
    clock.advance(60)
    app._touched()
    app.check_duties()
    assert await wait_for(app, lambda: app.duties_waiting == 0)
    await settle(app)
    assert notice.text == "" and notice.disabled and notice.opacity == 0
    # a missed start still needs staff: the notice stays lit past the deadline (and until it is started)
    service.take(db, clock, staff.actor(), "Asia/Shanghai", kind="complaint", category="noise",
                 responsibility="company", what="夜间施工", customer_name="李四", customer_contact="13800001111")
    for minutes in (11, 30):
        clock.advance(minutes * 60)
        app._touched()
        app.check_duties()
        assert await wait_for(app, lambda: app.duties_waiting == 1), f"{minutes} min on"
    await settle(app)
    assert notice.opacity == 1 and not notice.disabled and "1 项" in notice.text and "李四" not in all_text(app.root)
