"""The on-screen keyboard driven by taps: pinyin with candidates, English, symbols, number pad."""
from __future__ import annotations

import pytest

from tests.pinyin_support import cached_engine as shared_test_engine
from tests.uikit import app_test, find, find_all, kiosk_app_factory, settle, shot, tap, visible_buttons


def build_form(app, numpad_decimal=False):
    """A bare form: two text fields, a number pad and the keyboard docked at the bottom."""
    from kivy.graphics import Color, Rectangle
    from kivy.metrics import dp
    from kivy.uix.boxlayout import BoxLayout
    from kivy.uix.textinput import TextInput

    from screens.widgets.keyboard import NumPad, OnScreenKeyboard

    shared_test_engine()  # the keyboard's engine uses the cached test index
    form = BoxLayout(orientation="vertical")
    with form.canvas.before:
        Color(0.96, 0.97, 0.98, 1)
        bg = Rectangle(pos=form.pos, size=form.size)
    form.bind(pos=lambda w, v: setattr(bg, "pos", v), size=lambda w, v: setattr(bg, "size", v))
    top = BoxLayout(spacing=dp(8), padding=dp(8))
    fields = BoxLayout(orientation="vertical", spacing=dp(8))
    name = TextInput(multiline=False, font_size="22sp", size_hint_y=None, height=dp(48), hint_text="name")
    phone = TextInput(multiline=False, font_size="22sp", size_hint_y=None, height=dp(48), hint_text="phone")
    fields.add_widget(name)
    fields.add_widget(phone)
    top.add_widget(fields)
    pad = NumPad(decimal=numpad_decimal, target=phone)
    top.add_widget(pad)
    form.add_widget(top)
    keyboard = OnScreenKeyboard()
    form.add_widget(keyboard)
    keyboard.watch(form)
    app.show_overlay(form)
    return form, keyboard, pad, name, phone


async def wait_engine(app, keyboard):
    for _ in range(600):
        if keyboard.engine_ready:
            return
        await app.async_sleep(0.05)
    raise AssertionError("pinyin engine did not load")


async def type_keys(app, keyboard, letters):
    for ch in letters:
        await tap(app, key(keyboard, ch), frames=1)


def key(keyboard, label):
    return find(keyboard.ids.rows, text=label, cls="KeyButton")


def candidate(keyboard, text):
    return find(keyboard.ids.candidate_row, text=text)


def assert_keys_fit(keyboard):
    """Keys ≥ 48 px high, inside the window, and no two keys overlap."""
    from kivy.core.window import Window
    keys = [b for b in visible_buttons(keyboard)]
    boxes = []
    for b in keys:
        x, y = b.to_window(*b.pos)
        assert b.height >= 48 and b.width >= 48, (b.text, b.size)
        assert 0 <= x and x + b.width <= Window.width + 0.5 and 0 <= y, (b.text, x, y)
        boxes.append((b.text, x, y, x + b.width, y + b.height))
    for i, (t1, ax, ay, bx, by) in enumerate(boxes):
        for t2, cx, cy, dx, dy in boxes[i + 1:]:
            overlap = min(bx, dx) - max(ax, cx) > 0.5 and min(by, dy) - max(ay, cy) > 0.5
            assert not overlap, f"keys overlap: {t1!r} and {t2!r}"


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_type_a_chinese_name_word_by_word_then_english(kivy_app):
    app = kivy_app
    form, keyboard, pad, name, phone = build_form(app)
    await settle(app)
    await tap(app, name)
    await wait_engine(app, keyboard)
    await settle(app)
    assert keyboard.mode == "zh" and keyboard.target is name

    await type_keys(app, keyboard, "wang")
    assert keyboard.composition == "wang"
    assert keyboard.candidates[0].text == "王"
    shot(app, "keyboard_zh_wang.png")
    assert_keys_fit(keyboard)
    await tap(app, candidate(keyboard, "王"))
    assert name.text == "王" and keyboard.composition == ""

    await type_keys(app, keyboard, "xiaoming")
    shot(app, "keyboard_zh_xiaoming.png")
    # Common given names are offered whole (小明 is not in the general dictionary).
    await tap(app, candidate(keyboard, "小明"))
    assert name.text == "王小明" and keyboard.composition == ""

    # backspace edits the composition first, then the field
    await type_keys(app, keyboard, "li")
    await tap(app, key(keyboard, "←"))
    assert keyboard.composition == "l" and name.text == "王小明"
    await tap(app, key(keyboard, "←"))
    await tap(app, key(keyboard, "←"))
    assert keyboard.composition == "" and name.text == "王小"
    await type_keys(app, keyboard, "ming")
    first = keyboard.candidates[0].text
    await tap(app, key(keyboard, "空格"))     # space takes the first candidate
    assert name.text == "王小" + first and keyboard.composition == ""

    # paging through candidates
    await type_keys(app, keyboard, "shi")
    first_page = [b.text for b in keyboard.ids.candidate_row.children]
    await tap(app, find(keyboard.ids.bar, text="›"))
    assert keyboard.page == 1 and [b.text for b in keyboard.ids.candidate_row.children] != first_page
    await tap(app, key(keyboard, "下一项"))  # Enter while composing types the letters
    assert name.text.endswith("shi")

    # English letters with a one-shot shift
    name.text = ""
    await tap(app, find(keyboard.ids.rows, text="EN"))
    assert keyboard.mode == "en"
    await tap(app, key(keyboard, "⇧"))
    await type_keys(app, keyboard, "A")
    await type_keys(app, keyboard, "nn")
    await tap(app, key(keyboard, "空格"))
    await type_keys(app, keyboard, "lee")
    assert name.text == "Ann lee"
    shot(app, "keyboard_en.png")
    assert_keys_fit(keyboard)

    # symbols and Next moves to the following field
    await tap(app, find(keyboard.ids.rows, text="123"))
    await type_keys(app, keyboard, "@1")
    assert name.text == "Ann lee@1"
    shot(app, "keyboard_123.png")
    assert_keys_fit(keyboard)
    await tap(app, key(keyboard, "下一项"))
    assert keyboard.target is phone

    # the number pad types into the phone field; "." is off for phone numbers. A form shows the
    # number pad instead of the keyboard for a phone field.
    form.remove_widget(keyboard)
    await settle(app)
    for digit in "13800138000":
        await tap(app, find(pad, text=digit), frames=1)
    await tap(app, find(pad, text="←"))
    assert phone.text == "1380013800"
    assert find_all(pad, text=".") == []
    shot(app, "keyboard_numpad.png")

    # live language switch relabels the word keys
    form.add_widget(keyboard)
    app.set_language("en")
    await settle(app)
    assert find_all(keyboard.ids.rows, text="Space") and find_all(keyboard.ids.rows, text="Next")
    await tap(app, find(keyboard.ids.rows, text="中"))
    shot(app, "keyboard_zh_en_labels.png")
    closed = []
    keyboard.bind(on_close=lambda kb: closed.append(True))
    await tap(app, key(keyboard, "Hide"))
    assert closed == [True]


@app_test(kiosk_app_factory(lang="en"))
@pytest.mark.asyncio
async def test_numpad_for_money_and_abbreviated_pinyin(kivy_app):
    app = kivy_app
    form, keyboard, pad, name, phone = build_form(app, numpad_decimal=True)
    form.remove_widget(keyboard)
    await settle(app)
    for k in "12.50":
        await tap(app, find(pad, text=k), frames=1)
    assert phone.text == "12.50"
    form.add_widget(keyboard)
    await settle(app)
    await tap(app, name)
    await wait_engine(app, keyboard)
    await type_keys(app, keyboard, "wxm")
    await tap(app, candidate(keyboard, "王晓明"))
    assert name.text == "王晓明" and keyboard.composition == ""
