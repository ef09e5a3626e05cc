"""Outside attack on issue 17 (items 3 and 5): the name step's handwriting pad as the hint says to use
it ("tap Write and write it"), a language switch with the pad open, screenshots at the window size
(KIOSK_TEST_WIDTH/HEIGHT for 1024x600)."""
from __future__ import annotations

import pytest
from kivy.core.window import Window

from tests.pinyin_support import cached_engine
from tests.uikit import app_test, find, find_all, kiosk_app_factory, settle, shot, tap, visible_buttons
from tests.visitors.test_visitors_ui import wait_engine
from tests.visitors.test_signin_layout import check_step


async def to_name_step(app):
    await settle(app)
    await tap(app, find(app.root, text="访客登记"))
    flow = app.sm.current_screen
    for digit in "13800138000":
        await tap(app, find(flow.ids.numpad, text=digit), frames=1)
    await settle(app)
    assert flow.ids.steps.current == "name"
    await wait_engine(app, flow.ids.keyboard)
    return flow


async def key(app, keyboard, k):
    await tap(app, next(b for b in find_all(keyboard, cls="KeyButton") if b.key == k), frames=1)


async def stroke(app, pad, points):
    """A finger stroke over the pad (points as shares of its box, y from the top)."""
    from kivy.tests.async_common import UnitTestTouch
    x0, y0 = pad.to_window(pad.x, pad.y)
    pos = [(x0 + fx * pad.width, y0 + (1 - fy) * pad.height) for fx, fy in points]
    touch = UnitTestTouch(*pos[0])
    touch.touch_down()
    for p in pos[1:]:
        touch.touch_move(*p)
        await app.wait_clock_frames(1)
    touch.touch_up()
    await settle(app)


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_write_key_with_pinyin_half_typed_does_not_put_latin_letters_in_the_name(kivy_app):
    cached_engine()
    app = kivy_app
    size = f"{Window.width}x{Window.height}"
    flow = await to_name_step(app)
    ids = flow.ids
    kb = ids.keyboard
    await key(app, kb, "s"); await key(app, kb, "h"); await key(app, kb, "a"); await key(app, kb, "n")
    hit = [c for c in kb.ids.candidate_row.children if c.text == "单"]
    await tap(app, hit[0])
    assert ids.name.text == "单"
    # the visitor types "yu", does not see 钰 on the first page, and does what the hint says: Write
    await key(app, kb, "y"); await key(app, kb, "u")
    shot(app, f"att_signin_name_composing_{size}.png")
    await tap(app, find(kb, text="手写"))
    await settle(app)
    shot(app, f"att_signin_name_pad_{size}.png")
    name_after_write_key = ids.name.text
    # a horizontal stroke (一)
    pad = kb._pad
    await stroke(app, pad, [(0.2 + 0.06 * i, 0.5) for i in range(11)])
    shot(app, f"att_signin_name_pad_stroke_{size}.png")
    cands = [c.text for c in kb.candidates]
    # the step keeps its bar with the pad up
    check_step(flow, "您的姓名", "2 / 4")
    # language switch with the pad open
    from kivy.factory import Factory
    [bar] = [w for w in flow.ids.steps.current_screen.walk(restrict=True) if isinstance(w, Factory.VisitorStepBar)]
    await tap(app, find(bar, text="EN"))
    await settle(app)
    shot(app, f"att_signin_name_pad_en_{size}.png")
    pad_keys = sorted(b.text for b in find_all(kb, cls="KeyButton"))
    print("name after Write key:", repr(name_after_write_key), "candidates:", cands[:10], "pad keys EN:", pad_keys)
    assert name_after_write_key == "单", f"tapping Write typed the pinyin into the name: {name_after_write_key!r}"


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_continue_while_a_name_is_being_composed(kivy_app):
    """The visitor types 'wangwei', sees 王伟 first in the bar and taps the step's Continue (下一步)
    instead of the candidate: the name should be 王伟 (or the step should say pick one), never the Latin
    letters 'wangwei' signed in as the visitor's name."""
    cached_engine()
    app = kivy_app
    size = f"{Window.width}x{Window.height}"
    flow = await to_name_step(app)
    ids = flow.ids
    kb = ids.keyboard
    for letter in "wangwei":
        await key(app, kb, letter)
    first = kb.candidates[0].text if kb.candidates else None
    shot(app, f"att_signin_name_composed_wangwei_{size}.png")
    await tap(app, find(flow.ids.steps.current_screen, text="下一步"))
    await settle(app)
    shot(app, f"att_signin_after_continue_composing_{size}.png")
    print("first candidate:", first, "name field:", repr(ids.name.text), "step:", ids.steps.current)
    assert not (ids.steps.current == "host" and ids.name.text.isascii()), \
        f"went on with the Latin letters {ids.name.text!r} as the visitor's name (bar offered {first})"


@app_test(kiosk_app_factory(lang="en"))
@pytest.mark.asyncio
async def test_english_flow_screens_with_a_long_organisation(kivy_app):
    """Every step in English at the window size, a long organisation name: screenshots to look at, and
    each step's bar (title, n / 4, Back, Cancel, 中文)."""
    cached_engine()
    app = kivy_app
    size = f"{Window.width}x{Window.height}"
    await settle(app)
    await tap(app, find(app.root, text="Sign in as a visitor"))
    flow = app.sm.current_screen
    ids = flow.ids
    shot(app, f"att_en_1_phone_{size}.png")
    for digit in "13800138000":
        await tap(app, find(ids.numpad, text=digit), frames=1)
    await settle(app)
    await wait_engine(app, ids.keyboard)
    ids.name.text = "Maximilian Featherstonehaugh-Worthington"
    ids.organisation.text = "Shanghai International Golf & Country Club Facilities Ltd."
    await settle(app)
    shot(app, f"att_en_2_name_{size}.png")
    check_step(flow, "Your name", "2 / 4")
    await tap(app, find(flow.ids.steps.current_screen, text="Continue"))
    shot(app, f"att_en_2_name_after_continue_{size}.png")
    print("keyboard mode on the English site:", ids.keyboard.mode)
    assert ids.steps.current == "host"
    for letter in "zhang":
        await tap(app, next(k for k in find_all(ids.host_keyboard, cls="KeyButton") if k.key == letter), frames=1)
    await settle(app)
    shot(app, f"att_en_3_host_{size}.png")
    results = list(ids.host_results.children)
    print("host results:", [getattr(r, "text", "") for r in results])
    if results:
        await tap(app, results[-1])
        await tap(app, find(flow.ids.steps.current_screen, text="Continue"))
        await settle(app)
        shot(app, f"att_en_4_privacy_{size}.png")
        print("step:", ids.steps.current)


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_a_resting_palm_does_not_spoil_the_finger_stroke(kivy_app):
    """A second touch on the pad (a palm or another finger resting at a corner, jittering a little)
    while the finger writes 一: the finger's stroke alone should be recognised (一 first), and the
    palm's points must not be mixed into it."""
    from kivy.tests.async_common import UnitTestTouch
    cached_engine()
    app = kivy_app
    size = f"{Window.width}x{Window.height}"
    flow = await to_name_step(app)
    kb = flow.ids.keyboard
    await tap(app, find(kb, text="手写"))
    await settle(app)
    pad = kb._pad
    x0, y0 = pad.to_window(pad.x, pad.y)
    palm = UnitTestTouch(x0 + 0.95 * pad.width, y0 + 0.1 * pad.height)
    palm.touch_down()
    await app.wait_clock_frames(1)
    finger = UnitTestTouch(x0 + 0.2 * pad.width, y0 + 0.5 * pad.height)
    finger.touch_down()
    for i in range(1, 11):
        finger.touch_move(x0 + (0.2 + 0.06 * i) * pad.width, y0 + 0.5 * pad.height)
        palm.touch_move(x0 + (0.95 - 0.002 * (i % 2)) * pad.width, y0 + 0.1 * pad.height)
        await app.wait_clock_frames(1)
    finger.touch_up()
    await settle(app)
    strokes_after_finger = [list(s) for s in pad.strokes]
    cands = [c.text for c in kb.candidates]
    shot(app, f"att_pad_palm_{size}.png")
    palm.touch_up()
    await settle(app)
    print("strokes:", len(strokes_after_finger), [len(s) for s in strokes_after_finger], "candidates:", cands[:8])
    assert cands and cands[0] == "一", cands[:8]
