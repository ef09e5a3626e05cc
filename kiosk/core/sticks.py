"""USB sticks: notice one being mounted (off the UI thread) and eject it safely after writing.

Raspberry Pi OS Lite has no automounter: deploy/kiosk-usb-mount (run by the udev rule
deploy/99-kiosk-usb.rules) mounts FAT32, exFAT and NTFS sticks under /media/kiosk/<label>, owned by
the kiosk user. The app learns of it from /proc/mounts, read by a supervised thread every
``POLL_SECONDS`` (a read of a small in-kernel file; nothing is scanned when it has not changed), which
publishes ``sticks.changed`` on the bus; the export screen lists what it carries within a second.

Ejecting: flush every file system (``os.sync``), then unmount — through udisks2 over D-Bus where it
runs (a polkit rule lets the kiosk user do that without root, deploy/50-kiosk-udisks.rules), else the
same helper script as root (the tests, a box without udisks), else plain ``umount``. The stick is
"safe to remove" only once /proc/mounts no longer lists it.
"""
from __future__ import annotations

import logging
import os
import shutil
import subprocess
import threading
from pathlib import Path
from typing import Callable

from kiosk.core.errors import Refusal
from kiosk.core.events import EventBus
from kiosk.core.supervisor import Supervisor

log = logging.getLogger(__name__)
POLL_SECONDS = 0.5
PROC_MOUNTS = Path("/proc/mounts")
CHANGED = "sticks.changed"
HELPER = Path(__file__).resolve().parents[2] / "deploy" / "kiosk-usb-mount"


class StickError(Refusal):
    """A stick could not be ejected (still busy, or already gone)."""


def _unescape(field: str) -> str:
    return (field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n").replace("\\134", "\\"))


def mounts(proc_mounts: Path = PROC_MOUNTS) -> list[tuple[str, str, str]]:
    """(device, mount point, file system type) of every mount."""
    try:
        text = proc_mounts.read_text()
    except OSError:
        return []
    found = []
    for line in text.splitlines():
        parts = line.split()
        if len(parts) >= 3:
            found.append((_unescape(parts[0]), _unescape(parts[1]), parts[2]))
    return found


def device_of(mount_point: str | os.PathLike, proc_mounts: Path = PROC_MOUNTS) -> str | None:
    """The device mounted at mount_point (the newest mount there), or None when nothing is."""
    target = os.path.realpath(str(mount_point))
    hits = [dev for dev, point, _ in mounts(proc_mounts) if os.path.realpath(point) == target]
    return hits[-1] if hits else None


class MountWatcher:
    """A supervised thread that publishes ``sticks.changed`` (with ``destinations``) when the mounts change.

    lister: what to list for the screen (``kiosk.reports.usb.destinations`` with the configured folder),
    called in this thread only when /proc/mounts changed."""

    def __init__(self, bus: EventBus, lister: Callable[[], list], *, proc_mounts: Path = PROC_MOUNTS,
                 interval: float = POLL_SECONDS) -> None:
        self.bus, self.lister, self.proc_mounts, self.interval = bus, lister, proc_mounts, interval
        self._last: str | None = None
        self.supervisor = Supervisor("sticks", self._run, publish=bus.publish)

    def start(self) -> "MountWatcher":
        self.supervisor.start()
        return self

    def stop(self) -> None:
        self.supervisor.stop()

    def poll(self) -> bool:
        """One look; True (and an event) when the mounts changed since the last look."""
        try:
            text = self.proc_mounts.read_text()
        except OSError:
            text = ""
        if text == self._last:
            return False
        self._last = text
        self.bus.publish(CHANGED, destinations=list(self.lister()))
        return True

    def _run(self, stop: threading.Event) -> None:
        while not stop.is_set():
            self.poll()
            stop.wait(self.interval)


def holds(mount_point: str | os.PathLike, path: str | os.PathLike | None) -> bool:
    """Whether path (a configured folder, e.g. [backup] folder) lives on the stick mounted at mount_point:
    inside its mount point, or on the same device. Such a stick must not be ejected after an export —
    tonight's backup would find its folder gone."""
    if not path:
        return False
    mount, target = Path(os.path.realpath(mount_point)), Path(os.path.realpath(path))
    if target == mount or mount in target.parents:
        return True
    try:
        return os.stat(mount).st_dev == os.stat(target).st_dev
    except OSError:
        return False


def eject(mount_point: str | os.PathLike, *, proc_mounts: Path = PROC_MOUNTS, timeout: float = 30.0) -> str:
    """Flush and unmount the stick at mount_point; returns how ("udisks", "helper" or "umount").
    StickError when it is still mounted afterwards (a file still open) or was not mounted."""
    mount_point = str(mount_point)
    device = device_of(mount_point, proc_mounts)
    if device is None:
        raise StickError("The USB stick at {path} is not mounted (was it already removed?).", path=mount_point)
    os.sync()  # every byte on the stick before anything else (vfat is also mounted with `flush`)
    tried = []
    for how, argv in _unmounters(device, mount_point):
        try:
            done = subprocess.run(argv, capture_output=True, text=True, timeout=timeout)
        except (OSError, subprocess.TimeoutExpired) as exc:
            tried.append(f"{how}: {exc}")
            continue
        if device_of(mount_point, proc_mounts) is None:
            log.info("ejected %s (%s) by %s", mount_point, device, how)
            return how
        tried.append(f"{how}: {(done.stderr or done.stdout).strip()[:200]}")
    log.warning("could not eject %s: %s", mount_point, "; ".join(tried))
    raise StickError("The USB stick at {path} could not be unmounted (a file on it may still be open). Wait a"
                     " moment and try again before removing it.", path=mount_point)


def _unmounters(device: str, mount_point: str) -> list[tuple[str, list[str]]]:
    ways = []
    if shutil.which("udisksctl") and Path("/run/dbus/system_bus_socket").exists():
        ways.append(("udisks", ["udisksctl", "unmount", "--no-user-interaction", "-b", device]))
    if os.geteuid() == 0 and HELPER.is_file():
        ways.append(("helper", ["sh", str(HELPER), "remove", device, mount_point]))
    if shutil.which("umount"):
        ways.append(("umount", ["umount", mount_point]))
    return ways
