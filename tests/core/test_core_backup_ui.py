"""The manager's settings say when the last good backup was made, and warn (red) when there has been none
for 48 hours; the export screen lists a stick the moment the mount watcher reports it."""
from __future__ import annotations

from datetime import timedelta
from pathlib import Path

import pytest

from kiosk.core import backup as backup_mod
from kiosk.core.audit import SYSTEM
from screens.theme import DANGER
from tests.uikit import app_test, kiosk_app_factory, open_section, settle, shot, sign_in_as


def _backed_up(hours_ago: float):
    """Seed: a good backup hours_ago, and a failed attempt an hour after it."""
    def seed(ctx) -> None:
        now = ctx.clock.now()
        ctx.clock.set(now - timedelta(hours=hours_ago))
        backup_mod.record(ctx.db, ctx.clock, SYSTEM, kind="backup", started=ctx.clock.now(), outcome="ok",
                          file="/media/kiosk/KIOSK/kiosk-1.db", destination="/media/kiosk/KIOSK", rows=10)
        ctx.clock.advance(3600)  # an hour later the stick was missing
        backup_mod.record(ctx.db, ctx.clock, SYSTEM, kind="backup", started=ctx.clock.now(), outcome="failed",
                          error="stick missing")
        ctx.clock.set(now)
    return seed


STICK = {"backup": {"folder": "/media/kiosk/KIOSK"}}


@app_test(kiosk_app_factory(lang="zh_CN", seed=_backed_up(3), config_extra=STICK))
@pytest.mark.asyncio
async def test_settings_show_the_last_good_backup(kivy_app):
    app = kivy_app
    await sign_in_as(app, "manager")
    section = await open_section(app, "settings")
    await settle(app)
    label = section.ids.backup_status
    assert label.text.startswith("最近一次完好的备份：") and "最近一次尝试于" in label.text, label.text
    assert tuple(label.color) != tuple(DANGER)
    shot(app, "settings_backup_ok_zh.png")


@app_test(kiosk_app_factory(lang="en", seed=_backed_up(50), config_extra=STICK))
@pytest.mark.asyncio
async def test_settings_warn_after_48_hours_without_a_good_backup(kivy_app):
    app = kivy_app
    await sign_in_as(app, "manager")
    section = await open_section(app, "settings")
    await settle(app)
    label = section.ids.backup_status
    assert label.text.startswith("No good backup for 50 hours"), label.text
    assert tuple(label.color) == tuple(DANGER)
    shot(app, "settings_backup_warn_en.png")
    app.lang = "zh_CN"
    await settle(app)
    assert label.text.startswith("已有 50 小时没有完好的备份"), label.text


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_settings_warn_when_no_backup_was_ever_made(kivy_app):
    app = kivy_app
    await sign_in_as(app, "manager")
    section = await open_section(app, "settings")
    await settle(app)
    assert section.ids.backup_status.text == "还没有完好的备份：请把 [backup] folder 设为 U 盘或共享文件夹"
    assert tuple(section.ids.backup_status.color) == tuple(DANGER)


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_the_export_screen_lists_a_stick_the_watcher_reports(kivy_app):
    from kiosk.reports.usb import Destination
    app = kivy_app
    await sign_in_as(app, "manager")
    section = await open_section(app, "reports")
    await settle(app)
    assert app.stick_watcher.supervisor.alive
    stick = Destination("KIOSK_FAT", Path("/media/kiosk/KIOSK_FAT"), True)
    app.ctx.bus.publish("sticks.changed", destinations=[stick])
    await settle(app)
    assert section.destinations == [stick] and section.destination == stick
    app.ctx.bus.publish("sticks.changed", destinations=[])
    await settle(app)
    assert section.destinations == [] and section.destination is None


async def _until(app, condition, seconds: float = 10.0) -> None:
    for _ in range(int(seconds / 0.05)):
        if condition():
            return
        await app.async_sleep(0.05)
    raise AssertionError("condition not reached in time")


STALLED = Path(__import__("tempfile").mkdtemp(prefix="kiosk-stalled-"))


@app_test(kiosk_app_factory(lang="zh_CN", config_extra={"backup": {"folder": str(STALLED)}}))
@pytest.mark.asyncio
async def test_a_stalled_backup_folder_does_not_freeze_the_settings_screen(kivy_app, monkeypatch):
    """Outside tester (issue 19): a stopped FUSE mount held the settings screen 9 s while it was asked
    whether the folder is marked; the question is now asked on the background worker."""
    import threading
    release, entered, finished, ran_on = threading.Event(), threading.Event(), threading.Event(), []

    def stalled(source, folder):
        ran_on.append(threading.current_thread())
        entered.set()
        release.wait(30)
        finished.set()
        return True
    monkeypatch.setattr(backup_mod, "target_unmarked", stalled)
    app = kivy_app
    await sign_in_as(app, "manager")
    section = await open_section(app, "settings")
    await settle(app)
    await _until(app, entered.is_set)
    # the screen is up and drawing while the check is still stuck: it was not asked on the UI thread
    assert not finished.is_set() and not section.target_unmarked and app.sm.current == "desk"
    assert ran_on and threading.main_thread() not in ran_on
    release.set()
    await _until(app, lambda: section.target_unmarked)


# A freshly deployed box: the configured stick is there but not marked, so the nightly backup refuses it.
UNMARKED = Path(__import__("tempfile").mkdtemp(prefix="kiosk-stick 备份-"))


@app_test(kiosk_app_factory(lang="zh_CN", config_extra={"backup": {"folder": str(UNMARKED)}}))
@pytest.mark.asyncio
async def test_the_manager_marks_the_backup_place_from_the_settings_screen(kivy_app):
    from kiosk.demo import accounts as demo
    from tests.uikit import find_all, tap
    app = kivy_app
    await sign_in_as(app, "manager")
    section = await open_section(app, "settings")
    await _until(app, lambda: section.target_unmarked)  # asked on the background worker
    await settle(app)
    button = section.ids.mark_target
    assert section.target_unmarked and button.height >= 48 and not button.disabled
    assert button.text.startswith(f"把 {UNMARKED} 用作每晚备份位置"), button.text
    shot(app, "settings_backup_mark_zh.png")
    app.lang = "en"
    await settle(app)
    assert button.text == f"Use {UNMARKED} for the nightly backup (manager PIN)", button.text
    app.lang = "zh_CN"
    await settle(app)
    await tap(app, button)
    approval = find_all(app.root, cls="ManagerApproval")[0]
    approval.submit("0000" if demo.DEMO_MANAGER[1] != "0000" else "1111")     # a wrong PIN marks nothing
    await settle(app)
    assert not (UNMARKED / backup_mod.MARKER).exists()
    approval = find_all(app.root, cls="ManagerApproval")[0]
    approval.submit(demo.DEMO_MANAGER[1])
    await settle(app)
    assert (UNMARKED / backup_mod.MARKER).exists()
    assert backup_mod.target_ids(UNMARKED) == [backup_mod.database_id_of(app.ctx.db_path)]
    assert section.message.startswith("已标记：每晚备份将写入"), section.message
    await _until(app, lambda: not section.target_unmarked)
    await settle(app)
    assert not section.target_unmarked and button.height == 0 and button.disabled
    audit = app.ctx.db.execute("SELECT actor FROM audit WHERE action = 'backup.init_target'").fetchall()
    assert [r[0] for r in audit] == [demo.DEMO_MANAGER[0]]
    # The same checks as the command: the nightly backup now writes there.
    result = backup_mod.make_backup(app.ctx.db_path, UNMARKED, clock=app.ctx.clock, marked_only=True)
    assert result.backup.path.parent == UNMARKED
