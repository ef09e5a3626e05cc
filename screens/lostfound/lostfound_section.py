"""The desk's lost-and-found section: held items (due ones flagged), intake, lost reports with
suggested matches, claims with identity check and signature, handovers and disposals."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ListProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.label import Label
from kivy.utils import escape_markup
from kivy.uix.gridlayout import GridLayout
from kivy.uix.modalview import ModalView
from kivy.uix.screenmanager import NoTransition, Screen

from kiosk.lostfound import service as lostfound
from kiosk.printing import queue as printqueue
from kiosk.core import settings
from kiosk.lostfound.service import LostFoundError
from kiosk.core.privacy import IdDocumentError
from kiosk.core.money import AmountError, parse_amount
from screens.widgets.common import BigButton, local_when, show_refusal
from screens.widgets.rowlist import RowList, row_size  # noqa: F401 (RowList: used by the .kv)

Builder.load_file(str(Path(__file__).with_name("lostfound_section.kv")))


def _app():
    return App.get_running_app()


class CategoryChoice(BigButton):
    """One category on the intake and report forms."""

    value = StringProperty("")
    section = ObjectProperty(None, allownone=True)


class CategoryGrid(GridLayout):
    """Every category as a button; the section's `category` holds the choice."""

    section = ObjectProperty(None, allownone=True)

    def on_section(self, grid, section) -> None:
        self.clear_widgets()
        for value in lostfound.CATEGORIES:
            self.add_widget(CategoryChoice(value=value, section=section))


class ItemRow(BoxLayout):
    item = ObjectProperty(None)
    section = ObjectProperty(None)
    due = BooleanProperty(False)


class ErrorLabel(Label):
    """A refusal shown beside the control it is about (the signature pad, the identity button)."""

    error = StringProperty("")


class MatchRow(BoxLayout):
    """One suggested item: its reference and description, then why, in the screen's language with the
    owner's matched words highlighted."""

    match = ObjectProperty(None)
    section = ObjectProperty(None)

    def text_for(self, lang: str) -> str:
        """Why, as markup: the owner's words are escaped, then highlighted."""
        if self.match is None:
            return ""
        from kiosk.lostfound.match import describe
        app = _app()
        reason = describe(self.match, lambda msgid: app.tr(msgid, lang),
                          mark=lambda word: "[b][color=#0b6e4f]" + escape_markup(word) + "[/color][/b]",
                          lang=lang)  # joined by the catalogue's "；" / "、" in Chinese
        return reason


class HandoverPopup(ModalView):
    """Hand the due items to the admin department (a list prints for signing)."""

    items = ListProperty([])

    def __init__(self, section, items, **kwargs) -> None:
        super().__init__(**kwargs)
        self.section, self.items = section, items

    def confirm(self) -> None:
        app = _app()
        field = self.ids.received_by
        try:
            app.desk.call(lostfound.hand_over,
                                [i.id for i in self.items], received_by=field.text, lang=app.lang)
        except LostFoundError as exc:
            show_refusal(exc, default=field)
            return
        self.dismiss()
        app.toast(app.tr("Handed over; the list is printing for signatures", app.lang))
        self.section.refresh()


STATUS_LABELS = {"held": "Held", "claimed": "Claimed", "handed_over": "Handed over", "disposed": "Disposed",
                 "amended": "Corrected"}  # msgids


class AmendPopup(ModalView):
    """Correct a register entry's description, features or storage place (a new amendment row with a
    reason), with the chain of custody so far."""

    field = StringProperty("description")
    history = StringProperty("")
    item = ObjectProperty(None, allownone=True)

    def __init__(self, section, item, **kwargs) -> None:
        super().__init__(**kwargs)
        self.section, self.item = section, item
        self.choose("description")
        self._load_history()

    def choose(self, field: str) -> None:
        self.field = field
        self.ids.value.text = getattr(self.item, field)
        self.ids.value.error = self.ids.reason.error = ""

    def _load_history(self) -> None:
        app = _app()
        lines = []
        for event in app.desk.call(lostfound.custody, self.item.id)[-6:]:
            msgid, values = lostfound.detail_message(event)
            for key in lostfound.TRANSLATED_VALUES:
                if key in values and msgid != "{text}":
                    values[key] = app.tr(values[key], app.lang)
            detail = app.tr(msgid, app.lang).format(**values) if msgid != "{text}" else values["text"]
            lines.append(f"{local_when(event['at'])}  {app.tr(STATUS_LABELS.get(event['status'], event['status']), app.lang)}  "
                         f"{event['actor']}  {detail}")
        self.history = "\n".join(lines)

    def confirm(self) -> None:
        app = _app()
        fields = {"description": self.ids.value, "features": self.ids.value, "storage": self.ids.value,
                  "field": self.ids.value, "reason": self.ids.reason}
        self.ids.value.error = self.ids.reason.error = ""
        try:
            self.item = app.desk.call(lostfound.amend_item, self.item.id, field=self.field,
                                      value=self.ids.value.text, reason=self.ids.reason.text)
        except LostFoundError as exc:
            show_refusal(exc, fields, default=self.ids.value)
            return
        self.dismiss()
        app.toast(app.tr("Corrected; the change is in the item's history", app.lang))
        self.section.refresh()


class DisposalPopup(ModalView):
    """What the admin department did with a handed-over item, and who authorised it."""

    method = StringProperty("donated")

    def __init__(self, section, item, **kwargs) -> None:
        super().__init__(**kwargs)
        self.section, self.item = section, item

    def confirm(self) -> None:
        app = _app()
        field = self.ids.authorised_by
        try:
            app.desk.call(lostfound.dispose, self.item.id, method=self.method,
                              authorised_by=field.text)
        except LostFoundError as exc:
            show_refusal(exc, default=field)
            return
        self.dismiss()
        self.section.refresh()


class LostFoundPage(Screen):
    """One of the section's form pages (its own kv rule, built when first needed or ahead on idle)."""

    section = ObjectProperty(None)


# The form pages, built one a step after the list (issue 18: the whole section in one go was an 85-110 ms
# idle step, and the same again on a first open before the pool got to it). Their ids join the section's.
PAGES = {"intake": "LostFoundIntakePage", "report": "LostFoundReportPage",
         "matches": "LostFoundMatchesPage", "claim": "LostFoundClaimPage"}


class LostFoundSection(Screen):
    """One section, several pages (an inner ScreenManager): list, intake, report, matches, claim."""

    view = StringProperty("held")            # held | handed_over
    due_count = NumericProperty(0)
    list_note = StringProperty("")   # "showing 500 of 18,000": the rest is one search away
    category = StringProperty("")            # chosen on the intake / report forms
    handed_in_kind = StringProperty("customer")
    id_type = StringProperty("id_card")
    identity_checked = BooleanProperty(False)
    claim_item = ObjectProperty(None, allownone=True)
    report = ObjectProperty(None, allownone=True)

    def on_kv_post(self, base_widget) -> None:
        self.ids.pages.transition = NoTransition()

    def on_pre_enter(self, *args) -> None:
        self.refresh()

    def prepare_ahead(self) -> bool:
        """Build one form page not built yet (the section pool's idle step); True while more are to build."""
        missing = [name for name in PAGES if not self.ids.pages.has_screen(name)]
        if missing:
            self._built(missing[0])
        return len(missing) > 1

    def _built(self, name: str) -> None:
        """Make sure page `name` exists (its widgets are reachable through self.ids from then on)."""
        pages = self.ids.pages
        if name in PAGES and not pages.has_screen(name):
            from kivy.factory import Factory
            page = getattr(Factory, PAGES[name])(section=self)
            self.ids.update(page.ids)
            pages.add_widget(page)

    # --- list ------------------------------------------------------------------------------------
    def refresh(self) -> None:
        app = _app()
        if app.user is None:
            return
        desk = app.desk
        days = desk.call(settings.get, "lostfound_handover_days")
        self.due_count = desk.call(lostfound.due_count, days)   # a count, not the list
        text = self.ids.search.text.strip()
        items = (desk.call(lostfound.search, text, self.view) if text
                 else desk.call(lostfound.items_with_status, self.view, limit=lostfound.LIST_LIMIT))
        total = len(items) if text else desk.call(lostfound.status_count, self.view)
        self.list_note = ("" if text or total <= len(items) else
                          app.tr("showing {shown} of {total}: search to find older items", app.lang)
                          .format(shown=len(items), total=total))
        # Recycled rows (screens.widgets.rowlist): the register's length costs data, not widgets.
        self.ids.item_list.show({"viewclass": "ItemRow", "section": self, "item": item,
                                 "due": lostfound.is_due(item, desk.clock, days), "row_size": row_size(52)}
                                for item in items)

    def show(self, view: str) -> None:
        self.view = view
        self.refresh()

    def page(self, name: str) -> None:
        self._built(name)
        self.ids.pages.current = name

    def print_tag(self, item) -> None:
        app = _app()
        from kiosk.lostfound.receipts import item_tag
        app.desk.call(printqueue.enqueue, app.desk.call(item_tag, item.id, app.lang),
                           record_table="lf_items", record_id=item.id)
        app.toast(app.tr("Tag printing", app.lang))

    def open_handover(self) -> None:
        app = _app()
        items = app.desk.call(lostfound.due_for_handover)
        if not items:
            app.toast(app.tr("Nothing is due for handover", app.lang))
            return
        HandoverPopup(self, items).open()

    def open_amend(self, item) -> None:
        AmendPopup(self, item).open()

    def open_disposal(self, item) -> None:
        DisposalPopup(self, item).open()

    # --- intake ----------------------------------------------------------------------------------
    def new_item(self) -> None:
        self._built("intake")
        self.category, self.handed_in_kind = "", "customer"
        for key in ("in_description", "in_features", "in_colour", "in_brand", "in_quantity", "in_value",
                    "in_place", "in_name", "in_contact", "in_storage"):
            self.ids[key].text = ""
            self.ids[key].error = ""
        self.ids.in_quantity.text = "1"
        self.page("intake")

    def save_item(self) -> None:
        app = _app()
        ids = self.ids
        fields = {"description": ids.in_description, "features": ids.in_features, "colour": ids.in_colour,
                  "brand": ids.in_brand, "quantity": ids.in_quantity, "value_fen": ids.in_value,
                  "found_place": ids.in_place, "handed_in_name": ids.in_name, "handed_in_contact": ids.in_contact,
                  "storage": ids.in_storage}  # service field -> widget
        for field in fields.values():
            field.error = ""
        try:
            value = parse_amount(ids.in_value.text) if ids.in_value.text.strip() else 0
        except AmountError:
            ids.in_value.error = app.tr("not an amount of money", app.lang)
            return
        try:
            quantity = int(ids.in_quantity.text or "0")
        except ValueError:
            quantity = 0
        try:
            item = app.desk.call(lostfound.register_item,
                category=self.category, description=ids.in_description.text, features=ids.in_features.text,
                colour=ids.in_colour.text, brand=ids.in_brand.text, quantity=quantity, value_fen=value,
                found_place=ids.in_place.text, handed_in_kind=self.handed_in_kind, handed_in_name=ids.in_name.text,
                handed_in_contact=ids.in_contact.text, storage=ids.in_storage.text)
        except LostFoundError as exc:
            show_refusal(exc, fields, default=ids.in_description)
            return
        self.print_tag(item)
        app.toast(app.tr("Registered as {ref}; tag printing", app.lang).format(ref=item.ref))
        self.page("list")
        self.refresh()

    # --- lost reports and matches ----------------------------------------------------------------
    def new_report(self) -> None:
        self._built("report")
        self.category = ""
        for key in ("rp_description", "rp_features", "rp_colour", "rp_brand", "rp_place", "rp_owner", "rp_contact"):
            self.ids[key].text = ""
            self.ids[key].error = ""
        self.ids.rp_date.text = date.today().isoformat()
        self.page("report")

    def save_report(self) -> None:
        app = _app()
        ids = self.ids
        fields = {"description": ids.rp_description, "features": ids.rp_features, "colour": ids.rp_colour,
                  "brand": ids.rp_brand, "lost_place": ids.rp_place, "owner_name": ids.rp_owner,
                  "contact": ids.rp_contact, "lost_on": ids.rp_date}  # service field -> widget
        for field in fields.values():
            field.error = ""
        try:
            lost_on = date.fromisoformat(ids.rp_date.text.strip())
        except ValueError:
            ids.rp_date.error = app.tr("use a date like 2026-11-23", app.lang)
            return
        try:
            report_id = app.desk.call(lostfound.report_lost, category=self.category,
                description=ids.rp_description.text, features=ids.rp_features.text, colour=ids.rp_colour.text,
                brand=ids.rp_brand.text, lost_on=lost_on, lost_place=ids.rp_place.text,
                owner_name=ids.rp_owner.text, contact=ids.rp_contact.text)
        except LostFoundError as exc:
            show_refusal(exc, fields, default=ids.rp_description)
            return
        self.show_matches(app.desk.call(lostfound.lost_report, report_id))

    def show_matches(self, report: dict) -> None:
        from kiosk.lostfound.match import suggest
        self.report = report
        self._built("matches")
        box = self.ids.matches
        box.clear_widgets()
        for match in suggest(report, _app().desk.call(lostfound.held_items)):
            box.add_widget(MatchRow(match=match, section=self))
        self.page("matches")

    # --- claims -----------------------------------------------------------------------------------
    def start_claim(self, item) -> None:
        self._built("claim")
        self.claim_item = item
        self.identity_checked, self.id_type = False, "id_card"
        for key in ("cl_name", "cl_contact", "cl_id", "cl_features", "cl_quantity"):
            self.ids[key].text = ""
            self.ids[key].error = ""
        if self.report is not None:
            self.ids.cl_name.text, self.ids.cl_contact.text = self.report["owner_name"], self.report["contact"]
        self.ids.cl_quantity.text = "1"
        self.ids.id_error.error = self.ids.sig_error.error = ""
        self.ids.signature.clear()
        self.page("claim")

    def confirm_claim(self) -> None:
        app = _app()
        ids = self.ids
        fields = {"claimant_name": ids.cl_name, "contact": ids.cl_contact, "id_number": ids.cl_id,
                  "described_features": ids.cl_features, "described_quantity": ids.cl_quantity,
                  "identity_checked": ids.id_error, "id_type": ids.cl_id,
                  "signature_png": ids.sig_error}  # service field -> widget
        for field in fields.values():
            field.error = ""
        try:
            quantity = int(ids.cl_quantity.text or "0")
        except ValueError:
            quantity = 0
        try:
            app.desk.call(lostfound.claim, self.claim_item.id,
                            claimant_name=ids.cl_name.text, contact=ids.cl_contact.text, id_type=self.id_type,
                            id_number=ids.cl_id.text, described_features=ids.cl_features.text,
                            described_quantity=quantity, identity_checked=self.identity_checked,
                            signature_png=ids.signature.png(), lang=app.lang)
        except (LostFoundError, IdDocumentError) as exc:  # the document number is checked by kiosk.core.privacy
            show_refusal(exc, fields, default=ids.cl_features)
            return
        app.toast(app.tr("Returned to its owner; receipt printing", app.lang))
        self.claim_item, self.report = None, None
        self.page("list")
        self.refresh()
