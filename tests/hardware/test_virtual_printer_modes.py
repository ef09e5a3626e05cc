"""The virtual printer (the config default) keeps slips that name people (the roll call lists everyone on
site): its folder 0700 and its PNGs 0600 whatever the umask (outside test, fifth round, finding 8)."""
from __future__ import annotations

import os

from PIL import Image

from hardware.printer.connections import VirtualPrinter
from kiosk.printing.documents import Receipt, Text


def test_slips_are_for_the_owner_only_under_umask_000(tmp_path):
    folder = tmp_path / "state" / "receipts"
    old = os.umask(0)
    try:
        result = VirtualPrinter(folder).send(b"", Receipt(kind="badge", lang="zh_CN", title="访客",
                                                          blocks=(Text("欧阳娜娜"),)))
    finally:
        os.umask(old)
    assert result.confirmed, result
    assert folder.stat().st_mode & 0o777 == 0o700
    (png,) = list(folder.iterdir())
    assert png.suffix == ".png" and png.stat().st_mode & 0o777 == 0o600
    assert Image.open(png).size[0] > 100
