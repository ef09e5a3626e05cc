"""A counter day driven by taps: open with a count and a float, a cash sale, a fee, a handover,
a void approved by a manager's PIN, the close with its report; then the catalogue and a stocktake."""
from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from kiosk.counter import sales as counter
from kiosk.demo import accounts as demo
from kiosk.printing import queue as printqueue
from kiosk.counter import shifts
from tests.uikit import app_test, find, find_all, kiosk_app_factory, open_section, shot, sign_in_as, tap


async def _manager_pin(app) -> None:
    approval = find_all(app.root, cls="ManagerApproval")[0]
    for digit in demo.DEMO_MANAGER[1]:
        await tap(app, find(approval, text=digit), frames=1)
    await tap(app, find(approval, text=app.tr("OK", app.lang)))


def _tr(app, msgid: str) -> str:
    return app.tr(msgid, app.lang)


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_a_whole_counter_day_by_touch(kivy_app):
    app = kivy_app
    await sign_in_as(app, "staff")
    day = await open_section(app, "counter_day")
    assert day.mode == "opening"
    water_row = next(r for r in find_all(day, cls="CountRow") if r.product.sku == "DRK-001")
    await tap(app, find(water_row, text="−"))
    await tap(app, find(water_row, text="−"))
    assert water_row.differs and water_row.counted == water_row.product.stock - 2
    await tap(app, find(day, text=_tr(app, "Open the counter")))
    assert day.message == _tr(app, "Count the float and enter it")
    day.ids.float_input.text = "500"
    await tap(app, find(day, text=_tr(app, "Open the counter")))
    assert day.message == "请填写 DRK-001 的差异原因", "a difference needs a reason"
    water_row.ids.reason.text = "两瓶破损"
    shot(app, "counter_opening_count_zh.png")
    await tap(app, find(day, text=_tr(app, "Open the counter")))
    shift = shifts.current(app.ctx.db, app.ctx.terminal_id)
    assert shift is not None and shift.float_fen == 50000
    water = counter.by_sku(app.ctx.db, "DRK-001")
    assert water.stock == water_row.product.stock - 2

    goods = await open_section(app, "goods")
    await tap(app, find(goods, text="饮品"))
    await tap(app, next(b for b in find_all(goods, cls="ProductButton") if b.product.sku == "DRK-001"))
    goods.ids.tendered.text = "10"
    await tap(app, find(goods, text="收款并打印"))
    assert goods.message == "已售出 T01-S-000001，找零 ¥7.00"

    fees_screen = await open_section(app, "fees")
    await tap(app, find(fees_screen, text="果岭费（9 洞）\n¥380.00"))
    assert fees_screen.ids.amount.disabled, "a fixed-amount fee cannot be changed"
    await tap(app, find(fees_screen, text=_tr(app, "Collect and print")))
    assert fees_screen.message == "请填写缴费人"
    fees_screen.ids.payer.text = "王小明"
    await tap(app, find(fees_screen, text="银行卡"))
    fees_screen.ids.reference.text = "884213"
    await tap(app, find(fees_screen, text=_tr(app, "Collect and print")))
    assert fees_screen.message == "已收费 T01-F-000001，找零 ¥0.00"
    shot(app, "counter_fees_zh.png")

    day = await open_section(app, "counter_day")
    assert day.mode == "day"
    day.ids.handover_amount.text = "600"
    day.ids.received_by.text = "财务 吴"
    await tap(app, find(day, text=_tr(app, "Hand cash over to finance")))
    assert day.message == "金额超过钱箱应有现金", "more than the drawer holds is refused"
    day.ids.handover_amount.text = "200"
    await tap(app, find(day, text=_tr(app, "Hand cash over to finance")))
    assert day.message == "已交接 ¥200.00"
    assert "应有现金：¥303.00" in day.figures
    shot(app, "counter_day_zh.png")

    # A void from the goods counter's sales list, approved with the manager's PIN.
    goods = await open_section(app, "goods")
    await tap(app, find(goods, text=_tr(app, "Sales")))
    history = find_all(app.root, cls="SalesHistory")[0]
    await tap(app, find(history, predicate=lambda w: getattr(w, "text", "").startswith("000001")))
    history.ids.reason.text = "顾客改变主意"
    await tap(app, find(history, text=_tr(app, "Void sale")))
    await _manager_pin(app)
    assert history.message == _tr(app, "Done; the slip is printing")
    void_button = find(history, text=_tr(app, "Void sale"))
    refund_button = find(history, text=_tr(app, "Refund selected"))
    assert void_button.disabled and refund_button.disabled, ("a voided sale offers nothing more", history.sale,
                                                             history.can_void, history.can_refund)
    asked = []
    real_require = app.require_manager
    app.require_manager = lambda *a, **k: asked.append(a)
    history.ask("void")
    app.require_manager = real_require
    assert asked == [] and history.message == "这笔销售已作废或已退款", "refused before any PIN is asked"
    shot(app, "counter_void_zh.png")
    await tap(app, find(history, text=_tr(app, "Close")))
    assert counter.by_sku(app.ctx.db, "DRK-001").stock == water.stock

    day = await open_section(app, "counter_day")
    await tap(app, find(day, text=_tr(app, "Close the counter and print the report")))
    assert day.message == _tr(app, "Count the cash in the drawer and enter it")
    day.ids.counted_cash.text = "300"
    await tap(app, find(day, text=_tr(app, "Close the counter and print the report")))
    assert day.mode == "report" and day.message == "已结班：报告 T01-E-000001，差额 ¥0.00"
    assert "日结报告" in day.report_text and "作废" in day.report_text
    shot(app, "counter_close_report_zh.png")
    [job] = printqueue.for_record(app.ctx.db, "shift_closes", 1)
    assert job.receipt.number == "T01-E-000001"


EXPORT_FOLDER = Path(tempfile.mkdtemp(prefix="kiosk-catalogue-"))


@app_test(kiosk_app_factory(lang="en", config_extra={"export": {"folder": str(EXPORT_FOLDER)}}))
@pytest.mark.asyncio
async def test_manager_edits_the_catalogue_and_takes_stock(kivy_app):
    app = kivy_app
    tmp_path = EXPORT_FOLDER
    await sign_in_as(app, "manager")
    cat = await open_section(app, "catalogue")
    top = cat.ids.products.children[-1]           # the first product in the list, in view
    sku = top.text.split()[0]
    before = counter.by_sku(app.ctx.db, sku)
    await tap(app, top)
    assert cat.ids.sku.text == sku and cat.ids.sku.disabled, "a SKU is fixed once saved"
    cat.ids.price.text = "8.50"
    cat.ids.reorder.text = "abc"
    await tap(app, find(cat, text="Save product"))
    assert cat.message == "the reorder level must be a whole number"
    cat.ids.reorder.text = "12"
    await tap(app, find(cat, text="Save product"))
    assert cat.message == f"Saved {sku}" and counter.by_sku(app.ctx.db, sku).price_fen == 850
    cat.ids.stock_qty.text = "24"
    cat.ids.stock_reason.text = "delivery 8812"
    await tap(app, find(cat, text="Record"))
    assert counter.by_sku(app.ctx.db, sku).stock == before.stock + 24
    await tap(app, find(cat, text="Export CSV"))
    assert (tmp_path / "catalogue.csv").read_text("utf-8-sig").count("\n") == 13
    shot(app, "catalogue_en.png")

    shifts.open_shift(app.ctx.db, app.ctx.clock, app.user.actor(), app.ctx.terminal_id, float_fen=0)
    day = await open_section(app, "counter_day")
    await tap(app, find(day, text="Month-end stocktake"))
    await _manager_pin(app)
    assert day.mode == "stocktake"
    row = next(r for r in find_all(day, cls="CountRow") if r.product.sku == "SUN-004")
    await tap(app, find(row, text="+"))
    row.ids.reason.text = "found a box"
    shot(app, "counter_stocktake_en.png")
    await tap(app, find(day, text="Finish and print the stocktake"))
    assert day.message == "Stocktake T01-K-000001 saved and printed" and day.mode == "day"
    assert counter.by_sku(app.ctx.db, "SUN-004").stock == row.product.stock + 1


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_manager_adds_and_retires_a_fee_type_on_screen(kivy_app):
    from kiosk.counter import fees
    app = kivy_app
    await sign_in_as(app, "manager")
    section = await open_section(app, "fee_types")
    await tap(app, find(section, text="新增收费项目"))
    section.ids.code.text = "cart"
    section.ids.name_zh.text = "球车费"
    section.ids.name_en.text = "Golf cart"
    section.ids.amount.text = "-5"
    await tap(app, find(section, text="保存收费项目"))
    assert section.message == "金额格式不正确" and "CART" not in [f.code for f in fees.fee_types(app.ctx.db)]
    section.ids.amount.text = "200"
    await tap(app, find(section, text="无需会员号"))
    await tap(app, find(section, text="保存收费项目"))
    cart = next(f for f in fees.fee_types(app.ctx.db) if f.code == "CART")
    assert (cart.default_fen, cart.member_required, cart.amount_editable) == (20000, True, False)
    assert section.message == "已保存 CART"
    shot(app, "fee_types_zh.png")
    counter_fees = await open_section(app, "fees")
    assert find(counter_fees, text="球车费\n¥200.00")
    section = await open_section(app, "fee_types")
    await tap(app, find(section, text="GREEN9 果岭费（9 洞）\n¥380.00"))
    await tap(app, find(section, text="使用中"))
    await tap(app, find(section, text="保存收费项目"))
    assert "GREEN9" not in [f.code for f in fees.fee_types(app.ctx.db)]
    counter_fees = await open_section(app, "fees")
    assert not find_all(counter_fees, text="果岭费（9 洞）\n¥380.00")
