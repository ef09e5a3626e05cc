"""The desk's complaints section: open complaints and requests, today's duties across the desk,
taking one (at the counter or from a call note), and each step of its life as a new record."""
from __future__ import annotations

from pathlib import Path
from zoneinfo import ZoneInfo

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.behaviors import ButtonBehavior
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.modalview import ModalView
from kivy.uix.screenmanager import Screen

from kiosk.complaints import monthly, rules, service, slips
from kiosk.complaints.service import ComplaintError
from kiosk.core.clock import parse_iso
from kiosk.reports import duties
from screens.widgets.common import BigButton, show_refusal
from screens.widgets.rowlist import RowList, row_size  # noqa: F401 (RowList: used by the .kv)

Builder.load_file(str(Path(__file__).with_name("complaints_section.kv")))


def _app():
    return App.get_running_app()


def when(iso: str | None) -> str:
    """A stored moment as the desk reads it: HH:MM today, else MM-DD HH:MM."""
    if not iso:
        return ""
    app = _app()
    tz = ZoneInfo(app.desk.tz)
    moment = parse_iso(iso).astimezone(tz)
    today = app.desk.clock.now().astimezone(tz).date()
    return moment.strftime("%H:%M") if moment.date() == today else moment.strftime("%m-%d %H:%M")


def tr(msgid: str) -> str:
    app = _app()
    return app.tr(msgid, app.lang)


def _due(c) -> str | None:
    """The deadline a complaint is waiting on now: start, resolution, then the callback."""
    return c.start_due if c.status == "open" else c.resolve_due if c.status == "started" else c.callback_due


class ComplaintRow(BoxLayout):
    """One open complaint: two lines, each shortened to the row (★ major, ☆ waiting for a manager)."""

    complaint = ObjectProperty(None)
    section = ObjectProperty(None)
    late = BooleanProperty(False)

    def line(self, lang: str, *_watched) -> str:
        c = self.complaint
        if c is None:
            return ""
        major = "★ " if c.major else "☆ " if c.major_proposed else ""
        estimated = f" · {tr('deadline estimated')}" if c.estimated else ""
        return (f"{major}{c.ref} · {tr(rules.CATEGORY_LABELS[c.category])} · {tr(service.STATUS_LABELS[c.status])}"
                f"{estimated}")


# msgids: how a complaint's deadlines were counted, said on its detail when not from the holiday package
BASIS_NOTES = {"estimated": "Deadlines estimated: no holiday data for a year they fall in (weekends only)",
               "manual": "Deadlines from the manager's holiday list (no holiday data for that year)",
               "calendar": "Deadlines in calendar days (the desk works every day)"}

OPEN_ROWS = 100   # open complaints built as rows (the rest are counted in the banner)
DUTY_ROWS = 200   # duties listed (the rest are later or the same kind: the list is in deadline order)

class DutyRow(ButtonBehavior, BoxLayout):
    """One duty: when and what on the first line, which on the second; a tap opens it."""

    duty = ObjectProperty(None)
    section = ObjectProperty(None)

    def line(self, lang: str, *_watched) -> str:
        d = self.duty
        if d is None:
            return ""
        flag = tr("overdue") if d.overdue else tr("due")
        return f"{flag} {when(d.due_at)} · {tr(duties.KIND_LABELS[d.kind])}"

    def on_release(self) -> None:
        if self.section is not None and self.duty is not None:
            self.section.open_duty(self.duty)


class ChoiceModal(ModalView):
    """A list of choices as big buttons; a tap calls back with the value."""

    title = StringProperty("")

    def __init__(self, title: str, choices: list[tuple[str, str]], on_choose, **kwargs) -> None:
        super().__init__(**kwargs)
        self.title = title
        for value, label in choices:
            button = BigButton(text=tr(label), kind="quiet", size_hint_y=None, height="52dp")
            button.bind(on_release=lambda b, v=value: (self.dismiss(), on_choose(v)))
            self.ids.choices.add_widget(button)


class ComplaintForm(ModalView):
    """Take a complaint or request; a call note fills what it already knows."""

    kind = StringProperty("complaint")
    category = StringProperty("service")
    responsibility = StringProperty("company")
    major_reason = StringProperty("")
    call_note_id = ObjectProperty(None, allownone=True)
    print_slip = BooleanProperty(False)
    taken = ObjectProperty(None, allownone=True)  # the complaint this form stored: it stores no second one

    def __init__(self, section, prefill: dict | None = None, **kwargs) -> None:
        super().__init__(**kwargs)
        self.section = section
        for value in rules.CATEGORIES:
            button = BigButton(text=tr(rules.CATEGORY_LABELS[value]), font_size="14sp", size_hint_y=None,
                               height="48dp")
            button.value = value
            button.bind(on_release=lambda b: setattr(self, "category", b.value))
            self.ids.categories.add_widget(button)
        self.on_category(self, self.category)
        if prefill:
            self.call_note_id = prefill.get("call_note_id")
            self.kind, self.category = prefill.get("kind", "complaint"), prefill.get("category", "service")
            for key, widget in (("customer_name", "name"), ("customer_contact", "contact"), ("what", "what"),
                                ("place", "place")):
                self.ids[widget].ids.input.text = prefill.get(key, "")

    def on_category(self, form, value) -> None:
        for button in self.ids.categories.children:
            button.kind = "primary" if button.value == value else "quiet"

    def choose_major(self) -> None:
        ChoiceModal(tr("Why is it major?"), [("", "Not major")] + list(rules.MAJOR_LABELS.items()),
                    lambda v: setattr(self, "major_reason", v)).open()

    def major_text(self, lang: str) -> str:
        return tr(rules.MAJOR_LABELS[self.major_reason]) if self.major_reason else tr("Major? (no)")

    def save(self) -> None:
        app = _app()
        ids = self.ids
        fields = {"customer_name": ids.name, "customer_contact": ids.contact, "what": ids.what, "place": ids.place,
                  "topic": ids.topic}
        if self.taken is not None:  # a second tap while the form closes: the complaint is already stored
            return
        for field in fields.values():
            field.error = ""
        try:
            cid = app.desk.call(service.take, kind=self.kind, category=self.category,
                                responsibility=self.responsibility, what=ids.what.text, customer_name=ids.name.text,
                                customer_contact=ids.contact.text, place=ids.place.text, topic=ids.topic.text,
                                call_note_id=self.call_note_id, major_reason=self.major_reason or None)
        except ComplaintError as exc:
            show_refusal(exc, fields, default=ids.what)
            return
        # Taken, whatever happens to the slip (its own transaction): the form closes, so nothing stores it twice.
        self.taken = cid
        self.dismiss()
        ref = _ref(cid)
        message = tr("Complaint taken: {ref}").format(ref=ref)
        if self.print_slip:
            failed = _slip_failure(cid)
            if failed:
                message = tr("Complaint taken as {ref}; the slip could not be queued: {error}").format(
                    ref=ref, error=failed)
        app.toast(message)
        self.section.refresh()


def _ref(cid: int) -> str:
    """The complaint's reference to show, or its number when the register cannot be read just now."""
    try:
        return _app().desk.call(service.get, cid).ref
    except Exception:  # noqa: BLE001 - it is stored: a busy database must not hide that
        return f"#{cid}"


def _slip_failure(cid: int) -> str:
    """Queue the complaint's slip; "" when queued, else why not in the screen's language (never raised: the
    complaint is already taken and the desk stays up)."""
    from screens.errors import failure_text
    app = _app()
    try:
        app.desk.call(slips.print_slip, cid, app.lang)
    except Exception as exc:  # noqa: BLE001 - a locked database, a full disk, a refusal: all said, none fatal
        return failure_text(app, exc)
    return ""


class ResolveForm(ModalView):
    """What was done, and the outcome."""

    outcome = StringProperty("resolved")

    def __init__(self, section, complaint, **kwargs) -> None:
        super().__init__(**kwargs)
        self.section, self.complaint = section, complaint

    def save(self) -> None:
        app = _app()
        try:
            app.desk.call(service.resolve, self.complaint.id, self.outcome, self.ids.done.text)
        except ComplaintError as exc:
            show_refusal(exc, {"what_was_done": self.ids.done}, default=self.ids.done)
            return
        self.dismiss()
        self.section.refresh()


class CloseForm(ModalView):
    """A manager closes a complaint whose callback is owed: why the customer cannot be called back."""

    def __init__(self, detail, **kwargs) -> None:
        super().__init__(**kwargs)
        self.detail = detail

    def save(self) -> None:
        app = _app()
        try:
            app.desk.call(service.close, self.detail.complaint.id, self.ids.why.text)
        except ComplaintError as exc:
            show_refusal(exc, {"note": self.ids.why}, default=self.ids.why)
            return
        self.dismiss()
        self.detail.show(app.desk.call(service.get, self.detail.complaint.id))
        self.detail.section.refresh()


class ComplaintDetail(ModalView):
    """One complaint: what was taken, its deadlines and history, and the next steps."""

    complaint = ObjectProperty(None)
    text = StringProperty("")
    close_blocked = StringProperty("")  # why the Close button is off for the one signed in, if it is

    def __init__(self, section, complaint, **kwargs) -> None:
        super().__init__(**kwargs)
        self.section = section
        self.show(complaint)

    def show(self, complaint) -> None:
        self.complaint = complaint
        c = complaint
        lines = [f"{c.ref}  {tr(rules.KIND_LABELS[c.kind])} · {tr(rules.CATEGORY_LABELS[c.category])} · "
                 f"{tr(rules.RESPONSIBILITY_LABELS[c.responsibility])}",
                 f"{tr('Customer')}: {c.customer_name or '-'}  {c.customer_contact}" if not c.anonymised
                 else tr("Personal details erased"),
                 f"{tr('Where')}: {c.place or '-'}", c.what or tr("(text erased with the personal details)"),
                 f"{tr('Start by')} {when(c.start_due)} {('✓ ' + when(c.started_at)) if c.started_at else ''}",
                 f"{tr('Resolve by')} {when(c.resolve_due)} {('✓ ' + when(c.resolved_at)) if c.resolved_at else ''}"]
        call = _app().desk.call(service.call_of, c.call_note_id)
        if call is not None:  # the link back to the phone log: which call's note opened this complaint
            lines.append(tr("From the call at {time} ({number}), note {note}").format(
                time=when(call["started_at"] or call["noted_at"]), number=call["caller_number"] or tr("no number"),
                note=call["note_id"]))
        if c.major_reason:
            lines.append(("★ " if c.major else "☆ ") + tr(rules.MAJOR_LABELS[c.major_reason]))
        if c.deadline_basis in BASIS_NOTES:  # how the days were counted, when it is not the holiday package
            lines.append(tr(BASIS_NOTES[c.deadline_basis]))
        if c.outcome:
            lines.append(f"{tr('Outcome')}: {tr(rules.OUTCOME_LABELS[c.outcome])}")
        if c.callback_required:
            lines.append(f"{tr('Call back by')} {when(c.callback_due)}"
                         + (f" ✓ {tr(rules.OUTCOME_LABELS[c.callback_outcome])}" if c.callback_outcome else ""))
        user = _app().user
        owed = c.status != "closed" and service.callback_owed(c)
        self.close_blocked = tr(service.CALLBACK_OWED) if owed and not (user and user.role == "manager") else ""
        if self.close_blocked:
            lines.append(self.close_blocked)
        events = _app().desk.call(service.history, c.id)
        if events:  # who did what, when: the records behind the status above
            lines.append("")
            lines.append(tr("History"))
            for ev in events:
                extra = [tr(rules.OUTCOME_LABELS[ev["outcome"]]) if ev["outcome"] in rules.OUTCOME_LABELS else "",
                         tr(rules.MAJOR_LABELS[ev["reason"]]) if ev["reason"] in rules.MAJOR_LABELS else "",
                         ev["note"] or ""]
                lines.append(f"{when(ev['at'])}  {tr(service.EVENT_LABELS.get(ev['kind'], ev['kind']))}  {ev['actor']}"
                             + "".join(f" · {part}" for part in extra if part))
        self.text = "\n".join(lines)

    def _do(self, fn, *args, manager: bool = False) -> None:
        app = _app()

        def run(actor=None) -> None:
            try:
                if actor is not None:
                    app.desk.call(fn, self.complaint.id, *args, actor=actor)
                else:
                    app.desk.call(fn, self.complaint.id, *args)
            except ComplaintError as exc:
                app.toast(show_refusal(exc))
            self.show(app.desk.call(service.get, self.complaint.id))
            self.section.refresh()
        if manager and not (app.user and app.user.role == "manager"):
            from screens.widgets.common import ManagerApproval
            ManagerApproval(lambda m: run(m.actor()), reason=tr("A manager must do this")).open()
        else:
            run()

    def start(self) -> None:
        self._do(service.start)

    def resolve(self) -> None:
        ResolveForm(self.section, self.complaint, on_dismiss=lambda *a: self.show(
            _app().desk.call(service.get, self.complaint.id))).open()

    def callback(self) -> None:
        ChoiceModal(tr("How did the callback go?"), [(k, rules.OUTCOME_LABELS[k]) for k in rules.CALLBACK_OUTCOMES],
                    lambda v: self._do(service.record_callback, v)).open()

    def escalate(self) -> None:
        ChoiceModal(tr("Why is it major?"), list(rules.MAJOR_LABELS.items()),
                    lambda v: self._do(service.escalate, v)).open()

    def decide(self, accept: bool) -> None:
        # The desk fills db, clock, actor and tz. No lambda here: the desk caches signatures per function,
        # and a closure over the app would keep it alive.
        self._do(service.decide_major, accept, manager=True)

    def close_it(self) -> None:
        if service.callback_owed(self.complaint):  # a manager's close, with the reason (staff: button off)
            CloseForm(self).open()
            return
        # a major one, or the end of one left "not resolved" (closed as unresolved), is a manager's close
        self._do(service.close, manager=self.complaint.major or self.complaint.outcome == "not_resolved")

    def print_slip(self) -> None:
        failed = _slip_failure(self.complaint.id)
        _app().toast(tr("The slip could not be queued: {error}").format(error=failed) if failed
                     else tr("Slip sent to the printer"))

    def erase(self) -> None:
        self._do(service.erase, manager=True)


class ComplaintsSection(Screen):
    """Open complaints on the left, today's duties on the right; a banner for what needs attention."""

    banner = StringProperty("")

    def on_kv_post(self, base_widget) -> None:
        # The first screen added to the desk's manager becomes current without on_pre_enter.
        from kivy.clock import Clock
        Clock.schedule_once(lambda dt: self.refresh(), 0)

    def on_pre_enter(self, *args) -> None:
        self.refresh()

    def refresh(self) -> None:
        app = _app()
        if app.user is None:
            return
        desk = app.desk
        now = desk.clock.now().isoformat()
        # The most overdue first (the oldest deadline), then the rest by deadline: past OPEN_ROWS the list is
        # cut at the least urgent end and the banner says how many are not shown (never the oldest dropped).
        # Index reads (migration 0040): one page in deadline order and a count, never every open complaint.
        page = desk.call(service.open_page, limit=OPEN_ROWS)
        self._hidden = max(0, desk.call(service.open_count) - len(page))
        # Recycled rows (issue 18): only the rows that fit are widgets, whatever the number of open complaints.
        self.ids.complaints.show({"viewclass": "ComplaintRow", "section": self, "complaint": c,
                                  "late": bool(_due(c) and _due(c) < now), "row_size": row_size(56)}
                                 for c in page)
        # The first 200 duties as recycled rows: not every open callback of the year, and only what fits is built.
        self.ids.duties.show({"viewclass": "DutyRow", "section": self, "duty": d, "row_size": row_size(52)}
                             for d in desk.call(duties.today, limit=DUTY_ROWS))
        self.banner = self.banner_text()

    def banner_text(self) -> str:
        app = _app()
        desk = app.desk
        notes = []
        hidden = getattr(self, "_hidden", 0)
        if hidden:
            notes.append(tr("{shown} open complaints shown, most overdue first; {hidden} more not shown").format(
                shown=OPEN_ROWS, hidden=hidden))
        today = desk.clock.now().astimezone(ZoneInfo(desk.tz)).date()
        loaded = desk.call(rules.load)
        calendar = loaded.calendar
        counts_working = "working" in (loaded["complaint_days"], loaded["request_days"])
        for year in sorted({today.year, today.year + (today.month == 12)}):  # December's deadlines cross the year
            if counts_working and not calendar.covered(year):
                notes.append(tr("Holiday data for {year} is not installed: deadlines use weekends and the manager's holiday list").format(year=year))
        proposals = desk.call(service.escalation_proposals)  # bounded reads: this week's topics, month-old by index
        shown_month = sum(1 for p in proposals if p.reason == "unresolved_month")
        count = sum(len(p.complaint_ids) for p in proposals) - shown_month + desk.call(service.month_old_count)
        if count:
            notes.append(tr("{n} complaints may be major: check them").format(n=count))
        if app.user is not None and app.user.role == "manager":
            reminder = desk.call(monthly.reminder)  # the desk fills db, clock, tz
            if reminder is not None:
                msgid = ("The complaints report for {month} is overdue: it was due by {due}" if reminder.overdue
                         else "The complaints report for {month} is ready: export it by {due}")
                notes.append(tr(msgid).format(month=f"{reminder.year}-{reminder.month:02d}", due=reminder.due.isoformat()))
        return "\n".join(notes)

    def open_report(self) -> MonthReportPopup:
        popup = MonthReportPopup()
        popup.open()
        return popup

    def open_holidays(self) -> HolidayListPopup:
        popup = HolidayListPopup()
        popup.open()
        return popup

    def new_complaint(self, prefill: dict | None = None) -> ComplaintForm:
        form = ComplaintForm(self, prefill)
        form.open()
        return form

    def open_complaint(self, complaint) -> ComplaintDetail:
        detail = ComplaintDetail(self, _app().desk.call(service.get, complaint.id))
        detail.open()
        return detail

    def open_duty(self, duty) -> None:
        app = _app()
        if duty.record_table == "complaints":
            self.open_complaint(app.desk.call(service.get, duty.record_id))
        else:
            app.sm.get_screen("desk").open_section(__import__("screens.sections", fromlist=["find"]).find(
                "phone" if duty.record_table == "call_notes" else "lostfound"))

    def open_by_id(self, complaint_id: int) -> ComplaintDetail:
        """The complaint's detail by its id (the phone screen's link from a call)."""
        detail = ComplaintDetail(self, _app().desk.call(service.get, complaint_id))
        detail.open()
        return detail

    def from_call_note(self, note_id: int) -> ComplaintForm:
        prefill = _app().desk.call(service.from_call_note, note_id)
        return self.new_complaint(prefill)


class MonthReportPopup(ModalView):
    """The manager's monthly report on screen (last month by default) and its export to a stick or folder."""

    text = StringProperty("")
    status = StringProperty("")

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        app = _app()
        today = app.desk.clock.now().astimezone(ZoneInfo(app.desk.tz)).date()
        self.year, self.month = monthly.previous_month(today)
        self._job = None
        self._unsubscribe: list = []
        self.show()

    def step(self, months: int) -> None:
        index = self.year * 12 + self.month - 1 + months
        self.year, self.month = divmod(index, 12)
        self.month += 1
        self.show()

    def show(self) -> None:
        from kiosk.reports.complaints_month import sections
        app = _app()
        report = app.desk.call(monthly.build, self.year, self.month, app.desk.tz)
        def esc(text: str) -> str:  # stored text never becomes markup
            return text.replace("&", "&amp;").replace("[", "&bl;").replace("]", "&br;")
        lines = [f"[b]{esc(tr('Complaints monthly report'))} {report.label}[/b]"]
        for title, rows in sections(report, app.lang):
            lines.append(f"[b]{esc(title)}[/b]")
            lines += [f"    {esc(label)}: {esc(value)}" if value else f"    {esc(label)}" for label, value in rows]
        self.text = "\n".join(lines)
        exported = app.desk.call(monthly.exported, self.year, self.month)
        self.status = tr("Exported") if exported else ""

    def export(self) -> None:
        from kiosk.reports.usb import destinations
        app = _app()
        found = destinations(app.ctx.config.get("export", "folder") or None)
        if not found:
            self.status = tr("No USB stick found and no export folder configured")
            return
        folder, desk, year, month, lang = found[0].path, app.desk, self.year, self.month, app.lang
        actor = desk.staff

        def job(progress):
            from kiosk.reports.complaints_month import export_month
            return export_month(desk.db, desk.clock, actor, desk.tz, year=year, month=month, destination=folder,
                                lang=lang)
        bus = app.ctx.bus
        self._unsubscribe = [bus.subscribe(k, self._on_event) for k in ("complaints_report.finished",
                                                                         "complaints_report.failed")]
        self.status = tr("Exporting…")
        self._job = app.jobs.submit("complaints_report", job)

    def _on_event(self, event) -> None:
        if self._job is None or event.data.get("job") != self._job:
            return
        for unsubscribe in self._unsubscribe:
            unsubscribe()
        self._unsubscribe, self._job = [], None
        if event.kind.endswith("finished"):
            self.status = tr("Exported") + ": " + ", ".join(p.name for p in event.data["result"])
        else:
            from kiosk.core.errors import message_of
            self.status = message_of(event.data["exception"], _app().lang)


class HolidayListPopup(ModalView):
    """The manager's fallback calendar: days off and make-up working days for years the package lacks."""

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        from kiosk.core import settings
        cal = _app().desk.call(settings.get, "complaint_calendar") or {}
        self.ids.holidays.ids.input.text = ", ".join(cal.get("holidays", []))
        self.ids.makeup.ids.input.text = ", ".join(cal.get("makeup_days", []))

    def save(self) -> None:
        app = _app()

        def split(text: str) -> list[str]:
            return [part for part in text.replace("，", ",").replace(" ", ",").split(",") if part.strip()]
        try:
            app.desk.call(service.set_calendar, split(self.ids.holidays.text), split(self.ids.makeup.text))
        except ComplaintError as exc:
            show_refusal(exc, {"holidays": self.ids.holidays, "makeup_days": self.ids.makeup},
                         default=self.ids.holidays)
            return
        self.dismiss()
        app.toast(tr("Holiday list saved"))
