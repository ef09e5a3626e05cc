"""The name step while pinyin is half typed (issue 17, outside attack items 1 and 5): the Write key sets
the pinyin aside (never typed as letters), the pad has a delete key, and Continue says to pick the
characters rather than "name is required"."""
from __future__ import annotations

import pytest

from tests.attack1719.test_attack_signin_write_ui import key, stroke, to_name_step
from tests.pinyin_support import cached_engine
from tests.uikit import app_test, find, find_all, kiosk_app_factory, settle, tap


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_write_key_keeps_the_pinyin_aside_and_the_pad_deletes_and_picks(kivy_app):
    cached_engine()
    app = kivy_app
    flow = await to_name_step(app)
    ids, kb = flow.ids, flow.ids.keyboard
    for letter in "shan":
        await key(app, kb, letter)
    await tap(app, next(c for c in kb.ids.candidate_row.children if c.text == "单"))
    for letter in "yu":
        await key(app, kb, letter)
    await tap(app, find(kb, text="手写"))
    await settle(app)
    assert ids.name.text == "单" and kb.mode == "write"
    assert kb.composition == "" and kb.pad_context == "yu"
    assert kb.ids.composing.text == "yu"  # the reminder of what the character is for
    # back to 中 without a pick: the pinyin is there to go on with
    await key(app, kb, "mode:zh")
    assert kb.composition == "yu" and ids.name.text == "单"
    await tap(app, find(kb, text="手写"))
    await settle(app)
    # Continue with the pad open and nothing picked: pick, not "name is required"
    await tap(app, find(flow.ids.steps.current_screen, text="下一步"))
    await settle(app)
    assert ids.steps.current == "name" and "拼音" in ids.name.error
    # a character written and picked stands for the pinyin: the context goes
    await stroke(app, kb._pad, [(0.2 + 0.06 * i, 0.5) for i in range(11)])
    assert kb.candidates and kb.candidates[0].text == "一"
    await tap(app, next(c for c in kb.ids.candidate_row.children if c.text == "一"))
    await settle(app)
    assert ids.name.text == "单一" and kb.pad_context == "" and not kb._pad.strokes
    # the pad's delete key fixes the last character without leaving the pad
    delete = [b for b in find_all(kb, cls="KeyButton") if b.key == "backspace"]
    assert delete and delete[0].height >= 48
    await tap(app, delete[0])
    assert ids.name.text == "单" and kb.mode == "write"


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_continue_while_composing_says_pick_the_characters(kivy_app):
    cached_engine()
    app = kivy_app
    flow = await to_name_step(app)
    ids, kb = flow.ids, flow.ids.keyboard
    for letter in "wangwei":
        await key(app, kb, letter)
    await tap(app, find(flow.ids.steps.current_screen, text="下一步"))
    await settle(app)
    assert ids.steps.current == "name" and ids.name.text == ""
    assert ids.name.error == "请先选出所输拼音对应的汉字（点按键盘上方的候选字）"
    assert kb.composition == "wangwei"  # nothing typed, nothing lost
    await tap(app, next(c for c in kb.ids.candidate_row.children if c.text == "王伟"))
    await tap(app, find(flow.ids.steps.current_screen, text="下一步"))
    await settle(app)
    assert ids.name.text == "王伟" and ids.steps.current == "host"


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_a_resting_palm_is_dropped_when_it_lifts_and_a_lone_dot_is_kept(kivy_app):
    """One stroke per touch: the palm's points never join the finger's, and a palm that hardly moved
    while the finger wrote is no dot (丶) when it lifts; a dot written alone is kept."""
    from kivy.tests.async_common import UnitTestTouch
    cached_engine()
    app = kivy_app
    flow = await to_name_step(app)
    kb = flow.ids.keyboard
    await tap(app, find(kb, text="手写"))
    await settle(app)
    pad = kb._pad
    x0, y0 = pad.to_window(pad.x, pad.y)
    palm = UnitTestTouch(x0 + 0.95 * pad.width, y0 + 0.1 * pad.height)
    palm.touch_down()
    await stroke(app, pad, [(0.2 + 0.06 * i, 0.5) for i in range(11)])
    assert len(pad.strokes) == 1 and len(pad.strokes[0]) == 11
    assert all(abs(y - pad.strokes[0][0][1]) < 1 for _, y in pad.strokes[0])  # no palm point in it
    palm.touch_move(x0 + 0.951 * pad.width, y0 + 0.1 * pad.height)
    palm.touch_up()
    await settle(app)
    assert len(pad.strokes) == 1 and kb.candidates[0].text == "一"
    await stroke(app, pad, [(0.5, 0.2), (0.51, 0.21)])  # a dot written on its own stays
    assert len(pad.strokes) == 2


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_en_enter_and_hide_never_type_the_pinyin_and_letters_typed_in_en_are_the_visitors(kivy_app):
    """Outside attack 2: EN sets the half-typed pinyin aside (shown in the bar, back on 中), Enter keeps
    composing, Hide keeps it; letters typed on in EN mode are the visitor's choice and stay."""
    from tests.uikit import shot
    cached_engine()
    app = kivy_app
    flow = await to_name_step(app)
    ids, kb = flow.ids, flow.ids.keyboard
    for letter in "shan":
        await key(app, kb, letter)
    await tap(app, next(c for c in kb.ids.candidate_row.children if c.text == "单"))
    for letter in "yu":
        await key(app, kb, letter)
    kb.press("enter")
    kb.press("close")
    assert kb.composition == "yu" and ids.name.text == "单"
    await key(app, kb, "mode:en")
    await settle(app)
    assert kb.pad_context == "yu" and kb.ids.composing.text == "yu" and ids.name.text == "单"
    await tap(app, find(flow.ids.steps.current_screen, text="下一步"))
    await settle(app)
    assert ids.steps.current == "name" and "拼音" in ids.name.error
    # Continue brought the pinyin back to 中 with its candidates, as the message asks
    assert kb.mode == "zh" and kb.composition == "yu" and kb.pad_context == "" and kb.candidates
    shot(app, "signin_name_pinyin_set_aside_en.png")
    await key(app, kb, "mode:zh")   # 中 in 中: the composition goes on, never typed as letters
    assert kb.composition == "yu" and ids.name.text == "单"
    await key(app, kb, "mode:en")
    for letter in "Yu":
        kb.press(letter)
    assert ids.name.text == "单Yu" and kb.pad_context == ""
