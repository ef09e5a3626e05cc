"""The desk's visitors section: who is on site now, sign-out, evacuation roll call, search."""
from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, ObjectProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen

from kiosk.printing import queue as printqueue
from kiosk.visitors import service as visitors
from screens.widgets.common import show_refusal

Builder.load_file(str(Path(__file__).with_name("visitors_section.kv")))


class OnSiteRow(BoxLayout):
    visit = ObjectProperty(None)
    section = ObjectProperty(None)


class VisitorsSection(Screen):
    """The on-site list keeps the last good copy: the roll call works with the database busy."""

    rollcall = BooleanProperty(False)
    hide_located = BooleanProperty(False)
    people = NumericProperty(0)
    rows = ListProperty([])

    def on_pre_enter(self, *args) -> None:
        self.refresh()

    def refresh(self) -> None:
        app = App.get_running_app()
        text = self.ids.search.text.strip()
        try:
            rows = (app.desk.call(visitors.search, text, tz=app.desk.tz) if text
                    else app.desk.call(visitors.on_site))
        except Exception:  # database locked or busy: keep showing the last list (fire roll call!)
            app.toast(app.tr("Database busy: showing the last list", app.lang))
            rows = self.rows
        self.rows = rows
        self.people = sum(r["party_size"] for r in rows if "party_size" in r)
        box = self.ids.visits
        box.clear_widgets()
        for row in rows:
            if self.rollcall and self.hide_located and row.get("located"):
                continue
            box.add_widget(OnSiteRow(visit=row, section=self))

    def sign_out(self, visit) -> None:
        app = App.get_running_app()
        try:
            app.desk.call(visitors.sign_out, visit["id"])
        except visitors.VisitorError as exc:
            app.toast(show_refusal(exc))
        self.refresh()

    def located(self, visit) -> None:
        app = App.get_running_app()
        app.desk.call(visitors.mark_located, visit["id"])
        self.refresh()

    def print_list(self) -> None:
        """The printed list; with the printer off it stays queued and the list is on screen."""
        app = App.get_running_app()
        from kiosk.visitors.receipts import onsite_list
        app.desk.call(printqueue.enqueue, onsite_list(list(self.rows), app.desk.db, app.lang),
                      record_table="visits", record_id=None)
        app.toast(app.tr("On-site list sent to the printer", app.lang))

    def open_register(self) -> None:
        from screens.visitors.visitor_desk import RegisterVisitor
        popup = RegisterVisitor()
        popup.bind(on_dismiss=lambda *a: self.refresh())
        popup.open()

    def open_expected(self) -> None:
        from screens.visitors.visitor_desk import ExpectedVisitors
        ExpectedVisitors().open()

    def open_directory(self) -> None:
        from screens.visitors.visitor_desk import DirectoryPopup
        DirectoryPopup().open()

    def open_alerts(self) -> None:
        from screens.visitors.visitor_desk import DenyAlerts
        DenyAlerts().open()

    @staticmethod
    def time_text(iso: str) -> str:
        from screens.phone.phone_section import local_time
        return local_time(App.get_running_app(), iso)
