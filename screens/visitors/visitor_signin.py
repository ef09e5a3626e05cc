"""Visitor self sign-in at the touchscreen: phone → name → host and purpose → privacy notice → greeting
with the sign-out code (a badge prints), which returns home by itself. Big targets, Chinese input through
the pinyin keyboard, and a form that clears itself when left idle (privacy).

Nothing about an earlier visit is ever shown: the service recognises a returning visitor only by the
phone AND the name they typed themselves, and the screen learns no more than "welcome back"."""
from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, StringProperty
from kivy.uix.screenmanager import NoTransition, Screen

from kiosk.printing import queue as printqueue
from kiosk.core import settings
from kiosk.visitors import service as visitors
from kiosk.core.audit import VISITOR
from kiosk.visitors.service import SeeTheDesk, Visitor, VisitorError
import screens.widgets.keyboard  # noqa: F401  (registers OnScreenKeyboard and NumPad for the .kv)
from screens.widgets.common import BigButton, show_refusal

Builder.load_file(str(Path(__file__).with_name("visitor_signin.kv")))


class HostChoice(BigButton):
    host_id = NumericProperty(0)


DONE_SECONDS = 8  # the finished step (badge code shown) goes home by itself for the next visitor


class VisitorSignIn(Screen):
    """The whole flow; `reset()` wipes everything typed (called on idle and when done)."""

    _done_event = None

    hint = StringProperty("")
    host_id = NumericProperty(0)
    host_name = StringProperty("")
    purpose = StringProperty("meeting")
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
        for key in ("phone", "name", "organisation", "host_search"):
            self.ids[key].text = ""
            self.ids[key].error = ""
        self.hint = self.host_name = self.greeting = self.code = self.message = ""
        self.host_id, self.purpose, self.party_size, self.returning = 0, "meeting", 1, False
        self.ids.host_results.clear_widgets()
        for keyboard in (self.ids.keyboard, self.ids.host_keyboard):
            # A half-typed pinyin syllable and its candidate bar must not greet the next visitor (nor be
            # typed into their first field by their first Next).
            keyboard.composition = ""
            keyboard.candidates = []
            keyboard.page, keyboard.shift, keyboard.mode = 0, False, "zh"
        self.step("phone")

    def step(self, name: str) -> None:
        self.ids.steps.current = name
        field = {"phone": "phone", "name": "name", "host": "host_search"}.get(name)
        keyboards = {"phone": self.ids.numpad, "name": self.ids.keyboard, "host": self.ids.host_keyboard}
        if field:
            keyboards[name].target = self.ids[field].ids.input
            self.ids[field].ids.input.focus = True

    # --- steps ------------------------------------------------------------------------------------
    def phone_next(self) -> None:
        field = self.ids.phone
        try:
            visitors.clean_phone(field.text)
        except VisitorError as exc:
            show_refusal(exc, default=field)
            return
        if self._denied(phone=field.text):
            return
        self.step("name")  # never a hint about an earlier visit: the name typed next is the proof

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

    def confirm_returning(self, yes: bool) -> None:
        """The old 'is this you?' step (still in the .kv, never shown): it discloses nothing and goes on."""
        self.step("name")

    def name_next(self) -> None:
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
        if expected and not self.host_id:  # pre-registered: their host is already chosen for them
            self.host_id, self.host_name = expected["id"], expected["name"]
            self.ids.host_search.text = ""
            box = self.ids.host_results
            box.clear_widgets()
            button = HostChoice(text=expected["name"], host_id=expected["id"], kind="primary", height="52dp")
            button.bind(on_release=self._host_chosen)
            box.add_widget(button)
        self.step("host")

    def search_hosts(self, text: str) -> None:
        app = App.get_running_app()
        box = self.ids.host_results
        box.clear_widgets()
        for host in app.desk.visitor_call(visitors.find_hosts, text):
            button = HostChoice(text=host["name"], host_id=host["id"], kind="quiet", height="52dp")
            button.bind(on_release=self._host_chosen)
            box.add_widget(button)

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
        visitor = Visitor(name=self.ids.name.text, phone=self.ids.phone.text, host_id=self.host_id,
                          purpose=self.purpose, party_size=int(self.party_size),
                          organisation=self.ids.organisation.text, privacy_accepted=True)
        try:
            result = app.desk.visitor_call(visitors.sign_in, visitor, tz=app.desk.tz)
        except SeeTheDesk as exc:
            app.ctx.bus.publish("visitor.deny_alert", entry_id=exc.entry["id"])  # discreet, staff side
            self.step("seedesk")
            return
        except VisitorError as exc:
            self.message = show_refusal(exc)
            self.step({"phone": "phone", "name": "name", "organisation": "name"}.get(exc.field, "host"))
            return
        from kiosk.visitors.receipts import badge
        app.desk.visitor_call(printqueue.enqueue, app.desk.visitor_call(badge, result.visit_id, app.lang),
                              record_table="visits", record_id=result.visit_id, actor=VISITOR)  # self service
        self.returning = result.returning
        msgid = visitors.greeting(int(self.party_size), result.returning, result.expected)
        self.greeting = app.tr(msgid, app.lang).replace("{host}", result.host_name)
        self.code, self.host_name = result.code, result.host_name
        if result.expected:  # the desk fetches the host the moment they arrive
            app.ctx.bus.publish("visitor.expected_arrived", visit_id=result.visit_id, host=result.host_name,
                                extension=result.host_phone)
        self.step("done")
        self._done_event = Clock.schedule_once(lambda _dt: self.finish(), DONE_SECONDS)

    BACK = {"phone": None, "isthisyou": "phone", "name": "phone", "host": "name", "privacy": "host"}

    def back(self) -> None:
        """The Back key of the step bar: the previous step (the first step's Back leaves, like Cancel).
        What was typed stays, so a visitor who went back to fix the name finds the rest as it was."""
        previous = self.BACK.get(self.ids.steps.current)
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
