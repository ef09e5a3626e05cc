"""Outside attack on issue 12, on the touchscreen: the complaint form when the slip cannot be queued."""
from __future__ import annotations

import sqlite3

import pytest

from kiosk.complaints import service, slips
from tests.uikit import app_test, find, find_all, kiosk_app_factory, settle, staff_section, tap


@app_test(kiosk_app_factory(lang="en"))
@pytest.mark.asyncio
async def test_a_failed_slip_does_not_leave_the_form_open_to_take_the_complaint_twice(kivy_app, monkeypatch):
    """The clerk ticks "Print a slip" and taps "Take complaint"; the complaint is stored, but queueing the
    slip fails (the database is busy for a moment: a backup or an export on the other core). The form stays
    open, filled in, with no word that the complaint was taken; the clerk taps "Take complaint" again and the
    register now holds the same complaint twice, with two refs (the take and the slip are two transactions,
    and only a ComplaintError is caught)."""
    app = kivy_app
    section, failures = await staff_section(app, "complaints")
    before = service.open_count(app.ctx.db)

    def busy(*args, **kwargs):
        raise sqlite3.OperationalError("database is locked")
    monkeypatch.setattr(slips, "print_slip", busy)
    form = section.new_complaint()
    await settle(app)
    form.ids.what.ids.input.text = "楼道灯坏了"
    form.ids.place.ids.input.text = "5号楼"
    form.print_slip = True
    save = find(form, text=app.tr("Take complaint", app.lang))
    await tap(app, save)
    await settle(app)
    if form.get_parent_window() is not None:  # still open: what a clerk does next
        await tap(app, save)
        await settle(app)
    assert service.open_count(app.ctx.db) - before == 1
