"""Shared widgets: big buttons, PIN pad, form field with an error line, toast, manager approval."""
from __future__ import annotations

from pathlib import Path
from typing import Any, Mapping

from kivy.animation import Animation
from kivy.app import App
from kivy.clock import Clock
from kivy.lang import Builder
from kivy.metrics import dp
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.button import Button
from kivy.uix.label import Label
from kivy.uix.modalview import ModalView
from kivy.uix.scrollview import ScrollView

from kiosk.core.errors import message_of

Builder.load_file(str(Path(__file__).with_name("common.kv")))


def local_when(iso: str | None, *, date_only: bool = False) -> str:
    """A stored UTC moment as the desk reads it, in the site's time zone (never UTC on screen):
    HH:MM today, MM-DD HH:MM another day of this year, YYYY-MM-DD HH:MM another year; date_only gives
    the local date (YYYY-MM-DD)."""
    if not iso:
        return ""
    from zoneinfo import ZoneInfo
    from kiosk.core.clock import parse_iso
    desk = App.get_running_app().desk
    tz = ZoneInfo(desk.tz)
    moment = parse_iso(iso).astimezone(tz)
    if date_only:
        return moment.date().isoformat()
    today = desk.clock.now().astimezone(tz).date()
    if moment.date() == today:
        return moment.strftime("%H:%M")
    return moment.strftime("%m-%d %H:%M" if moment.year == today.year else "%Y-%m-%d %H:%M")


def show_refusal(exc: BaseException, fields: Mapping[str, Any] | None = None, default: Any = None) -> str:
    """Show a service's refusal in the screen's language, with its field marked.

    ``fields`` maps the service's field names (Refusal.field, e.g. "found_place") to the form widgets
    (anything with an ``error`` text); the message goes under the refusal's field, else under ``default``.
    The text is returned as well, for a message label or a toast. Nothing here reads the message text.
    """
    app = App.get_running_app()
    text = message_of(exc, app.lang)
    target = (fields or {}).get(getattr(exc, "field", None))
    if target is None:
        target = default
    if target is not None:
        target.error = text
    return text



class BigButton(Button):
    """A finger-sized button (≥ 56 px high at 800×480)."""

    kind = StringProperty("normal")  # normal | primary | danger | quiet


def fill_choices(box, items, label, chosen, on_choose, font_size: str = "13sp") -> None:
    """Refill a list of records as buttons; the chosen one (same .id) is highlighted, a tap calls on_choose."""
    box.clear_widgets()
    chosen_id = getattr(chosen, "id", None)
    for item in items:
        button = BigButton(text=label(item), font_size=font_size,
                           kind="primary" if chosen_id is not None and item.id == chosen_id else "quiet")
        button.bind(on_release=lambda b, it=item: on_choose(it))
        box.add_widget(button)


class NavButton(BigButton):
    """A button whose label is a msgid, re-translated when the language changes."""

    msgid = StringProperty("")


class TouchScroll(ScrollView):
    """A vertical list that scrolls only when its content is taller than itself.

    A ScrollView that can scroll holds every tap ~0.25 s to tell it from a swipe; lists that fit
    get their taps at once.
    """

    def __init__(self, **kwargs) -> None:
        kwargs.setdefault("do_scroll_x", False)
        super().__init__(**kwargs)
        self.bind(height=self._update)

    def add_widget(self, widget, *args, **kwargs) -> None:
        super().add_widget(widget, *args, **kwargs)
        widget.bind(height=self._update)
        self._update()

    def _update(self, *args) -> None:
        self.do_scroll_y = any(child.height > self.height for child in self.children)


class PinPad(BoxLayout):
    """Digits with masked display; dispatches on_submit(pin)."""

    pin = StringProperty("")
    max_length = NumericProperty(8)
    message = StringProperty("")
    __events__ = ("on_submit",)

    def press(self, key: str) -> None:
        if key == "back":
            self.pin = self.pin[:-1]
        elif key == "clear":
            self.pin = ""
        elif key == "ok":
            if self.pin:
                self.dispatch("on_submit", self.pin)
        elif key.isdigit() and len(self.pin) < self.max_length:
            self.pin += key
            self.message = ""

    def on_submit(self, pin: str) -> None:
        pass


class FormField(BoxLayout):
    """A labelled text input with an error line under it."""

    label = StringProperty("")
    text = StringProperty("")
    hint = StringProperty("")
    error = StringProperty("")
    password = BooleanProperty(False)
    input_filter = ObjectProperty(None, allownone=True)
    multiline = BooleanProperty(False)
    field_height = NumericProperty(dp(48))

    def on_text(self, *args) -> None:
        self.error = ""  # the person is correcting it


class Toast(Label):
    """A short message that fades out by itself."""

    def show(self, seconds: float = 2.5) -> None:
        self.opacity = 1
        Animation.cancel_all(self)
        Clock.schedule_once(lambda dt: Animation(opacity=0, duration=0.4).start(self), seconds)


class ManagerApproval(ModalView):
    """Ask a manager to approve an action with their own PIN."""

    reason = StringProperty("")
    managers = ObjectProperty([])
    selected = ObjectProperty(None, allownone=True)

    def __init__(self, callback, reason: str = "", **kwargs) -> None:
        super().__init__(**kwargs)
        self.callback = callback
        self.reason = reason
        from kiosk.core import auth
        self.managers = App.get_running_app().desk.visitor_call(auth.users, role="manager")
        if self.managers:
            self.selected = self.managers[0]
        for manager in self.managers:
            button = BigButton(text=manager.name, kind="primary" if manager is self.selected else "quiet")
            button.bind(on_release=lambda btn, m=manager: self._select(m))
            self.ids.manager_list.add_widget(button)

    def _select(self, manager) -> None:
        self.selected = manager
        for button in self.ids.manager_list.children:
            button.kind = "primary" if button.text == manager.name else "quiet"

    def submit(self, pin: str) -> None:
        from kiosk.core import auth
        app = App.get_running_app()
        if self.selected is None:
            self.ids.pad.message = app.tr("No manager account exists", app.lang)
            return
        try:
            manager = app.desk.visitor_call(auth.verify_manager, self.selected.id, pin)
        except auth.LockedOut as exc:
            self.ids.pad.message = app.tr("Locked for {seconds} s", app.lang).format(seconds=exc.seconds_left)
        except auth.AuthError:
            self.ids.pad.message = app.tr("Wrong PIN", app.lang)
        else:
            # Once only, and let go of it: the callback holds the app, and a closed popup may outlive it.
            callback, self.callback = self.callback, None
            self.dismiss()
            if callback is not None:
                callback(manager)
        self.ids.pad.pin = ""
