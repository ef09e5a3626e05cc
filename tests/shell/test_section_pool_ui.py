"""Issue 18: section screens are built ahead on idle moments (screens/section_pool.py), blank; a first open
takes the pooled screen and fills it; a touch holds the pool back; sign-out drops what was built."""
from __future__ import annotations

import pytest

from kiosk.counter import sales as counter
from screens.counter.counter_day import PREBUILT_ROWS
from screens.section_pool import CHEAP_STEP_S, IDLE_S, IDLE_SIGNED_IN_S, ORDER, TICK_BUDGET_S
from tests.uikit import app_test, find_all, kiosk_app_factory, open_section, settle, shot, sign_in_as


async def _fill(app) -> list[str]:
    done = []
    for _ in range(200):
        step = app.section_pool.step()
        if step is None:
            return done
        done.append(step)
        await app.wait_clock_frames(1)   # Kivy renders the new labels' textures on the next frame
    raise AssertionError(f"the pool never filled: {done[-5:]}")


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_a_first_open_takes_the_blank_screen_built_ahead_and_fills_it(kivy_app):
    app = kivy_app
    await settle(app)
    steps = await _fill(app)
    pool = app.section_pool
    assert set(pool.pooled()) == set(ORDER) and "login" in steps and "desk" in steps
    assert pool.step() is None, "a full pool does nothing more"
    ahead = pool._screens["counter_day"]
    blank = find_all(ahead, cls="CountRow")
    assert len(blank) == PREBUILT_ROWS and all(row.product is None for row in blank)
    await sign_in_as(app, "manager")   # a manager sees every pooled section (Reports too)
    day = await open_section(app, "counter_day")
    assert day is ahead and "counter_day" not in pool.pooled()
    products = counter.products(app.ctx.db)
    rows = find_all(day, cls="CountRow")
    assert [r.product.id for r in rows] == [p.id for p in products] and len(rows) < PREBUILT_ROWS
    assert all(r.counted == r.product.stock and not r.differs for r in rows)
    names = [label.text for row in rows for label in find_all(row, cls="Label")]
    assert products[0].name_zh in names
    await settle(app)
    shot(app, "section_pool_counter_day_zh.png")
    app.set_language("en")
    await settle(app)
    names = [label.text for row in rows for label in find_all(row, cls="Label")]
    assert products[0].name_en in names and products[0].name_zh not in names
    shot(app, "section_pool_counter_day_en.png")
    fees = await open_section(app, "fees")
    assert fees.name == "fees" and "fees" not in pool.pooled()
    # every other pooled section opens and refreshes for the signed-in user
    for name in ORDER:
        screen = await open_section(app, name)
        assert screen.name == name
    app.sign_out()
    await settle(app)
    assert pool.pooled() == (), "nothing built during a session outlives it"


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_the_pool_waits_while_someone_touches_the_screen(kivy_app):
    app = kivy_app
    await settle(app)
    pool = app.section_pool
    before = len(pool.steps)
    app._touched()
    pool._tick()
    app.ctx.clock.advance(IDLE_S / 2)
    pool._tick()
    assert len(pool.steps) == before, "a person mid-task is never made to wait for a build"
    app.ctx.clock.advance(IDLE_S)
    pool._tick()
    after_idle = len(pool.steps)
    assert after_idle > before
    # a tick takes several steps only while they are cheap, and never runs past its budget by more than one step
    ticked = pool.steps[before:]
    assert all(cost <= CHEAP_STEP_S for _, cost in ticked[:-1])
    assert sum(cost for _, cost in ticked[:-1]) < TICK_BUDGET_S
    await sign_in_as(app, "staff")       # staff at the desk: reading a list for a few seconds is not idle
    app._touched()
    app.ctx.clock.advance(IDLE_SIGNED_IN_S - 1)
    pool._tick()
    assert len(pool.steps) == after_idle
    app.ctx.clock.advance(2)
    pool._tick()
    assert len(pool.steps) > after_idle


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_lost_and_found_pages_and_phone_rows_are_built_a_step_at_a_time(kivy_app):
    """Lost and found builds its list page with the screen and each form page on a step of its own; the
    phone section's blank rows wait in Kivy's recycled-view cache and its first screenful takes them."""
    from kivy.factory import Factory
    from kivy.uix.recycleview import views
    from screens.lostfound.lostfound_section import PAGES
    from screens.phone.phone_section import ROWS_AHEAD
    app = kivy_app
    await settle(app)
    steps = await _fill(app)
    assert steps.count("ahead lostfound") == len(PAGES) and steps.count("ahead phone") == sum(n for _, n in ROWS_AHEAD)
    pages = app.section_pool._screens["lostfound"].ids.pages
    assert set(pages.screen_names) == {"list", *PAGES}
    waiting = {name: len(views._cached_views[getattr(Factory, name)]) for name, _ in ROWS_AHEAD}
    assert waiting == dict(ROWS_AHEAD)
    blank = views._cached_views[Factory.CallRowView][0]
    assert blank.call is None
    from kiosk.phone import calllog
    from kiosk.phone.tracker import CallEvent
    db, clock = app.ctx.db, app.ctx.clock
    for n in range(3):
        call_id = calllog.start_call(db, clock, "at")
        calllog.record_event(db, clock, call_id, CallEvent("ended", 0, n, rings=2, outcome="missed", source="heuristic",
                                                           number=f"1391234567{n}"))
    await sign_in_as(app, "manager")
    phone = await open_section(app, "phone")
    await settle(app)
    shown = find_all(phone.ids.call_list, cls="CallRowView")
    assert shown and all(row.call is not None for row in shown)
    assert len(views._cached_views[Factory.CallRowView]) == max(0, ROWS_AHEAD[0][1] - len(shown)), \
        "the rows on screen are the ones built ahead"
    # a form page a first open has not built yet is built when it is needed
    lost = await open_section(app, "lostfound")
    lost.new_item()
    assert lost.ids.pages.current == "intake" and lost.ids.in_quantity.text == "1"


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_lost_and_found_opened_before_the_pool_builds_its_pages_on_demand(kivy_app):
    app = kivy_app
    await settle(app)
    await sign_in_as(app, "manager")
    lost = await open_section(app, "lostfound")
    assert lost.ids.pages.screen_names == ["list"], "the form pages wait until they are needed"
    lost.new_report()
    assert lost.ids.pages.current == "report" and lost.ids.rp_date.text
    item = lost.claim_item
    lost.page("list")
    lost.start_claim(item)
    assert lost.ids.pages.current == "claim" and lost.ids.cl_quantity.text == "1"
    await settle(app)
    shot(app, "lostfound_claim_built_on_demand_zh.png")
