"""A touch signature pad: strokes drawn with Kivy, exported as a PNG from the recorded points
(with Pillow, so it works headless and does not depend on what the screen shows)."""
from __future__ import annotations

import io

from kivy.graphics import Color, Line, Rectangle
from kivy.properties import BooleanProperty, NumericProperty
from kivy.uix.widget import Widget


class SignaturePad(Widget):
    """Draw with a finger; `strokes` holds the points relative to the pad; `clear()` starts over."""

    signed = BooleanProperty(False)
    line_width = NumericProperty(2.2)

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.strokes: list[list[tuple[float, float]]] = []
        self._lines: dict = {}
        self.bind(pos=self._redraw, size=self._redraw)

    def on_touch_down(self, touch):
        if not self.collide_point(*touch.pos):
            return super().on_touch_down(touch)
        touch.grab(self)
        stroke = [self._local(touch)]
        self.strokes.append(stroke)
        with self.canvas:
            Color(0.05, 0.1, 0.3, 1)
            self._lines[touch.uid] = (stroke, Line(points=list(touch.pos), width=self.line_width))
        return True

    def on_touch_move(self, touch):
        if touch.grab_current is not self or touch.uid not in self._lines:
            return super().on_touch_move(touch)
        stroke, line = self._lines[touch.uid]
        if self.collide_point(*touch.pos):
            stroke.append(self._local(touch))
            line.points += list(touch.pos)
        return True

    def on_touch_up(self, touch):
        if touch.grab_current is not self:
            return super().on_touch_up(touch)
        touch.ungrab(self)
        self._lines.pop(touch.uid, None)
        self.signed = any(len(s) > 1 for s in self.strokes)
        return True

    def _local(self, touch) -> tuple[float, float]:
        return touch.x - self.x, touch.y - self.y

    def clear(self) -> None:
        self.strokes = []
        self.signed = False
        self._redraw()

    def _redraw(self, *args) -> None:
        self.canvas.clear()
        with self.canvas:
            Color(1, 1, 1, 1)
            Rectangle(pos=self.pos, size=self.size)
            Color(0.7, 0.72, 0.78, 1)
            Line(points=[self.x + 12, self.y + 28, self.right - 12, self.y + 28], width=1)
            Color(0.05, 0.1, 0.3, 1)
            for stroke in self.strokes:
                if len(stroke) > 1:
                    Line(points=[c for x, y in stroke for c in (self.x + x, self.y + y)], width=self.line_width)

    def png(self) -> bytes:
        """The signature as a black-on-white PNG (empty bytes when nothing was drawn)."""
        if not self.signed:
            return b""
        from PIL import Image, ImageDraw
        width, height = max(1, int(self.width)), max(1, int(self.height))
        image = Image.new("L", (width, height), 255)
        draw = ImageDraw.Draw(image)
        for stroke in self.strokes:
            points = [(x, height - y) for x, y in stroke]  # Kivy's y grows upwards, PNG's downwards
            if len(points) > 1:
                draw.line(points, fill=0, width=3, joint="curve")
        out = io.BytesIO()
        image.save(out, "PNG")
        return out.getvalue()
