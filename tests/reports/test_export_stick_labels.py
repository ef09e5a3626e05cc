"""A stick is shown by its own label (Chinese, spaces, escapes), read as udev publishes it: by-label links
and the udev database's ID_FS_LABEL_ENC, crafted here the way udev writes them."""
from __future__ import annotations

import os
from pathlib import Path

import pytest
from hypothesis import given, settings, strategies as st

from kiosk.reports.usb import LABEL_LIMIT, decode_label_enc, removable_drives, stick_label


def udev_enc(label: str, codec: str) -> str:
    """ID_FS_LABEL_ENC as udev writes a label whose bytes are not UTF-8: every byte escaped as \\xNN."""
    return "".join(f"\\x{b:02x}" for b in label.encode(codec))


# udev's encode_devnode_name: unsafe bytes become \xNN, valid UTF-8 stays (new udev) or is escaped (old).
CASES = [
    ("备份\\x20盘", "备份 盘"),
    ("\\xe5\\xa4\\x87\\xe4\\xbb\\xbd\\x20\\xe7\\x9b\\x98", "备份 盘"),       # byte by byte
    ("MY\\x20USB", "MY USB"),
    ("a\\x2fb", "a/b"),
    ("\\x07\\x1b[31mX", "[31mX"),                                             # control bytes never reach the screen
    # Neither UTF-8 nor GB18030 (0xff starts no GB18030 sequence): the bytes are shown as U+FFFD, not guessed.
    ("\\xff\\xfeKINGSTON", "\ufffd\ufffdKINGSTON"),
    # Chinese Windows writes a FAT label in GBK (code page 936): read as GB18030 when it is not UTF-8.
    (udev_enc("销售部", "gbk"), "销售部"),
    (udev_enc("王伟的U盘", "gbk"), "王伟的U盘"),
    ("\\xcd\\xf5ΰ\\xb5\\xc4U\\xc5\\xcc", "王伟的U盘"),   # 伟 is GBK ce b0, UTF-8 for ΰ: blkid keeps it raw
    (udev_enc("财务 备份", "gbk"), "财务 备份"),
    (udev_enc("销售部", "gbk") + "\\x07\\x1b", "销售部"),                  # control bytes dropped after GBK too
    ("\\xe9\\x94\\x80\\xe5\\x94\\xae", "销售"),                                 # UTF-8 stays UTF-8, never GBK
    ("😀\\x09tab", "😀 tab"),
    ("\\x20\\x20", ""),
    ("Ｆｕｌｌ", "Ｆｕｌｌ"),
]


@pytest.mark.parametrize("raw, shown", CASES)
def test_decode_label_enc(raw, shown):
    assert decode_label_enc(raw) == shown
    assert decode_label_enc(os.fsencode(raw)) == shown


def test_a_label_is_bounded():
    assert len(decode_label_enc("\\xe7\\x9b\\x98" * 500)) == 64
    assert decode_label_enc(udev_enc("盘" * 500, "gbk")) == "盘" * LABEL_LIMIT


def test_the_old_reading_of_a_gbk_label_was_replacement_characters():
    """What the screen showed before (UTF-8 with replace): the reason GB18030 is tried."""
    raw = "销售部".encode("gbk")
    assert raw.decode("utf-8", "replace") == "\ufffd\ufffd\ufffd۲\ufffd"    # and a stray Arabic letter
    assert decode_label_enc(raw) == "销售部"


@settings(max_examples=400, deadline=200)
@given(st.binary(max_size=600))
def test_any_bytes_make_a_short_printable_label(data):
    """Whatever a stick's label bytes are (escaped or raw), a str of at most 64 characters with no control,
    format or line-breaking character, without raising."""
    for raw in (data, "".join(f"\\x{b:02x}" for b in data)):
        shown = decode_label_enc(raw)
        assert isinstance(shown, str) and len(shown) <= LABEL_LIMIT
        assert shown.isprintable() and shown == shown.strip(), repr(shown)


def _by_label(root: Path, entries: dict[str, str]) -> Path:
    """A by-label folder as udev makes it: one link per label, named by its ID_FS_LABEL_ENC."""
    folder = root / "by-label"
    folder.mkdir()
    for name, device in entries.items():
        os.symlink(device, os.path.join(os.fsencode(folder), os.fsencode(name)))
    return folder


def test_mounted_sticks_show_their_labels_from_by_label(tmp_path):
    mounts = tmp_path / "mounts"
    # The helper names folders ASCII only: the Chinese stick is mounted at its UUID, two KINGSTONs as -2.
    mounts.write_text("/dev/sda1 /media/kiosk/7B9F-E72C exfat rw 0 0\n"
                      "/dev/sdb1 /media/kiosk/KINGSTON vfat rw 0 0\n"
                      "/dev/sdc1 /media/kiosk/KINGSTON-2 vfat rw 0 0\n"
                      "/dev/sdd1 /media/kiosk/NOLABEL vfat rw 0 0\n"
                      "/dev/sde1 /media/kiosk/EVIL vfat rw 0 0\n")
    found = removable_drives(mounts, tmp_path / "no-sys", by_label=tmp_path / "none", udev_data=tmp_path / "none")
    assert [d.label for d in found] == ["7B9F-E72C", "KINGSTON", "KINGSTON-2", "NOLABEL", "EVIL"]
    by_label = _by_label(tmp_path, {"\\xe5\\xa4\\x87\\xe4\\xbb\\xbd\\x20\\xe7\\x9b\\x98": "/dev/sda1",
                                    "KINGSTON": "/dev/sdb1", "KINGSTON\\x20": "/dev/sdc1",
                                    "\\x1b[2J\\x0a\\x0d": "/dev/sde1", "unrelated": "/dev/sdz9"})
    found = removable_drives(mounts, tmp_path / "no-sys", by_label=by_label, udev_data=tmp_path / "none")
    assert [d.label for d in found] == ["备份 盘", "KINGSTON", "KINGSTON (KINGSTON-2)", "NOLABEL", "[2J"]
    assert [str(d.path) for d in found][0] == "/media/kiosk/7B9F-E72C"      # the folder stays what it is
    assert stick_label("/dev/sdz1", by_label, tmp_path / "none") is None
    assert stick_label("not-a-device", by_label, tmp_path / "none") is None


def test_two_sticks_with_one_label_are_told_apart(tmp_path):
    mounts = tmp_path / "mounts"
    mounts.write_text("/dev/sdb1 /media/kiosk/KINGSTON vfat rw 0 0\n/dev/sdc1 /media/kiosk/KINGSTON-2 vfat rw 0 0\n")
    dev = tmp_path / "dev"
    by_label = dev / "disk" / "by-label"
    by_label.mkdir(parents=True)
    # Both links (udev keeps the last one; a crafted folder may hold both under different escapes).
    os.symlink("../../sdb1", by_label / "KINGSTON")
    os.symlink("../../sdc1", by_label / "\\x4bINGSTON")
    found = removable_drives(mounts, tmp_path / "no-sys", by_label=by_label, udev_data=tmp_path / "none")
    # The links point at <tmp>/dev/sdX1, not /dev/sdX1: nothing matches, folder names are shown.
    assert [d.label for d in found] == ["KINGSTON", "KINGSTON-2"]


@pytest.mark.skipif(not os.path.exists("/dev/loop0") or os.geteuid() != 0, reason="needs a loop block device")
def test_udev_database_label_of_a_real_block_device(tmp_path):
    st = os.stat("/dev/loop0")
    data = tmp_path / "udev"
    data.mkdir()
    (data / f"b{os.major(st.st_rdev)}:{os.minor(st.st_rdev)}").write_bytes(
        b"S:disk/by-uuid/7B9F-E72C\nE:ID_FS_TYPE=exfat\nE:ID_FS_LABEL=\xe5\xa4\x87\xe4\xbb\xbd_\xe7\x9b\x98\n"
        b"E:ID_FS_LABEL_ENC=\xe5\xa4\x87\xe4\xbb\xbd\\x20\xe7\x9b\x98\n")
    assert stick_label("/dev/loop0", tmp_path / "none", data) == "备份 盘"
    mounts = tmp_path / "mounts"
    mounts.write_text("/dev/loop0 /media/kiosk/7B9F-E72C exfat rw 0 0\n/dev/loop0 /media/kiosk/KIOSK vfat rw 0 0\n")
    found = removable_drives(mounts, tmp_path / "no-sys", by_label=tmp_path / "none", udev_data=data)
    assert [d.label for d in found] == ["备份 盘", "备份 盘 (KIOSK)"]


@pytest.mark.skipif(not os.path.exists("/dev/loop0") or os.geteuid() != 0, reason="needs a loop block device")
def test_udev_database_gbk_label_of_a_real_block_device(tmp_path):
    """A GBK label as the udev database holds it (bytes that are not UTF-8 escaped; 伟's GBK bytes
    \\xce\\xb0 happen to be valid UTF-8 and are kept raw, as blkid does): shown in Chinese."""
    st_dev = os.stat("/dev/loop0")
    data = tmp_path / "udev"
    data.mkdir()
    (data / f"b{os.major(st_dev.st_rdev)}:{os.minor(st_dev.st_rdev)}").write_bytes(
        b"E:ID_FS_TYPE=vfat\nE:ID_FS_LABEL_ENC=\\xcd\\xf5\xce\xb0\\xb5\\xc4U\\xc5\\xcc\n")
    assert stick_label("/dev/loop0", tmp_path / "none", data) == "王伟的U盘"
    mounts = tmp_path / "mounts"
    mounts.write_text("/dev/loop0 /media/kiosk/D978-6EEF vfat rw 0 0\n")
    found = removable_drives(mounts, tmp_path / "no-sys", by_label=tmp_path / "none", udev_data=data)
    assert [d.label for d in found] == ["王伟的U盘"]


def test_a_gbk_by_label_link_is_shown_in_chinese(tmp_path):
    mounts = tmp_path / "mounts"
    mounts.write_text("/dev/sda1 /media/kiosk/7B9F-E72C vfat rw 0 0\n")
    by_label = _by_label(tmp_path, {udev_enc("销售部", "gbk"): "/dev/sda1"})
    found = removable_drives(mounts, tmp_path / "no-sys", by_label=by_label, udev_data=tmp_path / "none")
    assert [d.label for d in found] == ["销售部"]
