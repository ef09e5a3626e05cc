"""Probe (issue 17.3): the worst the WritingPad lets through (40 strokes x 600 points, a scribble),
fed to the recogniser as the pad does; time and memory."""
import sys, time, random, resource
sys.path.insert(0, ".")
from kiosk.input.handwriting import Recognizer
from screens.widgets import keyboard_write as kw
rec = Recognizer()
random.seed(17)
strokes = [[(random.random() * 300, random.random() * 300) for _ in range(kw.MAX_POINTS)] for _ in range(kw.MAX_STROKES)]
worst = 0
for k in range(1, kw.MAX_STROKES + 1):   # the pad recognises after every stroke, with all strokes so far
    t = time.perf_counter()
    rec.classify(strokes[:k], 10)
    dt = (time.perf_counter() - t) * 1000
    worst = max(worst, dt)
    if k <= 10 or k % 10 == 0:
        print(k, "strokes %.0f ms" % dt, "maxrss MB", resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024, flush=True)
print("worst %.0f ms" % worst)
