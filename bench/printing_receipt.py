"""Time to build and render a typical sale receipt to ESC/POS bytes, and its size in bytes; then the
layout of a worst-case receipt (every field at its longest, in wide characters) against the
ordinary sale receipt's, p95 of both in the same run.

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
from bench.stats import describe, percentile  # noqa: E402
from kiosk.printing.documents import Item, Pair, Receipt, Text, layout  # noqa: E402
from tests.receipt_samples import sale  # noqa: E402


def worst_case() -> Receipt:
    """A fee-and-sale slip with every typed field at its input limit (kiosk.counter.sales.TEXT_LIMITS,
    lost-and-found 200), in Chinese with a long unbroken Latin word, and a label longer than the paper."""
    from kiosk.counter.sales import TEXT_LIMITS
    wide = "黑色真皮双肩包内有笔记本电脑" * 20
    long_word = "Supercalifragilisticexpialidocious" * 10
    blocks = [Pair("缴费人", wide[:TEXT_LIMITS["payer"]]), Pair("会员号", long_word[:TEXT_LIMITS["member number"]]),
              Pair("交易号", "9" * TEXT_LIMITS["transaction reference"]), Pair("期间", wide[:TEXT_LIMITS["period"]]),
              Pair("物品", wide[:200]), Pair("拾获地点" * 20, wide[:200]), Text("原因：" + wide[:TEXT_LIMITS["reason"]])]
    blocks += [Item(wide[:60], 99, 99_999_999, 9_899_999_901) for _ in range(20)]
    return Receipt(kind="fee", lang="zh_CN", title="收费收据" * 10, header=(wide[:80], long_word[:80]),
                   number="T01-F-000007", blocks=tuple(blocks), footer=(wide[:100],))


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

    # Layout alone (every renderer's first step), ordinary against worst case, interleaved.
    ordinary, worst = sale("zh_CN"), worst_case()
    ordinary_times, worst_times = [], []
    for _ in range(300):
        ordinary_times += timed(lambda: layout(ordinary, 48), 1)
        worst_times += timed(lambda: layout(worst, 48), 1)
    print(f"layout, 80 mm: ordinary sale {len(layout(ordinary, 48))} lines, worst case {len(layout(worst, 48))} lines")
    print(describe("layout ordinary sale", ordinary_times))
    print(describe("layout worst case   ", worst_times))
    print(f"p95 ratio worst / ordinary: {percentile(worst_times, 0.95) / percentile(ordinary_times, 0.95):.1f}")
    worst_render = timed(lambda: render(worst, text_profile), 50)
    worst_raster = timed(lambda: render(worst, raster_profile), 20)
    print(describe("render worst case, text mode  ", worst_render))
    print(describe("render worst case, raster mode", worst_raster))


if __name__ == "__main__":
    main()
