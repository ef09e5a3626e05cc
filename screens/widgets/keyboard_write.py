"""The handwriting pad of the on-screen keyboard: the visitor writes one character with a finger.

Each finished stroke fires `on_strokes(strokes)` with every stroke so far (points in widget
coordinates, y downwards as Zinnia expects); the keyboard recognises them and fills its candidate bar.
"""
from __future__ import annotations

from kivy.graphics import Color, Line, Rectangle
from kivy.uix.widget import Widget

MAX_STROKES = 40       # a scribble past this is not a character; further strokes are ignored
MAX_POINTS = 600       # per stroke: a finger held down and wiggled cannot grow memory
# Palm rule: a touch that overlapped in time with another touch, moved less than this share of the pad
# and less than a third of the extent of a stroke it overlapped with, is a resting palm or finger and is
# dropped, whichever of them lifted first. A dot (丶) written alone is kept; so are two dots, or two
# real strokes, written at once (neither dwarfs the other).
PALM_EXTENT = 0.10
PALM_RATIO = 3.0
REST_EXTENT = PALM_EXTENT  # the name the first rule had (4 %: a palm rolling 6 % of the pad became a stroke)


class _Live:
    """A stroke being drawn by one touch."""

    def __init__(self, points: list[tuple[float, float]]) -> None:
        self.points = points
        self.partners: list[_Live] = []   # the touches that were down at the same time as this one
        self.down = True
        self.kept = False                 # joined the character as a stroke
        self.line = None


class WritingPad(Widget):
    """A square-ish writing area with a guide cross; strokes drawn in ink."""

    __events__ = ("on_strokes",)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.strokes: list[list[tuple[float, float]]] = []
        self._lines: list[Line] = []
        self._live: dict[object, _Live] = {}   # touch uid -> the stroke it is drawing
        self._waiting: list[_Live] = []        # lifted small touches whose partners are still down
        self.bind(pos=self._redraw, size=self._redraw)

    def _redraw(self, *args) -> None:
        self.canvas.before.clear()
        with self.canvas.before:
            Color(1, 1, 1, 1)
            Rectangle(pos=self.pos, size=self.size)
            Color(0.85, 0.87, 0.90, 1)
            cx, cy = self.center
            Line(points=[self.x, cy, self.right, cy], width=1, dash_length=6, dash_offset=6)
            Line(points=[cx, self.y, cx, self.top], width=1, dash_length=6, dash_offset=6)
        self._paint()

    def _paint(self) -> None:
        self.canvas.clear()
        self._lines = []
        with self.canvas:
            Color(0.10, 0.12, 0.16, 1)
            for stroke in self.strokes:
                self._lines.append(Line(points=self._screen(stroke), width=3))
            for live in self._live.values():
                live.line = Line(points=self._screen(live.points), width=3)

    def on_touch_down(self, touch):
        if not self.collide_point(*touch.pos) or len(self.strokes) + len(self._live) >= MAX_STROKES:
            return super().on_touch_down(touch)
        # Each touch draws its own stroke (keyed by touch.uid): a palm resting on the pad, or a second
        # finger, never feeds its points into the writing finger's stroke. A stroke joins the
        # character (and is recognised) only when its touch lifts, so a touch still resting is no
        # part of what the finger wrote.
        touch.grab(self)
        live = _Live([self._local(touch)])
        for other in self._live.values():
            other.partners.append(live)
            live.partners.append(other)
        self._live[touch.uid] = live
        self._paint()
        return True

    def on_touch_move(self, touch):
        if touch.grab_current is not self:
            return super().on_touch_move(touch)
        live = self._live.get(touch.uid)
        if live is not None and len(live.points) < MAX_POINTS:
            live.points.append(self._local(touch))
            if live.line is not None:
                live.line.points = self._screen(live.points)
        return True

    def on_touch_up(self, touch):
        if touch.grab_current is not self:
            return super().on_touch_up(touch)
        touch.ungrab(self)
        live = self._live.pop(touch.uid, None)
        if live is None:
            return True
        live.down = False
        if self._small(live) and any(p.down for p in live.partners):
            # maybe a palm lifted before the finger: decided once every touch it overlapped has lifted
            self._waiting.append(live)
        else:
            self._decide(live)
        for waiting in [w for w in self._waiting if not any(p.down for p in w.partners)]:
            self._waiting.remove(waiting)
            self._decide(waiting)
        self._paint()
        return True

    def _small(self, live: _Live) -> bool:
        return self._extent(live.points) < PALM_EXTENT * min(self.width, self.height)

    def _decide(self, live: _Live) -> None:
        """Keep a lifted touch as a stroke (and recognise) unless it is a resting palm (PALM_EXTENT)."""
        extent = self._extent(live.points)
        if self._small(live) and any(p.kept and self._extent(p.points) > PALM_RATIO * extent for p in live.partners):
            return  # held (nearly) still while another touch wrote a stroke: a palm, not a dot
        if len(self.strokes) >= MAX_STROKES:
            return
        live.kept = True
        self.strokes.append(live.points)
        self.dispatch("on_strokes", [list(s) for s in self.strokes])

    @staticmethod
    def _extent(points: list[tuple[float, float]]) -> float:
        xs, ys = [x for x, _ in points], [y for _, y in points]
        return max(max(xs) - min(xs), max(ys) - min(ys))

    def _screen(self, stroke) -> list[float]:
        return [c for x, y in stroke for c in (self.x + x, self.top - y)]

    def _local(self, touch) -> tuple[float, float]:
        # clamp: a finger sliding off the pad keeps drawing at its edge
        x = min(max(touch.x, self.x), self.right) - self.x
        y = self.top - min(max(touch.y, self.y), self.top)
        return (x, y)

    def undo(self) -> None:
        """Remove the last stroke and recognise again."""
        if self.strokes:
            self.strokes.pop()
            self._paint()
            self.dispatch("on_strokes", [list(s) for s in self.strokes])

    def clear(self) -> None:
        """Remove every stroke (after a pick, or the Clear key)."""
        self.strokes = []
        self._live = {}
        self._waiting = []
        self._paint()
        self.dispatch("on_strokes", [])

    def on_strokes(self, strokes) -> None:
        """Fired with all strokes after each stroke, undo or clear."""
