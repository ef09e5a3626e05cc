"""Probe (issue 17.3): the recogniser with degenerate and hostile strokes; time per call."""
import sys, time, math, random
sys.path.insert(0, ".")
from kiosk.input.handwriting import Recognizer, normalise
rec = Recognizer()
random.seed(17)
line = [(x, 100.0) for x in range(0, 200, 5)]
cases = {
  "empty list": [], "empty strokes": [[], [], []], "one point": [[(5.0, 5.0)]],
  "one point x 64": [[(float(i), float(i))] for i in range(64)],
  "nan": [[(math.nan, 1.0), (2.0, math.nan)]], "inf": [[(math.inf, 0.0), (0.0, 0.0), (10.0, 10.0)]],
  "huge span": [[(-1e308, 0.0), (1e308, 0.0)]], "huge span y": [[(0.0, -1e308), (0.0, 1e308), (1.0, 1.0)]],
  "1e200": [[(1e200, 1e200), (2e200, 3e200)]], "tiny": [[(0.0, 0.0), (1e-300, 1e-300)]],
  "negative": [[(-500.0, -500.0), (-100.0, -400.0)]], "ints": [[(0, 0), (100, 100)]],
  "bigint": [[(10 ** 400, 0), (0, 0)]],
  "1000 strokes": [[(random.random() * 300, random.random() * 300) for _ in range(20)] for _ in range(1000)],
  "100k points": [[(random.random() * 300, random.random() * 300) for _ in range(100000)]],
  "line": [line], "off pad": [[(5000.0 + x, -3000.0 + y) for x, y in line]],
  "one stroke far": [line, [(1e6, 1e6), (1e6 + 1, 1e6)]],
}
for name, strokes in cases.items():
    t = time.perf_counter()
    try:
        got = rec.classify(strokes, 10)
        res = "".join(g.text for g in got)
    except Exception as exc:
        res = "EXC " + repr(exc)
    print("%-16s %6.1f ms  %s" % (name, (time.perf_counter() - t) * 1000, res[:40]))
