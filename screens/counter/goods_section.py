"""The goods counter: product grid by category, barcode entry (keyboard-wedge scanners type the code
and Enter), a cart with quantities, and payment by cash (change shown), bank card or mobile QR.

Scanner first: while this screen is shown and no text field has the keyboard, the window's keystrokes
are collected (`kiosk.counter.barcode.ScanBuffer`) and Enter looks the code up. Nothing gets focus, so
the on-screen keyboard never opens for a scan and the cart stays in view. The scan strip flashes green
(with a beep where the box has sound) for a good scan and red with the reason for a bad one.
"""
from __future__ import annotations

import sqlite3
from pathlib import Path

from kivy.app import App
from kivy.clock import Clock
from kivy.core.window import Window
from kivy.lang import Builder
from kivy.properties import (BooleanProperty, DictProperty, ListProperty, NumericProperty, ObjectProperty,
                             StringProperty)
from kivy.uix.boxlayout import BoxLayout
from kivy.uix.screenmanager import Screen
from kivy.uix.textinput import TextInput

from kiosk.counter import sales as counter
from kiosk.counter.barcode import KeyRun, ScanBuffer
from kiosk.counter.sales import CounterError, Payment
from kiosk.core.money import AmountError, format_fen, parse_amount
from screens.widgets.common import BigButton, show_refusal

Builder.load_file(str(Path(__file__).with_name("goods_section.kv")))


_BEEP = {"sound": None, "tried": False}


def beep() -> None:
    """A short tone for a good scan, where the box has sound; silence is fine (the strip flashes)."""
    if not _BEEP["tried"]:
        _BEEP["tried"] = True
        try:
            import math
            import struct
            import tempfile
            import wave
            from kivy.core.audio import SoundLoader
            path = Path(tempfile.gettempdir()) / "kiosk-scan-beep.wav"
            with wave.open(str(path), "wb") as out:
                out.setnchannels(1), out.setsampwidth(2), out.setframerate(16000)
                out.writeframes(b"".join(struct.pack("<h", int(9000 * math.sin(2 * math.pi * 2400 * i / 16000)))
                                         for i in range(1600)))
            _BEEP["sound"] = SoundLoader.load(str(path))
        except Exception:  # no audio provider on this box
            _BEEP["sound"] = None
    if _BEEP["sound"] is not None:
        try:
            _BEEP["sound"].play()
        except Exception:
            _BEEP["sound"] = None


ENTER_KEYS = (13, 271, 9)  # Return, keypad Enter, Tab (a scanner option many desks leave set)
# Which runs of keys are a scanner's: kiosk.counter.barcode.KeyRun (gaps up to 80 ms inside one scan, a
# scanner's median gap, Enter at once).


class ScanGuardInput(TextInput):
    """A counter field that knows a scanner's burst from typing (`kiosk.counter.barcode.KeyRun`).

    The cash field (`keeps_scans` False): a burst typed into it is taken back out (the field keeps what it
    held before the burst) and handed to the counter's product look-up - a code is never cash.
    The payment-reference field (`keeps_scans` True): a terminal slip's or a payment app's reference is
    scanned as often as typed, so a burst stays in the field as the reference (cleaned: full-width digits
    folded, nothing but the code) and the field lets go of the keyboard; only a burst that is a product's
    code on this counter is a product scanned while the field had focus, and goes to the cart instead.

    Only keys from the window (a physical keyboard or scanner) are timed; the on-screen keyboard's taps
    go through `insert_text` and are a person's by definition."""

    section = ObjectProperty(None)
    keeps_scans = BooleanProperty(False)
    numpad_side = "left"  # the cart and the total (right-hand column) stay in view while cash is typed

    def __init__(self, **kwargs) -> None:
        self._run = KeyRun()
        self._before: tuple[str, int] = ("", 0)
        super().__init__(**kwargs)

    @staticmethod
    def _now() -> float:
        return App.get_running_app().ctx.clock.monotonic()

    def keyboard_on_textinput(self, window, text):
        if self._run.key(text, self._now()):
            # A new run: remember the field as it was, so a burst can be undone whole.
            self._before = (self.text, self.cursor_index())
        return super().keyboard_on_textinput(window, text)

    def keyboard_on_key_down(self, window, keycode, text, modifiers):
        if keycode and keycode[0] in ENTER_KEYS and self._take_scan():
            return True
        return super().keyboard_on_key_down(window, keycode, text, modifiers)

    def _take_scan(self) -> bool:
        """Enter/Tab ends the run: a burst is a scan (handled as the field's kind says); True if it was."""
        code = self._run.enter(self._now())
        if code is None:
            return False
        before, cursor = self._before
        cursor = min(cursor, len(before))
        if self.keeps_scans and not (self.section is not None and self.section.is_product_code(code)):
            self.text = before[:cursor] + code + before[cursor:]
            self.cursor = self.get_cursor_from_index(cursor + len(code))
            self.focus = False  # the reference is in: the field lets go, the on-screen keyboard closes
            dock = getattr(App.get_running_app(), "keyboard_dock", None)
            if dock is not None:
                dock.hide()  # (losing focus alone leaves it up) so the cart is in view again
            return True
        self.text = before
        self.cursor = self.get_cursor_from_index(cursor)
        if self.section is not None:
            self.section.scan(code)
        return True


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
    scan_state = StringProperty("")   # "" | "good" | "bad": the strip's flash
    scan_text = StringProperty("")    # what the last scan did

    ENTER_KEYS = ENTER_KEYS

    def __init__(self, **kwargs) -> None:
        self._scan = ScanBuffer()
        self._flash_off = Clock.create_trigger(lambda dt: setattr(self, "scan_state", ""), 0.8)
        super().__init__(**kwargs)

    def on_pre_enter(self, *args) -> None:
        self.load()
        Window.bind(on_textinput=self._on_textinput, on_key_down=self._on_key_down)

    def on_leave(self, *args) -> None:
        Window.unbind(on_textinput=self._on_textinput, on_key_down=self._on_key_down)

    # --- the scanner --------------------------------------------------------------------------------
    def _field_has_keyboard(self) -> bool:
        """A text field anywhere in the window is being typed in, or a popup is over the counter: the
        keys are theirs, not a scan."""
        from kivy.uix.modalview import ModalView
        from kivy.uix.textinput import TextInput
        for top in Window.children:
            if isinstance(top, ModalView):
                return True
            for widget in top.walk(restrict=True):
                if isinstance(widget, TextInput) and widget.focus:
                    return True
        return False

    def _on_textinput(self, window, text: str):
        if self.manager is None or self.manager.current_screen is not self or self._field_has_keyboard():
            return False
        self._scan.feed(text, App.get_running_app().ctx.clock.monotonic())
        return True

    def _on_key_down(self, window, key, scancode=None, codepoint=None, modifiers=None, *args):
        if key not in self.ENTER_KEYS:
            return False
        if self.manager is None or self.manager.current_screen is not self or self._field_has_keyboard():
            return False
        code = self._scan.enter(App.get_running_app().ctx.clock.monotonic())
        if code:
            self.scan(code)
        return True

    def scan(self, code: str) -> None:
        """Look a scanned or typed code up and add it to the cart; flash and say what happened."""
        app = App.get_running_app()
        try:
            product = app.desk.call(counter.by_barcode, code)
        except CounterError as exc:
            self.scan_state, self.scan_text = "bad", show_refusal(exc)
            self.message = self.scan_text
            self._flash_off()
            return
        self.add(product.id)
        name = product.name_zh if app.lang == "zh_CN" else product.name_en
        self.scan_state = "good"
        self.scan_text = app.tr("Added: {name}", app.lang).format(name=name)
        self._flash_off()
        beep()

    def is_product_code(self, code: str) -> bool:
        """A code this counter sells (the reference field's test for a product scanned into it); a database
        in trouble answers no, so the burst stays where it was typed."""
        try:
            App.get_running_app().desk.call(counter.by_barcode, code)
        except (CounterError, sqlite3.Error, OSError):
            return False
        return True

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
        """Enter in the barcode field (someone typed a code by hand). The field lets go of the keyboard
        afterwards, so the on-screen keyboard closes and the cart is in view again."""
        code = field.text.strip()
        field.text = ""
        field.focus = False
        if code:
            self.scan(code)

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
        # A barcode scanned while the cash field had the keyboard lands there ("69012345", an in-store
        # "1234567"): a change of ¥100 or more on ten times the total is such a slip, never a sale.
        if tendered is not None and tendered - self.total_fen >= 10000 and tendered >= 10 * self.total_fen:
            self.message = app.tr("The change would be {change}: check the cash tendered", app.lang).format(
                change=format_fen(tendered - self.total_fen))
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
