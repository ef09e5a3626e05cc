"""Issue 18: re-opening "Day & cash" and "Fees" does not rebuild what has not changed.

Building the count rows and the recent-collections buttons was most of these screens' cost; a re-open with
the same catalogue / the same collections keeps the widgets (same objects), and a change still shows.
"""
from __future__ import annotations

import pytest

from kiosk.core.audit import Actor
from kiosk.counter import fees, shifts
from kiosk.counter import sales as counter
from kiosk.counter.sales import Payment
from tests.uikit import app_test, find_all, kiosk_app_factory, open_section, sign_in_as

MANAGER = Actor("Demo Manager", None, "manager")


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_reopening_day_and_cash_refills_the_count_rows_it_built(kivy_app):
    app = kivy_app
    await sign_in_as(app, "staff")
    day = await open_section(app, "counter_day")
    rows = find_all(day, cls="CountRow")
    assert day.mode == "opening" and len(rows) == len(counter.products(app.ctx.db)) > 3
    rows[0].step(-1)
    rows[0].ids.reason.text = "破损😀\x07"
    await open_section(app, "visitors")
    again = await open_section(app, "counter_day")
    kept = find_all(again, cls="CountRow")
    assert len(kept) == len(rows) and all(a is b for a, b in zip(kept, rows))
    assert not rows[0].differs and rows[0].counted == rows[0].product.stock and rows[0].ids.reason.text == ""
    # a new product (longest names, full-width) is a different catalogue: the rows are built again
    counter.add_product(app.ctx.db, app.ctx.clock, MANAGER, sku="ZZZ-９９９", name_zh="超" * 40, name_en="W" * 60,
                        price_fen=100, category="饮品", opening_stock=7)
    await open_section(app, "visitors")
    rebuilt = await open_section(app, "counter_day")
    skus = [row.product.sku for row in find_all(rebuilt, cls="CountRow")]
    assert "ZZZ-９９９" in skus and len(skus) == len(rows) + 1


def _open_counter(ctx) -> None:
    shifts.open_shift(ctx.db, ctx.clock, Actor("Demo Staff", None, "staff"), ctx.terminal_id, float_fen=50000)


@app_test(kiosk_app_factory(lang="zh_CN", seed=_open_counter))
@pytest.mark.asyncio
async def test_reopening_fees_keeps_its_buttons_until_a_collection_changes_them(kivy_app):
    app = kivy_app
    await sign_in_as(app, "staff")
    fee_type = next(f for f in fees.fee_types(app.ctx.db) if not f.member_required)

    def collect(payer: str) -> None:
        app.desk.call(fees.collect, fee_type_id=fee_type.id, payer=payer, member_no="", amount_fen=fee_type.default_fen,
                      period="", payment=Payment("cash", fee_type.default_fen, ""), lang="zh_CN")
    collect("张三")
    section = await open_section(app, "fees")
    buttons = list(section.ids.recent.children)
    types = list(section.ids.types.children)
    assert len(buttons) == 1 and "张三" in buttons[0].text
    await open_section(app, "visitors")
    await open_section(app, "fees")
    assert list(section.ids.recent.children) == buttons and all(
        a is b for a, b in zip(section.ids.recent.children, buttons))
    assert all(a is b for a, b in zip(section.ids.types.children, types))
    collect("李四" + "长" * 30)
    await open_section(app, "visitors")
    await open_section(app, "fees")
    now = list(section.ids.recent.children)
    assert len(now) == 2 and any("李四" in b.text for b in now) and buttons[0] not in now


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_a_long_catalogue_builds_the_count_rows_a_few_per_frame_and_still_counts_them_all(kivy_app):
    """The first frame waits for the rows on screen only; a tap before the rest are built counts every product."""
    from screens.counter import counter_day
    app = kivy_app
    for i in range(40):
        counter.add_product(app.ctx.db, app.ctx.clock, MANAGER, sku=f"LONG-{i:03d}", name_zh="长" * 40 + "😀",
                            name_en="L" * 60, price_fen=100 + i, category="杂项\u3000", opening_stock=i)
    await sign_in_as(app, "staff")
    day = await open_section(app, "counter_day")
    total = len(counter.products(app.ctx.db))
    for _ in range(100):  # the rows below the fold come a few per frame
        if len(find_all(day, cls="CountRow")) >= total:
            break
        await app.async_sleep(0.02)
    assert len(find_all(day, cls="CountRow")) == total > 50
    day._show_count("opening")   # a re-open: the rows already built are refilled, none added
    assert len(find_all(day, cls="CountRow")) == total
    day.ids.count_rows.clear_widgets()
    day._show_count("opening")   # from nothing, as on a first open
    assert len(day.ids.count_rows.children) == counter_day.ROWS_PER_FRAME
    lines = day._lines()         # a tap on "Open the counter" right now
    assert len(lines) == total and [line.product_id for line in lines] == [p.id for p in counter.products(app.ctx.db)]
    day.ids.count_rows.clear_widgets()
    day._show_count("opening")
    for _ in range(40):
        await app.async_sleep(0.02)
        if len(day.ids.count_rows.children) == total:
            break
    assert len(day.ids.count_rows.children) == total
