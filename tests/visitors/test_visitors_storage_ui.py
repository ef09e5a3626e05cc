"""The visitor's sign-in when the database cannot be written (another process holds the write lock, the
disk is full): a message on the screen, everything typed kept, nothing half-written, and the same tap
works once the fault clears. Nothing reaches the app's exception handler."""
from __future__ import annotations

import sqlite3
import subprocess
import tempfile
from pathlib import Path

import pytest

from kiosk.visitors import service as visitors
from tests import storage_faults as faults
from tests.uikit import app_test, find, kiosk_app_factory, settle, shot, tap

NAME, PHONE = "欧阳" + "娜" * 18, "13911112222"  # the longest name the form takes


async def walk_to_privacy(app):
    await tap(app, find(app.root, text="访客登记"))
    flow = app.sm.current_screen
    flow.ids.phone.ids.input.text = PHONE
    await tap(app, find(flow, text="下一步"))
    flow.ids.name.ids.input.text = NAME
    flow.ids.organisation.ids.input.text = "华为技术有限公司"
    await tap(app, find(flow, text="下一步"))
    flow.ids.host_search.ids.input.text = "张敏"
    await settle(app)
    await tap(app, find(flow.ids.host_results, text="张敏 Zhang Min"))
    await tap(app, find(flow, text="下一步"))
    assert flow.ids.steps.current == "privacy"
    return flow


def kept(flow) -> tuple:
    return (flow.ids.steps.current, flow.ids.phone.text, flow.ids.name.text, flow.ids.organisation.text,
            flow.host_name)


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_sign_in_while_another_process_holds_the_write_lock_keeps_the_form(kivy_app):
    app = kivy_app
    failures = []
    app._exception_handler.report = failures.append
    await settle(app)
    app.ctx.db.execute("PRAGMA busy_timeout=300")  # the UI thread waits 5 s by default; the test need not
    flow = await walk_to_privacy(app)
    before = kept(flow)
    locker = sqlite3.connect(app.ctx.db_path)
    locker.execute("BEGIN IMMEDIATE")
    try:
        await tap(app, find(flow, text="我同意，登记入场"))
        assert kept(flow) == before, "everything the visitor typed is still there"
        assert "没能保存" in flow.message and "请到前台" in flow.message, flow.message
        shot(app, "visitor_signin_not_saved_zh.png")
    finally:
        locker.rollback()
        locker.close()
    assert visitors.on_site(app.ctx.db) == []
    await tap(app, find(flow, text="我同意，登记入场"))  # the lock is gone: the same tap signs her in
    assert flow.ids.steps.current == "done" and flow.message == ""
    [visit] = visitors.on_site(app.ctx.db)
    assert visit["name"] == NAME
    assert failures == []


def _full_disk_factory():
    """The kiosk app with its database on a small tmpfs (unmounted lazily when the test ends)."""
    base = kiosk_app_factory(lang="zh_CN")

    def factory():
        from kiosk.core.context import Context
        app = base()
        where = Path(tempfile.mkdtemp(prefix="kiosk-full-"))
        subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8m", "tmpfs", str(where)], check=True)
        source = app.ctx.db_path
        app.ctx.close()
        conn, copy = sqlite3.connect(source), sqlite3.connect(where / "kiosk.db")
        conn.backup(copy)
        conn.close()
        copy.close()
        app.ctx = Context(config=app.ctx.config, db_path=where / "kiosk.db", clock=app.ctx.clock)
        from kiosk.core.desk import Desk
        app.desk = Desk(app.ctx)
        app.full_disk = where
        return app
    return factory


@pytest.fixture
def mountable():
    faults.need_mount()


@app_test(_full_disk_factory())
@pytest.mark.asyncio
async def test_sign_in_on_a_full_disk_keeps_the_form_and_recovers(mountable, kivy_app):
    app = kivy_app
    failures = []
    app._exception_handler.report = failures.append
    try:
        await settle(app)
        flow = await walk_to_privacy(app)
        before = kept(flow)
        filler = faults.fill(app.full_disk)
        await tap(app, find(flow, text="我同意，登记入场"))
        assert kept(flow) == before and "没能保存" in flow.message
        assert visitors.on_site(app.ctx.db) == []
        filler.unlink()
        await tap(app, find(flow, text="我同意，登记入场"))
        assert flow.ids.steps.current == "done", flow.message
        assert [v["name"] for v in visitors.on_site(app.ctx.db)] == [NAME]
        assert app.ctx.db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        assert failures == []
    finally:
        subprocess.run(["umount", "-l", str(app.full_disk)], check=False)
