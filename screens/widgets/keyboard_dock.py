"""The staff side's on-screen keyboard: appears when a form field gets focus, so staff can type on a
touchscreen without a hardware keyboard (a keyboard or barcode scanner, if plugged in, still works).

Visitor screens place their own keyboard inside their flow; the dock only serves staff screens.
It sits on the Window above popups, at the bottom, or at the top when the field would be hidden there;
a numpad that would cover the field at both (a count box mid-screen on the 480 px screen) sits beside it.
"""
from __future__ import annotations

import weakref

from kivy.core.window import Window
from kivy.metrics import dp

NUMERIC_FILTERS = ("int", "float")


class KeyboardDock:
    """One OnScreenKeyboard and one NumPad, created on first use and reused."""

    def __init__(self, app) -> None:
        self._app = weakref.ref(app)
        self._keyboard = None
        self._numpad = None

    def field_focused(self, field, focused: bool) -> None:
        app = self._app()
        if not focused or app is None or app.visitor_mode:
            return
        numeric = field.input_filter in NUMERIC_FILTERS or getattr(field, "numeric", False)
        widget = self._numpad_widget() if numeric else self._keyboard_widget()
        self._remove(self._keyboard if numeric else self._numpad)
        widget.target = field
        if numeric:  # money fields (input_filter "float", or a field marked money) get a "." key
            widget.decimal = field.input_filter == "float" or bool(getattr(field, "money", False))
        self._place(widget, field)

    def hide(self, *args) -> None:
        for widget in (self._keyboard, self._numpad):
            self._remove(widget)

    @property
    def shown(self):
        return next((w for w in (self._keyboard, self._numpad) if w is not None and w.parent is not None), None)

    def _keyboard_widget(self):
        if self._keyboard is None:
            from screens.widgets.keyboard import OnScreenKeyboard
            from screens.widgets.keyboard import KEYBOARD_MIN_HEIGHT
            # About half the screen (the field being typed into stays in the other part), but never
            # so short that a key is under 48 px.
            self._keyboard = OnScreenKeyboard(size_hint=(1, None),
                                              height=max(KEYBOARD_MIN_HEIGHT, min(dp(288), Window.height / 2)))
            self._keyboard.bind(on_close=self.hide)
        return self._keyboard

    def _numpad_widget(self):
        if self._numpad is None:
            from screens.widgets.keyboard import NumPad
            self._numpad = NumPad(size_hint=(None, None), ok_key=True)
            self._numpad.bind(on_enter=self.hide)
        return self._numpad

    def _place(self, widget, field) -> None:
        # Above everything (popups included), and never over the field being typed into.
        if widget.parent is not None:
            Window.remove_widget(widget)
        # At the bottom unless it would cover the field, then at the top unless it would cover it there
        # too; a numpad covered at both sits at the bottom beside the field, on the side of the window
        # away from the field's centre (the full-width keyboard stays at the top then).
        field_x, field_bottom = field.to_window(field.x, field.y)
        field_top = field_bottom + field.height
        margin = dp(4)
        covered_bottom = field_bottom < widget.height + margin
        covered_top = field_top > Window.height - widget.height - margin
        beside = covered_bottom and covered_top and widget.size_hint_x is None
        if beside:
            left = field_x + field.width / 2 > Window.width / 2
        else:
            # A field may ask for the numpad on the left (the goods counter's cash field: the cart and its
            # total are on the right and stay in view while the cash is typed).
            left = getattr(field, "numpad_side", "right") == "left"
        widget.x = 0 if left or widget.size_hint_x is not None else Window.width - widget.width
        widget.y = Window.height - widget.height if covered_bottom and not beside else 0
        Window.add_widget(widget)

    @staticmethod
    def _remove(widget) -> None:
        if widget is not None and widget.parent is not None:
            Window.remove_widget(widget)
