"""Time to build and render a typical sale receipt to ESC/POS bytes, and its size in bytes.

Run: .venv/bin/python bench/printing_receipt.py. Baseline in the same run: python-escpos' own
text() path for the same lines (its automatic encoder, which we do not use for Chinese).
"""
from __future__ import annotations

import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from escpos.printer import Dummy  # noqa: E402

from hardware.printer.escpos import PrinterProfile, render  # noqa: E402
from kiosk.printing.documents import layout  # noqa: E402
from tests.receipt_samples import sale  # noqa: E402


def timed(fn, runs: int) -> list[float]:
    out = []
    for _ in range(runs):
        start = time.perf_counter()
        fn()
        out.append(time.perf_counter() - start)
    return out


def main() -> None:
    receipt = sale("zh_CN")
    text_profile, raster_profile = PrinterProfile(80, "gb18030"), PrinterProfile(80, "raster")

    def baseline() -> bytes:
        printer = Dummy()
        for line, _ in layout(receipt, 48):
            printer.text(line + "\n")
        printer.cut()
        return printer.output

    render(receipt, raster_profile)  # warm font caches
    runs = 200
    text_times = timed(lambda: render(sale("zh_CN"), text_profile), runs)
    raster_times = timed(lambda: render(sale("zh_CN"), raster_profile), 50)
    base_times = timed(baseline, runs)
    med = statistics.median
    print(f"sale receipt, 80 mm, {len(receipt.blocks)} blocks")
    print(f"text mode (GB18030)   median {med(text_times) * 1000:6.2f} ms   {len(render(receipt, text_profile)):6d} bytes")
    print(f"raster mode (images)  median {med(raster_times) * 1000:6.2f} ms   {len(render(receipt, raster_profile)):6d} bytes")
    print(f"python-escpos text()  median {med(base_times) * 1000:6.2f} ms   {len(baseline()):6d} bytes  (baseline)")
    print(f"ratio text mode / baseline: {med(text_times) / med(base_times):.2f}")


if __name__ == "__main__":
    main()
