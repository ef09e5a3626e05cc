"""The handwriting pad of the on-screen keyboard: the visitor writes one character with a finger.

Each finished stroke fires `on_strokes(strokes)` with every stroke so far (points in widget
coordinates, y downwards as Zinnia expects); the keyboard recognises them and fills its candidate bar.
"""
from __future__ import annotations

from kivy.graphics import Color, Line, Rectangle
from kivy.uix.widget import Widget

MAX_STROKES = 40       # a scribble past this is not a character; further strokes are ignored
MAX_POINTS = 600       # per stroke: a finger held down and wiggled cannot grow memory


class WritingPad(Widget):
    """A square-ish writing area with a guide cross; strokes drawn in ink."""

    __events__ = ("on_strokes",)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.strokes: list[list[tuple[float, float]]] = []
        self._lines: list[Line] = []
        self._touch = None
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
                pts = [c for x, y in stroke for c in (self.x + x, self.top - y)]
                self._lines.append(Line(points=pts, width=3))

    def on_touch_down(self, touch):
        if not self.collide_point(*touch.pos) or len(self.strokes) >= MAX_STROKES:
            return super().on_touch_down(touch)
        touch.grab(self)
        self._touch = touch
        self.strokes.append([self._local(touch)])
        self._paint()
        return True

    def on_touch_move(self, touch):
        if touch.grab_current is not self:
            return super().on_touch_move(touch)
        stroke = self.strokes[-1]
        if len(stroke) < MAX_POINTS:
            stroke.append(self._local(touch))
            if self._lines:
                self._lines[-1].points = [c for x, y in stroke for c in (self.x + x, self.top - y)]
        return True

    def on_touch_up(self, touch):
        if touch.grab_current is not self:
            return super().on_touch_up(touch)
        touch.ungrab(self)
        self._touch = None
        self.dispatch("on_strokes", [list(s) for s in self.strokes])
        return True

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
        self._paint()
        self.dispatch("on_strokes", [])

    def on_strokes(self, strokes) -> None:
        """Fired with all strokes after each stroke, undo or clear."""
