"""Issue 18 in the lost-and-found section: a long register builds only the rows on screen, the finished
views list the newest first, and a list longer than it loads says so and points to the search."""
from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from kiosk.lostfound import service as lostfound
from tests.uikit import app_test, find, find_all, kiosk_app_factory, open_section, settle, shot, sign_in_as

BENCH = Path(__file__).resolve().parents[2] / "bench" / "history_db.py"


def _register(ctx) -> None:
    """3,000 items over a year in the shape the service writes (the bench's bulk helper)."""
    spec = importlib.util.spec_from_file_location("history_db", BENCH)
    history = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(history)
    history.bulk_lost_items(ctx.db, 3000, 365, end=ctx.clock.now().date())


@app_test(kiosk_app_factory(lang="zh_CN", seed=_register))
@pytest.mark.asyncio
async def test_a_long_register_builds_only_the_rows_on_screen(kivy_app):
    app = kivy_app
    db = app.ctx.db
    handed = lostfound.status_count(db, "handed_over")
    assert handed > lostfound.LIST_LIMIT, "the register is longer than one load"
    await sign_in_as(app, "staff")
    section = await open_section(app, "lostfound")
    await settle(app)
    held = lostfound.status_count(db, "held")
    assert len(section.ids.item_list.data) == held and section.list_note == ""
    assert section.due_count == lostfound.due_count(db, app.ctx.clock)
    section.show("handed_over")
    await settle(app)
    rows = section.ids.item_list.data
    assert len(rows) == lostfound.LIST_LIMIT
    assert rows[0]["item"].id > rows[-1]["item"].id, "finished items: newest first"
    built = find_all(section, cls="ItemRow")
    assert 3 <= len(built) <= 20, f"{len(built)} rows built for {len(rows)} listed"
    assert section.list_note == f"显示 {handed} 件中的 {lostfound.LIST_LIMIT} 件：更早的物品请搜索"
    find(section, text=section.list_note)
    shot(app, "lostfound_long_register_zh.png")
    # the search still reaches the oldest item of the view
    oldest = db.execute("SELECT i.ref FROM lf_item_status s JOIN lf_items i ON i.id = s.item_id"
                        " WHERE s.status = 'handed_over' ORDER BY s.item_id LIMIT 1").fetchone()[0]
    section.ids.search.text = oldest
    section.refresh()
    await settle(app)
    assert [r["item"].ref for r in section.ids.item_list.data] == [oldest] and section.list_note == ""
