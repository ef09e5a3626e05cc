"""deploy/kiosk.service and the watchdog: systemd-analyze accepts the unit; the app says READY=1 and pings
WATCHDOG=1 from its UI loop; a hung loop or a dead supervised worker stops the pings."""
from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import pytest

from kiosk.core import notify
from kiosk.core.supervisor import Supervisor
from tests.uikit import app_test, kiosk_app_factory

ROOT = Path(__file__).resolve().parents[2]
UNIT = ROOT / "deploy" / "kiosk.service"


def unit_settings() -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for line in UNIT.read_text().splitlines():
        if "=" in line and not line.startswith("#"):
            key, value = line.split("=", 1)
            found.setdefault(key.strip(), []).append(value.strip())
    return found


def test_systemd_analyze_verify_accepts_the_unit(tmp_path):
    if shutil.which("systemd-analyze") is None:
        pytest.skip("systemd-analyze is not installed (scripts/bootstrap.sh installs systemd)")
    # The unit names the installed path (/opt/...): point it at this checkout's kiosk so verify can stat it.
    unit = tmp_path / "kiosk.service"
    unit.write_text(UNIT.read_text().replace("/opt/frontdesk-kiosk/.venv/bin/kiosk", str(ROOT / ".venv/bin/kiosk")))
    done = subprocess.run(["systemd-analyze", "verify", str(unit)], capture_output=True, text=True, timeout=60)
    problems = [line for line in (done.stdout + done.stderr).splitlines() if "kiosk.service" in line]
    assert done.returncode == 0 and not problems, done.stdout + done.stderr


def test_the_unit_watches_and_fences_the_app():
    s = unit_settings()
    assert s["Type"] == ["notify"] and s["NotifyAccess"] == ["main"]
    watchdog, restart = int(s["WatchdogSec"][0]), int(s["RestartSec"][0])
    assert watchdog + restart <= 30, "a hung app is restarted within 30 s"
    assert s["Restart"] == ["always"]
    assert s["NoNewPrivileges"] == ["yes"] and s["ProtectSystem"] == ["strict"] and s["PrivateTmp"] == ["yes"]
    writable = " ".join(s["ReadWritePaths"]).split()
    assert "/var/lib/frontdesk-kiosk" in writable and "-/media/kiosk" in writable
    assert "-/mnt/kiosk-backup" in writable  # where a backup share is mounted (optional: absent is fine)
    assert s["Environment"].count("KIOSK_HOME=/var/lib/frontdesk-kiosk") == 1  # the data folder it may write
    groups = set(s["SupplementaryGroups"][0].split())
    assert {"video", "input", "dialout", "plugdev", "lp", "render"} <= groups


class Listener:
    """A fake $NOTIFY_SOCKET: a datagram socket collecting what the app sends."""

    def __init__(self, folder: Path) -> None:
        self.path = str(folder / "notify.sock")
        self.sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
        self.sock.bind(self.path)
        self.sock.settimeout(0.05)
        self.messages: list[tuple[float, str]] = []

    def drain(self, seconds: float = 0.0) -> list[str]:
        end = time.monotonic() + seconds
        got = []
        while True:
            try:
                data = self.sock.recv(4096).decode()
                self.messages.append((time.monotonic(), data))
                got.append(data)
            except socket.timeout:
                if time.monotonic() >= end:
                    return got

    def close(self) -> None:
        self.sock.close()


def test_a_notify_socket_nobody_reads_never_blocks_the_ui_loop(tmp_path):
    """systemd busy (its queue full): pings are dropped at once, never waited on; the UI loop sends them."""
    listener = Listener(tmp_path)  # bound, never read until the end: its queue fills after a few datagrams
    try:
        sender = notify.Notifier(listener.path, "400000")
        started = time.monotonic()
        results = [sender.ping() for _ in range(500)]
        assert time.monotonic() - started < 1.0, "a full queue must not hold the sender"
        assert results[0] and not all(results), "the first pings go, the rest are dropped"
        assert listener.drain(0.1)[0] == "WATCHDOG=1"
        assert sender.ping(), "pings go again once the queue drains"
    finally:
        listener.close()


def test_notifier_speaks_the_protocol_and_is_silent_outside_systemd(tmp_path):
    listener = Listener(tmp_path)
    try:
        sender = notify.Notifier(listener.path, "4000000")
        assert sender.enabled and sender.ping_interval() == 2.0
        assert sender.ready("open") and sender.ping()
        assert listener.drain(0.1) == ["READY=1\nSTATUS=open", "WATCHDOG=1"]
        assert not notify.Notifier("", "").ping()  # no socket: a no-op
        listener.close()
        assert not sender.ping()  # the socket went away: a warning, never an exception
    finally:
        listener.close()


def test_a_dead_worker_stops_the_pings(tmp_path):
    listener = Listener(tmp_path)
    sender = notify.Notifier(listener.path, "1000000")
    die = threading.Event()

    def body(stop):
        die.wait(5)
        raise SystemExit  # gets past the supervisor's `except Exception`: its thread ends for good

    worker = Supervisor("doomed", body).start()
    restarting = Supervisor("flaky", lambda stop: 1 / 0, first_delay=0.05, max_delay=0.05).start()
    try:
        assert notify.tick(sender, [worker, restarting]) and listener.drain(0.1) == ["WATCHDOG=1"]
        die.set()
        for _ in range(100):
            if not worker.alive:
                break
            time.sleep(0.01)
        assert notify.workers_alive([worker, restarting]) == ["doomed"]  # restarting is alive, dead is not
        assert not notify.tick(sender, [worker, restarting]) and listener.drain(0.1) == []
    finally:
        restarting.stop()
        listener.close()


@app_test(kiosk_app_factory(lang="zh_CN"))
@pytest.mark.asyncio
async def test_the_app_pings_from_its_ui_loop_and_stops_when_it_hangs_or_a_worker_dies(kivy_app, tmp_path):
    from kivy.clock import Clock
    app = kivy_app
    listener = Listener(tmp_path)
    try:
        app.notifier = notify.Notifier(listener.path, "400000")  # as $NOTIFY_SOCKET / $WATCHDOG_USEC would
        event = Clock.schedule_interval(app.watchdog_tick, app.notifier.ping_interval())
        await app.async_sleep(1.0)
        assert listener.drain().count("WATCHDOG=1") >= 3
        time.sleep(1.0)  # the UI loop hangs (this coroutine runs on it)
        assert listener.drain() == [], "no ping while the loop is stuck"  # what was sent before is drained
        await app.async_sleep(0.6)
        assert "WATCHDOG=1" in listener.drain(), "pings resume with the loop"
        # A worker dies for good: the background jobs' thread ends (SystemExit gets past every handler).
        app.jobs.submit("doom", lambda progress: (_ for _ in ()).throw(SystemExit()))
        for _ in range(100):
            await app.async_sleep(0.02)
            if not app.jobs.supervisor.alive:
                break
        assert not app.jobs.supervisor.alive
        listener.drain()
        await app.async_sleep(1.0)
        assert listener.drain() == [], "a dead worker stops the pings: systemd restarts the app"
        event.cancel()
    finally:
        listener.close()


def test_kiosk_run_says_ready_and_pings_under_a_fake_systemd(tmp_path):
    """The real start-up path: `kiosk run` with $NOTIFY_SOCKET set sends READY=1 after its first frame and
    WATCHDOG=1 every WatchdogSec/2; a stopped (frozen) process sends nothing."""
    from click.testing import CliRunner

    from kiosk.cli.main import main
    db = tmp_path / "k.db"
    assert CliRunner().invoke(main, ["demo", "init", "--db", str(db)]).exit_code == 0
    listener = Listener(tmp_path)
    env = dict(os.environ, SDL_VIDEODRIVER="offscreen", KIOSK_HOME=str(tmp_path), NOTIFY_SOCKET=listener.path,
               WATCHDOG_USEC="600000")
    proc = subprocess.Popen([sys.executable, "-m", "kiosk", "run", "--db", str(db)], cwd=ROOT, env=env,
                            stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    try:
        got: list[str] = []
        deadline = time.monotonic() + 90
        while time.monotonic() < deadline and got.count("WATCHDOG=1") < 3:
            got += listener.drain(0.2)
        assert any(m.startswith("READY=1") for m in got), got
        assert got.count("WATCHDOG=1") >= 3, got
        proc.send_signal(signal.SIGSTOP)  # a hung process
        listener.drain(0.1)
        assert listener.drain(1.5) == []
        proc.send_signal(signal.SIGCONT)
        assert "WATCHDOG=1" in listener.drain(1.5)
    finally:
        proc.kill()
        proc.wait(10)
        listener.close()


def test_a_backup_share_is_documented_where_the_sandbox_lets_the_app_write():
    """ProtectSystem=strict: a share mounted anywhere not in ReadWritePaths fails every backup as read-only;
    the example config, the unit and the README all name the one path the unit allows, and how to add one."""
    writable = " ".join(unit_settings()["ReadWritePaths"]).split()
    example = (ROOT / "deploy" / "kiosk.example.toml").read_text("utf-8")
    readme = (ROOT / "README.md").read_text("utf-8")
    unit = UNIT.read_text("utf-8")
    assert "/mnt/kiosk-backup" in example and "-/mnt/kiosk-backup" in writable
    assert "ReadWritePaths" in example and "ReadWritePaths=-/" in readme and "/mnt/kiosk-backup" in readme
    assert "systemctl edit kiosk" in unit and "systemctl edit kiosk" in readme
