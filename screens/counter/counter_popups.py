"""Counter pop-ups: the reorder list, and today's sales with void and refund (manager PIN + reason)."""
from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import DictProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.modalview import ModalView

from kiosk.counter import sales as counter
from kiosk.counter import shifts
from kiosk.counter.sales import CounterError
from kiosk.core.money import format_fen
from screens.widgets.common import BigButton, show_refusal

Builder.load_file(str(Path(__file__).with_name("counter_popups.kv")))


class ReorderList(ModalView):
    """Items at or below their reorder level."""

    def on_open(self) -> None:
        app = App.get_running_app()
        box = self.ids.rows
        box.clear_widgets()
        items = app.desk.call(counter.low_stock)
        for item in items:
            box.add_widget(ReorderRow(text=f"{item.sku}  {item.name(app.lang)}", stock=item.stock,
                                      level=item.reorder_level))
        self.ids.empty.opacity = 0 if items else 1


class ReorderRow(BoxLayout):
    text = StringProperty("")
    stock = NumericProperty(0)
    level = NumericProperty(0)


class RefundLine(BoxLayout):
    line = DictProperty({})
    quantity = NumericProperty(0)

    def step(self, delta: int) -> None:
        self.quantity = max(0, min(self.line["returnable"], int(self.quantity) + delta))


class SalesHistory(ModalView):
    """The counter's sales since the open (or the last 24 h); tap one to void or refund it."""

    sale = ObjectProperty(None, allownone=True)
    message = StringProperty("")

    def on_open(self) -> None:
        self.load()

    def load(self) -> None:
        app = App.get_running_app()
        since = app.desk.call(shifts.listing_since)
        box = self.ids.sales
        box.clear_widgets()
        for sale in app.desk.call(counter.recent_sales, since):
            mark = "" if not sale["reversed_fen"] else "  " + (
                app.tr("Voided", app.lang) if sale["reversed_fen"] == sale["total_fen"]
                else app.tr("Part refunded", app.lang))
            button = BigButton(text=f"{sale['receipt_no'][-6:]}  {format_fen(sale['total_fen'])}{mark}",
                               kind="primary" if self.sale and self.sale["id"] == sale["id"] else "quiet",
                               font_size="15sp")
            button.bind(on_release=lambda b, s=sale: self.select(s))
            box.add_widget(button)

    def select(self, sale: dict) -> None:
        app = App.get_running_app()
        self.sale = sale
        self.message = ""
        lines = self.ids.lines
        lines.clear_widgets()
        for line in app.desk.call(counter.sold_lines, sale["id"]):
            lines.add_widget(RefundLine(line=line, quantity=0))
        self.load()

    def _quantities(self) -> dict[int, int]:
        return {w.line["id"]: int(w.quantity) for w in self.ids.lines.children if w.quantity}

    def ask(self, kind: str) -> None:
        app = App.get_running_app()
        reason = self.ids.reason.text.strip()
        if self.sale is None:
            self.message = app.tr("Choose a sale first", app.lang)
            return
        if not reason:
            self.message = app.tr("a reason is required", app.lang)
            return
        if kind == "refund" and not self._quantities():
            self.message = app.tr("Choose what goes back with + and −", app.lang)
            return
        title = app.tr("Void sale {no}" if kind == "void" else "Refund on sale {no}", app.lang)
        app.require_manager(lambda manager: self._reverse(kind, reason, manager),
                            title.format(no=self.sale["receipt_no"]))

    def _reverse(self, kind: str, reason: str, manager) -> None:
        app = App.get_running_app()
        shift = app.desk.call(shifts.current)
        same_day = shift is not None and self.sale["at"] >= shift.opened_at
        try:
            app.desk.call(counter.reverse, manager.actor(), app.desk.terminal_id,
                            self.sale["id"], kind=kind, reason=reason, same_day=same_day,
                            quantities=self._quantities() if kind == "refund" else None, lang=app.lang)
        except CounterError as exc:
            self.message = show_refusal(exc)
            return
        self.ids.reason.text = ""
        sale = next(s for s in app.desk.call(counter.recent_sales, self.sale["at"]) if s["id"] == self.sale["id"])
        self.select(sale)
        self.message = app.tr("Done; the slip is printing", app.lang)
