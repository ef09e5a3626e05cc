"""Staff sign-in: pick your name, enter your PIN. First run: create the first manager."""
from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ObjectProperty
from kivy.uix.screenmanager import Screen

from kiosk.core import auth
from kiosk.core.audit import SYSTEM
from screens.widgets.common import BigButton, show_refusal

Builder.load_file(str(Path(__file__).with_name("login.kv")))


class LoginScreen(Screen):
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
        box = self.ids.accounts
        box.clear_widgets()
        for user in app.desk.visitor_call(auth.users):
            button = BigButton(text=user.name, kind="quiet")
            button.user = user
            button.bind(on_release=lambda btn: self.choose(btn.user))
            box.add_widget(button)
        users = app.desk.visitor_call(auth.users)
        if len(users) == 1:
            self.choose(users[0])

    def choose(self, user) -> None:
        self.selected = user
        for button in self.ids.accounts.children:
            button.kind = "primary" if button.user.id == user.id else "quiet"
        self.ids.pad.pin = ""
        self.ids.pad.message = ""

    def submit(self, pin: str) -> None:
        app = App.get_running_app()
        pad = self.ids.pad
        pad.pin = ""
        if self.selected is None:
            pad.message = app.tr("Choose your name first", app.lang)
            return
        try:
            user = app.desk.visitor_call(auth.sign_in, self.selected.id, pin)
        except auth.LockedOut as exc:
            pad.message = app.tr("Locked for {seconds} s", app.lang).format(seconds=exc.seconds_left)
        except auth.AuthError:
            pad.message = app.tr("Wrong PIN", app.lang)
        else:
            app.sign_in(user)

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
