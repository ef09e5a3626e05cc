"""Handwriting accuracy and speed on strokes nobody here drew (issue 17).

Strokes: the stroke medians of hanzi-writer-data 2.0.1 (npm registry; derived from Make Me a
Hanzi, Arphic Public Licence) for the 500 most common characters (jieba's character frequencies),
fed as finger strokes (y flipped to screen coordinates, points resampled every ~20 units as a
finger would report them). Prints top-1/5/10 accuracy and recognition p50/p95 for Zinnia's raw order
(the baseline, same run) and for the frequency re-ranked order the keyboard uses.

    npm pack hanzi-writer-data@2.0.1 && tar xzf hanzi-writer-data-2.0.1.tgz
    .venv/bin/python bench/handwriting_bench.py package/
"""
from __future__ import annotations

import json
import math
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from kiosk.input.handwriting import Recognizer  # noqa: E402
from kiosk.input.pinyin import PinyinEngine  # noqa: E402


def resample(stroke, step=20.0):
    out = [stroke[0]]
    for (x0, y0), (x1, y1) in zip(stroke, stroke[1:]):
        n = max(1, int(math.hypot(x1 - x0, y1 - y0) / step))
        out += [(x0 + (x1 - x0) * i / n, y0 + (y1 - y0) * i / n) for i in range(1, n + 1)]
    return out


def pct(values, q):
    values = sorted(values)
    return values[min(len(values) - 1, int(len(values) * q))]


def main(folder: Path, count: int = 500) -> None:
    engine = PinyinEngine().load()
    freq = engine._require().char_freq
    chars = [c for c, _ in sorted(freq.items(), key=lambda e: -e[1]) if (folder / f"{c}.json").exists()][:count]
    rec = Recognizer(prior=engine.char_prior)
    for label, rerank, feed in (("raw medians, Zinnia order (baseline)", False, False),
                                ("raw medians, re-ranked", True, False),
                                ("finger-sampled, re-ranked", True, True)):
        hits = {1: 0, 5: 0, 10: 0}
        times = []
        for ch in chars:
            medians = json.loads((folder / f"{ch}.json").read_text())["medians"]
            strokes = [[(x, 900 - y) for x, y in m] for m in medians]
            if feed:
                strokes = [resample(s) for s in strokes]
            start = time.perf_counter()
            got = [g.text for g in rec.classify(strokes, 10, rerank=rerank)]
            times.append((time.perf_counter() - start) * 1000)
            for k in hits:
                hits[k] += ch in got[:k]
        n = len(chars)
        print(f"{label}: n={n} top-1 {100 * hits[1] / n:.1f} %  top-5 {100 * hits[5] / n:.1f} %  "
              f"top-10 {100 * hits[10] / n:.1f} %  p50 {statistics.median(times):.1f} ms  p95 {pct(times, 0.95):.1f} ms")


if __name__ == "__main__":
    main(Path(sys.argv[1] if len(sys.argv) > 1 else "package"))
