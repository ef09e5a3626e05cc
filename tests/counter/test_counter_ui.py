"""The goods counter driven by taps: a cash sale with change, a scanned card sale."""
from __future__ import annotations

import pytest

from kiosk.counter import sales as counter
from kiosk.printing import queue as printqueue
from kiosk.counter import shifts
from tests.uikit import app_test, find, find_all, kiosk_app_factory, open_section, settle, shot, sign_in_as, tap


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
