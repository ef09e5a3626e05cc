"""The desk's phone section: today's calls, confirming outcomes, 5W1H notes, callbacks, figures."""
from __future__ import annotations

from datetime import datetime
from pathlib import Path

from kivy.app import App
from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.modalview import ModalView
from kivy.uix.screenmanager import Screen

from kiosk.phone import calllog
from kiosk.core.clock import parse_iso

Builder.load_file(str(Path(__file__).with_name("phone_section.kv")))

OUTCOME_TEXT = {"answered": "answered", "missed": "missed", "unknown": "not known", "ringing": "ringing"}


def local_time(app, iso: str) -> str:
    from zoneinfo import ZoneInfo
    return parse_iso(iso).astimezone(ZoneInfo(app.ctx.config.get("site", "timezone"))).strftime("%H:%M")


class CallRowView(BoxLayout):
    """One call in today's list."""

    call = ObjectProperty(None)
    section = ObjectProperty(None)


class CallbackRowView(BoxLayout):
    """One promised callback."""

    note = ObjectProperty(None)
    section = ObjectProperty(None)
    overdue = BooleanProperty(False)


class OutcomeChoice(ModalView):
    """Answered or missed? For calls the line could not tell."""

    def __init__(self, section, call, **kwargs) -> None:
        super().__init__(**kwargs)
        self.section, self.call = section, call

    def choose(self, outcome: str) -> None:
        self.dismiss()
        self.section.confirm(self.call, outcome)


class NoteForm(ModalView):
    """A 5W1H note for a call (or for a call that came in on another line)."""

    call_id = ObjectProperty(None, allownone=True)
    category = StringProperty("inquiry")
    needs_callback = BooleanProperty(False)
    message = StringProperty("")

    def __init__(self, section, call=None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.section = section
        self.call_id = call.id if call else None
        if call is not None:
            self.ids.number.text = call.number if call.number not in ("private", "unavailable") else ""
            self.ids.name.text = call.name

    def save(self) -> None:
        app = App.get_running_app()
        fields = {key: self.ids[key] for key in ("name", "number", "what", "place", "why", "how", "follow_up")}
        for field in fields.values():
            field.error = ""
        try:
            calllog.add_note(app.ctx.db, app.ctx.clock, app.user.actor(), call_id=self.call_id, category=self.category,
                             what=fields["what"].text, caller_name=fields["name"].text,
                             caller_number=fields["number"].text, place=fields["place"].text, why=fields["why"].text,
                             how=fields["how"].text, follow_up=fields["follow_up"].text,
                             needs_callback=self.needs_callback)
        except calllog.CallLogError as exc:
            text = str(exc)
            target = next((f for key, f in fields.items() if text.startswith(key.replace("_", "-"))
                           or (key == "number" and "number" in text)), fields["what"])
            target.error = app.tr(_message_id(text), app.lang)
            return
        self.dismiss()
        app.toast(app.tr("Note saved", app.lang))
        self.section.refresh()


def _message_id(text: str) -> str:
    """Core messages are English msgids; sizes in them are fixed, so they translate as they are."""
    return text


class PhoneSection(Screen):
    """Refreshes itself (throttled) whenever a call event arrives."""

    calls_text = StringProperty("")
    share_text = StringProperty("")
    missed_text = StringProperty("")
    rings_text = StringProperty("")
    callbacks_text = StringProperty("")
    overdue = NumericProperty(0)
    demo = BooleanProperty(False)

    def on_kv_post(self, base_widget) -> None:
        app = App.get_running_app()
        self._refresh = Clock.create_trigger(lambda dt: self.refresh(), 0.3)
        for kind in ("started", "ended", "answered"):
            app._unsubscribe.append(app.ctx.bus.subscribe(f"call.{kind}", lambda e: self._refresh()))
        self.demo = bool(app.demo)

    def on_pre_enter(self, *args) -> None:
        self.refresh()

    def refresh(self) -> None:
        app = App.get_running_app()
        if app.user is None:
            return
        db, clock = app.ctx.db, app.ctx.clock
        start, end = calllog.day_bounds(clock, app.ctx.config.get("site", "timezone"))
        figures = calllog.figures(db, clock, start, end, app.ctx.config.get("phone", "rings_before_prompt"))
        share = "-" if figures.share_within_three is None else f"{figures.share_within_three * 100:.0f}%"
        rings = "-" if figures.average_rings_to_answer is None else f"{figures.average_rings_to_answer:.1f}"
        self.calls_text, self.share_text, self.missed_text = str(figures.calls), share, str(figures.missed)
        self.rings_text, self.callbacks_text = rings, str(figures.open_callbacks)
        self.overdue = figures.overdue_callbacks
        calls_box = self.ids.calls
        calls_box.clear_widgets()
        for call in calllog.calls_between(db, start, end)[:100]:
            calls_box.add_widget(CallRowView(call=call, section=self))
        callbacks_box = self.ids.callbacks
        callbacks_box.clear_widgets()
        now = clock.now().isoformat()
        for note in calllog.open_callbacks(db)[:50]:
            callbacks_box.add_widget(CallbackRowView(note=note, section=self, overdue=note["callback_due"] < now))

    def confirm(self, call, outcome: str) -> None:
        app = App.get_running_app()
        calllog.confirm_outcome(app.ctx.db, app.ctx.clock, app.user.actor(), call.id, outcome)
        self.refresh()

    def ask_outcome(self, call) -> None:
        OutcomeChoice(self, call).open()

    def open_note(self, call=None) -> None:
        NoteForm(self, call).open()

    def callback_done(self, note) -> None:
        app = App.get_running_app()
        try:
            calllog.complete_callback(app.ctx.db, app.ctx.clock, app.user.actor(), note["id"])
        except calllog.CallLogError as exc:
            app.toast(app.tr(str(exc), app.lang))
        self.refresh()

    def simulate_call(self) -> None:
        """Demo mode: ring the simulated line (six rings, unanswered) to see the prompt."""
        app = App.get_running_app()
        phone = app.devices.get("phone")
        if phone is None or not hasattr(phone, "simulator"):
            app.toast(app.tr("No simulated phone line", app.lang))
            return
        from hardware.phone.runtime import play_demo_call
        play_demo_call(phone, "unanswered_6")
        app.toast(app.tr("Calling the desk...", app.lang))

    @staticmethod
    def outcome_text(app, call, lang: str) -> str:
        return app.tr(OUTCOME_TEXT.get(call.outcome, call.outcome), lang)

    @staticmethod
    def time_text(app, iso: str) -> str:
        return local_time(app, iso)

    @staticmethod
    def today() -> str:
        return datetime.now().strftime("%Y-%m-%d")
