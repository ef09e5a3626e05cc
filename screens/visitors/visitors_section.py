"""The desk's visitors section: who is on site now, sign-out, evacuation roll call, search.

The roll call runs from `kiosk.visitors.rollcall.RollCall`, the screen's own copy: a tap counts a head
at once, on screen, and the mark is written when the database answers (pending marks are retried on
every tap and refresh). A busy or broken database is a message, never an exception out of a handler.
"""
from __future__ import annotations

import logging
import sqlite3
from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, ObjectProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen

from kiosk.core.errors import Refusal
from kiosk.printing import queue as printqueue
from kiosk.visitors import service as visitors
from kiosk.visitors.rollcall import RollCall, missing_list
from screens.widgets.common import show_refusal

log = logging.getLogger(__name__)
DB_TROUBLE = (sqlite3.Error, OSError)  # a locked, busy, full or vanished database

Builder.load_file(str(Path(__file__).with_name("visitors_section.kv")))


class OnSiteRow(BoxLayout):
    visit = ObjectProperty(None)
    section = ObjectProperty(None)
    heads = NumericProperty(0)  # heads of the party accounted for in the roll call

    def mark_text(self, lang: str) -> str:
        """'Mark safe' for one person; '+1 (1/3)' for a party; 'Safe ✓' once all are accounted for."""
        app = App.get_running_app()
        party = int(self.visit["party_size"]) if self.visit else 1
        if self.heads >= party:
            return app.tr("Safe", lang) + (f" {party}/{party}" if party > 1 else "") + " ✓"
        if party == 1:
            return app.tr("Mark safe", lang)
        return f"+1  ({int(self.heads)}/{party})"


class VisitorsSection(Screen):
    """The on-site list keeps the last good copy: the roll call works with the database busy."""

    rollcall = BooleanProperty(False)
    hide_located = BooleanProperty(False)
    people = NumericProperty(0)
    accounted = NumericProperty(0)
    missing = NumericProperty(0)
    rows = ListProperty([])

    def __init__(self, **kwargs) -> None:
        self.call = RollCall()
        self._print_subscribed = False
        super().__init__(**kwargs)

    def on_pre_enter(self, *args) -> None:
        self.refresh()

    def _trouble(self, exc: BaseException, msgid: str) -> None:
        """A database error as a message on screen (and the log), never out of the handler."""
        app = App.get_running_app()
        if isinstance(exc, Refusal):
            app.toast(show_refusal(exc))
            return
        log.warning("visitors section: %s (%s)", msgid, type(exc).__name__)
        app.toast(app.tr(msgid, app.lang))

    def refresh(self) -> None:
        app = App.get_running_app()
        text = self.ids.search.text.strip()
        if self.rollcall:
            self._sync()
            rows = self.call.rows
            if text:
                rows = [r for r in rows if text.lower() in " ".join(
                    str(r.get(k) or "") for k in ("name", "organisation", "host_name", "phone")).lower()]
        else:
            try:
                rows = (app.desk.call(visitors.search, text, tz=app.desk.tz) if text
                        else app.desk.call(visitors.on_site))
            except DB_TROUBLE as exc:  # database locked or busy: keep showing the last list
                self._trouble(exc, "Database busy: showing the last list")
                rows = self.rows
            except Refusal as exc:
                self._trouble(exc, "")
                rows = self.rows
        self.rows = rows
        self.people = sum(r["party_size"] for r in rows if "party_size" in r)
        self._render()

    def _render(self) -> None:
        tally = self.call.tally()
        self.accounted, self.missing = tally.accounted, tally.missing
        box = self.ids.visits
        box.clear_widgets()
        for row in self.rows:
            heads = self.call.heads(row["id"]) if self.rollcall else 0
            if self.rollcall and self.hide_located and heads >= row["party_size"]:
                continue
            box.add_widget(OnSiteRow(visit=row, section=self, heads=heads))

    # --- the roll call ---------------------------------------------------------------------------
    def toggle_rollcall(self) -> None:
        """Start a roll call (everyone on the last list starts as missing) or leave roll-call mode."""
        if self.rollcall:
            self.rollcall = False
            self.refresh()
            return
        app = App.get_running_app()
        self.call = RollCall()
        self.call.load([{**r, "safe": 0} for r in self.rows])  # the last copy, in case the database is away
        self.rollcall = True
        try:
            self.call.rollcall_id = app.desk.call(visitors.start_rollcall)
        except (*DB_TROUBLE, Refusal) as exc:
            self._trouble(exc, "Database busy: the roll call runs from the list on screen")
        self.refresh()

    def _sync(self) -> bool:
        """Write pending marks, then read the list again; on trouble keep the copy. True when in step."""
        app = App.get_running_app()
        try:
            if self.call.rollcall_id is None:
                self.call.rollcall_id = app.desk.call(visitors.start_rollcall)
            for visit_id, heads in list(self.call.pending):
                try:
                    app.desk.call(visitors.mark_safe, self.call.rollcall_id, visit_id, heads)
                except visitors.VisitorError as exc:  # refused (a stale visit): say so, drop the mark
                    self._trouble(exc, "")
                self.call.stored(visit_id, heads)
            self.call.load(app.desk.call(visitors.rollcall_list, self.call.rollcall_id))
            return True
        except (*DB_TROUBLE, Refusal) as exc:
            self._trouble(exc, "Database busy: marks are kept on this screen and saved when it answers")
            return False

    def step(self, visit, delta: int) -> None:
        """Count one head of a visit safe (+1) or undo one (-1); the screen changes at once."""
        if not self.rollcall or visit is None:
            return
        self.call.step(visit["id"], delta)
        self._render()
        if self._sync():
            self._render()

    def located(self, visit) -> None:
        """Kept for callers of the old roll call: one head more for this visit."""
        self.step(visit, +1)

    def sign_out(self, visit) -> None:
        app = App.get_running_app()
        try:
            app.desk.call(visitors.sign_out, visit["id"])
        except visitors.VisitorError as exc:
            app.toast(show_refusal(exc))
        except DB_TROUBLE as exc:
            self._trouble(exc, "Database busy: try again in a moment")
        self.refresh()

    def print_list(self) -> None:
        """The printed list; with the printer off it stays queued and the list is on screen. In a roll
        call: who is still missing, from the screen's copy; with no database to queue it, it goes straight
        to the printer on the background worker."""
        app = App.get_running_app()
        if self.rollcall:
            self._print_missing()
            return
        from kiosk.visitors.receipts import onsite_list
        try:
            app.desk.call(printqueue.enqueue, onsite_list(list(self.rows), app.desk.db, app.lang),
                          record_table="visits", record_id=None)
        except (*DB_TROUBLE, Refusal) as exc:
            self._trouble(exc, "Database busy: the list could not be sent to the printer")
            return
        app.toast(app.tr("On-site list sent to the printer", app.lang))

    def _print_missing(self) -> None:
        app = App.get_running_app()
        tz = app.ctx.config.get("site", "timezone")
        paper = missing_list(self.call, app.lang, site_name=app.site_name, tz=tz, now=app.ctx.clock.now())
        try:
            app.desk.call(printqueue.enqueue, paper, record_table="rollcalls", record_id=self.call.rollcall_id)
            app.toast(app.tr("Missing list sent to the printer", app.lang))
            return
        except (*DB_TROUBLE, Refusal) as exc:
            log.warning("roll call: printing without the queue (%s)", type(exc).__name__)
        paper = missing_list(self.call, app.lang, site_name=app.site_name, tz=tz, now=app.ctx.clock.now(),
                             from_memory=True)
        printer_config = dict(app.ctx.config.section("printer"))

        def job(progress):
            # On the background worker: a printer that is off is an answer ("failed"), not a crash.
            from hardware import devices
            from hardware.printer.escpos import render
            try:
                printer = devices.open_printer(printer_config)
                if printer is None:
                    return "failed"
                printer.send(render(paper, devices.printer_profile(printer_config)), paper)
            except Exception:
                log.exception("roll call: the missing list could not be printed directly")
                return "failed"
            return "printed"
        if not self._print_subscribed:
            self._print_subscribed = True
            app.ctx.bus.subscribe("rollcall_print.finished", self._on_printed)
        try:
            app.jobs.submit("rollcall_print", job)
        except Exception as exc:  # the worker itself is gone: say so, the list is on screen
            self._trouble(exc, "The printer did not take the missing list: read it from the screen")
            return
        app.toast(app.tr("Database busy: the missing list goes straight to the printer", app.lang))

    def _on_printed(self, event) -> None:
        app = App.get_running_app()
        if event.data.get("result") == "printed":
            app.toast(app.tr("Missing list printed", app.lang))
        else:
            app.toast(app.tr("The printer did not take the missing list: read it from the screen", app.lang))

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
