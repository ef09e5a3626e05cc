"""The manager changes how long an open roll call may be resumed (rollcall_resume_hours) on the settings
screen: the field is there with its caption in Chinese and English, a tap into it and typed digits change
it, values outside 1-72 are refused beside the field (nothing written), a good value is audited with its
before and after, and the roll call service obeys the new value at once."""
from __future__ import annotations

from datetime import timedelta

import pytest

from kiosk.core import settings
from kiosk.core.audit import Actor
from kiosk.core.clock import FakeClock
from kiosk.visitors import service as visitors
from tests.uikit import _enclosing_scrollview, app_test, assert_reachable, find, kiosk_app_factory, open_section, settle, shot, \
    sign_in_as, tap

CAPTION = "Resume an open roll call for (hours after it started)"
DESK = Actor("Li Na", None, "staff")


def _field(section):
    box = section.ids.rollcall_resume_hours
    return box, box.parent


async def _into_view(app, box) -> None:
    """Scroll the page to the field with the page's glide stopped (a swipe's glide measured mid-flight
    threw the page thousands of pixels off now and then)."""
    view = _enclosing_scrollview(box)
    for _ in range(10):
        for effect in (view.effect_x, view.effect_y):
            if effect is not None:
                effect.cancel()
        view.scroll_to(box, padding=40, animate=False)
        await settle(app, 3)
        y = box.to_window(*box.center)[1]
        bottom = view.to_window(view.x, view.y)[1]
        if bottom <= y <= bottom + view.height:
            return


async def _type(app, box, text: str) -> None:
    """Tap the field, clear it and type the digits on the on-screen numpad, key by key, as a manager does."""
    # Brought into view without a swipe: after a refused save the page is still re-laid out under the
    # error line and a swipe measured mid-layout flung it off (swiping itself is tested on other pages).
    await _into_view(app, box)
    assert_reachable(box)
    box.focus = True  # (a synthetic tap on a field inside the long settings scroll does not focus it offscreen)
    await settle(app)
    pad = app.keyboard_dock.shown
    assert pad is not None and pad.target is box, "a number field gets the numpad"
    def key_of(label):
        [key] = [w for w in pad.walk(restrict=True) if w is not pad and getattr(w, "text", None) == label]
        return key
    for _ in range(len(box.text)):
        await tap(app, key_of("←"), frames=1)
    for key in text:
        await tap(app, key_of(key), frames=1)
    assert box.text == text
    # The numpad may sit over the page's save button: its Done key puts it away.
    await tap(app, key_of(app.tr("Done typing", app.lang)))
    assert app.keyboard_dock.shown is None
    box.focus = False
    await settle(app)


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_manager_sets_the_roll_call_resume_hours_on_screen(kivy_app):
    app = kivy_app
    db, clock = app.ctx.db, app.ctx.clock
    await sign_in_as(app, "manager")
    section = await open_section(app, "settings")
    box, field = _field(section)
    assert box.text == "12"
    assert field.caption == app.tr(CAPTION, "zh_CN") == "未结束的点名可继续的时长（开始后小时数）"
    await _into_view(app, box)
    assert_reachable(box)
    shot(app, "settings_rollcall_hours_zh.png")

    rc = visitors.start_rollcall(db, clock, DESK)
    # The desk's own clock stays put (20 hours on it would sign the manager out for idling): the roll
    # call service is asked with a clock 20 hours later.
    later = FakeClock(clock.now() + timedelta(hours=20))
    assert visitors.open_rollcall(db, later) is None  # 20 hours > the default 12

    audits_before = db.execute("SELECT COUNT(*) FROM audit WHERE record_id = 'rollcall_resume_hours'").fetchone()[0]
    for bad in ("0", "73", "100000", "00"):
        await _type(app, box, bad)
        await tap(app, find(section, text="保存设置"))
        assert box.error, (bad, box.text, section.error, section.message)
        assert box.error in section.error
        assert section.error.startswith(app.tr(CAPTION, "zh_CN")), section.error
        assert "1" in section.error and "72" in section.error
        assert settings.get(db, "rollcall_resume_hours") == 12
    assert db.execute("SELECT COUNT(*) FROM audit WHERE record_id = 'rollcall_resume_hours'").fetchone()[0] \
        == audits_before, "a refused value writes nothing"

    await _type(app, box, "24")
    assert not box.error  # typing again clears the tint
    await tap(app, find(section, text="保存设置"))
    assert not section.error, section.error
    assert settings.get(db, "rollcall_resume_hours") == 24
    row = db.execute("SELECT actor, before, after FROM audit WHERE action = 'setting.change'"
                     " AND record_id = 'rollcall_resume_hours' ORDER BY id DESC LIMIT 1").fetchone()
    assert row is not None and "12" in row[1] and "24" in row[2]
    found = visitors.open_rollcall(db, later)
    assert found is not None and found.id == rc  # 20 hours < 24: offered again

    await _type(app, box, "72")
    await tap(app, find(section, text="保存设置"))
    assert settings.get(db, "rollcall_resume_hours") == 72
    await _type(app, box, "1")
    await tap(app, find(section, text="保存设置"))
    assert settings.get(db, "rollcall_resume_hours") == 1
    assert visitors.open_rollcall(db, later) is None

    app.set_language("en")
    await settle(app)
    assert field.caption == CAPTION
    section.load()
    assert box.text == "1"
    shot(app, "settings_rollcall_hours_en.png")


def test_the_hours_refuse_what_a_pasted_or_hardware_typed_value_can_hold(db, clock):
    """What the numpad cannot type but a USB keyboard or paste can: refused by the same check."""
    manager = Actor("Boss", None, "manager")
    for bad in ("-5", "１２x", "1e1", "7２.5", "", " ", "٣", "²", True, None, 73, 0):
        with pytest.raises(settings.SettingError):
            settings.put_checked(db, clock, manager, {"rollcall_resume_hours": bad})
    assert settings.put_checked(db, clock, manager, {"rollcall_resume_hours": "７２"}) == ["rollcall_resume_hours"]
    assert settings.get(db, "rollcall_resume_hours") == 72
