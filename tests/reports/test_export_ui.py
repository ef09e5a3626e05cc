"""The reports section: manager only, summary tiles and a chart, export with progress and file list."""
from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from kiosk.core import auth
from tests.uikit import app_test, find, kiosk_app_factory, settle, shot, tap

EXPORT_DIR = Path(tempfile.mkdtemp(prefix="kiosk-export-ui-"))


def _seed(ctx) -> None:
    from kiosk.demo import seed
    seed.seed(ctx.db, ctx.clock, days=1, tz_name="Asia/Shanghai", calls=40)


@app_test(kiosk_app_factory(lang="zh_CN", seed=_seed, config_extra={"export": {"folder": str(EXPORT_DIR)}}))
@pytest.mark.asyncio
async def test_reports_section_exports_to_the_configured_folder(kivy_app):
    from screens import sections
    app = kivy_app
    await settle(app)
    staff = auth.users(app.ctx.db, role="staff")[0]
    assert "reports" not in [s.name for s in sections.staff_sections(False)]
    app.sign_in(auth.users(app.ctx.db, role="manager")[0])
    await settle(app)
    desk = app.sm.get_screen("desk")
    await tap(app, find(desk.ids.nav, text="报表"))
    section = desk.ids.content.current_screen
    assert section.name == "reports"
    labels = dict(section.tiles)
    assert labels["来电"] == "40" and labels["访客"] in ("暂无此功能",) + tuple(str(i) for i in range(10000))
    assert sum(section.chart_values) > 0
    await tap(app, find(section, text="导出"))
    # An export is a manager's act: even the signed-in manager gives their PIN; a wrong one exports nothing.
    from kiosk.demo import accounts as demo
    from tests.uikit import find_all as _all
    approval = _all(app.root, cls="ManagerApproval")[0]
    approval.submit("1111" if demo.DEMO_MANAGER[1] != "1111" else "2222")
    await settle(app)
    assert approval.ids.pad.message == app.tr("Wrong PIN", app.lang)
    assert not list(EXPORT_DIR.glob("kiosk-export-*/manifest.json"))
    approval = _all(app.root, cls="ManagerApproval")[0]
    for digit in demo.DEMO_MANAGER[1]:
        await tap(app, find(approval, text=digit), frames=1)
    await tap(app, find(approval, text=app.tr("OK", app.lang)))
    for _ in range(300):
        if section.files_text:
            break
        await app.async_sleep(0.05)
    await settle(app)
    assert section.status.startswith("导出完成"), section.status
    assert section.progress == 1
    written = {p.name for p in (EXPORT_DIR).glob("kiosk-export-*/*")}
    assert "manifest.json" in written and any(n.endswith(".pdf") for n in written)
    assert "manifest.json" in section.files_text and "KB" in section.files_text
    shot(app, "reports_section_zh.png")
    app.set_language("en") if hasattr(app, "set_language") else setattr(app, "lang", "en")
    section.refresh()
    await settle(app)
    assert dict(section.tiles)["Calls"] == "40"
    shot(app, "reports_section_en.png")
    assert staff.role == "staff"


async def _approve(app) -> None:
    """The manager's PIN on the approval popup (an export is a manager's act)."""
    from kiosk.demo import accounts as demo
    from tests.uikit import find_all as _all
    approval = _all(app.root, cls="ManagerApproval")[0]
    for digit in demo.DEMO_MANAGER[1]:
        await tap(app, find(approval, text=digit), frames=1)
    await tap(app, find(approval, text=app.tr("OK", app.lang)))


@app_test(kiosk_app_factory(lang="zh_CN", config_extra={"export": {"folder": str(EXPORT_DIR)}}))
@pytest.mark.asyncio
async def test_a_failing_export_is_reported_on_the_section_and_the_next_one_works(kivy_app, monkeypatch):
    import threading

    from kiosk.reports import export
    app = kivy_app
    await settle(app)
    app.sign_in(auth.users(app.ctx.db, role="manager")[0])
    await settle(app)
    desk = app.sm.get_screen("desk")
    await tap(app, find(desk.ids.nav, text="报表"))
    section = desk.ids.content.current_screen
    real, threads = export.run_export, []

    def full_stick(*args, **kwargs):
        threads.append(threading.current_thread())
        raise OSError(28, "No space left on device")
    monkeypatch.setattr(export, "run_export", full_stick)
    await tap(app, find(section, text="导出"))
    await _approve(app)
    for _ in range(200):
        if section.status.startswith("导出失败"):
            break
        await app.async_sleep(0.05)
    # what a full stick means, in Chinese; never the OS's English text
    assert section.status.startswith("导出失败") and "已满" in section.status and "No space" not in section.status
    assert not section.ids.export_button.disabled, "the manager can try again"
    assert threads and threads[0] is not threading.main_thread()
    monkeypatch.setattr(export, "run_export", real)
    await tap(app, find(section, text="导出"))  # the worker restarted after its one-second back-off
    await _approve(app)
    for _ in range(400):
        if section.status.startswith("导出完成"):
            break
        await app.async_sleep(0.05)
    assert section.status.startswith("导出完成"), section.status
