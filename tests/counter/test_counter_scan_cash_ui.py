"""A scanner's burst typed while the cash-tendered field has the keyboard: recognised by its timing, taken
out of the field (which keeps what it held) and sold as a scan; a person typing fast is still a person.

Timings are real-world ones on the app's FakeClock: a keyboard-wedge scanner types a key every 5–15 ms,
a person 60 ms or more apart."""
from __future__ import annotations

import random

import pytest

from kiosk.counter import shifts
from tests.uikit import app_test, find, kiosk_app_factory, open_section, settle, shot, sign_in_as, staff_section, tap

WATER = "6901234567892"


def _open_counter(ctx) -> None:
    from kiosk.core.audit import Actor
    shifts.open_shift(ctx.db, ctx.clock, Actor("Demo Staff", None, "staff"), ctx.terminal_id, float_fen=50000)


async def _keys(app, text: str, gaps, end: int | None = 13, end_gap: float | None = None) -> None:
    """Window key events for `text`, the clock moved on by the next of `gaps` before each key (a float
    is the same gap every time; a short list repeats its last gap); then Enter (13), Tab (9) or nothing,
    `end_gap` (default: the last gap) after the last key."""
    from kivy.core.window import Window
    gaps = [gaps] if isinstance(gaps, (int, float)) else list(gaps)
    gaps = iter(gaps + [gaps[-1]] * (len(text) + 1))
    for ch in text:
        app.ctx.clock.advance(next(gaps))
        Window.dispatch("on_key_down", ord(ch) if ch.isascii() else 0, 0, ch, [])
        Window.dispatch("on_textinput", ch)
        Window.dispatch("on_key_up", ord(ch) if ch.isascii() else 0, 0)
    if end is not None:
        app.ctx.clock.advance(next(gaps) if end_gap is None else end_gap)
        Window.dispatch("on_key_down", end, 40 if end == 13 else 43, None, [])
        Window.dispatch("on_key_up", end, 40 if end == 13 else 43)
    await settle(app)


def _cart(goods) -> int:
    return sum(goods.cart.values())


@app_test(kiosk_app_factory(lang="zh_CN", seed=_open_counter))
@pytest.mark.asyncio
async def test_a_scan_into_the_focused_cash_field_is_a_scan_and_the_field_keeps_its_value(kivy_app):
    app = kivy_app
    goods, failures = await staff_section(app, "goods")
    rng = random.Random(13)
    flashes = []  # the strip's flash clears itself after 0.8 s of real time: record it as it happens
    goods.bind(scan_state=lambda w, v: flashes.append(v) if v else None)
    await _keys(app, WATER, 0.008)          # no field focused: the window-wide scan
    assert _cart(goods) == 1
    cash = goods.ids.tendered
    await tap(app, cash)
    assert cash.focus
    pad = app.keyboard_dock.shown
    assert pad is not None and pad.right <= goods.ids.cart.to_window(*goods.ids.cart.pos)[0] + 1, \
        "the numpad leaves the cart in view"
    await _keys(app, "20", [0.3, 0.11], end=None)  # the cashier starts typing what the customer handed over
    assert cash.text == "20"
    # ...and the customer puts a second bottle down: it is scanned (5–15 ms a key, Enter)
    await _keys(app, WATER, [0.9] + [rng.uniform(0.005, 0.015) for _ in WATER])
    assert _cart(goods) == 2, "the burst went to the product look-up"
    assert cash.text == "20", "the cash field keeps what the person typed"
    assert cash.focus, "the cashier carries on typing where they were"
    assert flashes[-1] == "good" and goods.scan_text == "已加入：矿泉水 550ml"
    await _keys(app, "0", 0.2, end=None)
    assert cash.text == "200"
    # A scanner set to end with Tab, codes with full-width digits, an EAN-8-length in-store code: all scans
    await _keys(app, WATER, [0.5] + [0.012] * 13, end=9)
    await _keys(app, "６９０１２３４５６７８９２", [0.5] + [0.006] * 12)
    assert _cart(goods) == 4 and cash.text == "200"
    # A misread burst is a scan too: a red flash with the reason, nothing typed into the field
    await _keys(app, "6901234567891", [0.5] + [0.01] * 13)
    assert flashes[-1] == "bad" and "校验位" in goods.scan_text and cash.text == "200"
    # Control bytes and an over-long garbage burst: bounded, refused, the field untouched, no crash
    await _keys(app, "\x00\x1b" + "9" * 300, [0.5] + [0.005] * 303)
    assert flashes[-1] == "bad" and "9" * 62 in goods.scan_text and cash.text == "200" and _cart(goods) == 4
    shot(app, "goods_scan_into_cash_zh.png")
    assert failures == []


@app_test(kiosk_app_factory(lang="zh_CN", seed=_open_counter))
@pytest.mark.asyncio
async def test_a_person_typing_fast_in_the_cash_field_is_still_typing(kivy_app):
    app = kivy_app
    await sign_in_as(app, "staff")
    goods = await open_section(app, "goods")
    await settle(app)
    await _keys(app, WATER, 0.008)
    cash = goods.ids.tendered
    await tap(app, cash)
    rng = random.Random(7)
    # A fast typist: 60–90 ms a key and a quick Enter: "1000.50" is cash, not a code
    await _keys(app, "1000.50", [0.4] + [rng.uniform(0.06, 0.09) for _ in range(7)])
    assert cash.text == "1000.50" and _cart(goods) == 1
    # Burst-speed but only three keys (a key bounce, a paste of "100"): under the shortest code, typing
    await tap(app, cash)
    cash.text = ""
    await _keys(app, "100", [0.5, 0.006, 0.006, 0.006])
    assert cash.text == "100" and _cart(goods) == 1
    # A scanner-speed run, then a pause before Enter (the cashier pressed it): typing, not a scan
    await tap(app, cash)
    cash.text = ""
    await _keys(app, "12345678", [0.5] + [0.008] * 7, end_gap=0.4)
    assert _cart(goods) == 1 and cash.text == "12345678"
    # One slow key inside the run splits it: the last run is only 3 keys -> typing
    await tap(app, cash)
    cash.text = ""
    await _keys(app, "5000123", [0.5, 0.006, 0.006, 0.006, 0.2, 0.006, 0.006, 0.006])
    assert _cart(goods) == 1 and cash.text == "5000123"
    # Pay with what the person typed: the cash field is still refused as an absurd change (the old guard)
    await tap(app, find(goods, text="收款并打印"))
    assert goods.message.startswith("找零将为") and app.ctx.db.execute("SELECT COUNT(*) FROM sales").fetchone()[0] == 0
    cash.text = "10"
    await tap(app, find(goods, text="收款并打印"))
    assert goods.message.startswith("已售出 T01-S-000001")
