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
from kivy.clock import Clock as KivyClock
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, ObjectProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen

from kiosk.core.errors import Refusal
from kiosk.printing import queue as printqueue
from kiosk.visitors import service as visitors
from kiosk.core.clock import utc_iso
from kiosk.visitors import rollcall as rollcall_copy
from kiosk.visitors.rollcall import RollCall, missing_list
from screens.widgets.common import show_refusal
from screens.widgets.rowlist import RowList, row_size  # noqa: F401 (RowList: used by the .kv)

log = logging.getLogger(__name__)
DB_TROUBLE = (sqlite3.Error, OSError)  # a locked, busy, full or vanished database
# A roll-call tap waits this long for another writer (a backup, the other terminal), not the 5 s busy
# timeout: the mark is on screen at once and kept in memory; a timer writes it when the database answers.
SYNC_WAIT_MS = 200
SYNC_RETRY_S = 2.0

Builder.load_file(str(Path(__file__).with_name("visitors_section.kv")))


class OnSiteRow(BoxLayout):
    visit = ObjectProperty(None)
    section = ObjectProperty(None)
    heads = NumericProperty(0)  # heads of the party accounted for in the roll call
    rollcall = BooleanProperty(False)  # the section is in roll-call mode (a recycled row's own copy)

    def mark_text(self, lang: str, *_watched) -> str:
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
        self.last_on_site: list[dict] = []  # the newest on-site list read: a roll call starts from it
        self._print_subscribed = False
        self._retry_event = None
        super().__init__(**kwargs)

    def on_pre_enter(self, *args) -> None:
        self.refresh()

    def on_rollcall(self, _section, active: bool) -> None:
        App.get_running_app().drill_active = bool(active)

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
                if text:
                    rows = app.desk.call(visitors.search, text, tz=app.desk.tz)
                else:
                    rows = self.last_on_site = app.desk.call(visitors.on_site)
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
        data = []
        for row in self.rows:
            heads = self.call.heads(row["id"]) if self.rollcall else 0
            if self.rollcall and self.hide_located and heads >= row["party_size"]:
                continue
            data.append({"viewclass": "OnSiteRow", "section": self, "rollcall": self.rollcall, "visit": row, "heads": heads,
                         "row_size": row_size(52)})
        self.ids.visits.show(data)

    # --- the roll call ---------------------------------------------------------------------------
    def toggle_rollcall(self) -> None:
        """Start a roll call (everyone on the last list starts as missing), or ask before ending it."""
        app = App.get_running_app()
        if self.rollcall:
            from screens.visitors.rollcall_prompt import RollCallChoice
            tally = self.call.tally()
            RollCallChoice(lambda yes: self.end_rollcall() if yes else None,
                           title=app.tr("End the roll call?", app.lang),
                           message=app.tr("{accounted} of {total} accounted for, {missing} still missing.", app.lang)
                           .format(accounted=tally.accounted, total=tally.total, missing=tally.missing),
                           yes_text=app.tr("End roll call", app.lang), no_text=app.tr("Carry on", app.lang)).open()
            return
        self.call = RollCall()
        # Everyone on site now; with the database away, the last on-site list read (never the search results
        # on screen: a search lists past visits, and a roll call run from it misses people in the building).
        try:
            self.last_on_site = app.desk.quick_call(visitors.on_site, wait_ms=SYNC_WAIT_MS)
        except (*DB_TROUBLE, Refusal) as exc:
            log.warning("roll call: starting from the last on-site list (%s)", type(exc).__name__)
        try:
            # A roll call still open (the offer at sign-in was missed: the database was busy then) is
            # carried on, never replaced by a new one that starts everybody as missing again.
            still_open = app.desk.quick_call(visitors.open_rollcall, wait_ms=SYNC_WAIT_MS)
        except (*DB_TROUBLE, Refusal):
            still_open = None
        if still_open is not None:
            self.resume(still_open.id)
            if self.rollcall:
                return
        self.call = RollCall()
        self.call.load([{**r, "safe": 0} for r in self.last_on_site])
        self.rollcall = True
        try:
            # The short wait, as for the marks: a busy database is a message at once, not a 5 s freeze
            self.call.rollcall_id = app.desk.quick_call(visitors.start_rollcall, wait_ms=SYNC_WAIT_MS)
        except (*DB_TROUBLE, Refusal) as exc:
            self._trouble(exc, "Database busy: the roll call runs from the list on screen")
        self.refresh()

    def _journal(self):
        return Path(App.get_running_app().ctx.db_path).with_name(rollcall_copy.JOURNAL_NAME)

    def _keep_on_disk(self) -> None:
        """The marks the database has not taken yet, kept beside it (a sign-out or restart keeps them)."""
        try:
            rollcall_copy.save_journal(self._journal(), self.call)
        except OSError:
            log.warning("roll call: pending marks could not be kept on disk", exc_info=True)

    def resume(self, rollcall_id: int) -> None:
        """Carry on with an open roll call (the sign-in offer): its marks from the database, plus any taps
        kept on disk when the database could not take them; audited."""
        app = App.get_running_app()
        call = RollCall(rollcall_id=rollcall_id)
        kept = rollcall_copy.read_journal(self._journal())
        try:
            call.load(app.desk.quick_call(visitors.resume_rollcall, rollcall_id, wait_ms=SYNC_WAIT_MS))
        except (*DB_TROUBLE, Refusal) as exc:
            self._trouble(exc, "Database busy: the roll call could not be resumed, try again in a moment")
            return
        if kept is not None and kept[0] == rollcall_id:
            for visit_id, heads, at in kept[1]:
                if any(r["id"] == visit_id for r in call.rows):
                    call.step(visit_id, heads - call.heads(visit_id), at=at)
        self.call = call
        self.rollcall = True
        app.toast(app.tr("Roll call resumed: {accounted} of {total} accounted for", app.lang).format(
            accounted=call.tally().accounted, total=call.tally().total))
        self.refresh()

    def end_rollcall(self, rollcall_id: int | None = None) -> bool:
        """End the roll call (this screen's, or an open one offered at sign-in): pending marks are written
        first; a record of the end is kept. With the database away the roll call stays open (a message)."""
        app = App.get_running_app()
        if rollcall_id is None or rollcall_id == self.call.rollcall_id:
            if self.rollcall and not self._sync():
                return False
            rollcall_id = self.call.rollcall_id
        try:
            if rollcall_id is not None:
                ended = app.desk.quick_call(visitors.end_rollcall, rollcall_id, wait_ms=SYNC_WAIT_MS)
                app.toast(app.tr("Roll call ended: {accounted} of {total} accounted for", app.lang).format(
                    accounted=ended.accounted, total=ended.total))
        except (*DB_TROUBLE, Refusal) as exc:
            self._trouble(exc, "Database busy: the roll call stays open, end it again in a moment")
            return False
        kept = rollcall_copy.read_journal(self._journal())
        if kept is not None and kept[0] == rollcall_id:
            rollcall_copy.clear_journal(self._journal())
        if rollcall_id == self.call.rollcall_id:
            self.call = RollCall()
            self.rollcall = False
        self.refresh()
        return True

    def before_sign_out(self) -> None:
        """The desk is being left: pending marks are written, or kept on disk; the roll call stays open
        (the next sign-in is offered it). Never raises: a sign-out must always happen."""
        try:
            if self.rollcall and self.call.pending and not self._sync():
                self._keep_on_disk()
        except Exception:
            log.exception("roll call: could not keep the marks at sign-out")
        if self._retry_event is not None:
            self._retry_event.cancel()
            self._retry_event = None
        App.get_running_app().drill_active = False

    def _sync(self) -> bool:
        """Write pending marks, then read the list again; on trouble keep the copy. True when in step."""
        app = App.get_running_app()
        try:
            if self.call.rollcall_id is None:
                self.call.rollcall_id = app.desk.quick_call(visitors.start_rollcall, wait_ms=SYNC_WAIT_MS)
            for visit_id, heads in list(self.call.pending):
                try:
                    app.desk.quick_call(visitors.mark_safe, self.call.rollcall_id, visit_id, heads,
                                        tapped_at=self.call.tapped.get(visit_id, ""), wait_ms=SYNC_WAIT_MS)
                except visitors.VisitorError as exc:  # refused (a stale visit): say so, drop the mark
                    self._trouble(exc, "")
                self.call.stored(visit_id, heads)
            self.call.load(app.desk.quick_call(visitors.rollcall_list, self.call.rollcall_id,
                                                     wait_ms=SYNC_WAIT_MS))
            if not self.call.pending:
                rollcall_copy.clear_journal(self._journal())
            return True
        except (*DB_TROUBLE, Refusal) as exc:
            self._trouble(exc, "Database busy: marks are kept on this screen and saved when it answers")
            if self.call.pending:
                self._keep_on_disk()  # a crash or a pulled plug now still keeps them
            self._retry_later()
            return False

    def _retry_later(self) -> None:
        """Marks still pending are written again on a timer (not only on the next tap)."""
        if self._retry_event is None:
            self._retry_event = KivyClock.schedule_once(self._retry, SYNC_RETRY_S)

    def _retry(self, _dt=None) -> None:
        self._retry_event = None
        if self.rollcall and self.call is not None and self.call.pending and self._sync():
            self._render()


    def step(self, visit, delta: int) -> None:
        """Count one head of a visit safe (+1) or undo one (-1); the screen changes at once."""
        if not self.rollcall or visit is None:
            return
        self.call.step(visit["id"], delta, at=utc_iso(App.get_running_app().ctx.clock.now()))
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
            app.desk.quick_call(printqueue.enqueue, paper, record_table="rollcalls", record_id=self.call.rollcall_id,
                                wait_ms=SYNC_WAIT_MS)  # busy: straight to the printer now, not after 5 s
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
        # "11-23 09:00" for a visit signed in on another day: the date over the time, in the narrow column
        return local_time(App.get_running_app(), iso).replace(" ", "\n")
