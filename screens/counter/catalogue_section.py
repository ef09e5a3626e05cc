"""The goods catalogue for managers: edit a product, add one, receive stock, and move the whole
catalogue as CSV through a USB stick or the export folder (kiosk.counter.catalogue_csv does the work)."""
from __future__ import annotations

from pathlib import Path

from kivy.app import App
from kivy.lang import Builder
from kivy.properties import BooleanProperty, ObjectProperty, StringProperty
from kivy.uix.screenmanager import Screen

from kiosk.counter import catalogue_csv
from kiosk.counter import sales as counter
from kiosk.reports import usb as export_usb
from kiosk.counter.sales import CounterError
from kiosk.core.money import AmountError, format_fen, parse_amount
from screens.widgets.common import fill_choices, show_refusal

Builder.load_file(str(Path(__file__).with_name("catalogue_section.kv")))
CSV_NAME = "catalogue.csv"


class CatalogueSection(Screen):
    product = ObjectProperty(None, allownone=True)   # None: a new product
    active = BooleanProperty(True)
    message = StringProperty("")

    def on_pre_enter(self, *args) -> None:
        self.load()

    def _app(self):
        return App.get_running_app()

    def load(self) -> None:
        app = self._app()
        retired = " · " + app.tr("Not on sale", app.lang)
        fill_choices(self.ids.products, app.desk.call(counter.products, active_only=False),
                     lambda p: f"{p.sku} {p.name(app.lang)}\n{format_fen(p.price_fen)} · {p.stock}"
                     + ("" if p.active else retired), self.product, self.edit)

    def edit(self, item) -> None:
        self.product = item
        self.active = True if item is None else item.active
        values = {"sku": "", "name_zh": "", "name_en": "", "price": "", "barcode": "", "category": "", "reorder": "0",
                  "stock_qty": "", "stock_reason": ""}
        if item is not None:
            values.update(sku=item.sku, name_zh=item.name_zh, name_en=item.name_en,
                          price=format_fen(item.price_fen, symbol="", grouping=False), barcode=item.barcode or "",
                          category=item.category, reorder=str(item.reorder_level))
        for key, value in values.items():
            self.ids[key].text = value
        self.message = ""
        self.load()

    def save(self) -> None:
        app = self._app()
        ids = self.ids
        try:
            price = parse_amount(ids.price.text)
        except AmountError:
            self.message = app.tr("not an amount of money", app.lang)
            return
        reorder = int(ids.reorder.text) if ids.reorder.text.strip().isdigit() else -1
        try:
            if self.product is None:
                item = app.desk.call(counter.add_product, sku=ids.sku.text, name_zh=ids.name_zh.text,
                                     name_en=ids.name_en.text, price_fen=price, category=ids.category.text,
                                     barcode=ids.barcode.text, reorder_level=max(reorder, 0))
            else:
                item = app.desk.call(counter.update_product, self.product.id,
                                     name_zh=ids.name_zh.text, name_en=ids.name_en.text, price_fen=price,
                                     barcode=ids.barcode.text, category=ids.category.text,
                                     reorder_level=reorder, active=self.active)
        except CounterError as exc:
            self.message = show_refusal(exc, {"sku": ids.sku, "price": ids.price, "barcode": ids.barcode,
                                              "reorder_level": ids.reorder})
            return
        self.edit(item)
        self.message = app.tr("Saved {sku}", app.lang).format(sku=item.sku)

    def receive_stock(self) -> None:
        app = self._app()
        if self.product is None:
            self.message = app.tr("Save the product first", app.lang)
            return
        text = self.ids.stock_qty.text.strip()
        try:
            quantity = int(text)
        except ValueError:
            quantity = 0
        try:
            app.desk.call(counter.adjust_stock, self.product.id, quantity, self.ids.stock_reason.text)
        except CounterError as exc:
            self.message = show_refusal(exc, {"quantity": self.ids.stock_qty, "reason": self.ids.stock_reason})
            return
        self.edit(app.desk.call(counter.product, self.product.id))
        self.message = app.tr("Stock is now {n}", app.lang).format(n=self.product.stock)

    def _folder(self) -> Path | None:
        app = self._app()
        found = export_usb.destinations(app.ctx.config.get("export", "folder") or None)
        return found[0].path if found else None

    def export_csv(self) -> None:
        app = self._app()
        folder = self._folder()
        if folder is None:
            self.message = app.tr("Plug in a USB stick (or set an export folder)", app.lang)
            return
        try:
            (folder / CSV_NAME).write_text(app.desk.call(catalogue_csv.export_csv), encoding="utf-8-sig")
        except OSError as exc:
            self.message = app.tr("Could not write to {path}", app.lang).format(path=folder) + f" ({exc.strerror})"
            return
        self.message = app.tr("Saved {path}", app.lang).format(path=folder / CSV_NAME)

    def import_csv(self) -> None:
        app = self._app()
        folder = self._folder()
        path = folder / CSV_NAME if folder else None
        if path is None or not path.is_file():
            self.message = app.tr("No {name} on the stick or in the export folder", app.lang).format(name=CSV_NAME)
            return
        try:
            result = app.desk.call(catalogue_csv.import_csv, path.read_text(encoding="utf-8-sig"))
        except (UnicodeDecodeError, OSError):
            self.message = app.tr("{name} is not readable UTF-8 CSV", app.lang).format(name=CSV_NAME)
            return
        except CounterError as exc:
            self.message = show_refusal(exc)  # an ImportError_ says "Nothing imported: <the bad lines>"
            return
        self.edit(None)
        self.message = app.tr("{added} added, {updated} updated, {unchanged} unchanged", app.lang).format(
            added=result.added, updated=result.updated, unchanged=result.unchanged)
