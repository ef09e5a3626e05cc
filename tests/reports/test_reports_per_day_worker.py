"""Issue 18: the reports section's per-day breakdown of a range is built on the background worker.

The UI thread's reads for a month's range are the same statements as for a two-day range (nothing per day),
and the bars still arrive, through the bus, for the range shown, not for one the manager has moved away from.
"""
from __future__ import annotations

import pytest

from kiosk.core import auth
from tests.uikit import app_test, kiosk_app_factory, open_section, settle


def _seed_month(ctx) -> None:
    from kiosk.demo import seed
    seed.seed(ctx.db, ctx.clock, days=31, tz_name="Asia/Shanghai", visitors=8, calls=4, sales=4)


async def _bars(app, section, n: int) -> bool:
    for _ in range(200):
        if len(section.chart_values) == n:
            return True
        await app.async_sleep(0.05)
    return False


@app_test(kiosk_app_factory(lang="zh_CN", seed=_seed_month))
@pytest.mark.asyncio
async def test_a_month_range_reads_no_more_on_the_ui_thread_than_two_days(kivy_app):
    app = kivy_app
    await settle(app)
    app.sign_in(auth.users(app.ctx.db, role="manager")[0])
    await settle(app)
    section = await open_section(app, "reports")
    conn = app.ctx.db.conn   # the UI thread's connection (one per thread)

    def ui_statements(days: int) -> list[str]:
        seen: list[str] = []
        section.first = section.last
        conn.set_trace_callback(seen.append)
        try:
            section.shift("first", -days)
        finally:
            conn.set_trace_callback(None)
        return [s for s in seen if s.lstrip().upper().startswith(("SELECT", "WITH"))]

    two = ui_statements(1)
    assert await _bars(app, section, 2)
    month = ui_statements(29)
    assert len(month) == len(two) > 3, (len(two), len(month))
    assert await _bars(app, section, 30) and sum(section.chart_values) > 0
    # a result for a range no longer shown changes nothing: move away before the worker answers
    section.shift("first", -5)
    wanted = (section.last - section.first).days + 1
    section.shift("first", 5)
    assert await _bars(app, section, 30)
    await app.async_sleep(0.5)
    assert len(section.chart_values) == 30 != wanted
