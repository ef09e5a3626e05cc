"""Offline handwriting recognition of one character with Zinnia (no Kivy here).

Zinnia (Debian `libzinnia0`, BSD) is a small SVM recogniser; its Simplified-Chinese model comes from
Tegaki (`tegaki-zinnia-simplified-chinese`, LGPL data); both are installed by scripts/bootstrap.sh.
There is no maintained PyPI binding for Python 3.11 (zinnia-python ships no 3.11 wheel and needs a
compiler and headers), so this module talks to libzinnia.so.0 through ctypes: seven C functions.

Zinnia's own order is good at the shape but knows nothing of how common a character is: its top
`RERANK_POOL` are re-ranked by adding a prior from character (and, in name fields, name) frequency,
so 王 beats a rare look-alike that scored a hair higher.
"""
from __future__ import annotations

import ctypes
import ctypes.util
import logging
import math
import threading
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
RERANK_POOL = 60       # Zinnia results re-ranked with the frequency prior
MAX_STROKES = 64       # bounds: a finger scribble never makes an unbounded C call
MAX_POINTS = 4096
PRIOR_WEIGHT = 0.25    # Zinnia scores of close candidates differ by ~0.1-0.5; the prior nudges

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


def normalise(strokes: Sequence[Stroke], size: int = CANVAS) -> list[list[tuple[int, int]]]:
    """Scale strokes (any units, y downwards) into the model's box, keeping the aspect ratio and
    centring; drops empty strokes and bounds stroke and point counts."""
    pts = [(float(x), float(y)) for s in strokes[:MAX_STROKES] for x, y in s
           if math.isfinite(x) and math.isfinite(y)]
    if not pts:
        return []
    xs, ys = [x for x, _ in pts], [y for _, y in pts]
    w, h = max(xs) - min(xs), max(ys) - min(ys)
    span = max(w, h, 1e-6)
    margin = size * 0.1
    scale = (size - 2 * margin) / span
    ox = margin + ((size - 2 * margin) - w * scale) / 2 - min(xs) * scale
    oy = margin + ((size - 2 * margin) - h * scale) / 2 - min(ys) * scale
    out, budget = [], MAX_POINTS
    for stroke in strokes[:MAX_STROKES]:
        line = [(int(round(x * scale + ox)), int(round(y * scale + oy)))
                for x, y in stroke if math.isfinite(x) and math.isfinite(y)][:budget]
        budget -= len(line)
        if line:
            out.append(line)
        if budget <= 0:
            break
    return out


class Recognizer:
    """Zinnia with the Tegaki zh_CN model; thread-safe (one lock round each C call sequence)."""

    def __init__(self, model: Path | None = None, prior: Callable[[str], float] | None = None) -> None:
        self._lib = _load_library()
        path = model or next((m for m in MODEL_PATHS if m.exists()), None)
        if path is None or not Path(path).exists():
            raise HandwritingUnavailable("Zinnia model not found (apt-get install tegaki-zinnia-simplified-chinese)")
        self._rec = self._lib.zinnia_recognizer_new()
        if not self._lib.zinnia_recognizer_open(self._rec, str(path).encode()):
            self._lib.zinnia_recognizer_destroy(self._rec)
            raise HandwritingUnavailable(f"Zinnia could not open {path}")
        self._char = self._lib.zinnia_character_new()
        self._lock = threading.Lock()
        self.prior = prior

    def classify(self, strokes: Sequence[Stroke], n: int = 10, rerank: bool = True) -> list[Guess]:
        """The `n` best characters for the strokes (each a list of (x, y), y downwards)."""
        norm = normalise(strokes)
        if not norm:
            return []
        lib = self._lib
        raw: list[tuple[str, float]] = []
        with self._lock:
            lib.zinnia_character_clear(self._char)
            lib.zinnia_character_set_width(self._char, CANVAS)
            lib.zinnia_character_set_height(self._char, CANVAS)
            for sid, stroke in enumerate(norm):
                for x, y in stroke:
                    lib.zinnia_character_add(self._char, sid, x, y)
            result = lib.zinnia_recognizer_classify(self._rec, self._char, max(n, RERANK_POOL))
            if not result:
                return []
            try:
                for i in range(lib.zinnia_result_size(result)):
                    value = lib.zinnia_result_value(result, i)
                    if value:
                        raw.append((value.decode("utf-8", "replace"), float(lib.zinnia_result_score(result, i))))
            finally:
                lib.zinnia_result_destroy(result)
        if rerank and self.prior is not None:
            # rank among the pool also counts: Zinnia's order carries information its raw score
            # (a margin, not a probability) spreads unevenly between characters
            scored = [Guess(t, s + PRIOR_WEIGHT * self.prior(t) - 0.03 * i) for i, (t, s) in enumerate(raw)]
            scored.sort(key=lambda g: -g.score)
        else:
            scored = [Guess(t, s) for t, s in raw]
        return scored[:n]

    def close(self) -> None:
        """Free the C objects (also done at exit by the OS)."""
        with self._lock:
            if self._char:
                self._lib.zinnia_character_destroy(self._char)
                self._char = None
            if self._rec:
                self._lib.zinnia_recognizer_destroy(self._rec)
                self._rec = None


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
