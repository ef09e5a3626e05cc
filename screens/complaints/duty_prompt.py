"""The quiet prompt over the desk: a complaint's 10-minute start or 2-hour resolution is about to be missed.

Quieter than the phone prompt: a slim bar along the bottom of the desk, no sound, no modal; "Show" opens
the complaint, "Later" hides it until a different duty comes due. The app checks every 30 seconds
(a short read on the main thread, like the sections' own refreshes) while someone is signed in.
"""
from __future__ import annotations

from pathlib import Path

from kivy.core.window import Window
from kivy.lang import Builder
from kivy.properties import StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.reports import duties

Builder.load_file(str(Path(__file__).with_name("duty_prompt.kv")))


class DutyPrompt(BoxLayout):
    """The bar; `check(app)` shows or hides it."""

    text = StringProperty("")

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.current = None
        self.hidden_keys: set[tuple] = set()
        self.shown = False

    def check(self, app) -> list:
        """Ask the rules what is about to be missed; returns the prompted duties."""
        if app.user is None or app.visitor_mode:
            self._hide()
            return []
        due = [d for d in app.desk.call(duties.prompts) if (d.kind, d.record_id, d.due_at) not in self.hidden_keys]
        if not due:
            self._hide()
            return []
        self.current = due[0]
        from screens.complaints.complaints_section import when
        label = app.tr(duties.KIND_LABELS[self.current.kind], app.lang)
        more = app.tr(" (+{n} more)", app.lang).format(n=len(due) - 1) if len(due) > 1 else ""
        self.text = app.tr("{what} by {time}: {ref}", app.lang).format(what=label, time=when(self.current.due_at),
                                                                       ref=self.current.ref) + more
        if not self.shown:
            Window.add_widget(self)
            self.shown = True
        # Along the bottom of the desk's content, right of the navigation: the status bar at the top
        # (phone and printer alarms) stays in sight.
        nav = Window.width * 0.19
        self.x, self.y, self.width = nav, 0, Window.width - nav
        return due

    def _hide(self) -> None:
        if self.shown:
            Window.remove_widget(self)
            self.shown = False

    def later(self) -> None:
        if self.current is not None:
            self.hidden_keys.add((self.current.kind, self.current.record_id, self.current.due_at))
        self._hide()

    def show_it(self, app) -> None:
        from screens import sections
        duty = self.current
        self._hide()
        desk = app.sm.get_screen("desk")
        app.go("desk")
        desk.open_section(sections.find("complaints"))
        if duty is not None:
            desk.ids.content.get_screen("complaints").open_duty(duty)
