"""More hostile cases on the complaint form: a double tap on Take, and what the clerk reads when the slip fails."""
from __future__ import annotations

import sqlite3

import pytest

from kiosk.complaints import service, slips
from tests.uikit import app_test, find, kiosk_app_factory, settle, staff_section, tap


def _fill(app, section):
    form = section.new_complaint()
    form.ids.what.ids.input.text = "楼道灯坏了"
    form.ids.place.ids.input.text = "5号楼"
    return form, find(form, text=app.tr("Take complaint", app.lang))


@app_test(kiosk_app_factory(lang="en"))
@pytest.mark.asyncio
async def test_a_double_tap_on_take_stores_one_complaint(kivy_app):
    """Two taps before the form has closed (the second lands during the closing animation): one complaint."""
    app = kivy_app
    section, failures = await staff_section(app, "complaints")
    before = service.open_count(app.ctx.db)
    form, save = _fill(app, section)
    await settle(app)
    await tap(app, save)
    form.save()  # the second tap, straight after
    await settle(app)
    assert service.open_count(app.ctx.db) - before == 1


@app_test(kiosk_app_factory(lang="en"))
@pytest.mark.asyncio
async def test_a_failed_slip_says_the_complaint_was_taken_and_its_ref(kivy_app, monkeypatch):
    """The clerk reads the ref the complaint was taken under and that the slip was not queued."""
    app = kivy_app
    section, failures = await staff_section(app, "complaints")

    def broken(*args, **kwargs):
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(slips, "print_slip", broken)
    form, save = _fill(app, section)
    form.print_slip = True
    await settle(app)
    await tap(app, save)
    await settle(app)
    [latest] = service.open_complaints(app.ctx.db)[-1:]
    assert latest.ref in app._toast.text and "slip could not be queued" in app._toast.text, app._toast.text
    assert form.get_parent_window() is None
