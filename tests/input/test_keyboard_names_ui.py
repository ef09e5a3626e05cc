"""The keyboard in a name field (issue 17): name ranking, page indicator with no cut-off, the
handwriting pad driven by touches, and keys that never shrink under 48 px."""
from __future__ import annotations

import pytest

from tests.input.test_keyboard_ui import assert_keys_fit, build_form, candidate, key, type_keys, wait_engine
from tests.uikit import app_test, find, kiosk_app_factory, settle, shot, tap


async def draw(app, pad, strokes):
    """Real touches on the pad: strokes in 0..1 of its box, y downwards."""
    from kivy.tests.common import UnitTestTouch
    for stroke in strokes:
        pts = [(pad.x + x * pad.width, pad.top - y * pad.height) for x, y in stroke]
        touch = UnitTestTouch(*pts[0])
        touch.touch_down()
        for x, y in pts[1:]:
            touch.touch_move(x, y)
        touch.touch_up()
        await settle(app, 1)


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_name_field_offers_surname_then_given_name_pages_on_and_handwriting(kivy_app):
    app = kivy_app
    form, keyboard, pad, name, phone = build_form(app)
    name.input_kind = "name"
    await settle(app)
    await tap(app, name)
    await wait_engine(app, keyboard)
    await settle(app)

    await type_keys(app, keyboard, "shan")
    assert keyboard.candidates[0].text == "单"       # the surname reading, not 山
    await tap(app, candidate(keyboard, "单"))
    await type_keys(app, keyboard, "yu")
    # given-name position: 钰 on the first page (it was 86th and out of reach)
    assert "钰" in [c.text for c in keyboard.candidates[:6]]
    # paging goes on to the last candidate, with a page indicator
    pages = (len(keyboard.candidates) + 5) // 6
    assert pages > 10 and keyboard.page_label == f"1/{pages}"
    nxt = find(keyboard, text="›")
    for _ in range(pages + 2):
        keyboard.turn_page(1)
    await settle(app)
    assert keyboard.page_label == f"{pages}/{pages}"
    shot(app, "keyboard_name_last_page.png")
    keyboard.page = 0
    await settle(app)
    await tap(app, candidate(keyboard, "钰"))
    assert name.text == "单钰"
    assert nxt is not None

    # the Write key opens the pad; a finger writes 王 (一 一 丨 一)
    await tap(app, key(keyboard, "手写"))
    assert keyboard.mode == "write"
    await settle(app)
    assert_keys_fit(keyboard)
    from screens.widgets.keyboard_write import WritingPad
    writing = find(keyboard, cls=WritingPad)
    assert writing.height >= 150
    await draw(app, writing, [[(0.3, 0.2), (0.5, 0.2), (0.7, 0.2)], [(0.32, 0.5), (0.5, 0.5), (0.68, 0.5)],
                              [(0.5, 0.2), (0.5, 0.5), (0.5, 0.8)], [(0.25, 0.8), (0.5, 0.8), (0.75, 0.8)]])
    shot(app, "keyboard_write_wang.png")
    if keyboard.handwriting_failed:
        pytest.skip("Zinnia not installed (scripts/bootstrap.sh installs it)")
    texts = [c.text for c in keyboard.candidates]
    assert len(texts) >= 6 and "王" in texts[:6], texts
    await tap(app, candidate(keyboard, "王"))
    assert name.text == "单钰王" and writing.strokes == []
    await tap(app, find(keyboard.ids.rows, text="中", cls="KeyButton"))
    assert keyboard.mode == "zh"


@app_test(kiosk_app_factory(lang="en"))
@pytest.mark.asyncio
async def test_a_squeezed_keyboard_keeps_keys_of_48_px(kivy_app):
    app = kivy_app
    form, keyboard, pad, name, phone = build_form(app)
    keyboard.height = 200  # what a screen once gave it (41 px keys)
    await settle(app)
    await tap(app, name)
    await settle(app)
    assert keyboard.height >= 268
    assert_keys_fit(keyboard)


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_u_colon_umlaut_and_tone_numbers_compose_and_leave_nothing_behind(kivy_app):
    app = kivy_app
    form, keyboard, pad, name, phone = build_form(app)
    name.input_kind = "name"
    await settle(app)
    await tap(app, name)
    await wait_engine(app, keyboard)
    for typed, want in (("lu:3", "吕"), ("lü", "吕"), ("zhang1", "张")):
        name.text = ""
        for ch in typed:               # a hardware keyboard's keys arrive through press() as well
            keyboard.press(ch)
        await settle(app)
        assert keyboard.composition == typed.replace("ü", "v")
        assert keyboard.candidates and keyboard.candidates[0].text == want, typed
        keyboard.pick(0)
        await settle(app)
        assert name.text == want and keyboard.composition == "", (typed, name.text, keyboard.composition)
    # a digit with nothing composed is a digit; a 0 or 9 is never a tone
    name.text = ""
    keyboard.press("1")
    await settle(app)
    assert name.text == "1" and keyboard.composition == ""
