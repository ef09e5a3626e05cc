"""Where an export can go: removable drives among the mounted filesystems, or a configured folder.

A mount counts as removable when its block device (or the disk it is a partition of) has
/sys/block/<disk>/removable = 1, or when it is mounted under /media or /run/media (desktop
automounters). Pseudo filesystems and read-only mounts are skipped.
"""
from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path

PSEUDO = {"proc", "sysfs", "tmpfs", "devtmpfs", "devpts", "cgroup", "cgroup2", "overlay", "squashfs",
          "securityfs", "debugfs", "tracefs", "mqueue", "pstore", "bpf", "autofs", "fusectl", "configfs",
          "hugetlbfs", "binfmt_misc", "ramfs", "nsfs", "efivarfs"}
AUTOMOUNT_ROOTS = ("/media/", "/run/media/")


@dataclass(frozen=True)
class Destination:
    """A place to write an export: a label for the screen and a folder."""

    label: str
    path: Path
    removable: bool


def _unescape(field: str) -> str:
    # /proc/mounts escapes space, tab, newline and backslash as octal.
    return (field.replace("\\040", " ").replace("\\011", "\t").replace("\\012", "\n")
            .replace("\\134", "\\"))


def _disk_removable(device: str, sys_block: Path) -> bool:
    name = Path(device).name
    if not device.startswith("/dev/") or not name:
        return False
    for disk in sorted(sys_block.iterdir()) if sys_block.is_dir() else []:
        if name == disk.name or (disk / name).exists():
            try:
                return (disk / "removable").read_text().strip() == "1"
            except OSError:
                return False
    return False


def removable_drives(proc_mounts: Path = Path("/proc/mounts"), sys_block: Path = Path("/sys/block"),
                     writable_only: bool = True) -> list[Destination]:
    """Mounted removable drives, in mount order (files passed in so tests can fake them)."""
    try:
        lines = proc_mounts.read_text().splitlines()
    except OSError:
        return []
    found: list[Destination] = []
    for line in lines:
        parts = line.split()
        if len(parts) < 4:
            continue
        device, mount, fstype, options = _unescape(parts[0]), _unescape(parts[1]), parts[2], parts[3].split(",")
        if fstype in PSEUDO or (writable_only and "ro" in options):
            continue
        if not (mount.startswith(AUTOMOUNT_ROOTS) or _disk_removable(device, sys_block)):
            continue
        path = Path(mount)
        if any(d.path == path for d in found):
            continue
        found.append(Destination(path.name or mount, path, True))
    return found


def destinations(configured: str | os.PathLike | None = None, **kwargs) -> list[Destination]:
    """Detected sticks first, then the configured folder (if any)."""
    out = removable_drives(**kwargs)
    if configured:
        out.append(Destination(str(configured), Path(configured), False))
    return out
