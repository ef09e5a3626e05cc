"""The goods counter: product grid by category, barcode entry (keyboard-wedge scanners type the code
and Enter), a cart with quantities, and payment by cash (change shown), bank card or mobile QR."""
from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import DictProperty, ListProperty, NumericProperty, ObjectProperty, StringProperty
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen

from kiosk.counter import sales as counter
from kiosk.counter.sales import CounterError, Payment
from kiosk.core.money import AmountError, format_fen, parse_amount
from screens.widgets.common import BigButton, show_refusal

Builder.load_file(str(Path(__file__).with_name("goods_section.kv")))


class ProductButton(BigButton):
    product = ObjectProperty(None)


class CartRow(BoxLayout):
    product = ObjectProperty(None)
    quantity = NumericProperty(0)
    section = ObjectProperty(None)


class GoodsSection(Screen):
    """Cart state lives here; every sale goes through kiosk.counter.sell in one transaction."""

    category = StringProperty("")
    categories = ListProperty([])
    cart = DictProperty({})           # product id -> quantity
    total_fen = NumericProperty(0)
    method = StringProperty("cash")
    message = StringProperty("")
    low_count = NumericProperty(0)

    def on_pre_enter(self, *args) -> None:
        self.load()

    def load(self) -> None:
        app = App.get_running_app()
        items = app.desk.call(counter.products)
        self._products = {p.id: p for p in items}
        self.categories = sorted({p.category for p in items})
        if self.category not in self.categories:
            self.category = self.categories[0] if self.categories else ""
        self.low_count = sum(1 for p in items if p.low)
        self.show_category(self.category)
        self._refresh_cart()

    def show_category(self, category: str) -> None:
        self.category = category
        grid = self.ids.grid
        grid.clear_widgets()
        for product in self._products.values():
            if product.category == category:
                grid.add_widget(ProductButton(product=product, on_release=self._add_pressed))

    def _add_pressed(self, button) -> None:
        self.add(button.product.id)

    def add(self, product_id: int, quantity: int = 1) -> None:
        cart = dict(self.cart)
        cart[product_id] = max(0, cart.get(product_id, 0) + quantity)
        if not cart[product_id]:
            del cart[product_id]
        self.cart = cart
        self.message = ""
        self._refresh_cart()

    def scanned(self, field) -> None:
        """Enter from the barcode field (a scanner types the code and Enter)."""
        app = App.get_running_app()
        code = field.text.strip()
        field.text = ""
        if not code:
            return
        try:
            self.add(app.desk.call(counter.by_barcode, code).id)
        except CounterError as exc:
            self.message = show_refusal(exc)
        field.focus = True

    def _refresh_cart(self) -> None:
        box = self.ids.cart
        box.clear_widgets()
        total = 0
        for product_id, quantity in self.cart.items():
            product = self._products[product_id]
            total += product.price_fen * quantity
            box.add_widget(CartRow(product=product, quantity=quantity, section=self))
        self.total_fen = total

    def pay(self) -> None:
        app = App.get_running_app()
        tendered_text, reference = self.ids.tendered.text, self.ids.reference.text
        try:
            tendered = parse_amount(tendered_text) if self.method == "cash" and tendered_text.strip() else None
        except AmountError:
            self.message = app.tr("not an amount of money", app.lang)
            return
        try:
            result = app.desk.call(counter.sell, dict(self.cart), Payment(self.method, tendered, reference),
                                   lang=app.lang)  # refuses when the counter is not open
        except CounterError as exc:
            self.message = show_refusal(exc)
            return
        self.cart = {}
        self.ids.tendered.text = self.ids.reference.text = ""
        self.message = app.tr("Sale {no}: change {change}", app.lang).format(no=result.receipt_no,
                                                                               change=format_fen(result.change_fen))
        self.load()

    def show_sales(self) -> None:
        from screens.counter.counter_popups import SalesHistory
        popup = SalesHistory()
        popup.bind(on_dismiss=lambda *a: self.load())
        popup.open()

    def show_reorder_list(self) -> None:
        from screens.counter.counter_popups import ReorderList
        ReorderList().open()

    @staticmethod
    def money(fen) -> str:
        return format_fen(int(fen))
