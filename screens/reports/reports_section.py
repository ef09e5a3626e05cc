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
from kivy.properties import ListProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen
from kivy.uix.widget import Widget

from kiosk.core.errors import message_of

Builder.load_file(str(Path(__file__).with_name("reports_section.kv")))


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
    files_text = StringProperty("")
    EXPORT_EVENTS = ("export.progress", "export.finished", "export.failed")

    def __init__(self, **kwargs) -> None:
        super().__init__(**kwargs)
        self._job: int | None = None
        self._listening: list = []

    def on_pre_enter(self, *args) -> None:
        if self.first is None:
            self.first = self.last = self._today()
        self.find_destinations()
        self.refresh()

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
        result = app.desk.call(summary.build, self.first, self.last, tz)
        self.range_text = result.label
        self.tiles = summary.tiles(result, app.lang)
        grid = self.ids.tiles
        grid.clear_widgets()
        for label, value in self.tiles:
            grid.add_widget(ReportTile(label=label, value=value))
        if result.visitors_per_hour is not None and any(result.visitors_per_hour):
            self.chart_title, self.chart_values = "Visitors per hour", result.visitors_per_hour[7:20]
        elif result.calls_per_hour is not None:
            self.chart_title, self.chart_values = "Calls per hour", result.calls_per_hour[7:20]
        self.pay_values = sorted(result.payments.values()) if result.payments else []
        self.pay_title = "Sales and fees by payment method" if result.payments else ""

    def find_destinations(self) -> None:
        from kiosk.reports.usb import destinations
        app = App.get_running_app()
        self.destinations = destinations(app.ctx.config.get("export", "folder") or None)
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
            self.status = app.tr("No USB stick found and no export folder configured", app.lang)
            return
        app.require_manager(self._export_approved, app.tr("Export the daily logs", app.lang))

    def _export_approved(self, manager) -> None:
        app = App.get_running_app()
        actor = manager.actor()
        self.progress, self.files_text = 0, ""
        self.status = app.tr("Exporting…", app.lang)
        self.ids.export_button.disabled = True
        ctx, first, last, folder, lang = app.ctx, self.first, self.last, self.destination.path, app.lang

        def job(progress):
            from kiosk.reports import export
            return export.run_export(ctx.db, ctx.clock, first=first, last=last,
                                     tz_name=ctx.config.get("site", "timezone"), destination=folder, lang=lang,
                                     progress=progress, actor=actor)
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
            self.progress = event.data["fraction"]
            return
        for unsubscribe in self._listening:
            unsubscribe()
        self._listening, self._job = [], None
        if event.kind == "export.finished":
            self._finished(event.data["result"], "")
        else:  # a refusal (ExportError, RangeError) in the screen's language; anything else as its text
            self._finished(None, message_of(event.data["exception"], App.get_running_app().lang))

    def _finished(self, result, error: str) -> None:
        app = App.get_running_app()
        self.ids.export_button.disabled = False
        if result is None:
            self.status = app.tr("Export failed", app.lang) + ": " + error
            return
        self.progress = 1
        self.status = app.tr("Export finished", app.lang) + f": {result.folder}"
        lines = [f"{path.name}  {size / 1024:,.1f} KB" for path, size in result.files]
        if result.missing:
            lines.append(app.tr("not available yet", app.lang) + ": " +
                         ", ".join(m.title(app.lang) for m in result.missing))
        self.files_text = "\n".join(lines)


class ReportTile(BoxLayout):
    """One figure: value over label."""

    label = StringProperty("")
    value = StringProperty("")


class DestinationButton(BoxLayout):
    """A stick or the configured folder; the chosen one is highlighted."""

    dest = ObjectProperty(None)
    section = ObjectProperty(None)
