"""Staff sign-in: pick your name, enter your PIN. First run: create the first manager."""
from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ObjectProperty
from kivy.uix.screenmanager import Screen

from kiosk.core import auth
from kiosk.core.audit import SYSTEM
from screens.widgets.common import show_refusal
from screens.widgets.pin_chooser import PinChooser

Builder.load_file(str(Path(__file__).with_name("login.kv")))


class LoginScreen(PinChooser, Screen):
    """PIN pad sign-in; five wrong PINs lock the account for a minute."""

    selected = ObjectProperty(None, allownone=True)
    first_run = BooleanProperty(False)

    def on_pre_enter(self, *args) -> None:
        app = App.get_running_app()
        self.first_run = not app.desk.visitor_call(auth.has_manager)
        self.ids.modes.current = "firstrun" if self.first_run else "signin"
        self.selected = None
        self.ids.pad.pin = ""
        self.ids.pad.message = ""
        self.fill_names(app.desk.visitor_call(auth.users))

    def submit(self, pin: str) -> None:
        user = self.check_pin(pin)
        if user is not None:
            App.get_running_app().sign_in(user)

    def create_first_manager(self) -> None:
        """First run: the first account is a manager, created on screen."""
        app = App.get_running_app()
        name, pin, again = self.ids.fm_name, self.ids.fm_pin, self.ids.fm_pin2
        for field in (name, pin, again):
            field.error = ""
        if pin.text != again.text:
            again.error = app.tr("The PINs do not match", app.lang)
            return
        try:
            user = app.desk.visitor_call(auth.add_user, name.text, "manager", pin.text, actor=SYSTEM)
        except auth.AuthError as exc:
            show_refusal(exc, {"pin": pin, "name": name}, default=name)
            return
        app.sign_in(user)
