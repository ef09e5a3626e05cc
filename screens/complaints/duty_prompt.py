"""The quiet prompt over the desk: a complaint's 10-minute start or 2-hour resolution is about to be missed.

Quieter than the phone prompt: a slim bar along the bottom of the desk's section area, no sound, no
modal; "Show" opens the complaint, "Later" hides it until a different duty comes due. The bar sits in
the desk's own ``duty_slot`` under the section (which shrinks while it shows), so it never covers a
section's bottom row. The check itself is not done here: every 30 seconds the app queues it on the
background worker (``KioskApp.check_duties``) and hands the answer, through the bus, to :meth:`show`.
"""
from __future__ import annotations

from pathlib import Path

from kivy.lang import Builder
from kivy.properties import StringProperty
from kivy.uix.boxlayout import BoxLayout

from kiosk.reports import duties

Builder.load_file(str(Path(__file__).with_name("duty_prompt.kv")))


class DutyPrompt(BoxLayout):
    """The bar; `show(app, due)` shows it for the duties about to be missed (or hides it)."""

    text = StringProperty("")

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self.current = None
        self.hidden_keys: set[tuple] = set()

    @property
    def shown(self) -> bool:
        return self.parent is not None

    def show(self, app, due: list) -> list:
        """Show the first of the duties about to be missed (those not put off with "Later"); returns them."""
        due = [d for d in due if (d.kind, d.record_id, d.due_at) not in self.hidden_keys]
        slot = self._slot(app)
        if app.user is None or app.visitor_mode or not due or slot is None:
            self.hide()
            return []
        self.current = due[0]
        from screens.complaints.complaints_section import when
        label = app.tr(duties.KIND_LABELS[self.current.kind], app.lang)
        more = app.tr(" (+{n} more)", app.lang).format(n=len(due) - 1) if len(due) > 1 else ""
        self.text = app.tr("{what} by {time}: {ref}", app.lang).format(what=label, time=when(self.current.due_at),
                                                                       ref=self.current.ref) + more
        if self.parent is not slot:
            self.hide()
            slot.add_widget(self)
            slot.height = self.height
        return due

    @staticmethod
    def _slot(app):
        """The desk's slot under the section area (None before the desk is built)."""
        if app.sm is None or not app.sm.has_screen("desk"):
            return None
        return app.sm.get_screen("desk").ids.get("duty_slot")

    def hide(self) -> None:
        if self.parent is not None:
            slot = self.parent
            slot.remove_widget(self)
            slot.height = 0

    def later(self) -> None:
        if self.current is not None:
            self.hidden_keys.add((self.current.kind, self.current.record_id, self.current.due_at))
        self.hide()

    def show_it(self, app) -> None:
        from screens import sections
        duty = self.current
        self.hide()
        desk = app.sm.get_screen("desk")
        app.go("desk")
        desk.open_section(sections.find("complaints"))
        if duty is not None:
            desk.ids.content.get_screen("complaints").open_duty(duty)
