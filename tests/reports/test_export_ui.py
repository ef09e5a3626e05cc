"""The reports section: manager only, summary tiles and a chart, export with progress and file list."""
from __future__ import annotations

import tempfile
from pathlib import Path

import pytest

from kiosk.core import auth
from tests.uikit import app_test, find, kiosk_app_factory, settle, shot, tap

EXPORT_DIR = Path(tempfile.mkdtemp(prefix="kiosk-export-ui-"))


def _late_afternoon(ctx) -> None:
    """19:00 in Shanghai: the seed writes nothing after now, so the day's 40 calls have all been made."""
    from datetime import datetime, timezone
    ctx.clock.set(datetime(2026, 11, 23, 11, 0, tzinfo=timezone.utc))


def _seed(ctx) -> None:
    from kiosk.demo import seed
    _late_afternoon(ctx)
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


def _seed_three_days(ctx) -> None:
    from kiosk.demo import seed
    _late_afternoon(ctx)
    seed.seed(ctx.db, ctx.clock, days=3, tz_name="Asia/Shanghai", visitors=20, calls=10, sales=15)


@app_test(kiosk_app_factory(lang="zh_CN", seed=_seed_three_days, config_extra={"export": {"folder": str(EXPORT_DIR)}}))
@pytest.mark.asyncio
async def test_a_range_shows_days_payment_methods_in_chinese_and_a_long_error_whole(kivy_app, monkeypatch):
    """A range charts one bar per day; payment methods read in Chinese; "on site now" belongs to a report
    that includes today only; a long export error is shown whole, wrapped over lines, never cut."""
    from kiosk.reports import export
    from kiosk.core.errors import os_reason
    from kiosk.reports.files import ExportError
    app = kivy_app
    await settle(app)
    app.sign_in(auth.users(app.ctx.db, role="manager")[0])
    await settle(app)
    desk = app.sm.get_screen("desk")
    await tap(app, find(desk.ids.nav, text="报表"))
    section = desk.ids.content.current_screen
    section.shift("first", -2)
    await settle(app)
    for _ in range(100):  # the per-day bars are built on the background worker (issue 18)
        if len(section.chart_values) == 3:
            break
        await app.async_sleep(0.05)
    assert len(section.chart_values) == 3 and sum(section.chart_values) > 0
    labels = dict(section.tiles)
    assert "当前在场" in labels                                        # the range includes today
    methods = [label for label in labels if label.startswith("收款：")]
    assert methods and all(m.split("：", 1)[1] in ("现金", "银行卡", "移动支付") for m in methods), methods
    assert not any(m.endswith(("cash", "card", "mobile")) for m in labels)
    section.shift("last", -1)
    await settle(app)
    assert "当前在场" not in dict(section.tiles)                        # a past range: no "now" figure
    folder = "/media/kiosk/一个名字很长的U盘/前台导出/" + "子文件夹/" * 6

    def pulled(*args, **kwargs):
        raise ExportError("could not write {name} to {folder}: {reason}. Was the USB stick removed? "
                          "Nothing written there is marked complete.", name="kiosk-export.xlsx", folder=folder,
                          reason=os_reason(OSError(5, "Input/output error")))
    monkeypatch.setattr(export, "run_export", pulled)
    await tap(app, find(section, text="导出"))
    await _approve(app)
    for _ in range(200):
        if section.failed:
            break
        await app.async_sleep(0.05)
    await settle(app)
    status = section.ids.export_status
    wanted = "导出失败：无法将 kiosk-export.xlsx 写入 " + folder
    assert section.status.startswith(wanted) and section.status.endswith("已写入的内容都不会标记为完成。")
    assert not status.shorten and status.height >= status.texture_size[1] > 3 * status.font_size
    assert status.color[0] > status.color[2], "shown in the danger colour"
    shot(app, "reports_range_long_error_zh.png")
    app.set_language("en")
    await settle(app)
    assert section.status.startswith("Export failed: could not write kiosk-export.xlsx to " + folder), section.status
    assert section.status.endswith("Nothing written there is marked complete.")
    labels = dict(section.tiles)                                       # the tiles switch too, live
    assert "Visitors" in labels and any(k.startswith("Payment: Bank card") for k in labels), labels
    shot(app, "reports_range_long_error_en.png")


BACKUP_STICK = Path(tempfile.mkdtemp(prefix="kiosk-backup-stick #1?-"))


@app_test(kiosk_app_factory(lang="zh_CN", config_extra={"export": {"folder": str(BACKUP_STICK)},
                                                       "backup": {"folder": str(BACKUP_STICK / "备份 backups")}}))
@pytest.mark.asyncio
async def test_an_export_to_the_stick_that_holds_the_backups_leaves_it_mounted(kivy_app, monkeypatch):
    """The stick is also [backup] folder: ejecting it after the export would fail tonight's backup."""
    from kiosk.core import sticks
    from kiosk.reports.usb import Destination
    (BACKUP_STICK / "备份 backups").mkdir(exist_ok=True)
    app = kivy_app
    await settle(app)
    app.sign_in(auth.users(app.ctx.db, role="manager")[0])
    await settle(app)
    desk = app.sm.get_screen("desk")
    await tap(app, find(desk.ids.nav, text="报表"))
    section = desk.ids.content.current_screen
    ejected = []
    monkeypatch.setattr(sticks, "eject", lambda *a, **k: ejected.append(a) or "umount")
    # The mount watcher's first look lists what is mounted (not this fake stick): let it land first.
    for _ in range(200):
        if app.stick_watcher._last is not None:
            break
        await app.async_sleep(0.02)
    await settle(app, 5)
    # A later look of the watcher or of the screen's own search (late on a loaded box) would list what is
    # really mounted instead of this stick.
    monkeypatch.setattr(section, "show_destinations", lambda found: None)
    section.destination = Destination("KIOSK", BACKUP_STICK, True)  # as the stick watcher lists a mount
    await tap(app, find(section, text="导出"))
    await _approve(app)
    for _ in range(400):
        if section.status.startswith(("导出完成", "导出失败")):
            break
        await app.async_sleep(0.05)
    assert section.status.startswith("导出完成"), section.status
    assert ejected == [] and "U 盘保持挂载：它是备份文件夹。" in section.status
    assert "可以拔出" not in section.status
    shot(app, "reports_export_stick_is_backup_folder_zh.png")
    app.lang = "en"
    await settle(app)
    assert "stays mounted: it is the backup folder" in section.status, section.status


def test_holds_tells_a_stick_that_holds_a_folder_from_a_sibling(tmp_path):
    from kiosk.core import sticks
    stick, sibling = tmp_path / "stick", tmp_path / "stick2"
    (stick / "a#b" / "backups").mkdir(parents=True)
    sibling.mkdir()
    (tmp_path / "link").symlink_to(stick / "a#b")
    assert sticks.holds(stick, stick / "a#b" / "backups") and sticks.holds(stick, stick)
    assert sticks.holds(stick, tmp_path / "link" / "backups")      # through a symlink
    assert sticks.holds(stick, stick / "not made yet")             # inside, even before it exists
    assert not sticks.holds(stick, None) and not sticks.holds(stick, "")
    assert not sticks.holds(stick, tmp_path / "elsewhere-missing")  # not inside, not on a device we can stat
    # sibling on the same file system (tmp_path): same device — a real stick is its own device
    assert sticks.holds(stick, sibling) == (sibling.stat().st_dev == stick.stat().st_dev)
