"""The printer popup (tap the status bar's printer pill): queue, held jobs (retry or cancel with a
reason), unconfirmed jobs (their marked copy is queued by itself), reprints, no-sale opening."""
from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.modalview import ModalView

from kiosk.printing import queue as printqueue

Builder.load_file(str(Path(__file__).with_name("printer_status.kv")))

from kiosk.core.errors import Refusal
from kiosk.printing.queue import STATUS_TEXT  # one vocabulary with `kiosk printer queue`
from screens.widgets.common import show_refusal


class JobRow(BoxLayout):
    """One print job with its status and a reprint button."""

    job = ObjectProperty(None)
    popup = ObjectProperty(None)


class PrinterStatus(ModalView):
    """Recent jobs, newest first; a reprint is marked on paper and audited."""

    message = StringProperty("")

    def on_open(self) -> None:
        self.refresh()

    def refresh(self) -> None:
        app = App.get_running_app()
        box = self.ids.jobs
        box.clear_widgets()
        for job in app.desk.call(printqueue.recent, 25):
            box.add_widget(JobRow(job=job, popup=self))

    def retry(self, job) -> None:
        """Put a held job back in the queue (audited)."""
        app = App.get_running_app()
        try:
            app.desk.call(printqueue.retry, job.id)
        except Refusal as exc:
            self.message = show_refusal(exc)
            return
        self.message = app.tr("Job queued again", app.lang)
        self.refresh()

    def cancel(self, job) -> None:
        """Cancel a held or waiting job; the reason field says why (audited)."""
        app = App.get_running_app()
        field = self.ids.reason_field
        reason = field.text.strip()
        if not reason:
            field.error = app.tr("Say why the job is cancelled", app.lang)
            return
        try:
            app.desk.call(printqueue.cancel, job.id, reason)
        except Refusal as exc:
            self.message = show_refusal(exc, {"reason": field})
            return
        field.text = ""
        field.ids.input.text = ""
        field.error = ""
        self.message = app.tr("Job cancelled", app.lang)
        self.refresh()

    def reprint(self, job) -> None:
        app = App.get_running_app()
        app.desk.call(printqueue.reprint, job.id)
        self.message = app.tr("Reprint queued", app.lang)
        self.refresh()

    def open_drawer(self) -> None:
        """A no-sale drawer opening needs a manager and a reason; both are logged."""
        app = App.get_running_app()
        field = self.ids.reason_field
        reason = field.text.strip()
        if not reason:
            field.error = app.tr("Say why the drawer is opened", app.lang)
            return

        def approved(manager) -> None:
            app.desk.call(printqueue.kick_drawer, reason, actor=manager.actor())  # the approving manager
            field.text = ""
            field.ids.input.text = ""
            field.error = ""
            self.message = app.tr("Drawer opening logged", app.lang)
            self.refresh()
        app.require_manager(approved, app.tr("Open the cash drawer without a sale", app.lang))

    @staticmethod
    def status_text(app, job, lang: str) -> str:
        return app.tr(STATUS_TEXT.get(job.status, job.status), lang)

    @staticmethod
    def kind_text(app, job, lang: str) -> str:
        if job.kind == "drawer":
            return app.tr("Drawer opening", lang)
        title = job.receipt.title if job.receipt else job.kind
        return f"{title} {job.receipt_no or ''}" + (" (" + app.tr("reprint", lang) + ")" if job.reprint_of else "")
