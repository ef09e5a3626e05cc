"""Visitor sign-out by the code on the badge (typed, or scanned by a keyboard-wedge scanner + Enter)."""
from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import StringProperty
from kivy.uix.screenmanager import Screen

import screens.widgets.keyboard  # noqa: F401  (registers OnScreenKeyboard for the .kv)
from kiosk.visitors import service as visitors
from kiosk.visitors.service import VisitorError
from screens.widgets.common import show_refusal

Builder.load_file(str(Path(__file__).with_name("visitor_signout.kv")))


class VisitorSignOut(Screen):
    goodbye = StringProperty("")

    def on_pre_enter(self, *args) -> None:
        self.reset()

    def reset(self) -> None:
        self.ids.code.text = self.ids.code.error = self.goodbye = ""
        self.ids.keyboard.mode = "en"
        self.ids.keyboard.target = self.ids.code.ids.input
        self.ids.code.ids.input.focus = True

    def submit(self) -> None:
        app = App.get_running_app()
        field = self.ids.code
        try:
            app.desk.visitor_call(visitors.sign_out_by_code, field.text.replace("SO:", ""))
        except VisitorError as exc:
            show_refusal(exc, default=field)
            return
        self.goodbye = app.tr("Thank you for visiting. Goodbye!", app.lang)
        Clock.schedule_once(self._back_home, 4)  # a bound method: the Clock holds it weakly

    def _back_home(self, dt) -> None:
        app = App.get_running_app()
        if app is not None and app.sm.current == self.name:
            app.go("home")
