"""Pinyin engine: index load time (cold build, cached) and candidate lookup p50/p95.

Baseline in the same run: a plain dict lookup of the same number of keys, to show the lookup's
cost relative to the cheapest possible operation on this machine.

    .venv/bin/python bench/pinyin_bench.py
"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk.input.pinyin import PinyinEngine  # noqa: E402

INPUTS = ["wang", "li", "zhang", "wangxiaoming", "wxm", "wangxm", "zhangsan", "lixiaohong",
          "chenjianguo", "xi'an", "fangan", "zhongguorenmin", "beijingshi", "zh", "s", "liu"]


def pct(values: list[float], q: float) -> float:
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))]


def main() -> None:
    with tempfile.TemporaryDirectory() as tmp:
        cold = PinyinEngine(cache_dir=Path(tmp)).load()
        cached = [PinyinEngine(cache_dir=Path(tmp)).load().load_seconds for _ in range(3)]
        engine = PinyinEngine(cache_dir=Path(tmp)).load()
    print(f"load cold build: {cold.load_seconds:.2f} s; cached: median {statistics.median(cached):.3f} s "
          f"({cold.load_seconds / statistics.median(cached):.0f}x faster)")

    times, base = [], []
    table = {typed: typed for typed in INPUTS}
    for _ in range(50):
        for typed in INPUTS:
            start = time.perf_counter()
            engine.candidates(typed, 60)
            times.append(time.perf_counter() - start)
            start = time.perf_counter()
            table.get(typed)
            base.append(time.perf_counter() - start)
    p50, p95 = statistics.median(times) * 1000, pct(times, 0.95) * 1000
    b50 = statistics.median(base) * 1000
    print(f"candidates(limit=60) over {len(times)} lookups: p50 {p50:.2f} ms, p95 {p95:.2f} ms "
          f"(target ≤ 20 ms); dict-lookup baseline p50 {b50 * 1000:.2f} µs, ratio {p50 / b50:.0f}x")


if __name__ == "__main__":
    main()
