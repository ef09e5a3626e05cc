"""The goods counter driven by taps: a cash sale with change, a scanned card sale."""
from __future__ import annotations

import pytest

from kiosk.counter import sales as counter
from kiosk.printing import queue as printqueue
from kiosk.counter import shifts
from tests.uikit import app_test, find, find_all, kiosk_app_factory, open_section, settle, shot, sign_in_as, staff_section, tap


def _open_counter(ctx) -> None:
    from kiosk.core.audit import Actor
    shifts.open_shift(ctx.db, ctx.clock, Actor("Demo Staff", None, "staff"), ctx.terminal_id, float_fen=50000)


@app_test(kiosk_app_factory(lang="zh_CN", seed=_open_counter))
@pytest.mark.asyncio
async def test_cash_sale_with_change_and_a_scanned_card_sale(kivy_app):
    app = kivy_app
    await sign_in_as(app, "staff")
    goods = await open_section(app, "goods")
    await tap(app, find(goods, text="饮品"))
    water = next(b for b in find_all(goods, cls="ProductButton") if b.product.sku == "DRK-001")
    await tap(app, water)
    await tap(app, water)
    await tap(app, find(goods, text="高尔夫"))
    await tap(app, next(b for b in find_all(goods, cls="ProductButton") if b.product.sku == "GLF-001"))
    assert goods.total_fen == 13400
    # A barcode that landed in the cash field (the outside tester's 7-digit label): no sale, a message
    for slip, says in (("1234567", "找零将为 ¥1,234,433.00：请核对收到的现金"), ("69012345", "金额格式不正确"),
                       ("1340", "找零将为 ¥1,206.00：请核对收到的现金")):
        goods.ids.tendered.text = slip
        await tap(app, find(goods, text="收款并打印"))
        assert goods.message == says, (slip, goods.message)
        assert goods.total_fen == 13400 and app.ctx.db.execute("SELECT COUNT(*) FROM sales").fetchone()[0] == 0
    goods.ids.tendered.text = "200"
    await settle(app)
    shot(app, "goods_cart_zh.png")
    await tap(app, find(goods, text="收款并打印"))
    assert goods.message == "已售出 T01-S-000001，找零 ¥66.00"
    [job] = printqueue.for_record(app.ctx.db, "sales", 1)
    assert job.kick_drawer and job.receipt.number == "T01-S-000001"

    goods.ids.barcode.text = "999000"
    goods.ids.barcode.dispatch("on_text_validate")
    await settle(app)
    assert goods.message == "没有条码为 999000 的商品", "the core's refusal, translated with its value"
    goods.ids.barcode.text = "6901234567902"
    goods.ids.barcode.dispatch("on_text_validate")   # what a keyboard-wedge scanner's Enter does
    await settle(app)
    await tap(app, find(goods, text="银行卡"))
    await tap(app, find(goods, text="收款并打印"))
    assert goods.message == "请输入终端或交易号"
    goods.ids.reference.text = "884213"
    await tap(app, find(goods, text="收款并打印"))
    assert goods.message.startswith("已售出 T01-S-000002")
    assert counter.by_barcode(app.ctx.db, "6901234567902").stock == 5
    shot(app, "goods_after_card_sale_zh.png")


async def _scanner_types(app, code: str, *, gap: float = 0.0, end: int | None = 13) -> None:
    """A USB scanner: the code's characters and Enter as window key events, `gap` seconds apart on the
    app's clock (a real scanner: a few ms)."""
    from kivy.core.window import Window
    for ch in code:
        Window.dispatch("on_key_down", ord(ch) if ch.isascii() else 0, 0, ch, [])
        Window.dispatch("on_textinput", ch)
        Window.dispatch("on_key_up", ord(ch) if ch.isascii() else 0, 0)
        if gap:
            app.ctx.clock.advance(gap)
    if end is not None:
        Window.dispatch("on_key_down", end, 40 if end == 13 else 43, None, [])
        Window.dispatch("on_key_up", end, 40 if end == 13 else 43)
    await settle(app)


@app_test(kiosk_app_factory(lang="zh_CN", seed=_open_counter))
@pytest.mark.asyncio
async def test_a_usb_scanner_fills_the_cart_without_the_on_screen_keyboard(kivy_app):
    from kivy.core.window import Window
    app = kivy_app
    goods, failures = await staff_section(app, "goods")
    flashes = []
    goods.bind(scan_state=lambda w, v: flashes.append(v))
    await _scanner_types(app, "6901234567892")
    assert goods.cart and list(goods.cart.values()) == [1]
    assert flashes[0] == "good" and goods.scan_text == "已加入：矿泉水 550ml"
    await _scanner_types(app, "6901234567892")
    await _scanner_types(app, "６９０１２３４５６７８９２")  # full-width digits from a Chinese input method
    assert list(goods.cart.values()) == [3]
    assert not goods.ids.barcode.focus, "nothing took focus"
    assert app.keyboard_dock.shown is None, "no on-screen keyboard"
    shot(app, "goods_scanned_zh.png")

    seen = len(flashes)
    await _scanner_types(app, "6901234567891")  # a misread: wrong check digit
    # the red flash clears itself after 0.8 s: on a loaded machine it may be over before this line runs
    assert "bad" in flashes[seen:] and "校验位不对" in goods.scan_text
    await _scanner_types(app, "4006381333931")  # a valid EAN-13 the shop does not sell
    assert goods.scan_text == "没有条码为 4006381333931 的商品"
    await _scanner_types(app, "69012", gap=1.0)  # slow stray keys: not a scan, and they do not stick
    assert goods.scan_text == "没有条码为 4006381333931 的商品"
    await _scanner_types(app, "6901234567892")
    assert list(goods.cart.values()) == [4], "the stray keys did not join the next scan"
    # A scanner set to end codes with Tab: one scan, and its digits never join the next burst
    seen = len(flashes)
    await _scanner_types(app, "6901234567892", end=9)
    assert list(goods.cart.values()) == [5] and goods.scan_text == "已加入：矿泉水 550ml"
    await _scanner_types(app, "6901234567892")
    assert list(goods.cart.values()) == [6]
    seen = len(flashes)
    await _scanner_types(app, "\x00\x1b" + "9" * 200)  # garbage burst: bounded, refused, no crash
    assert "bad" in flashes[seen:] and goods.scan_text == "没有条码为 " + "9" * 62 + " 的商品"

    # Someone types in the hand-typed code field: those keys are theirs (the cash field's scans:
    # tests/counter/test_counter_scan_cash_ui.py).
    goods.ids.barcode.focus = True
    await settle(app)
    await _scanner_types(app, "69012", gap=0.2, end=None)
    assert list(goods.cart.values()) == [6] and goods.ids.barcode.text == "69012"
    goods.ids.barcode.text = ""
    goods.ids.barcode.focus = False
    await settle(app)
    # Another screen shown: the counter does not listen.
    await open_section(app, "lostfound")
    await _scanner_types(app, "6901234567892")
    assert list(goods.cart.values()) == [6]
    assert failures == []
    assert Window.width == 800


@app_test(kiosk_app_factory(lang="zh_CN", seed=_open_counter))
@pytest.mark.asyncio
async def test_the_reorder_list_suggests_quantities_and_prints(kivy_app):
    app = kivy_app
    await sign_in_as(app, "staff")
    goods = await open_section(app, "goods")
    await tap(app, find(goods, text="补货 2"))
    popup = find_all(app.root, cls="ReorderList")[0] if find_all(app.root, cls="ReorderList") else None
    from kivy.core.window import Window
    popup = popup or next(w for w in Window.children if type(w).__name__ == "ReorderList")
    rows = find_all(popup, cls="ReorderRow")
    assert sorted(int(r.suggested) for r in rows) == [7, 11]
    assert find(popup, text="建议订 11")
    shot(app, "goods_reorder_zh.png")
    await tap(app, find(popup, text="打印补货单"))
    assert popup.message == "补货单已发送到打印机"
    assert printqueue.recent(app.ctx.db, 1)[0].receipt.kind == "reorder"


@app_test(kiosk_app_factory(lang="zh_CN", seed=_open_counter))
@pytest.mark.asyncio
async def test_a_fee_refusal_marks_its_field_on_the_chinese_screen_and_clears_as_staff_type(kivy_app):
    """The service names the field (payer, amount…); the screen tints that input and says why, in Chinese."""
    from kiosk.counter import fees
    app = kivy_app
    await sign_in_as(app, "staff")
    section = await open_section(app, "fees")
    fee_type = next(f for f in fees.fee_types(app.ctx.db) if not f.member_required)
    await tap(app, find(section, cls="BigButton", predicate=lambda w: fee_type.name_zh in w.text
                        and not w.text.startswith(("T01", "0"))))
    section.ids.payer.text = "   "
    await tap(app, find(section, text="收费并打印"))
    assert section.message == "请填写缴费人" and section.ids.payer.error == section.message
    assert not section.ids.amount.error and not section.ids.reference.error
    shot(app, "fees_refusal_marks_payer_zh.png")
    section.ids.payer.text = "王\x1bp\x00\x19先生"  # a drawer-kick sequence typed into the payer
    await tap(app, find(section, text="收费并打印"))
    assert section.ids.payer.error and "控制字符" in section.message
    section.ids.payer.text = "王先生"
    await settle(app)
    assert section.ids.payer.error == "", "typing again clears the mark"
    assert app.ctx.db.execute("SELECT COUNT(*) FROM fee_collections").fetchone()[0] == 0
