"""Visitor self sign-in at the touchscreen: phone → (is this you?) → name → host and purpose →
privacy notice → greeting with the sign-out code (a badge prints). Big targets, Chinese input through
the pinyin keyboard, and a form that clears itself when left idle (privacy)."""
from __future__ import annotations

from pathlib import Path

from kivy.app import App
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


class VisitorSignIn(Screen):
    """The whole flow; `reset()` wipes everything typed (called on idle and when done)."""

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
        for key in ("phone", "name", "organisation", "host_search"):
            self.ids[key].text = ""
            self.ids[key].error = ""
        self.hint = self.host_name = self.greeting = self.code = self.message = ""
        self.host_id, self.purpose, self.party_size, self.returning = 0, "meeting", 1, False
        self.ids.host_results.clear_widgets()
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
        app = App.get_running_app()
        field = self.ids.phone
        try:
            visitors.clean_phone(field.text)
        except VisitorError as exc:
            show_refusal(exc, default=field)
            return
        self.hint = app.desk.visitor_call(visitors.returning_hint, field.text) or ""
        self.step("isthisyou" if self.hint else "name")

    def confirm_returning(self, yes: bool) -> None:
        app = App.get_running_app()
        if yes:
            details = app.desk.visitor_call(visitors.prefill, self.ids.phone.text)
            self.ids.name.text = details.get("name", "")
            self.ids.organisation.text = details.get("organisation", "")
            self.purpose = details.get("purpose", "meeting")
            self.returning = True
        self.step("name")

    def name_next(self) -> None:
        for key, limit, required in (("name", 40, True), ("organisation", 60, False)):
            field = self.ids[key]
            try:
                visitors.clean_text(field.text, key, required=required, limit=limit)
            except VisitorError as exc:
                show_refusal(exc, default=field)
                return
        self.step("host")

    def search_hosts(self, text: str) -> None:
        app = App.get_running_app()
        box = self.ids.host_results
        box.clear_widgets()
        for host in app.desk.visitor_call(visitors.find_hosts, text, limit=4):
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
        self.greeting = app.tr(visitors.greeting(int(self.party_size), result.returning or self.returning), app.lang)
        self.code, self.host_name = result.code, result.host_name
        self.step("done")

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
        self.reset()
        App.get_running_app().go("home")
