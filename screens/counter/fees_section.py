"""The fee counter: choose a fee type, payer and member number, amount (fixed or editable), period,
payment; a receipt from the fee series. Today's collections can be voided with a manager's PIN."""
from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import ObjectProperty, StringProperty
from kivy.uix.screenmanager import Screen

from kiosk.counter import fees
from kiosk.counter import shifts
from kiosk.counter.sales import CounterError, Payment
from kiosk.core.money import AmountError, format_fen, parse_amount
from screens.widgets.common import BigButton, fill_choices, show_refusal

Builder.load_file(str(Path(__file__).with_name("fees_section.kv")))


class FeesSection(Screen):
    fee = ObjectProperty(None, allownone=True)
    method = StringProperty("cash")
    message = StringProperty("")

    # What the type buttons and the recent list were last built from: a re-open (or a tap on a type)
    # with nothing changed keeps the built widgets, which are most of this screen's cost (issue 18).
    _types_key: tuple | None = None
    _recent_key: tuple | None = None

    def on_pre_enter(self, *args) -> None:
        self.load()

    def load(self) -> None:
        self._load_types()
        self._load_recent()

    def _load_types(self) -> None:
        app = App.get_running_app()
        types = app.desk.call(fees.fee_types)
        key = (app.lang, getattr(self.fee, "id", None), tuple(types))
        if key == self._types_key and self.ids.types.children:
            return
        fill_choices(self.ids.types, types,
                     lambda f: f"{f.name(app.lang)}\n{format_fen(f.default_fen)}", self.fee, self.choose, "14sp")
        self._types_key = key

    def choose(self, fee) -> None:
        self.fee = fee
        self.ids.amount.text = str(format_fen(fee.default_fen, symbol="", grouping=False))
        self.message = ""
        self._load_types()   # the highlight moves; the collections list has not changed

    def _load_recent(self) -> None:
        app = App.get_running_app()
        since = app.desk.call(shifts.listing_since)
        rows = app.desk.call(fees.recent, since, limit=20)
        key = (app.lang, tuple(tuple(sorted(row.items())) for row in rows))
        box = self.ids.recent
        if key == self._recent_key and len(box.children) == len(rows):
            return
        self._recent_key = key
        box.clear_widgets()
        for row in rows:
            name = row["name_zh"] if app.lang == "zh_CN" else row["name_en"]
            label = f"{row['receipt_no'][-6:]} {row['payer']} {name} {format_fen(row['amount_fen'])}"
            if row["voided"]:
                label += "  " + app.tr("Voided", app.lang)
            button = BigButton(text=label, kind="quiet", font_size="13sp", disabled=bool(row["voided"]), halign="left")
            button.bind(on_release=lambda b, r=row: self.ask_void(r))
            box.add_widget(button)

    def collect(self) -> None:
        app = App.get_running_app()
        tr = lambda s: app.tr(s, app.lang)  # noqa: E731
        if self.fee is None:
            self.message = tr("choose a fee type")
            return
        try:
            amount = parse_amount(self.ids.amount.text)
            tendered_text = self.ids.tendered.text.strip()
            tendered = parse_amount(tendered_text) if self.method == "cash" and tendered_text else None
        except AmountError:
            self.message = tr("not an amount of money")
            return
        try:
            _, number, change = app.desk.call(  # refuses when the counter is not open
                fees.collect, fee_type_id=self.fee.id, payer=self.ids.payer.text, member_no=self.ids.member.text,
                amount_fen=amount, period=self.ids.period.text,
                payment=Payment(self.method, tendered, self.ids.reference.text), lang=app.lang)
        except CounterError as exc:
            ids = self.ids
            self.message = show_refusal(exc, {"payer": ids.payer, "member_number": ids.member, "period": ids.period,
                                              "amount": ids.amount, "tendered": ids.tendered,
                                              "transaction_reference": ids.reference})
            return
        for field in ("payer", "member", "period", "tendered", "reference"):
            self.ids[field].text = ""
        self.message = tr("Fee {no}: change {change}").format(no=number, change=format_fen(change))
        self._load_recent()

    def ask_void(self, row: dict) -> None:
        app = App.get_running_app()
        reason = self.ids.void_reason.text.strip()
        if not reason:
            self.message = app.tr("Type the reason for the void first", app.lang)
            return
        app.require_manager(lambda manager: self._void(row, reason, manager),
                            app.tr("Void fee {no}", app.lang).format(no=row["receipt_no"]))

    def _void(self, row: dict, reason: str, manager) -> None:
        app = App.get_running_app()
        try:
            app.desk.call(fees.void, manager.actor(), app.desk.terminal_id, row["id"],
                      reason, lang=app.lang)
        except CounterError as exc:
            self.message = show_refusal(exc, {"reason": self.ids.void_reason})
            return
        self.ids.void_reason.text = ""
        self.message = app.tr("Fee {no} voided; the slip is printing", app.lang).format(no=row["receipt_no"])
        self._load_recent()
