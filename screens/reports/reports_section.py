"""Managers' reports: pick a day or a range, see the summary and charts, export to a stick or folder.

No SQL here: kiosk.reports.summary builds the figures, kiosk.reports.export writes the files as a job on
the app's background worker (app.jobs, its own database connection); progress and the result come back
as "export.*" events on the bus, which delivers them on the main thread.
"""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from kivy.app import App
from kivy.graphics import Color, Line, Rectangle
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen
from kivy.uix.widget import Widget

from kiosk.core.errors import message_of

Builder.load_file(str(Path(__file__).with_name("reports_section.kv")))


def tr(msgid: str, lang: str) -> str:
    """The catalogue's text (the same lookup as app.tr), without holding the app in a stored closure."""
    from kiosk.core.i18n import gettext
    return gettext(msgid, lang)


class BarChart(Widget):
    """Bars scaled to the largest value, with a label under every few bars (Kivy graphics only)."""

    values = ListProperty([])
    labels = ListProperty([])
    title = StringProperty("")

    def on_values(self, *args) -> None:
        self._redraw()

    def on_size(self, *args) -> None:
        self._redraw()

    def on_pos(self, *args) -> None:
        self._redraw()

    def _redraw(self) -> None:
        self.canvas.after.clear()
        if not self.values:
            return
        top = max(self.values) or 1
        slot = self.width / len(self.values)
        base = self.y + 18
        height = self.height - 40
        with self.canvas.after:
            Color(0.05, 0.45, 0.62, 1)
            for i, value in enumerate(self.values):
                bar = height * value / top
                if bar > 0:
                    Rectangle(pos=(self.x + i * slot + slot * 0.15, base), size=(slot * 0.7, bar))
            Color(0.5, 0.5, 0.55, 1)
            Line(points=[self.x, base, self.right, base], width=1)


def export_job(ctx, *, first, last, folder, lang: str, actor, progress=None):
    """The export as the Reports section runs it (and bench/history_bench.py times it): in a child process
    (kiosk.core.isolated) on its own connection, so its Python work never holds the app's interpreter lock
    and stalls the screen (issue 18: 90-145 ms stalls on a worker thread). Progress and the result come back
    here, on the background job's thread."""
    from kiosk.core import isolated
    from kiosk.reports import export
    kwargs = dict(first=first, last=last, tz_name=ctx.config.get("site", "timezone"), destination=folder, lang=lang,
                  actor=actor)
    run = export.run_export
    if getattr(run, "__module__", None) != export.__name__ or getattr(run, "__name__", None) != "run_export":
        # The child can only run the function by its import name: one replaced at run time (a test's
        # stand-in for a full or pulled stick) runs here, on the job's thread, as every export used to.
        return run(ctx.db, ctx.clock, progress=progress, **kwargs)
    return isolated.run_with_db("kiosk.reports.export:run_export", ctx.db_path, ctx.clock, progress, **kwargs)


class ReportsSection(Screen):
    """Manager-only section (registered in screens/sections.py with manager_only=True)."""

    first = ObjectProperty(None)
    last = ObjectProperty(None)
    range_text = StringProperty("")
    tiles = ListProperty([])
    chart_values = ListProperty([])
    chart_title = StringProperty("")
    pay_values = ListProperty([])
    pay_title = StringProperty("")
    destinations = ListProperty([])
    destination = ObjectProperty(None, allownone=True)
    progress = NumericProperty(0)
    status = StringProperty("")
    failed = BooleanProperty(False)
    chart_hours = StringProperty("")
    files_text = StringProperty("")
    EXPORT_EVENTS = ("export.progress", "export.finished", "export.failed")

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._job: int | None = None
        self._per_day_job: int | None = None
        self._listening: list = []

    def say(self, render) -> None:
        """Show a status made by render(lang), and make it again when the language changes (live switch)."""
        app = App.get_running_app()
        self._render = render
        if not getattr(self, "_bound_lang", False):
            app.bind(lang=self._on_app_lang)  # a bound method: Kivy holds it weakly
            self._bound_lang = True
        self._retranslate(app.lang)

    def _on_app_lang(self, _app, lang: str) -> None:
        self._retranslate(lang)
        if getattr(self, "_result", None) is not None:
            self._show_tiles(self._result, lang)  # the figures as they were, in the new language

    def _retranslate(self, lang: str) -> None:
        render = getattr(self, "_render", None)
        if render is not None:
            self.status = render(lang)
        files = getattr(self, "_files", None)
        if files is not None:
            self.files_text = files(lang)

    def on_pre_enter(self, *args) -> None:
        if self.first is None:
            self.first = self.last = self._today()
        self.find_destinations()
        self._watch_sticks()
        self.refresh()

    def _watch_sticks(self) -> None:
        """A stick plugged in while this screen is shown appears within a second: the app's mount watcher
        (kiosk.core.sticks, a supervised thread reading /proc/mounts) publishes sticks.changed."""
        app = App.get_running_app()
        if getattr(self, "_sticks_unsubscribe", None) is None:
            self._sticks_unsubscribe = app.ctx.bus.subscribe("sticks.changed", self._on_sticks_changed)
        app.stick_watcher  # noqa: B018  (started on first use)

    def on_leave(self, *args) -> None:
        unsubscribe = getattr(self, "_sticks_unsubscribe", None)
        if unsubscribe is not None:
            unsubscribe()
            self._sticks_unsubscribe = None

    def _on_sticks_changed(self, event) -> None:
        self.show_destinations(list(event.data.get("destinations", [])))

    def _today(self) -> date:
        from kiosk.core.clock import local_now
        app = App.get_running_app()
        return local_now(app.desk.clock, app.desk.tz).date()

    def shift(self, which: str, days: int) -> None:
        """Move the first or last day; the range never turns inside out."""
        if which == "first":
            self.first = self.first + timedelta(days=days)
            self.last = max(self.last, self.first)
        else:
            self.last = max(self.first, self.last + timedelta(days=days))
        self.refresh()

    def refresh(self) -> None:
        from kiosk.reports import summary
        app = App.get_running_app()
        if app.user is None:
            return
        tz = app.desk.tz
        # The per-day breakdown of a range is built on the background worker (issue 18: a month of it
        # cost ~0.7 s on the UI thread); the chart shows the range's bars when it comes back.
        result = app.desk.call(summary.build, self.first, self.last, tz, with_per_day=False)
        self.range_text = result.label
        self._result = result
        if not getattr(self, "_bound_lang", False):
            app.bind(lang=self._on_app_lang)  # a bound method: Kivy holds it weakly
            self._bound_lang = True
        self._show_tiles(result, app.lang)
        self._per_day_job = None
        if self.first != self.last:
            self._build_per_day(app, result)
        self._show_charts(result)

    def _build_per_day(self, app, result) -> None:
        """Queue the range's per-day breakdown on app.jobs; `perday.finished` brings it back (bus, main thread)."""
        from kiosk.reports import per_day
        ctx, first, last, tz = app.ctx, self.first, self.last, app.desk.tz
        if getattr(self, "_per_day_unsubscribe", None) is None:
            self._per_day_unsubscribe = [ctx.bus.subscribe(kind, self._on_per_day)
                                         for kind in ("perday.finished", "perday.failed")]
        self._per_day_job = app.jobs.submit("perday", lambda progress: per_day.build(ctx.db, first, last, tz))

    def _on_per_day(self, event) -> None:
        """Runs on the main thread; a result for a range no longer shown (or a failure) changes nothing."""
        result = getattr(self, "_result", None)
        if event.data.get("job") != self._per_day_job or result is None or event.kind != "perday.finished":
            return
        self._per_day_job = None
        result.per_day = event.data["result"]
        self._show_charts(result)

    def _show_charts(self, result) -> None:
        per_day = result.per_day
        if per_day is not None and any(d.visitors for d in per_day.rows):
            # A range: one bar per local day (the per-day breakdown the exports carry too).
            self.chart_title, self.chart_hours = "Visitors per day", ""
            self.chart_values = [d.visitors or 0 for d in per_day.rows]
        elif result.visitors_per_hour is not None and any(result.visitors_per_hour):
            self.chart_title, self.chart_values = "Visitors per hour", result.visitors_per_hour[7:20]
            self.chart_hours = "  (7–19)"
        elif result.calls_per_hour is not None:
            self.chart_title, self.chart_values = "Calls per hour", result.calls_per_hour[7:20]
            self.chart_hours = "  (7–19)"
        self.pay_values = sorted(result.payments.values()) if result.payments else []
        self.pay_title = "Sales and fees by payment method" if result.payments else ""

    def _show_tiles(self, result, lang: str) -> None:
        from kiosk.reports import summary
        self.tiles = summary.tiles(result, lang)
        grid = self.ids.tiles
        grid.clear_widgets()
        for label, value in self.tiles:
            grid.add_widget(ReportTile(label=label, value=value))

    def find_destinations(self) -> None:
        from kiosk.reports.usb import destinations
        app = App.get_running_app()
        self.show_destinations(destinations(app.ctx.config.get("export", "folder") or None))

    def show_destinations(self, found: list) -> None:
        """List the sticks (and the configured folder); the chosen one stays chosen while it is there."""
        self.destinations = found
        if self.destination not in self.destinations:
            self.destination = self.destinations[0] if self.destinations else None
        box = self.ids.destinations
        box.clear_widgets()
        for dest in self.destinations:
            box.add_widget(DestinationButton(dest=dest, section=self))

    def choose(self, dest) -> None:
        self.destination = dest

    def start_export(self) -> None:
        """An export is a manager's act: their PIN first (even when a manager is signed in)."""
        app = App.get_running_app()
        if self.destination is None:
            self.say(lambda lang: tr("No USB stick found and no export folder configured", lang))
            return
        app.require_manager(self._export_approved, app.tr("Export the daily logs", app.lang))

    def _export_approved(self, manager) -> None:
        app = App.get_running_app()
        actor = manager.actor()
        self.progress, self.files_text, self.failed, self._files = 0, "", False, None
        self.say(lambda lang: tr("Exporting…", lang))
        self.ids.export_button.disabled = True
        ctx, first, last, folder, lang = app.ctx, self.first, self.last, self.destination.path, app.lang
        removable = self.destination.removable
        from kiosk.core import sticks as sticks_mod
        # The stick that is also the backup folder stays mounted (tonight's backup writes to it).
        keeps_backups = removable and sticks_mod.holds(folder, ctx.config.get("backup", "folder") or None)
        self._ejected = ejected = {"kept": True} if keeps_backups else {}

        def job(progress):
            result = export_job(ctx, first=first, last=last, folder=folder, lang=lang, actor=actor, progress=progress)
            if removable and not keeps_backups:  # written: now flushed and unmounted, so pulling it out loses nothing
                from kiosk.core import sticks
                progress(1.0, "ejecting")
                try:
                    ejected["how"] = sticks.eject(folder)
                except sticks.StickError as exc:
                    ejected["error"] = exc
            return result
        self._listen(ctx.bus)
        self._job = app.jobs.submit("export", job)

    def _listen(self, bus) -> None:
        if not self._listening:
            self._listening = [bus.subscribe(kind, self._on_export_event) for kind in self.EXPORT_EVENTS]

    def _on_export_event(self, event) -> None:
        """Runs on the main thread (the bus's delivery); events of other export jobs are not ours."""
        if self._job is None or event.data.get("job") != self._job:
            return
        if event.kind == "export.progress":
            self.progress = percent = event.data["fraction"]
            self.say(lambda lang: tr("Exporting… {percent}%", lang).format(percent=int(percent * 100)))
            return
        for unsubscribe in self._listening:
            unsubscribe()
        self._listening, self._job = [], None
        if event.kind == "export.finished":
            self._finished(event.data["result"], None)
        else:  # a refusal (ExportError, RangeError) in the screen's language; a storage fault names the file
            from kiosk.core import storage
            exc = event.data["exception"]
            fault = storage.classify(exc) if not isinstance(exc, OSError) else None
            self._finished(None, fault or exc)

    def _finished(self, result, error: BaseException | None) -> None:
        app = App.get_running_app()
        self.ids.export_button.disabled = False
        if result is None:
            # The whole message, wrapped on screen (never cut): what failed and what to do, in the
            # language on screen now (made again on a switch).
            self.failed = True
            self.say(lambda lang: tr("Export failed: {error}", lang).format(error=message_of(error, lang)))
            return
        self.progress = 1
        ejected = getattr(self, "_ejected", {})

        def finished(lang: str) -> str:
            text = tr("Export finished", lang) + f": {result.folder}"
            if "how" in ejected:
                text += "\n" + tr("You may remove the USB stick now.", lang)
            elif "error" in ejected:
                text += "\n" + message_of(ejected["error"], lang)
            elif "kept" in ejected:
                text += "\n" + tr("The USB stick stays mounted: it is the backup folder.", lang)
            return text
        self.say(finished)
        if "how" in ejected:
            self.find_destinations()

        def files(lang: str) -> str:
            lines = [f"{path.name}  {size / 1024:,.1f} KB" for path, size in result.files]
            if result.missing:
                lines.append(tr("not available yet", lang) + ": " + ", ".join(m.title(lang) for m in result.missing))
            return "\n".join(lines)
        self._files = files
        self.files_text = files(app.lang)


class ReportTile(BoxLayout):
    """One figure: value over label."""

    label = StringProperty("")
    value = StringProperty("")


class DestinationButton(BoxLayout):
    """A stick or the configured folder; the chosen one is highlighted."""

    dest = ObjectProperty(None)
    section = ObjectProperty(None)
