"""Where an export can go: removable drives among the mounted filesystems, or a configured folder.

A mount counts as removable when its block device (or the disk it is a partition of) has
/sys/block/<disk>/removable = 1, or when it is mounted under /media or /run/media (desktop
automounters). Pseudo filesystems and read-only mounts are skipped.

A stick is shown by its own label, read the way udev publishes it (the helper names the mount folder
with ASCII only, so a stick labelled "备份 盘" would otherwise show as its UUID): the udev database's
``ID_FS_LABEL_ENC`` (/run/udev/data/b<major>:<minor>) or a /dev/disk/by-label link pointing at the device.
Both carry udev's encoding: unsafe bytes as ``\\xNN`` (``\\x20`` a space, ``\\x2f`` a slash), valid UTF-8
kept as it is, or escaped byte by byte by older udev; :func:`decode_label_enc` undoes both, and reads
a label Chinese Windows wrote in GBK as GB18030 when it is not UTF-8.
"""
from __future__ import annotations

import os
import re
import stat
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


BY_LABEL = Path("/dev/disk/by-label")
UDEV_DATA = Path("/run/udev/data")
LABEL_LIMIT = 64                      # a FAT label is 11 bytes, exFAT 15 characters, NTFS 128: bound the screen
_ENC = re.compile(rb"\\x([0-9A-Fa-f]{2})")


def decode_label_enc(raw: str | bytes) -> str:
    """A label as udev encodes it (``ID_FS_LABEL_ENC``, by-label names) back to the text on the stick.

    Escapes become bytes and the bytes are read as UTF-8; bytes that are not UTF-8 are read as GB18030
    (a superset of GBK: Chinese Windows writes a FAT label in the OEM code page, so "销售部" arrives as
    ``\\xcf\\xfa\\xca\\xdb\\xb2\\xbf``); bytes that are neither become U+FFFD. Control or invisible
    characters are dropped: a label is shown on the screen, never interpreted."""
    data = raw if isinstance(raw, bytes) else os.fsencode(raw)
    text = _label_text(_ENC.sub(lambda m: bytes([int(m.group(1), 16)]), data))
    from kiosk.core.text import printable
    return " ".join(printable(text, multiline=False).split())[:LABEL_LIMIT]


def _label_text(data: bytes) -> str:
    """The label's bytes as text: strict UTF-8 first (what Linux, macOS and udev write), then strict
    GB18030 (a GBK label from Chinese Windows; bytes that are not GBK either are not guessed at), else
    UTF-8 with U+FFFD for what neither reads. A short Latin-1 label can read as GBK ("Cafés"): a FAT label
    carries no code page, and a Chinese desk's sticks are far likelier GBK than Latin-1."""
    for codec in ("utf-8", "gb18030"):
        try:
            return data.decode(codec)
        except UnicodeDecodeError:
            continue
    return data.decode("utf-8", "replace")


def _same_device(link: Path, device: str) -> bool:
    try:
        target = os.readlink(link)
    except OSError:
        return False
    resolved = os.path.normpath(os.path.join(os.path.dirname(os.fspath(link)), target))
    return resolved == os.path.normpath(device) or os.path.realpath(link) == os.path.realpath(device)


def stick_label(device: str, by_label: Path = BY_LABEL, udev_data: Path = UDEV_DATA) -> str | None:
    """The label of the stick in ``device`` (``/dev/sda1``), or None when it has none or none is known."""
    if not device.startswith("/dev/"):
        return None
    try:
        st = os.stat(device)
        if stat.S_ISBLK(st.st_mode):
            record = udev_data / f"b{os.major(st.st_rdev)}:{os.minor(st.st_rdev)}"
            for line in record.read_bytes().splitlines():
                if line.startswith(b"E:ID_FS_LABEL_ENC="):
                    label = decode_label_enc(line.split(b"=", 1)[1])
                    if label:
                        return label
    except OSError:
        pass
    try:
        names = sorted(os.listdir(os.fsencode(by_label)))
    except OSError:
        return None
    for name in names:
        if _same_device(Path(os.fsdecode(os.path.join(os.fsencode(by_label), name))), device):
            label = decode_label_enc(name)
            if label:
                return label
    return None


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
                     writable_only: bool = True, by_label: Path = BY_LABEL,
                     udev_data: Path = UDEV_DATA) -> list[Destination]:
    """Mounted removable drives, in mount order, each by its stick's label where one is known
    (else the mount folder's name); files passed in so tests can fake them."""
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
        label = stick_label(device, by_label, udev_data) or path.name or mount
        if any(d.label == label for d in found):    # two sticks both "KINGSTON": say which folder
            label = f"{label} ({path.name})"
        found.append(Destination(label, path, True))
    return found


def destinations(configured: str | os.PathLike | None = None, **kwargs) -> list[Destination]:
    """Detected sticks first, then the configured folder (if any)."""
    out = removable_drives(**kwargs)
    if configured:
        out.append(Destination(str(configured), Path(configured), False))
    return out
