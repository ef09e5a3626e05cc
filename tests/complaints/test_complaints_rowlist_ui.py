"""Issue 18: the open-complaints list is recycled (screens.widgets.rowlist.RowList). With 150 open complaints
(longest texts, emoji, full-width, line breaks; the service refuses control bytes) opening the section builds only the rows that fit; scrolling
to the end reuses those widgets, and each reused row shows its own complaint and its own lateness."""
from __future__ import annotations

from datetime import timedelta

import pytest

from kiosk.complaints import service
from kiosk.core import auth
from screens.complaints.complaints_section import OPEN_ROWS
from tests.uikit import app_test, find, find_all, kiosk_app_factory, open_section, settle, shot, sign_in_as, tap

MANY = 150


def seed(ctx):
    db, clock = ctx.db, ctx.clock
    staff = auth.users(db, role="staff")[0].actor()
    start = clock.now()
    ctx.taken = []
    for n in range(MANY):
        clock.set(start - timedelta(minutes=MANY - n))   # the oldest taken first: its start deadline is the earliest
        what = f"第{n:03d}号 " + ("😀楼上ＡＢＣ装修\n噪音 " * 40)[: 490]
        ctx.taken.append(service.take(db, clock, staff, "Asia/Shanghai", kind="complaint", category="noise",
                                      responsibility="company", what=what, place="３号楼"))
    clock.set(start)


@app_test(kiosk_app_factory(lang="zh_CN", seed=seed))
@pytest.mark.asyncio
async def test_150_open_complaints_build_only_what_fits_and_reused_rows_show_their_own(kivy_app):
    app = kivy_app
    await sign_in_as(app, "staff")
    section = await open_section(app, "complaints")
    section.refresh()
    await settle(app, 5)
    listing = section.ids.complaints
    assert len(listing.data) == OPEN_ROWS, "the list holds its bound; the banner counts the rest"
    assert str(OPEN_ROWS) in section.banner
    rows = find_all(section, cls="ComplaintRow")
    assert 0 < len(rows) <= 14, f"{len(rows)} row widgets for {len(listing.data)} complaints"
    top = max(rows, key=lambda r: r.to_window(*r.pos)[1])
    assert top.complaint.id == listing.data[0]["complaint"].id and top.late == listing.data[0]["late"]
    shot(app, "complaints_rowlist_many_top_zh.png")
    # to the far end: the same few widgets, now bound to the last complaints
    listing.scroll_y = 0
    await settle(app, 5)
    rows = find_all(section, cls="ComplaintRow")
    assert len(rows) <= 16
    by_id = {item["complaint"].id: item for item in listing.data}
    for row in rows:
        item = by_id[row.complaint.id]
        assert row.late == item["late"]
        first = row.children[-1].children[-1]   # the row's first line, as drawn
        assert first.text == row.line(app.lang, row.complaint) and row.complaint.ref in first.text
        second = row.children[-1].children[0]
        assert second.text == row.complaint.what
    bottom = min(rows, key=lambda r: r.to_window(*r.pos)[1])
    assert bottom.complaint.id == listing.data[-1]["complaint"].id
    shot(app, "complaints_rowlist_many_end_zh.png")
    # a tap on a reused row's 打开 opens that row's complaint, not the one the widget first showed
    await tap(app, find(bottom, text=app.tr("Open", "zh_CN")))
    [detail] = find_all(app.root, cls="ComplaintDetail")
    assert detail.complaint.id == bottom.complaint.id
    detail.dismiss()
    await settle(app)
    # live language switch re-reads the reused rows' lines
    app.set_language("en")
    await settle(app, 4)
    for row in find_all(section, cls="ComplaintRow"):
        assert row.children[-1].children[-1].text == row.line("en", row.complaint)
    assert all(r.height >= 48 for r in find_all(section, cls="ComplaintRow"))
