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
from screens.phone.line_alarm import gap_text
from screens.widgets.common import show_refusal
from screens.widgets.rowlist import RowList, build_ahead, row_size  # noqa: F401 (RowList: used by the .kv)

Builder.load_file(str(Path(__file__).with_name("phone_section.kv")))

OUTCOME_TEXT = {"answered": "answered", "missed": "missed", "unknown": "not known", "ringing": "ringing"}


def local_time(app, iso: str) -> str:
    """HH:MM for today, MM-DD HH:MM for any other day (a due time or an older call needs its date)."""
    from zoneinfo import ZoneInfo
    tz = ZoneInfo(app.desk.tz)
    moment = parse_iso(iso).astimezone(tz)
    today = app.desk.clock.now().astimezone(tz).date()
    return moment.strftime("%H:%M") if moment.date() == today else moment.strftime("%m-%d %H:%M")


CALL_ROWS = 200            # the newest calls of the week in the list (recycled rows: only those on screen are built)
CALLBACK_ROWS = 200        # open callbacks listed, soonest due first (the tile counts them all)
# Blank rows built ahead on idle moments (enough for the lists' first screenful at 1280x800).
ROWS_AHEAD = (("CallRowView", 12), ("CallbackRowView", 10), ("GapRowView", 2))
LIST_DAYS = 7              # the call list reaches back a week: yesterday's unknown calls still need a tap


def _row_order(row: dict):
    """Newest first: calls and gaps by when they began."""
    return (row["at"], row["call_id"] or 0)


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
    """One call in today's list (with the complaint its note opened, when there is one)."""

    call = ObjectProperty(None)
    section = ObjectProperty(None)
    complaint_id = NumericProperty(0)
    complaint_ref = StringProperty("")


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
        self.section.note_saved(self.call_id)
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
        # A call event changes its own row and the day's figures: collected, then applied once (throttled).
        self._changed_calls: set = set()
        self._apply = Clock.create_trigger(lambda dt: self.apply_changes(), 0.3)
        for kind in ("started", "ended", "answered", "confirmed"):
            app._unsubscribe.append(app.ctx.bus.subscribe(f"call.{kind}", self._on_call_event))
        self.demo = bool(app.demo)

    def on_pre_enter(self, *args) -> None:
        self.refresh()

    def prepare_ahead(self) -> bool:
        """One blank call or callback row built ahead (the section pool's idle step); True while more are due."""
        return build_ahead(ROWS_AHEAD)

    def _on_call_event(self, event) -> None:
        self._changed_calls.add(event.data.get("call_id"))   # None: a call that has just started ringing
        self._apply()

    # --- refresh: the figures once, the lists as recycled rows ---------------------------------------
    def refresh(self) -> None:
        """Everything the section shows, read once: today's figures, the week's newest calls and the line's
        gaps, the open callbacks. The lists are RecycleViews: only the rows on screen are built."""
        app = App.get_running_app()
        if app.user is None:
            return
        self._changed_calls.clear()
        self._show_figures()
        desk = app.desk
        start, end = desk.call(calllog.day_bounds, desk.tz)
        since = start - timedelta(days=LIST_DAYS - 1)
        calls = desk.call(calllog.calls_between, since, end, limit=CALL_ROWS)
        linked = self._linked_complaints([c.id for c in calls])  # the complaint a note opened, one read
        rows = [self._call_data(c, linked) for c in calls]
        for gap in desk.call(calllog.gaps_between, since, end)[-20:]:
            rows.append({"viewclass": "GapRowView", "text": gap_text(app, gap, local_time), "row_size": row_size(40), "at": gap.started_at,
                         "call_id": None})
        rows.sort(key=_row_order, reverse=True)
        self.ids.call_list.show(rows)
        self.refresh_callbacks()

    def refresh_callbacks(self) -> None:
        """The open callbacks, soonest due first (the figure tile counts them all)."""
        app = App.get_running_app()
        now = app.desk.clock.now().isoformat()
        self.ids.callback_list.show(
            {"viewclass": "CallbackRowView", "section": self, "note": note, "overdue": note["callback_due"] < now,
             "row_size": row_size(60)} for note in app.desk.call(calllog.open_callbacks, limit=CALLBACK_ROWS))

    def apply_changes(self) -> None:
        """What the call events since the last look touched: their rows and the day's figures, not the lists."""
        app = App.get_running_app()
        if app.user is None or not self._changed_calls:
            return
        changed, self._changed_calls = self._changed_calls, set()
        self._show_figures()
        desk = app.desk
        rows = self.ids.call_list
        if None in changed:  # a new call: its row is among the newest few (written just after it rang)
            start, end = desk.call(calllog.day_bounds, desk.tz)
            for call in desk.call(calllog.calls_between, start, end, limit=3):
                rows.replace("call_id", call.id, self._call_data(call), order=_row_order)
        for call_id in changed - {None}:
            call = desk.call(calllog.call_row, call_id)
            if call is not None:
                rows.replace("call_id", call_id, self._call_data(call), order=_row_order)

    def _show_figures(self) -> None:
        app = App.get_running_app()
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

    def _call_data(self, call, linked: dict | None = None) -> dict:
        """One call row's data; linked: call id -> (complaint id, ref) for the complaint its note opened
        (looked up when not given: one indexed read for this call)."""
        if linked is None:
            linked = self._linked_complaints([call.id])
        complaint_id, complaint_ref = linked.get(call.id, (0, ""))
        return {"viewclass": "CallRowView", "section": self, "call": call, "row_size": row_size(52),
                "at": call.started_at, "call_id": call.id, "complaint_id": complaint_id, "complaint_ref": complaint_ref}

    def _linked_complaints(self, call_ids: list) -> dict:
        from kiosk.complaints import service as complaints
        return App.get_running_app().desk.call(complaints.for_calls, call_ids)

    def confirm(self, call, outcome: str) -> None:
        app = App.get_running_app()
        app.desk.call(calllog.confirm_outcome, call.id, outcome)
        self._changed_calls.add(call.id)   # that row and the figures, now
        self.apply_changes()

    def note_saved(self, call_id) -> None:
        """A note changes its call's row (Note ✓), the callbacks and their figures."""
        if call_id is not None:
            self._changed_calls.add(call_id)
            self.apply_changes()
        else:
            self._show_figures()
        self.refresh_callbacks()

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

    def open_complaint(self, complaint_id: int):
        """The complaint this call's note opened, in the complaints section (the link back from the log)."""
        from screens import sections
        desk = App.get_running_app().sm.get_screen("desk")
        desk.open_section(sections.find("complaints"))
        return desk.ids.content.get_screen("complaints").open_by_id(complaint_id)

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
        else:
            if result:
                app.toast(app.tr("Callback recorded: {result}", app.lang).format(
                    result=app.tr(calllog.callback_result_msgid(result), app.lang)))
        self._show_figures()
        self.refresh_callbacks()

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
