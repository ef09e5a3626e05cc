"""Probe (issue 17.3): one long stroke of N points (a finger held on the pad and wiggled). Run under
`ulimit -v` so a blow-up is a MemoryError/kill of this process only."""
import sys, time, random, resource
sys.path.insert(0, ".")
from kiosk.input.handwriting import Recognizer
rec = Recognizer()
random.seed(17)
n = int(sys.argv[1]); kind = sys.argv[2] if len(sys.argv) > 2 else "random"
if kind == "random":
    strokes = [[(random.random() * 300, random.random() * 300) for _ in range(n)]]
elif kind == "circle":
    import math
    strokes = [[(150 + 100 * math.cos(i / 10), 150 + 100 * math.sin(i / 10)) for i in range(n)]]
else:
    strokes = [[(float(i % 300), float((i * 7) % 300)) for i in range(n)]]
t = time.perf_counter()
got = rec.classify(strokes, 10)
print(n, kind, "%.1f ms" % ((time.perf_counter() - t) * 1000), "maxrss MB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, "".join(g.text for g in got))
