"""Pick your name, type your PIN: the one flow behind the sign-in screen and the visitor banner's staff path.

A screen or popup mixes this in and has a BoxLayout of name buttons (``names_box``) and a PIN pad at
``ids.pad``. Wrong PINs and lockouts are answered on the pad in the screen's language; the caller decides
what a correct PIN does.
"""
from __future__ import annotations

from kivy.app import App

from kiosk.core import auth
from screens.widgets.common import BigButton


class PinChooser:
    """Name buttons plus a PIN pad; ``selected`` is the chosen account (a Kivy ObjectProperty on the host)."""

    names_box_id = "accounts"

    def fill_names(self, users, **button_style) -> None:
        """One button per account; a single account is chosen at once."""
        box = self.ids[self.names_box_id]
        box.clear_widgets()
        for user in users:
            button = BigButton(text=user.name, kind="quiet", **button_style)
            button.user = user
            button.bind(on_release=lambda btn: self.choose(btn.user))
            box.add_widget(button)
        if len(users) == 1:
            self.choose(users[0])

    def choose(self, user) -> None:
        self.selected = user
        for button in self.ids[self.names_box_id].children:
            button.kind = "primary" if button.user.id == user.id else "quiet"
        self.ids.pad.pin, self.ids.pad.message = "", ""

    def check_pin(self, pin: str, **sign_in_options):
        """The chosen account when pin is right; else None, with the reason on the pad (audited either way
        by kiosk.core.auth.sign_in, wrong PINs counting towards the lockout)."""
        app = App.get_running_app()
        pad = self.ids.pad
        pad.pin = ""
        if self.selected is None:
            pad.message = app.tr("Choose your name first", app.lang)
            return None
        try:
            return app.desk.visitor_call(auth.sign_in, self.selected.id, pin, **sign_in_options)
        except auth.LockedOut as exc:
            pad.message = app.tr("Locked for {seconds} s", app.lang).format(seconds=exc.seconds_left)
        except auth.AuthError:
            pad.message = app.tr("Wrong PIN", app.lang)
        return None
