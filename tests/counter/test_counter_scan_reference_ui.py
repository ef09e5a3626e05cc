"""The counter's two typed fields and a scanner (issue 13): a burst with a 45-80 ms hiccup is still one scan;
in the payment-reference field a burst is the reference (a terminal slip's or payment app's code), unless it
is a product this counter sells, which goes to the cart. Key events go through the window on the app's
FakeClock."""
from __future__ import annotations

import pytest

from tests.counter.test_counter_scan_cash_ui import WATER, _cart, _keys, _open_counter
from tests.uikit import app_test, find, kiosk_app_factory, settle, staff_section, tap


@app_test(kiosk_app_factory(lang="zh_CN", seed=_open_counter))
@pytest.mark.asyncio
async def test_a_hiccup_keeps_one_scan_and_the_reference_field_keeps_a_scanned_reference(kivy_app):
    app = kivy_app
    goods, failures = await staff_section(app, "goods")
    await _keys(app, WATER, 0.008)  # the window-wide scan, no field focused
    assert _cart(goods) == 1
    cash = goods.ids.tendered
    await tap(app, cash)
    await _keys(app, "50", [0.3, 0.12], end=None)
    # a scan with hiccups of 45 and 70 ms (the old 40 ms limit split it: "50690123" stayed in the field)
    hiccups = [0.6] + [0.008] * 4 + [0.045] + [0.008] * 3 + [0.07] + [0.008] * 4
    await _keys(app, WATER, hiccups)
    assert _cart(goods) == 2 and cash.text == "50", (cash.text, goods.scan_text)

    await tap(app, find(goods, text="银行卡"))
    reference = goods.ids.reference
    await tap(app, reference)
    assert reference.focus
    # the terminal slip's reference, scanned (full-width digits: the Chinese input method was on)
    slip = "８８４２１３０００１２３"
    await _keys(app, slip, [0.5] + [0.01] * len(slip))
    assert reference.text == "884213000123", "the burst is the reference, cleaned"
    assert _cart(goods) == 2, "a reference is not a product"
    assert not reference.focus and app.keyboard_dock.shown is None, "the keyboard lets go: the cart is in view"
    # a product scanned while the reference field has the keyboard: to the cart, the reference untouched
    await tap(app, reference)
    await _keys(app, WATER, [0.5] + [0.009] * 13)
    assert _cart(goods) == 3 and reference.text == "884213000123"
    # a person typing a reference into it, then Enter: typed text, as ever
    reference.text = ""
    await tap(app, reference)
    await _keys(app, "WX2026", [0.4] + [0.15] * 6)
    assert reference.text == "WX2026" and _cart(goods) == 3
    await tap(app, find(goods, text="收款并打印"))
    assert goods.message.startswith("已售出 T01-S-000001"), goods.message
    [(ref,)] = app.ctx.db.execute("SELECT reference FROM payments").fetchall()
    assert ref == "WX2026"
    assert failures == []
