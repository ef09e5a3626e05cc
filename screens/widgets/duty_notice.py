"""The home screen's quiet word that the desk is needed: complaint deadlines about to be missed while
nobody is signed in (or a visitor screen is showing).

It says a count and "staff needed", nothing else: no reference, name, topic or time a visitor could read.
Tapping it opens the staff sign-in; after the PIN the desk's own duty bar shows the details
(``KioskApp.check_duties`` runs on every sign-in). The count comes from the app's background check.
"""
from __future__ import annotations

from kivy.lang import Builder
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.label import Label

Builder.load_string('''
<DutyNotice>:
    text: self.notice(app.lang, app.duties_waiting)
    opacity: 1 if app.duties_waiting else 0
    disabled: not app.duties_waiting
    color: 0.45, 0.3, 0, 1
    font_size: sp(16)
    halign: "center"
    valign: "middle"
    text_size: self.size
    shorten: True
    canvas.before:
        Color:
            rgba: (1, 0.96, 0.8, 0.97) if app.duties_waiting else (0, 0, 0, 0)
        RoundedRectangle:
            pos: self.x + dp(8), self.y
            size: max(0, self.width - dp(16)), self.height
            radius: [dp(6)]
    on_release: app.go("login")
''')


class DutyNotice(ButtonBehavior, Label):
    """"2 complaint deadlines need staff" on the home screen; empty and untappable at 0."""

    @staticmethod
    def notice(lang: str, count: int) -> str:
        """The words for `count` waiting deadlines in `lang` (empty for none)."""
        from kivy.app import App
        app = App.get_running_app()
        if not count or app is None:
            return ""
        return app.tr("Staff needed at the desk: complaint deadlines to see to ({n})", lang).format(n=int(count))
