"""Offline handwriting recognition of one character with Zinnia (no Kivy here).

Zinnia (Debian `libzinnia0`, BSD) is a small SVM recogniser; its Simplified-Chinese model comes from
Tegaki (`tegaki-zinnia-simplified-chinese`, LGPL data); both are installed by scripts/bootstrap.sh.
There is no maintained PyPI binding for Python 3.11 (zinnia-python ships no 3.11 wheel and needs a
compiler and headers), so this module talks to libzinnia.so.0 through ctypes: seven C functions.

Zinnia's own order is good at the shape but knows nothing of how common a character is, and it is
sensitive to where in its box a character sits. So a character is classified in the first of
`VIEWS` (placements in the box: generous margins, lifted slightly, as the Tegaki writers wrote), and
in the second too when the first is unsure and time allows; the views' top `RERANK_POOL` are merged
(mean score less a small rank penalty), and a log-frequency prior from character and name frequency
is added, so 王 beats a rare look-alike that scored a hair higher.
The views, weights and pool were chosen on held-out characters (frequency ranks 501-1,500 of
hanzi-writer-data), never on the 500 the bench reports (bench/handwriting_bench.py).
"""
from __future__ import annotations

import ctypes
import ctypes.util
import logging
import math
import queue
import threading
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Callable, Sequence

log = logging.getLogger(__name__)

LIBRARY_NAMES = ("libzinnia.so.0", "zinnia")
MODEL_PATHS = (
    Path("/usr/share/tegaki/models/zinnia/handwriting-zh_CN.model"),
    Path("/usr/local/share/tegaki/models/zinnia/handwriting-zh_CN.model"),
)
CANVAS = 1000          # the Tegaki models were trained on a 1000 x 1000 box
RERANK_POOL = 60       # Zinnia results per view merged and re-ranked with the frequency prior
MAX_STROKES = 64       # bounds: a finger scribble never makes an unbounded C call
MAX_POINTS = 4096
# Zinnia's feature extraction splits each stroke recursively at its farthest point: on a wiggled
# stroke of hundreds of points its time and memory blow up (2,000 points: 1.2 s and 964 MB). Every
# stroke is therefore simplified first (Ramer-Douglas-Peucker, the same kind of vertex search Zinnia
# makes, so the shape it sees is kept) to at most STROKE_POINTS points, from at most RAW_POINTS read.
STROKE_POINTS = 48
RAW_POINTS = 4096      # points of one stroke looked at; the rest of a held-down finger is ignored
SIMPLIFY = 0.004       # RDP tolerance as a share of the character's extent (4 units of Zinnia's 1000)
COORD_LIMIT = 1e7      # |x|, |y| past this is no touch coordinate: dropped like NaN
# All strokes together, after simplifying: Zinnia's time follows the points it is given (a scribble of
# 160 points in 10-40 strokes: 20-27 ms of CPU here). The 9,500 characters of hanzi-writer-data,
# finger-sampled and simplified, need at most 127 (p99 107), so only a scribble is thinned further.
TOTAL_POINTS = 160
PRIOR_WEIGHT = 0.1     # Zinnia scores of close candidates differ by ~0.1-0.5; the prior (0-10) nudges
RANK_PENALTY = 0.01    # per place in a view's list: Zinnia's order carries information its score lacks
# (margin as a share of the box, vertical shift in box units; negative = up). One view with a 10 %
# margin, centred, was the old normalisation: on the held-out characters these two lift top-5 from
# 88.8 % to 91.2 % and top-1 from 74 % to 84 %; each view is one Zinnia call (~8 ms here).
VIEWS = ((0.25, -30), (0.15, -30))
# The pad answers within this (seconds) even on a box whose cores are busy elsewhere: a helper view
# not back by then is left out (the first view alone: top-5 90.1 % instead of 91.1 % on the dev set).
# One Zinnia call is ~6 ms of CPU here; 35 ms leaves the 50 ms target room for the re-ranking.
BUDGET = 0.035
# Adaptive (the default): the second placement is asked only when the first one's best leads the
# runner-up by less than this (combined score). On the dev set 0.3 asks it for 24 % of characters and
# keeps top-1 at 83.8 % (both views always: 83.7 %), top-5 90.8 % (91.1 %), for ~1.25 calls, not 2.
SURE_MARGIN = 0.3
WAIT_LIMIT = 10.0  # seconds: the longest a recognition without a budget waits for a helper view

Stroke = Sequence[tuple[float, float]]


class HandwritingUnavailable(RuntimeError):
    """libzinnia or its model is not installed on this box."""


@dataclass(frozen=True)
class Guess:
    """One recognised character and its combined score (higher is better)."""

    text: str
    score: float


def _load_library() -> ctypes.CDLL:
    for name in LIBRARY_NAMES:
        path = ctypes.util.find_library(name) if "." not in name else name
        if not path:
            continue
        try:
            lib = ctypes.CDLL(path)
        except OSError:
            continue
        _declare(lib)
        return lib
    raise HandwritingUnavailable("libzinnia not found (apt-get install libzinnia0)")


def _declare(lib: ctypes.CDLL) -> None:
    p, c_size, c_int = ctypes.c_void_p, ctypes.c_size_t, ctypes.c_int
    for name, restype, args in (
        ("zinnia_recognizer_new", p, []),
        ("zinnia_recognizer_open", c_int, [p, ctypes.c_char_p]),
        ("zinnia_recognizer_destroy", None, [p]),
        ("zinnia_recognizer_classify", p, [p, p, c_size]),
        ("zinnia_character_new", p, []),
        ("zinnia_character_destroy", None, [p]),
        ("zinnia_character_clear", None, [p]),
        ("zinnia_character_set_width", None, [p, c_size]),
        ("zinnia_character_set_height", None, [p, c_size]),
        ("zinnia_character_add", c_int, [p, c_size, c_int, c_int]),
        ("zinnia_result_size", c_size, [p]),
        ("zinnia_result_value", ctypes.c_char_p, [p, c_size]),
        ("zinnia_result_score", ctypes.c_float, [p, c_size]),
        ("zinnia_result_destroy", None, [p]),
    ):
        fn = getattr(lib, name)
        fn.restype, fn.argtypes = restype, args


def _point(x: object, y: object) -> tuple[float, float] | None:
    """(x, y) as floats, or None for a coordinate no screen reports (NaN, inf, 1e400, "a")."""
    try:
        fx, fy = float(x), float(y)  # type: ignore[arg-type]
    except (TypeError, ValueError, OverflowError):
        return None
    if not (math.isfinite(fx) and math.isfinite(fy)) or abs(fx) > COORD_LIMIT or abs(fy) > COORD_LIMIT:
        return None
    return fx, fy


def _rdp(points: list[tuple[float, float]], eps: float) -> list[tuple[float, float]]:
    """Ramer-Douglas-Peucker: the points that stay farther than `eps` from the chords (iterative)."""
    if len(points) < 3:
        return list(points)
    keep = [False] * len(points)
    keep[0] = keep[-1] = True
    stack = [(0, len(points) - 1)]
    while stack:
        a, b = stack.pop()
        (ax, ay), (bx, by) = points[a], points[b]
        dx, dy = bx - ax, by - ay
        norm = math.hypot(dx, dy)
        far, far_d = -1, eps
        for i in range(a + 1, b):
            px, py = points[i]
            d = abs(dx * (ay - py) - dy * (ax - px)) / norm if norm else math.hypot(px - ax, py - ay)
            if d > far_d:
                far, far_d = i, d
        if far >= 0:
            keep[far] = True
            stack += [(a, far), (far, b)]
    return [p for p, k in zip(points, keep) if k]


def simplify(stroke: list[tuple[float, float]], extent: float, limit: int = STROKE_POINTS) -> list[tuple[float, float]]:
    """At most `limit` points of `stroke` that keep its shape (RDP with tolerance SIMPLIFY of
    `extent`). Bounded work: thinned by stride to 2 x limit points before, and to `limit` after."""
    stroke = _thin(stroke, 2 * limit)
    return _thin(_rdp(stroke, max(extent, 1e-6) * SIMPLIFY), limit)


def _thin(stroke: list[tuple[float, float]], limit: int) -> list[tuple[float, float]]:
    """Every k-th point (first and last kept) so that at most `limit` remain."""
    if len(stroke) <= limit:
        return stroke
    if limit < 2:
        return stroke[:limit]
    step = (len(stroke) - 1) / (limit - 1)
    return [stroke[round(i * step)] for i in range(limit)]


def prepare(strokes: Sequence[Stroke]) -> list[list[tuple[float, float]]]:
    """Strokes as a recogniser may take them, whatever was passed: at most MAX_STROKES strokes of at
    most STROKE_POINTS finite, bounded points each and TOTAL_POINTS in all (bad points and empty
    strokes dropped). The work is bounded too: at most 4 x STROKE_POINTS points of a stroke are read."""
    clean = []
    for stroke in list(strokes[:MAX_STROKES]) if isinstance(strokes, Sequence) else []:
        try:
            raw = _thin(list(stroke[:RAW_POINTS]), 4 * STROKE_POINTS)
        except TypeError:
            continue
        line = []
        for item in raw:
            try:
                x, y = item
            except (TypeError, ValueError):
                continue
            point = _point(x, y)
            if point is not None:
                line.append(point)
        if line:
            clean.append(line)
    if not clean:
        return []
    xs = [x for s in clean for x, _ in s]
    ys = [y for s in clean for _, y in s]
    extent = max(max(xs) - min(xs), max(ys) - min(ys))
    out = [simplify(s, extent) for s in clean]
    total = sum(len(s) for s in out)
    if total > TOTAL_POINTS:  # a scribble: every stroke thinned in proportion (its ends kept)
        out = [_thin(s, max(2, TOTAL_POINTS * len(s) // total)) for s in out]
    return out


def normalise(strokes: Sequence[Stroke], size: int = CANVAS, margin: float = 0.1,
              shift: int = 0) -> list[list[tuple[int, int]]]:
    """Scale strokes (any units, y downwards) into the model's box, keeping the aspect ratio and
    centring inside `margin` (a share of the box) and moving it `shift` units down (negative: up);
    drops non-finite points and empty strokes and bounds stroke and point counts (`prepare`)."""
    strokes = prepare(strokes)
    pts = [p for s in strokes for p in s]
    if not pts:
        return []
    xs, ys = [x for x, _ in pts], [y for _, y in pts]
    w, h = max(xs) - min(xs), max(ys) - min(ys)
    span = max(w, h, 1e-6)
    margin = size * min(0.45, max(0.0, margin))
    scale = (size - 2 * margin) / span
    ox = margin + ((size - 2 * margin) - w * scale) / 2 - min(xs) * scale
    oy = margin + ((size - 2 * margin) - h * scale) / 2 - min(ys) * scale + shift
    out, budget = [], MAX_POINTS
    for stroke in strokes[:MAX_STROKES]:
        line = [(int(round(x * scale + ox)), int(round(y * scale + oy))) for x, y in stroke][:budget]
        budget -= len(line)
        if line:
            out.append(line)
        if budget <= 0:
            break
    return out


class _Handle:
    """One Zinnia recogniser + character object, with its lock (one C call sequence at a time).
    Zinnia maps the model file, so a second handle costs little memory: the pages are shared."""

    def __init__(self, lib: ctypes.CDLL, path: Path) -> None:
        self._lib = lib
        self.rec = lib.zinnia_recognizer_new()
        if not lib.zinnia_recognizer_open(self.rec, str(path).encode()):
            lib.zinnia_recognizer_destroy(self.rec)
            self.rec = None
            raise HandwritingUnavailable(f"Zinnia could not open {path}")
        self.char = lib.zinnia_character_new()
        self.lock = threading.Lock()

    def raw(self, norm: list[list[tuple[int, int]]], n: int) -> list[tuple[str, float]]:
        """Zinnia's `n` best for normalised strokes, its order."""
        if not norm:
            return []
        lib = self._lib
        raw: list[tuple[str, float]] = []
        with self.lock:
            if not self.rec or not self.char:
                return []  # closed
            char = self.char
            lib.zinnia_character_clear(char)
            lib.zinnia_character_set_width(char, CANVAS)
            lib.zinnia_character_set_height(char, CANVAS)
            add = lib.zinnia_character_add
            for sid, stroke in enumerate(norm):
                for x, y in stroke:
                    add(char, sid, x, y)
            # ctypes lets go of the GIL for the call: the other view runs meanwhile
            result = lib.zinnia_recognizer_classify(self.rec, char, n)
            if not result:
                return []
            try:
                for i in range(lib.zinnia_result_size(result)):
                    value = lib.zinnia_result_value(result, i)
                    if value:
                        raw.append((value.decode("utf-8", "replace"), float(lib.zinnia_result_score(result, i))))
            finally:
                lib.zinnia_result_destroy(result)
        return raw

    def close(self) -> None:
        with self.lock:
            if self.char:
                self._lib.zinnia_character_destroy(self.char)
                self.char = None
            if self.rec:
                self._lib.zinnia_recognizer_destroy(self.rec)
                self.rec = None


class _Helper:
    """A daemon thread that runs one view's Zinnia call while the caller runs the other: the
    recognition takes the time of one call, not two, wherever a second core is free (the Pi has
    four; on a loaded box the scheduler gives two runnable threads two shares)."""

    def __init__(self) -> None:
        self._jobs: "queue.SimpleQueue" = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._run, name="zinnia-view", daemon=True)
        self._thread.start()

    def submit(self, fn: Callable[[], list]) -> "_Pending":
        pending = _Pending()
        self._jobs.put((fn, pending))
        return pending

    def _run(self) -> None:
        while True:
            fn, pending = self._jobs.get()
            if fn is None:
                return
            if pending.abandoned:
                pending.done.set()
                continue  # its caller answered without it: no use spending a core on it now
            try:
                pending.value = fn()
            except BaseException as exc:  # noqa: BLE001 - handed back to the caller, who raises it
                pending.error = exc
            pending.done.set()

    def stop(self) -> None:
        self._jobs.put((None, None))


class _Pending:
    def __init__(self) -> None:
        self.done = threading.Event()
        self.value: list = []
        self.error: BaseException | None = None
        self.abandoned = False

    def result(self, timeout: float | None) -> list | None:
        """The view's list, or None when it is not back within `timeout` seconds (then abandoned)."""
        if not self.done.wait(timeout):
            self.abandoned = True
            return None
        if self.error is not None:
            raise self.error
        return self.value


class Recognizer:
    """Zinnia with the Tegaki zh_CN model; thread-safe. One Zinnia handle per view. By default the
    second placement is asked only when the first is unsure and time allows (`adaptive`);
    `parallel=True` runs it on a helper thread beside the first instead (a box with idle cores)."""

    def __init__(self, model: Path | None = None, prior: Callable[[str], float] | None = None,
                 parallel: bool = False, budget: float | None = BUDGET, adaptive: bool = True) -> None:
        self._lib = _load_library()
        path = model or next((m for m in MODEL_PATHS if m.exists()), None)
        if path is None or not Path(path).exists():
            raise HandwritingUnavailable("Zinnia model not found (apt-get install tegaki-zinnia-simplified-chinese)")
        self._handles = [_Handle(self._lib, Path(path))]
        try:
            self._handles += [_Handle(self._lib, Path(path)) for _ in VIEWS[1:]]
        except HandwritingUnavailable:
            self._handles[0].close()
            raise
        self._helpers = [_Helper() for _ in VIEWS[1:]] if parallel else []
        self.prior = prior
        # parallel only: how long (seconds from the start) a recognition waits for the helper's
        # views before answering with what it has; None waits for them (same answer every time)
        self.budget = budget
        self.adaptive = adaptive
        self.late_views = 0   # views left out for being late (the bench reports it)
        self.second_views = 0  # adaptive: how often the second placement was asked
        self._closed = False

    def classify(self, strokes: Sequence[Stroke], n: int = 10, rerank: bool = True) -> list[Guess]:
        """The `n` best characters for the strokes (each a list of (x, y), y downwards).

        `rerank=False` is Zinnia's own order for the old single centred view (the bench's baseline)."""
        strokes = prepare(strokes)  # once, not per view: bounded time and memory whatever came in
        if not rerank:
            return [Guess(t, s) for t, s in self._raw(normalise(strokes), max(n, 1))][:n]
        norms = [normalise(strokes, margin=m, shift=dy) for m, dy in VIEWS]
        if not norms[0] or self._closed:
            return []
        start = time.perf_counter()
        pending = [helper.submit(lambda h=handle, v=norm: h.raw(v, RERANK_POOL))
                   for helper, handle, norm in zip(self._helpers, self._handles[1:], norms[1:])]
        views = [self._handles[0].raw(norms[0], RERANK_POOL)]
        if not views[0]:
            return []
        if pending:
            for p in pending:
                # no budget: wait, but never for ever (a helper stopped by close() answers nothing)
                left = WAIT_LIMIT if self.budget is None else max(0.0, self.budget - (time.perf_counter() - start))
                view = p.result(left)
                if view is None:
                    self.late_views += 1  # a machine too busy to give the second core in time
                elif view:
                    views.append(view)
            return self._merge(views)[:n]
        if not self.adaptive:
            views += [v for v in (h.raw(x, RERANK_POOL) for h, x in zip(self._handles[1:], norms[1:])) if v]
            return self._merge(views)[:n]
        # adaptive: the first placement alone when it is sure (its best leads by SURE_MARGIN); the
        # second only for the unsure ones, and only if the first came back quickly enough that two
        # calls still fit the budget (on a busy box one call has to do)
        scored = self._merge(views)
        for handle, norm in zip(self._handles[1:], norms[1:]):
            if len(scored) > 1 and scored[0].score - scored[1].score >= SURE_MARGIN:
                break
            if self.budget is not None and time.perf_counter() - start > self.budget / 2:
                self.late_views += 1
                break
            view = handle.raw(norm, RERANK_POOL)
            if view:
                views.append(view)
                self.second_views += 1
                scored = self._merge(views)
        return scored[:n]

    def _merge(self, views: list[list[tuple[str, float]]]) -> list[Guess]:
        """The views' lists merged and re-ranked with the frequency prior, best first."""
        # each view: text -> its score less the rank penalty; a character missing from a view gets
        # that view's floor (below its last entry), so one view alone cannot carry a stray guess
        placed = [{t: s - RANK_PENALTY * i for i, (t, s) in reversed(list(enumerate(view)))} for view in views]
        floors = [view[-1][1] - RANK_PENALTY * RERANK_POOL for view in views]
        texts = dict.fromkeys(t for view in views for t, _ in view)  # first seen first: ties keep Zinnia's order
        merged = {t: sum(p.get(t, f) for p, f in zip(placed, floors)) / len(views) for t in texts}
        prior = self.prior or (lambda ch: 0.0)
        scored = [Guess(t, s + PRIOR_WEIGHT * prior(t)) for t, s in merged.items()]
        scored.sort(key=lambda g: -g.score)
        return scored

    def _raw(self, norm: list[list[tuple[int, int]]], n: int) -> list[tuple[str, float]]:
        """Zinnia's `n` best for normalised strokes, its order (the first handle)."""
        return self._handles[0].raw(norm, n)

    def close(self) -> None:
        """Free the C objects (also done at exit by the OS) and stop the helper threads."""
        self._closed = True
        for helper in self._helpers:
            helper.stop()
        for handle in self._handles:
            handle.close()


def frequency_prior(freq: dict[str, float]) -> Callable[[str], float]:
    """log-frequency prior, 0 for the rarest known character, ~10 for the most common."""
    if not freq:
        return lambda ch: 0.0
    top = math.log1p(max(freq.values()))

    def prior(ch: str) -> float:
        return 10.0 * math.log1p(freq.get(ch, 0.0)) / top
    return prior


_shared: Recognizer | None = None
_shared_lock = threading.Lock()


def shared_recognizer() -> Recognizer:
    """One recogniser per process, with the pinyin engine's frequency prior; raises
    HandwritingUnavailable if Zinnia or its model is missing."""
    global _shared
    with _shared_lock:
        if _shared is None:
            from kiosk.input import pinyin
            engine = pinyin.shared_engine()
            _shared = Recognizer(prior=lambda ch: engine.char_prior(ch))
        return _shared
