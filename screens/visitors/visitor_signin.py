"""Visitor self sign-in at the touchscreen: phone → name → host and purpose → privacy notice → greeting
with the sign-out code (a badge prints), which returns home by itself. Big targets, Chinese input through
the pinyin keyboard, and a form that clears itself when left idle (privacy).

Nothing about an earlier visit is ever shown: the service recognises a returning visitor only by the
phone AND the name they typed themselves, or by the code of their own earlier badge (typed, or its QR
scanned), and the screen learns no more than "welcome back". With a badge the name and phone steps are
skipped: the screen never holds the person's details, only the code they typed."""
from __future__ import annotations

import logging
import re
import sqlite3
from pathlib import Path

from kivy.app import App
from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.screenmanager import NoTransition, Screen

from kiosk.core.errors import message_of
from kiosk.core.storage import StorageFault
from kiosk.printing import queue as printqueue
from kiosk.core import settings
from kiosk.visitors import service as visitors
from kiosk.core.audit import VISITOR
from kiosk.visitors.service import SeeTheDesk, Visitor, VisitorError
import screens.widgets.keyboard  # noqa: F401  (registers OnScreenKeyboard and NumPad for the .kv)
from screens.widgets.common import BigButton, show_refusal

log = logging.getLogger(__name__)
STORAGE_TROUBLE = (sqlite3.Error, OSError, StorageFault)  # a full, read-only, locked or broken database
NOT_SAVED = ("We could not save your sign-in just now. Everything you typed is still here: tap Accept to try"
             " again in a moment, or please ask at the desk.")
Builder.load_file(str(Path(__file__).with_name("visitor_signin.kv")))


class HostChoice(BigButton):
    host_id = NumericProperty(0)


MOBILE = re.compile(r"1[3-9][0-9]{9}")
DONE_SECONDS = 8  # the finished step (badge code shown) goes home by itself for the next visitor


class VisitorSignIn(Screen):
    """The whole flow; `reset()` wipes everything typed (called on idle and when done)."""

    _done_event = None

    host_id = NumericProperty(0)
    host_name = StringProperty("")
    host_more = StringProperty("")  # the "type more" hint when the directory's answer was capped
    purpose = StringProperty("")  # "": not chosen (a returning visitor's last purpose, else a meeting)
    pass_code = StringProperty("")  # the earlier badge's code, once the service accepted it
    party_size = NumericProperty(1)
    greeting = StringProperty("")
    code = StringProperty("")
    message = StringProperty("")
    returning = BooleanProperty(False)
    hosts = ListProperty([])

    def on_kv_post(self, base_widget) -> None:
        self.ids.steps.transition = NoTransition()

    def on_pre_enter(self, *args) -> None:
        self.reset()

    def reset(self) -> None:
        if self._done_event is not None:
            self._done_event.cancel()
            self._done_event = None
        for key in ("phone", "name", "organisation", "host_search", "pass_code"):
            self.ids[key].text = ""
            self.ids[key].error = ""
        self.host_name = self.greeting = self.code = self.message = self.pass_code = self.host_more = ""
        self.host_id, self.purpose, self.party_size, self.returning = 0, "", 1, False
        self.ids.host_results.clear_widgets()
        for keyboard in (self.ids.keyboard, self.ids.host_keyboard, self.ids.pass_keyboard):
            # A half-typed pinyin syllable and its candidate bar must not greet the next visitor (nor be
            # typed into their first field by their first Next).
            keyboard.reset_input("zh")  # and the handwriting pad's strokes
        self.ids.pass_keyboard.mode = "en"  # codes are Latin letters and digits
        self.step("phone")

    def step(self, name: str) -> None:
        self.ids.steps.current = name
        field = {"phone": "phone", "name": "name", "host": "host_search", "pass": "pass_code"}.get(name)
        keyboards = {"phone": self.ids.numpad, "name": self.ids.keyboard, "host": self.ids.host_keyboard,
                     "pass": self.ids.pass_keyboard}
        if field:
            keyboards[name].target = self.ids[field].ids.input
            self.ids[field].ids.input.focus = True

    # --- steps ------------------------------------------------------------------------------------
    def phone_next(self) -> None:
        self.pass_code = ""  # the phone and the name are the proof now, not a badge typed before
        field = self.ids.phone
        try:
            visitors.clean_phone(field.text)
        except VisitorError as exc:
            show_refusal(exc, default=field)
            return
        if self._denied(phone=field.text):
            return
        self.step("name")  # never a hint about an earlier visit: the name typed next is the proof

    def phone_typed(self, text: str) -> None:
        """Keyboard wiring: a complete mainland mobile number (1 + ten digits, the form nearly every
        visitor types) goes on by itself, one tap fewer; any other form waits for Continue."""
        if self.ids.steps.current == "phone" and MOBILE.fullmatch(text or ""):
            Clock.schedule_once(lambda _dt: self.phone_next() if self.ids.steps.current == "phone"
                                and MOBILE.fullmatch(self.ids.phone.text or "") else None)

    def _denied(self, **typed) -> bool:
        """Deny list checked as soon as a phone or a name is entered: staff get the discreet alert, the
        visitor only 'please see the desk'."""
        app = App.get_running_app()
        try:
            app.desk.visitor_call(visitors.check_deny, **typed)
        except SeeTheDesk as exc:
            app.ctx.bus.publish("visitor.deny_alert", entry_id=exc.entry["id"])
            self.step("seedesk")
            return True
        return False

    def use_pass(self) -> None:
        """A returning visitor with their earlier badge: its code instead of phone and name."""
        self.ids.phone.text = self.ids.phone.error = ""  # one proof at a time: the phone typed is dropped
        self.step("pass")

    def pass_next(self) -> None:
        """The code is checked by the service (a wrong one is counted; many send everyone to the desk). On
        success the screen keeps only the code; the host is preset when the visitor is expected today."""
        app = App.get_running_app()
        field = self.ids.pass_code
        try:
            proof = app.desk.visitor_call(visitors.check_pass, field.text, tz=app.desk.tz)
        except SeeTheDesk as exc:
            app.ctx.bus.publish("visitor.deny_alert", entry_id=exc.entry["id"])
            self.step("seedesk")
            return
        except VisitorError as exc:
            show_refusal(exc, default=field)
            return
        self.pass_code = field.text
        self._preset_host(proof["expected"])
        self.step("host")

    def name_next(self) -> None:
        keyboard = self.ids.keyboard
        unfinished = keyboard.unfinished()
        if unfinished:
            # pinyin typed (or a character written on the pad) but no character picked for it: the name is
            # not empty, it is unfinished (and its Latin letters are no name to sign in with)
            app = App.get_running_app()
            typed_in = self.ids.organisation if keyboard.target is self.ids.organisation.ids.input else self.ids.name
            if unfinished == "pinyin" and keyboard.mode in ("en", "num"):
                keyboard.press("mode:zh")  # the pinyin set aside comes back with its candidates to pick
            typed_in.error = (app.tr("Pick the characters for the pinyin you typed (tap one above the keys)", app.lang)
                              if unfinished == "pinyin" else
                              app.tr("Pick the character you wrote (tap one above the pad)", app.lang))
            return
        for key, limit, required in (("name", 40, True), ("organisation", 60, False)):
            field = self.ids[key]
            try:
                visitors.clean_text(field.text, key, required=required, limit=limit)
            except VisitorError as exc:
                show_refusal(exc, default=field)
                return
        if self._denied(name=self.ids.name.text):
            return
        app = App.get_running_app()
        expected = app.desk.visitor_call(visitors.expected_host, self.ids.phone.text, self.ids.name.text,
                                         tz=app.desk.tz)
        self._preset_host(expected)
        self.step("host")

    def _preset_host(self, expected: dict | None) -> None:
        """Pre-registered (after their proof): their host is already chosen for them."""
        if not expected or self.host_id:
            return
        self.host_id, self.host_name = expected["id"], expected["name"]
        self.ids.host_search.text = ""
        box = self.ids.host_results
        box.clear_widgets()
        button = HostChoice(text=expected["name"], host_id=expected["id"], kind="primary", height="52dp")
        button.bind(on_release=self._host_chosen)
        box.add_widget(button)

    def search_hosts(self, text: str) -> None:
        app = App.get_running_app()
        box = self.ids.host_results
        box.clear_widgets()
        answer = app.desk.visitor_call(visitors.host_answer, text)
        # capped: a hint to type more, translated; the names past the cap stay unknown to the visitor
        self.host_more = app.tr("More names match: type more to narrow", app.lang) if answer.more else ""
        for host in answer.hosts:
            button = HostChoice(text=host["name"], host_id=host["id"], kind="quiet", height="52dp")
            button.bind(on_release=self._host_chosen)
            box.add_widget(button)

    def host_typed(self) -> None:
        """Keyboard wiring: the directory is asked about what is typed, and while pinyin is still being
        composed, about its letters, so "zm" finds 张敏 by initials without picking 张 and 敏 first
        (the same answer the letters would get typed in EN mode; the directory's rules are its own)."""
        text = self.ids.host_search.text
        self.search_hosts(text if text.strip() else self.ids.host_keyboard.composition.replace("'", ""))

    def _host_chosen(self, button) -> None:
        self.host_id, self.host_name = button.host_id, button.text
        for child in self.ids.host_results.children:
            child.kind = "selected" if child is button else "quiet"  # one primary colour: Continue

    def host_next(self) -> None:
        app = App.get_running_app()
        if not self.host_id:
            self.ids.host_search.error = app.tr("choose whom you are visiting", app.lang)
            return
        days = app.desk.visitor_call(settings.get, "visitor_retention_days")
        notice = app.desk.visitor_call(settings.localized, "privacy_notice", app.lang)
        self.ids.notice.text = notice.replace("{days}", str(days))
        self.step("privacy")

    def accept(self) -> None:
        app = App.get_running_app()
        by_pass = bool(self.pass_code)  # the service takes name, phone and company from the badge's visit
        visitor = Visitor(name="" if by_pass else self.ids.name.text, phone="" if by_pass else self.ids.phone.text,
                          host_id=self.host_id, purpose=self.purpose, party_size=int(self.party_size),
                          organisation="" if by_pass else self.ids.organisation.text, privacy_accepted=True,
                          pass_code=self.pass_code)
        try:
            result = app.desk.visitor_call(visitors.sign_in, visitor, tz=app.desk.tz)
        except STORAGE_TROUBLE as exc:
            # Disk full, read-only, locked...: nothing was written. The visitor keeps everything typed and
            # may tap Accept again once the fault clears; staff find the file and the fix in the log.
            log.warning("visitor sign-in not saved: %s", message_of(exc, "en"))
            self.message = app.tr(NOT_SAVED, app.lang)
            return
        except SeeTheDesk as exc:
            app.ctx.bus.publish("visitor.deny_alert", entry_id=exc.entry["id"])  # discreet, staff side
            self.step("seedesk")
            return
        except VisitorError as exc:
            self.message = show_refusal(exc)
            fields = {"phone": "phone", "name": "name", "organisation": "name", "pass_code": "pass"}
            self.step(fields.get(exc.field, "host"))
            return
        self.message = ""
        from kiosk.visitors.receipts import badge
        try:
            app.desk.visitor_call(printqueue.enqueue, app.desk.visitor_call(badge, result.visit_id, app.lang),
                                  record_table="visits", record_id=result.visit_id, actor=VISITOR)  # self service
        except STORAGE_TROUBLE as exc:  # the visit is saved; only its badge could not be queued
            log.warning("visitor badge not queued: %s", message_of(exc, "en"))
        self.returning = result.returning
        msgid = visitors.greeting(int(self.party_size), result.returning, result.expected)
        self.greeting = app.tr(msgid, app.lang).replace("{host}", result.host_name)
        self.code, self.host_name = result.code, result.host_name
        if result.expected:  # the desk fetches the host the moment they arrive
            app.ctx.bus.publish("visitor.expected_arrived", visit_id=result.visit_id, host=result.host_name,
                                extension=result.host_phone)
        self.step("done")
        self._done_event = Clock.schedule_once(lambda _dt: self.finish(), DONE_SECONDS)

    BACK = {"phone": None, "pass": "phone", "name": "phone", "host": "name", "privacy": "host"}

    def back(self) -> None:
        """The Back key of the step bar: the previous step (the first step's Back leaves, like Cancel).
        What was typed stays, so a visitor who went back to fix the name finds the rest as it was."""
        previous = self.BACK.get(self.ids.steps.current)
        if self.ids.steps.current == "host" and self.pass_code:
            previous = "pass"
        if previous is None:
            self.finish()
        else:
            self.step(previous)

    def finish(self) -> None:
        """Done (or cancelled): everything wiped, and the next visitor starts in the site's language."""
        self.reset()
        app = App.get_running_app()
        app.reset_visitor_language()
        app.go("home")
