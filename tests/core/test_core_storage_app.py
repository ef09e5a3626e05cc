"""The app on a database it cannot use: it starts anyway, shows the fault (file named, what to do, in both
languages), keeps trying, and opens the desk by itself when the fault clears — a real KioskApp, headless,
on a real tmpfs filled to the last byte and a real read-only bind mount (no mocks).

Before this, `kiosk run` printed the message on a console nobody reads and exited; systemd restarted it
into StartLimitBurst and the counter had a black screen."""
from __future__ import annotations

import os
import socket
import tempfile
import time
from pathlib import Path

import pytest

from tests import storage_faults as faults
from tests.uikit import app_test, find_all, settle, shot, tap

_STATE: dict = {}


def _notify_socket() -> socket.socket:
    """A real sd_notify socket (what systemd listens on), so READY=1 is read as systemd would."""
    where = Path(tempfile.mkdtemp(prefix="notify-")) / "sock"
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    listener.bind(str(where))
    listener.settimeout(0.05)
    os.environ["NOTIFY_SOCKET"] = str(where)
    return listener


def _app_on(folder: Path, *, lang: str):
    from kivy.tests.async_common import UnitKivyApp

    from kiosk.core import config
    from kiosk.core.clock import FakeClock
    from kiosk.core.context import Context
    from kiosk.demo import accounts as demo
    from screens.app import KioskApp

    class TestKioskApp(UnitKivyApp, KioskApp):
        pass

    raw = config.validate({"site": {"language": lang}}, "<test>")
    seeded = Context(config=raw, db_path=folder / "kiosk.db", clock=FakeClock())
    demo.ensure_demo(seeded.db, seeded.clock)
    seeded.db.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    seeded.close()
    ctx = Context(config=raw, db_path=folder / "kiosk.db", clock=FakeClock(), create=False)
    app = TestKioskApp(ctx=ctx, start_hardware=False)
    app.storage_retry_seconds = 0.3
    return app


def full_disk_app():
    faults.need_mount()
    base = Path(tempfile.mkdtemp(prefix="kiosk-full-"))
    small = base / "small"
    small.mkdir()
    import subprocess
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=8192k,mode=0755", "tmpfs", str(small)], check=True)
    _STATE.update(small=small, listener=_notify_socket())
    app = _app_on(small, lang="zh_CN")
    _STATE["filler"] = faults.fill(small)
    return app


def _texts(app) -> str:
    return "\n".join(str(getattr(w, "text", "")) for w in find_all(app.root) if getattr(w, "text", ""))


def _received(listener) -> list[str]:
    got = []
    while True:
        try:
            got.append(listener.recv(4096).decode())
        except (TimeoutError, socket.timeout, BlockingIOError):
            return got


@app_test(full_disk_app)
@pytest.mark.asyncio
async def test_a_full_disk_shows_the_fault_screen_then_the_desk_when_space_returns(kivy_app):
    app = kivy_app
    small, listener = _STATE["small"], _STATE["listener"]
    try:
        await settle(app, 5)
        db = str(small / "kiosk.db")
        assert app.storage_fault is not None and app.storage_fault.kind == "disk_full"
        text = _texts(app)
        assert db in text and "磁盘已满" in text and "自助终端无法使用其数据库" in text, text
        from kiosk.core import db as db_mod
        from kiosk.visitors import service as visitors
        probe = db_mod.connect(small / "kiosk.db", create=False, read_only=True)
        expected = visitors.on_site_count(probe)
        probe.close()
        assert f"当前在场：{expected} 人" in text, "the fire roll call's count, read read-only"
        assert "李" not in text.split("当前在场")[1].split("\n")[0], "a count only: no names before visitors"
        assert "Traceback" not in text and "OperationalError" not in text
        shot(app, "storage_fault_full_zh.png")
        assert any("READY=1" in m for m in _received(listener)), "systemd hears the app is up: no restart loop"
        # Live language switch: the same sentence in English.
        english = next(b for b in find_all(app.root, text="English"))
        await tap(app, english)
        await settle(app)
        text = _texts(app)
        assert "The disk holding " + db + " is full" in text and "tries again every 0.3 seconds" in text, text
        shot(app, "storage_fault_full_en.png")
        for button in find_all(app.root, text="Try again now") + find_all(app.root, text="English"):
            assert button.height >= 48 and button.width >= 48, "touch targets"
        # Retrying on a disk still full keeps the fault, says when it last tried, writes nothing.
        before = sorted(p.name for p in small.iterdir())
        await tap(app, find_all(app.root, text="Try again now")[0])
        await settle(app)
        assert app.storage_fault is not None and app._fault_view.last_try
        assert sorted(p.name for p in small.iterdir()) == before
        # Space returns: within a few retries the desk opens on its own, and it writes.
        _STATE["filler"].unlink()
        deadline = time.monotonic() + 15
        while app.storage_fault is not None and time.monotonic() < deadline:
            await app.async_sleep(0.1)
        assert app.storage_fault is None, "the desk opens by itself once the disk has room"
        await settle(app, 5)
        assert app.sm.current == "home" and "Welcome" in _texts(app)
        from kiosk.core import settings
        from kiosk.core.audit import SYSTEM
        settings.put(app.ctx.db, app.ctx.clock, SYSTEM, "written_after_recovery", 1)
        assert settings.get(app.ctx.db, "written_after_recovery") == 1
        shot(app, "storage_fault_recovered.png")
    finally:
        os.environ.pop("NOTIFY_SOCKET", None)
        listener.close()
        app.ctx.close()
        faults._umount(small)


def read_only_app():
    faults.need_mount()
    base = Path(tempfile.mkdtemp(prefix="kiosk-ro-"))
    data = base / "data"
    data.mkdir()
    seeded = _app_on(data, lang="en")  # makes the database; this app is thrown away
    seeded.ctx.close()
    view = base / "ro"
    view.mkdir()
    import subprocess
    subprocess.run(["mount", "--bind", str(data), str(view)], check=True)
    subprocess.run(["mount", "-o", "remount,bind,ro", str(view)], check=True)
    _STATE.update(ro=view)
    from kiosk.core.context import Context
    from screens.app import KioskApp  # noqa: F401
    app = type(seeded)(ctx=Context(config=seeded.ctx.config, db_path=view / "kiosk.db", clock=seeded.ctx.clock,
                                   create=False), start_hardware=False)
    app.storage_retry_seconds = 0.3
    return app


@app_test(read_only_app)
@pytest.mark.asyncio
async def test_a_read_only_card_shows_the_fault_screen_and_creates_nothing(kivy_app):
    app = kivy_app
    view = _STATE["ro"]
    try:
        await settle(app, 5)
        assert app.storage_fault is not None and app.storage_fault.kind == "read_only", app.storage_fault
        text = _texts(app)
        assert str(view / "kiosk.db") in text and "read-only" in text
        await app.async_sleep(1.0)  # several retries
        assert app.storage_fault is not None and app._fault_view.last_try
        assert sorted(p.name for p in view.iterdir()) == ["kiosk.db"], "no -wal/-shm made on a read-only card"
        shot(app, "storage_fault_read_only_en.png")
    finally:
        app.ctx.close()
        faults._umount(view)
