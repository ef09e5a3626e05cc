"""Counter pop-ups: the reorder list, and today's sales with void and refund (manager PIN + reason)."""
from __future__ import annotations

import logging

from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import BooleanProperty, DictProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.modalview import ModalView

from kiosk.counter import sales as counter
from kiosk.counter import reorder, shifts
from kiosk.counter.sales import CounterError
from kiosk.core.money import format_fen
from screens.widgets.common import BigButton, show_refusal

Builder.load_file(str(Path(__file__).with_name("counter_popups.kv")))


class ReorderList(ModalView):
    """Items at or below their reorder level, with the quantity to order up to the par level; printable."""

    message = StringProperty("")

    def on_open(self) -> None:
        app = App.get_running_app()
        box = self.ids.rows
        box.clear_widgets()
        self.plan = app.desk.call(reorder.reorder_plan)
        for line in self.plan:
            item = line.product
            box.add_widget(ReorderRow(text=f"{item.sku}  {item.name(app.lang)}", stock=item.stock,
                                      level=item.reorder_level, par=line.par, suggested=line.suggested))
        self.ids.empty.opacity = 0 if self.plan else 1

    def print_list(self) -> None:
        """The list on paper for whoever places the order (queued like every slip)."""
        app = App.get_running_app()
        from kiosk.printing import queue as printqueue
        from kiosk.core.clock import utc_iso
        from kiosk.printing.documents import local_time
        try:
            when = local_time(app.desk.db, utc_iso(app.ctx.clock.now()))
            slip = reorder.reorder_slip(app.desk.db, app.lang, self.plan, when)
            app.desk.call(printqueue.enqueue, slip, record_table="products", record_id=None)
        except CounterError as exc:
            self.message = show_refusal(exc)
            return
        except Exception:  # a busy database: say so, the list is still on screen
            logging.getLogger(__name__).exception("the reorder list could not be queued")
            self.message = app.tr("Database busy: try again in a moment", app.lang)
            return
        self.message = app.tr("Reorder list sent to the printer", app.lang)


class ReorderRow(BoxLayout):
    text = StringProperty("")
    stock = NumericProperty(0)
    level = NumericProperty(0)
    par = NumericProperty(0)
    suggested = NumericProperty(0)


class RefundLine(BoxLayout):
    line = DictProperty({})
    quantity = NumericProperty(0)

    def step(self, delta: int) -> None:
        self.quantity = max(0, min(self.line["returnable"], int(self.quantity) + delta))


class SalesHistory(ModalView):
    """The counter's sales since the open (or the last 24 h); tap one to void or refund it."""

    sale = ObjectProperty(None, allownone=True)
    message = StringProperty("")
    can_void = BooleanProperty(False)    # nothing reversed yet
    can_refund = BooleanProperty(False)  # something still returnable

    def on_open(self) -> None:
        self.load()

    def on_sale(self, popup, sale) -> None:
        self._allowed(sale)

    def _allowed(self, sale) -> None:
        """A voided (or fully refunded) sale offers nothing more; a part refund still allows refunds."""
        reversed_fen = int(sale["reversed_fen"] or 0) if sale else 0
        self.can_void = sale is not None and reversed_fen == 0
        self.can_refund = sale is not None and reversed_fen < int(sale["total_fen"])

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
        self._allowed(sale)
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
        if (kind == "void" and not self.can_void) or (kind == "refund" and not self.can_refund):
            # Said before the manager's PIN is asked for, not after.
            self.message = app.tr("This sale has already been voided or refunded", app.lang)
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
