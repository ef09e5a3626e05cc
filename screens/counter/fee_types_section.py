"""Fee types for managers: name in both languages, default amount, whether the amount may be changed,
whether a member or account number is required, and retiring a type (kiosk.counter.fees does the work)."""
from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.screenmanager import Screen

import screens.counter.catalogue_section  # noqa: F401  (CatField and CatInput come from its .kv)
from kiosk.counter import fees
from kiosk.counter.sales import CounterError
from kiosk.core.money import AmountError, format_fen, parse_amount
from screens.widgets.common import fill_choices, show_refusal

Builder.load_file(str(Path(__file__).with_name("fee_types_section.kv")))


class FeeTypesSection(Screen):
    fee = ObjectProperty(None, allownone=True)   # None: a new fee type
    amount_editable = BooleanProperty(False)
    member_required = BooleanProperty(False)
    active = BooleanProperty(True)
    message = StringProperty("")

    def on_pre_enter(self, *args) -> None:
        self.edit(None)

    def load(self) -> None:
        app = App.get_running_app()
        retired = " · " + app.tr("Not in use", app.lang)
        fill_choices(self.ids.fee_list, app.desk.call(fees.fee_types, active_only=False),
                     lambda f: f"{f.code} {f.name(app.lang)}\n{format_fen(f.default_fen)}" + ("" if f.active else retired),
                     self.fee, self.edit)

    def edit(self, fee) -> None:
        self.fee = fee
        self.amount_editable = bool(fee and fee.amount_editable)
        self.member_required = bool(fee and fee.member_required)
        self.active = True if fee is None else fee.active
        ids = self.ids
        ids.code.text = fee.code if fee else ""
        ids.name_zh.text = fee.name_zh if fee else ""
        ids.name_en.text = fee.name_en if fee else ""
        ids.amount.text = format_fen(fee.default_fen, symbol="", grouping=False) if fee else ""
        self.message = ""
        self.load()

    def save(self) -> None:
        app = App.get_running_app()
        ids = self.ids
        try:
            amount = parse_amount(ids.amount.text)
        except AmountError:
            self.message = app.tr("not an amount of money", app.lang)
            return
        fields = {"name_zh": ids.name_zh.text, "name_en": ids.name_en.text, "default_fen": amount,
                  "amount_editable": self.amount_editable, "member_required": self.member_required}
        try:
            if self.fee is None:
                fee_id = app.desk.call(fees.add_fee_type, code=ids.code.text.upper(), **fields)
            else:
                fee_id = app.desk.call(fees.update_fee_type, self.fee.id, active=self.active, **fields).id
        except CounterError as exc:
            self.message = show_refusal(exc)
            return
        saved = next(f for f in app.desk.call(fees.fee_types, active_only=False) if f.id == fee_id)
        self.edit(saved)
        self.message = app.tr("Saved {sku}", app.lang).format(sku=saved.code)
