"""Visitors at the counter (staff side): register a visitor with an identity-document check, the
expected-visitors list with pre-registration, and the deny-list alerts the self sign-in raised."""
from __future__ import annotations

from datetime import date, timedelta
from pathlib import Path

from kivy.app import App
from kivy.factory import Factory
from kivy.lang import Builder
from kivy.properties import NumericProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.modalview import ModalView

import screens.counter.catalogue_section  # noqa: F401  (CatField and CatInput)
import screens.counter.counter_popups  # noqa: F401  (PopupPaper)
from kiosk.printing import queue as printqueue
from kiosk.visitors import service as visitors
from kiosk.core.clock import local_now, utc_iso
from kiosk.visitors.service import IdDocumentError, SeeTheDesk, Visitor, VisitorError
from screens.theme import DANGER, INK, OK
from screens.widgets.common import BigButton, show_refusal

Builder.load_file(str(Path(__file__).with_name("visitor_desk.kv")))


class _HostPicker:
    """A searchable host field (not a browsable list): the popup's host_search and host_results ids."""

    host_id = NumericProperty(0)
    host_name = StringProperty("")

    def search_hosts(self, text: str) -> None:
        app = App.get_running_app()
        box = self.ids.host_results
        box.clear_widgets()
        self.host_id = 0
        for host in app.desk.call(visitors.staff_find_hosts, text, limit=3):
            button = BigButton(text=host["name"], kind="quiet", font_size="14sp")
            button.bind(on_release=lambda b, h=host: self._host_chosen(b, h))
            box.add_widget(button)

    def _host_chosen(self, button, host: dict) -> None:
        self.host_id, self.host_name = host["id"], host["name"]
        for child in self.ids.host_results.children:
            child.kind = "primary" if child is button else "quiet"


class RegisterVisitor(_HostPicker, ModalView):
    """The counter's registration: the self sign-in's fields plus the identity document checked."""

    purpose = StringProperty("meeting")
    party_size = NumericProperty(1)
    id_type = StringProperty("id_card")
    message = StringProperty("")
    alert = StringProperty("")

    def register(self) -> None:
        app = App.get_running_app()
        ids = self.ids
        visitor = Visitor(name=ids.name.text, phone=ids.phone.text, host_id=int(self.host_id), purpose=self.purpose,
                          party_size=int(self.party_size), organisation=ids.organisation.text,
                          id_type=self.id_type, id_number=ids.id_number.text)
        self.alert = ""
        try:
            result = app.desk.call(visitors.sign_in, visitor, actor=app.desk.staff, tz=app.desk.tz)
        except SeeTheDesk as exc:
            # Staff see why; the person in front of them sees nothing of it.
            self.alert = app.tr("On the deny list: {reason}", app.lang).format(reason=exc.entry["reason"])
            return
        except (VisitorError, IdDocumentError) as exc:
            self.message = show_refusal(exc)
            return
        from kiosk.visitors.receipts import badge
        app.desk.call(printqueue.enqueue, app.desk.call(badge, result.visit_id, app.lang),
                      record_table="visits", record_id=result.visit_id)
        said = app.tr("Signed in: sign-out code {code}", app.lang).format(code=result.code)
        if result.deny_check:
            # an old entry holds only a mask: signed in, but staff compare the document with the entry
            said += "\n" + app.tr("Possible deny-list match (the entry keeps only a masked ID number): check the document. {reason}", app.lang).format(reason=result.deny_check)  # noqa: E501
        app.toast(said)
        self.dismiss()


class ExpectedVisitors(_HostPicker, ModalView):
    """Today's (or another day's) expected visitors, and pre-registering one."""

    day = StringProperty("")
    message = StringProperty("")

    def on_open(self) -> None:
        app = App.get_running_app()
        if not self.day:
            self.day = local_now(app.desk.clock, app.desk.tz).date().isoformat()
        self.load()

    def shift_day(self, days: int) -> None:
        self.day = (date.fromisoformat(self.day) + timedelta(days=days)).isoformat()
        self.load()

    def load(self) -> None:
        app = App.get_running_app()
        box = self.ids.expected
        box.clear_widgets()
        for row in app.desk.call(visitors.expected_on, self.day):
            state = app.tr("arrived", app.lang) if row["arrived"] else app.tr("not yet", app.lang)
            code = app.tr("invitation code {code}", app.lang).format(code=row["invite_code"]) if row["invite_code"] else ""
            box.add_widget(Factory.InfoRow(text=f"{row['name']}  {row['phone']}  · {row['host_name']}  · {state}"
                                                + (f"  · {code}" if code else ""),
                                           color=OK if row["arrived"] else INK))

    def add(self) -> None:
        app = App.get_running_app()
        try:
            entry = app.desk.call(visitors.add_expected, name=self.ids.name.text,
                                  phone=self.ids.phone.text, host_id=int(self.host_id), expected_on=self.day)
        except (VisitorError, IdDocumentError) as exc:
            self.message = show_refusal(exc)
            return
        self.ids.name.text = self.ids.phone.text = ""
        code = next((r["invite_code"] for r in app.desk.call(visitors.expected_on, self.day) if r["id"] == entry), "")
        # staff pass the code on with the invitation: at the touchscreen it is the visitor's proof
        self.message = app.tr("Added to the expected list: invitation code {code}", app.lang).format(code=code)
        self.load()


class DenyAlerts(ModalView):
    """Deny-list matches in the last day, for staff."""

    def on_open(self) -> None:
        app = App.get_running_app()
        box = self.ids.alerts
        box.clear_widgets()
        since = utc_iso(app.desk.clock.now() - timedelta(days=1))
        from screens.phone.phone_section import local_time
        for row in app.desk.call(visitors.deny_alerts, since):
            who = " ".join(x for x in (row["name"], row["phone"]) if x)
            possible = f" ({app.tr('possible: masked ID only', app.lang)})" if row["basis"] == visitors.MASK_ONLY else ""
            box.add_widget(Factory.InfoRow(text=f"{local_time(app, row['at'])}  {who}{possible}: {row['reason']}",
                                           color=DANGER))
        app.deny_alerts_unseen = 0


class DenyRow(BoxLayout):
    """One deny-list entry with its Lift button."""

    text = StringProperty("")


class DirectoryPopup(ModalView):
    """The host directory staff keep (add, retire, bring back) and the deny list (add; a manager lifts)."""

    message = StringProperty("")

    def on_open(self) -> None:
        self.load()

    def load(self) -> None:
        app = App.get_running_app()
        box = self.ids.host_list
        box.clear_widgets()
        for host in app.desk.call(visitors.hosts):
            label = host["name"] + (f" · {host['department']}" if host["department"] else "")
            if not host["active"]:
                label += " · " + app.tr("Not in use", app.lang)
            button = BigButton(text=label, kind="quiet" if host["active"] else "danger", font_size="14sp")
            button.bind(on_release=lambda b, h=host: self.toggle_host(h))
            box.add_widget(button)
        box = self.ids.deny_list
        box.clear_widgets()
        for entry in app.desk.call(visitors.deny_entries):
            row = DenyRow(text=" ".join(x for x in (entry["name"], entry["phone"]) if x) + f": {entry['reason']}")
            row.ids.lift.bind(on_release=lambda b, e=entry: self.lift(e))
            box.add_widget(row)

    def toggle_host(self, host: dict) -> None:
        app = App.get_running_app()
        app.desk.call(visitors.set_host_active, host["id"], not host["active"])
        self.message = app.tr("Saved {sku}", app.lang).format(sku=host["name"])
        self.load()

    def add_host(self) -> None:
        app = App.get_running_app()
        try:
            app.desk.call(visitors.add_host, self.ids.host_name.text,
                              self.ids.host_department.text)
        except (VisitorError, IdDocumentError) as exc:
            self.message = show_refusal(exc)
            return
        self.message = app.tr("Saved {sku}", app.lang).format(sku=self.ids.host_name.text.strip())
        self.ids.host_name.text = self.ids.host_department.text = ""
        self.load()

    def add_deny(self) -> None:
        app = App.get_running_app()
        try:
            app.desk.call(visitors.add_to_deny_list, name=self.ids.deny_name.text,
                                      phone=self.ids.deny_phone.text, reason=self.ids.deny_reason.text)
        except (VisitorError, IdDocumentError) as exc:
            self.message = show_refusal(exc)
            return
        self.message = app.tr("Added to the deny list", app.lang)
        self.ids.deny_name.text = self.ids.deny_phone.text = self.ids.deny_reason.text = ""
        self.load()

    def lift(self, entry: dict) -> None:
        """Lifting needs a manager's PIN; the reason typed in the reason field goes on the record."""
        app = App.get_running_app()
        reason = self.ids.deny_reason.text

        def approved(manager) -> None:
            try:
                app.desk.call(visitors.lift_deny, entry["id"], reason, actor=manager.actor())  # the approving manager
            except (VisitorError, IdDocumentError) as exc:
                self.message = show_refusal(exc)
                return
            self.ids.deny_reason.text = ""
            self.message = app.tr("Taken off the deny list", app.lang)
            self.load()

        if not reason.strip():
            self.message = app.tr("Type the reason for lifting it first", app.lang)
            return
        app.require_manager(approved, app.tr("Take off the deny list", app.lang))
