"""The counter's day on screen: open (count yesterday's goods, enter the float), hand cash over to
finance, close (count the cash; the end-of-day report is stored and printed), month-end stocktake.

Every figure comes from kiosk.counter.shifts / kiosk.counter.stockcount; this screen only collects what people count.
"""
from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.clock import Clock
from kivy.lang import Builder
from kivy.properties import BooleanProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen

from kiosk.counter import sales as counter
from kiosk.counter import eod_report
from kiosk.counter import closing, shifts
from kiosk.counter import stockcount
from kiosk.counter.sales import CounterError
from kiosk.core.money import AmountError, format_fen, parse_amount
from kiosk.printing.documents import layout
from kiosk.counter.stockcount import CountLine
from screens.widgets.common import show_refusal

Builder.load_file(str(Path(__file__).with_name("counter_day.kv")))


class CountRow(BoxLayout):
    """One product in a count: expected stock, what was counted (±), and a reason for a difference."""

    product = ObjectProperty(None)
    counted = NumericProperty(0)
    differs = BooleanProperty(False)

    def step(self, delta: int) -> None:
        self.set_count(str(max(0, int(self.counted) + delta)))

    def set_count(self, text: str) -> None:
        text = (text or "").strip()
        if text.isdigit():
            self.counted = min(int(text), stockcount.MAX_COUNT)
        if self.ids.count.text != str(int(self.counted)):
            self.ids.count.text = str(int(self.counted))
        self.differs = int(self.counted) != self.product.stock

    def line(self) -> CountLine:
        return CountLine(self.product.id, int(self.counted), reason=self.ids.reason.text.strip())


ROWS_PER_FRAME = 6
PREBUILT_ROWS = 24   # blank count rows built ahead: a catalogue this size opens without building any


class CounterDaySection(Screen):
    """Modes: opening → day → report (after the close); stocktake from the day with a manager."""

    _unbuilt: list = []   # products whose count rows are still to be built (after the next frame)

    mode = StringProperty("opening")
    message = StringProperty("")
    figures = StringProperty("")
    report_text = StringProperty("")

    def on_pre_enter(self, *args) -> None:
        self.refresh()

    def on_mode(self, *args) -> None:
        pages = self.ids.get("pages")
        if pages is not None:
            pages.current = "count" if self.mode in ("opening", "stocktake") else self.mode

    def _app(self):
        return App.get_running_app()

    def refresh(self) -> None:
        app = self._app()
        shift = app.desk.call(shifts.current)
        if shift is None and self.mode not in ("report",):
            self._show_count("opening")
        elif shift is not None and self.mode != "stocktake":
            self.mode = "day"
            self._show_figures(shift)

    # --- counting (opening and stocktake) ---------------------------------------------------------
    def _show_count(self, mode: str) -> None:
        self.mode = mode
        rows = self.ids.count_rows
        products = self._app().desk.call(counter.products)
        built = list(reversed(rows.children))
        # Refill the rows already built (last time's, or blank ones built ahead on an idle moment by
        # screens/section_pool.py): building a row (two text inputs, two buttons, labels) is what this
        # screen's opening cost (issue 18). Only the rows still missing are built, a few per frame.
        for row, product in zip(built, products):
            if row.product is not product:
                row.product = product
            if row.ids.reason.text:
                row.ids.reason.text = ""
            row.set_count(str(product.stock))
        for extra in built[len(products):]:
            rows.remove_widget(extra)
        self._unbuilt = list(products[len(built):])
        if self._unbuilt:
            self._build_rows()

    def prepare_ahead(self) -> bool:
        """One step of building blank count rows ahead (the section pool calls it on idle moments);
        True while there is more to build."""
        rows = self.ids.count_rows
        if len(rows.children) >= PREBUILT_ROWS or self._unbuilt:
            return False
        rows.add_widget(CountRow())   # one row a step: a pool step stays near 50 ms of UI work on a slow box
        return len(rows.children) < PREBUILT_ROWS

    def _build_rows(self, *args) -> None:
        """Build the next ROWS_PER_FRAME count rows, the rest after the next frame: the first frame
        comes after the rows the list shows (about six at 800x480), not after the whole catalogue."""
        batch, self._unbuilt = self._unbuilt[:ROWS_PER_FRAME], self._unbuilt[ROWS_PER_FRAME:]
        rows = self.ids.count_rows
        for product in batch:
            row = CountRow(product=product, counted=product.stock)
            rows.add_widget(row)
            row.set_count(str(product.stock))
        if self._unbuilt:
            Clock.schedule_once(self._build_rows, 0)   # 0: after the next frame is drawn

    def _lines(self) -> list[CountLine]:
        while self._unbuilt:   # a tap before the last rows were built still counts every product
            self._build_rows()
        return [row.line() for row in reversed(self.ids.count_rows.children)]

    def open_counter(self) -> None:
        app = self._app()
        try:
            float_fen = parse_amount(self.ids.float_input.text) if self.ids.float_input.text.strip() else None
        except AmountError:
            float_fen = None
        if float_fen is None:
            self.message = app.tr("Count the float and enter it", app.lang)
            return
        try:
            app.desk.call(shifts.open_shift, float_fen=float_fen, counts=self._lines())
        except CounterError as exc:
            self.message = show_refusal(exc, {"float": self.ids.float_input})
            return
        self.ids.float_input.text = ""
        self.message = app.tr("The counter is open", app.lang)
        self.refresh()

    def start_stocktake(self) -> None:
        app = self._app()
        app.require_manager(self._stocktake_approved, app.tr("Month-end stocktake", app.lang))

    def _stocktake_approved(self, manager) -> None:
        self._manager = manager
        self._show_count("stocktake")

    def finish_stocktake(self) -> None:
        app = self._app()
        try:
            _, number = app.desk.call(stockcount.stocktake, self._lines(), lang=app.lang,
                                      actor=self._manager.actor())  # the approving manager counts
        except CounterError as exc:
            self.message = show_refusal(exc)
            return
        self.message = app.tr("Stocktake {no} saved and printed", app.lang).format(no=number)
        self.mode = "day"
        self.refresh()

    def cancel_stocktake(self) -> None:
        self.mode = "day"
        self.message = ""
        self.refresh()

    # --- the day ----------------------------------------------------------------------------------
    def _show_figures(self, shift) -> None:
        app = self._app()
        tr = lambda s: app.tr(s, app.lang)  # noqa: E731
        totals = app.desk.call(shifts.payment_totals, shift.opened_at, shifts.OPEN_END)
        handed = sum(h["amount_fen"] for h in app.desk.call(shifts.handovers, shift.id))
        low = len(app.desk.call(counter.low_stock))
        rows = [(tr("Opened by"), shift.opened_by), (tr("Opening float"), format_fen(shift.float_fen)),
                (tr("Net cash takings"), format_fen(totals["cash"])), (tr("Bank card"), format_fen(totals["card"])),
                (tr("Mobile payment"), format_fen(totals["mobile"])), (tr("Handed over"), format_fen(handed)),
                (tr("Expected cash"), format_fen(app.desk.call(shifts.expected_cash, shift))),
                (tr("Low stock items"), str(low))]
        self.figures = "\n".join(f"{label}：{value}" if app.lang == "zh_CN" else f"{label}: {value}"
                                 for label, value in rows)

    def hand_over(self) -> None:
        app = self._app()
        try:
            amount = parse_amount(self.ids.handover_amount.text)
            app.desk.call(shifts.hand_over, amount_fen=amount, received_by=self.ids.received_by.text)
        except AmountError:
            self.message = app.tr("not an amount of money", app.lang)
            return
        except CounterError as exc:
            self.message = show_refusal(exc, {"amount": self.ids.handover_amount, "received_by": self.ids.received_by})
            return
        self.ids.handover_amount.text = self.ids.received_by.text = ""
        self.message = app.tr("Handed over {amount}", app.lang).format(amount=format_fen(amount))
        self.refresh()

    def close_counter(self) -> None:
        app = self._app()
        try:
            counted = parse_amount(self.ids.counted_cash.text)
        except AmountError:
            self.message = app.tr("Count the cash in the drawer and enter it", app.lang)
            return
        try:
            result = app.desk.call(closing.close_shift, counted_fen=counted, lang=app.lang)
        except CounterError as exc:
            self.message = show_refusal(exc, {"counted": self.ids.counted_cash})
            return
        self.ids.counted_cash.text = ""
        receipt = app.desk.call(eod_report.eod_receipt, result.report, result.report_no, result.report["closed_at"],
                                app.user.name, app.lang)
        self.report_text = "\n".join(line for line, _ in layout(receipt, 42))
        self.mode = "report"
        self.message = app.tr("Closed: report {no}, variance {variance}", app.lang).format(
            no=result.report_no, variance=format_fen(result.variance_fen))

    def next_day(self) -> None:
        self.mode = "opening"
        self.message = ""
        self.refresh()

    def show_reorder_list(self) -> None:
        from screens.counter.counter_popups import ReorderList
        ReorderList().open()

