"""The desk's phone section: today's calls, confirming outcomes, 5W1H notes, callbacks, figures."""
from __future__ import annotations

from datetime import datetime, timedelta
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
from screens.widgets.common import show_refusal

Builder.load_file(str(Path(__file__).with_name("phone_section.kv")))

OUTCOME_TEXT = {"answered": "answered", "missed": "missed", "unknown": "not known", "ringing": "ringing"}


def local_time(app, iso: str) -> str:
    """HH:MM for today, MM-DD HH:MM for any other day (a due time or an older call needs its date)."""
    from zoneinfo import ZoneInfo
    tz = ZoneInfo(app.desk.tz)
    moment = parse_iso(iso).astimezone(tz)
    today = app.desk.clock.now().astimezone(tz).date()
    return moment.strftime("%H:%M") if moment.date() == today else moment.strftime("%m-%d %H:%M")


LIST_DAYS = 7              # the call list reaches back a week: yesterday's unknown calls still need a tap
CALLBACK_RESULTS = ("Reached the caller", "No answer", "Left a message")   # msgids, one tap each


class GapRowView(BoxLayout):
    """A time the line was not watched, in the call list."""

    text = StringProperty("")


class CallbackResult(ModalView):
    """How did the callback go? One tap records the result with the callback."""

    def __init__(self, section, note, **kwargs) -> None:
        super().__init__(**kwargs)
        self.section, self.note = section, note

    def choose(self, result: str) -> None:
        self.dismiss()
        self.section.callback_done(self.note, result)


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
        ids = self.ids
        fields = {"caller_name": ids.name, "caller_number": ids.number, "what": ids.what, "place": ids.place,
                  "why": ids.why, "how": ids.how, "follow_up": ids.follow_up}  # service field -> widget
        for field in fields.values():
            field.error = ""
        try:
            note_id = app.desk.call(calllog.add_note, call_id=self.call_id, category=self.category,
                          what=ids.what.text, caller_name=ids.name.text, caller_number=ids.number.text,
                          place=ids.place.text, why=ids.why.text, how=ids.how.text, follow_up=ids.follow_up.text,
                          needs_callback=self.needs_callback)
        except calllog.CallLogError as exc:
            show_refusal(exc, fields, default=ids.what)
            return
        self.dismiss()
        app.toast(app.tr("Note saved", app.lang))
        self.section.refresh()
        if self.category in ("complaint", "repair"):  # the note opens a complaint, linked both ways
            self.section.open_complaint_for(note_id)


class PhoneSection(Screen):
    """Refreshes itself (throttled) whenever a call event arrives."""

    calls_text = StringProperty("")
    basis_text = StringProperty("")   # what the figures rest on (unknown outcomes, gaps)
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
        desk = app.desk
        start, end = desk.call(calllog.day_bounds, desk.tz)
        figures = desk.call(calllog.figures, start, end, app.ctx.config.get("phone", "rings_before_prompt"))
        share = "-" if figures.share_within_three is None else f"{figures.share_within_three * 100:.0f}%"
        rings = "-" if figures.average_rings_to_answer is None else f"{figures.average_rings_to_answer:.1f}"
        self.calls_text, self.share_text, self.missed_text = str(figures.calls), share, str(figures.missed)
        self.rings_text, self.callbacks_text = rings, str(figures.open_callbacks)
        self.overdue = figures.overdue_callbacks
        basis = [app.tr(msgid, app.lang).format(**params) for msgid, params in figures.basis]
        self.basis_text = " · ".join(basis)
        calls_box = self.ids.calls
        calls_box.clear_widgets()
        since = start - timedelta(days=LIST_DAYS - 1)
        rows = [(c.started_at, CallRowView(call=c, section=self)) for c in desk.call(calllog.calls_between, since, end)[:100]]
        for gap in desk.call(calllog.gaps_between, since, end)[-20:]:
            text = app.tr("line not watched {start}–{end}", app.lang).format(start=local_time(app, gap.started_at),
                                                                           end=local_time(app, gap.ended_at))
            rows.append((gap.started_at, GapRowView(text=text)))
        for _, widget in sorted(rows, key=lambda r: r[0], reverse=True):
            calls_box.add_widget(widget)
        callbacks_box = self.ids.callbacks
        callbacks_box.clear_widgets()
        now = desk.clock.now().isoformat()
        for note in desk.call(calllog.open_callbacks)[:50]:
            callbacks_box.add_widget(CallbackRowView(note=note, section=self, overdue=note["callback_due"] < now))

    def confirm(self, call, outcome: str) -> None:
        app = App.get_running_app()
        app.desk.call(calllog.confirm_outcome, call.id, outcome)
        self.refresh()

    def ask_outcome(self, call) -> None:
        OutcomeChoice(self, call).open()

    def open_note(self, call=None) -> None:
        NoteForm(self, call).open()

    def open_complaint_for(self, note_id: int):
        """The complaints section with a new complaint filled from this note (screens.complaints)."""
        from screens import sections
        desk = App.get_running_app().sm.get_screen("desk")
        desk.open_section(sections.find("complaints"))
        return desk.ids.content.get_screen("complaints").from_call_note(note_id)

    def picked_up(self, call) -> None:
        """One tap on the call row: I answered this one (staff confirm, audited)."""
        self.confirm(call, "answered")

    def ask_callback_result(self, note) -> None:
        CallbackResult(self, note).open()

    def callback_done(self, note, result: str = "") -> None:
        app = App.get_running_app()
        try:
            app.desk.call(calllog.complete_callback, note["id"], result)
        except calllog.CallLogError as exc:
            app.toast(show_refusal(exc))
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
