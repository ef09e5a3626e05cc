"""Visitor sign-out by the code on the badge (typed, or scanned by a keyboard-wedge scanner + Enter)."""
from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import StringProperty
from kivy.uix.screenmanager import Screen

import screens.widgets.keyboard  # noqa: F401  (registers OnScreenKeyboard for the .kv)
import logging

from kiosk.core.errors import message_of
from kiosk.visitors import service as visitors
from kiosk.visitors.service import VisitorError
from screens.visitors.visitor_signin import STORAGE_TROUBLE
from screens.widgets.common import show_refusal

log = logging.getLogger(__name__)
# A visitor is never told to close a program or shown the data file's path: that is for staff (the log).
NOT_SIGNED_OUT = "We could not sign you out just now. Please tap Sign me out again in a moment, or ask at the desk."

Builder.load_file(str(Path(__file__).with_name("visitor_signout.kv")))


class VisitorSignOut(Screen):
    goodbye = StringProperty("")
    _home_event = None  # the goodbye's trip home: cancelled when this visitor leaves before it fires

    def on_pre_enter(self, *args) -> None:
        self.reset()

    def on_leave(self, *args) -> None:
        self.reset()  # nothing of this visitor (code, goodbye, half-typed pinyin) waits for the next one

    def reset(self) -> None:
        if self._home_event is not None:
            # the last visitor's goodbye timer must not send the next visitor home mid-code
            self._home_event.cancel()
            self._home_event = None
        self.ids.code.text = self.ids.code.error = self.goodbye = ""
        keyboard = self.ids.keyboard
        # A visitor may switch this keyboard to pinyin: their half-typed syllable and its candidates go.
        keyboard.reset_input("en")
        self.ids.keyboard.target = self.ids.code.ids.input
        self.ids.code.ids.input.focus = True

    def submit(self) -> None:
        app = App.get_running_app()
        field = self.ids.code
        try:
            app.desk.visitor_call(visitors.sign_out_by_code, field.text.replace("SO:", ""))
        except STORAGE_TROUBLE as exc:
            # Locked, full, read-only...: nothing was written; the code stays typed for the next tap.
            log.warning("visitor sign-out not saved: %s", message_of(exc, "en"))
            field.error = app.tr(NOT_SIGNED_OUT, app.lang)
            return
        except VisitorError as exc:
            show_refusal(exc, default=field)
            return
        self.goodbye = app.tr("Thank you for visiting. Goodbye!", app.lang)
        if self._home_event is not None:
            self._home_event.cancel()
        self._home_event = Clock.schedule_once(self._back_home, 4)  # a bound method: the Clock holds it weakly

    def _back_home(self, dt) -> None:
        self._home_event = None
        app = App.get_running_app()
        if app is not None and app.sm.current == self.name:
            app.reset_visitor_language()
            app.go("home")
