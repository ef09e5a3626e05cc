"""Probe: recognition time for hostile stroke sets (strokes x points, degenerate geometry)."""
from __future__ import annotations

import math
import random
import time

from kiosk.input.handwriting import shared_recognizer

rec = shared_recognizer()
rng = random.Random(7)


def timed(name, strokes):
    t = time.perf_counter()
    try:
        got = rec.classify(strokes, 18)
        out = [g.text for g in got[:5]]
    except Exception as e:  # noqa: BLE001
        out = f"RAISED {type(e).__name__}: {e}"
    print(f"{name:40} {1000 * (time.perf_counter() - t):8.1f} ms  {out}")


timed("warm 一", [[(20 + 6 * i, 50) for i in range(11)]])
timed("40x600 random", [[(rng.uniform(0, 300), rng.uniform(0, 300)) for _ in range(600)] for _ in range(40)])
timed("1x24000 zigzag", [[(150 + 100 * math.sin(i / 3), 150 + 100 * math.cos(i / 7)) for i in range(24000)]])
timed("2000x2 short", [[(rng.uniform(0, 300), rng.uniform(0, 300)), (rng.uniform(0, 300), rng.uniform(0, 300))]
                       for _ in range(2000)])
timed("40x600 same point", [[(100.0, 100.0)] * 600 for _ in range(40)])
timed("1 point", [[(5.0, 5.0)]])
timed("huge coords", [[(1e12 * i, -1e12 * i) for i in range(50)]])
timed("nan/inf", [[(float("nan"), 1.0), (float("inf"), 2.0), (3.0, 4.0)]])
timed("empty strokes", [[], [], []])
timed("100000 points 1 stroke", [[(rng.uniform(0, 300), rng.uniform(0, 300)) for _ in range(100000)]])
