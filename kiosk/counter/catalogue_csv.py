"""The goods catalogue as CSV: export for a spreadsheet, import back (all rows or none).

Columns: sku, name_zh, name_en, price (yuan), barcode, category, stock, reorder_level, active.
A new SKU is added with its stock as opening stock; a known SKU is updated, and a different stock
figure becomes an adjustment with the reason "catalogue import". Prices go through Decimal.
"""
from __future__ import annotations

import csv
import io
from dataclasses import dataclass

import sqlite_utils

from kiosk.counter import sales as counter
from kiosk.core.audit import Actor
from kiosk.core.clock import Clock
from kiosk.counter.errors import CounterError
from kiosk.core.db import write
from kiosk.core.money import AmountError, format_fen, parse_amount

COLUMNS = ("sku", "name_zh", "name_en", "price", "barcode", "category", "stock", "reorder_level", "active")
MAX_ROWS = 20_000


@dataclass(frozen=True)
class ImportResult:
    added: int
    updated: int
    unchanged: int


class ImportError_(CounterError):
    """Rows that cannot be imported, each with its line number; nothing was written.

    The rows' problems name CSV columns and lines, so they stay as written; the sentence around them
    is translated.
    """

    def __init__(self, msgid: str = "Nothing imported: {problems}", field: str | None = None, *,
                 problems: list[str], **params) -> None:
        shown = "; ".join(problems[:10]) + (f" (+{len(problems) - 10} more)" if len(problems) > 10 else "")
        super().__init__(msgid, field, problems=shown, **params)
        self.problems = problems


def export_csv(db: sqlite_utils.Database) -> str:
    """Every product, active or not, as CSV text (UTF-8 with BOM added by the writer of the file)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    for p in counter.products(db, active_only=False):
        writer.writerow([p.sku, p.name_zh, p.name_en, format_fen(p.price_fen, symbol="", grouping=False),
                         p.barcode or "", p.category, p.stock, p.reorder_level, "1" if p.active else "0"])
    return out.getvalue()


def _int(text: str, name: str, line: int, problems: list[str], default: int | None = None) -> int | None:
    text = (text or "").strip()
    if not text and default is not None:
        return default
    if not text.lstrip("-").isdigit() or int(text) < 0 or int(text) > 100_000:
        problems.append(f"line {line}: {name} must be a whole number from 0 to 100000")
        return None
    return int(text)


def parse_rows(text: str) -> list[dict]:
    """Read and check every row; raises ImportError_ listing each bad line."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = [c for c in ("sku", "name_zh", "name_en", "price", "category") if c not in (reader.fieldnames or [])]
    if missing:
        raise ImportError_(problems=[f"missing column(s): {', '.join(missing)}"])
    rows, problems, seen = [], [], set()
    for line, raw in enumerate(reader, start=2):
        if line > MAX_ROWS + 1:
            raise ImportError_(problems=[f"more than {MAX_ROWS} rows"])
        raw = {k: (v or "").strip() for k, v in raw.items() if k}
        if not any(raw.values()):
            continue
        sku = raw.get("sku", "")
        if not sku or not raw.get("name_zh") or not raw.get("name_en") or not raw.get("category"):
            problems.append(f"line {line}: sku, name_zh, name_en and category are required")
            continue
        try:  # the catalogue's own text rules, named by line like every other problem
            counter.check_catalogue_text(raw)
        except CounterError as exc:
            problems.append(f"line {line}: {exc}")
            continue
        if sku in seen:
            problems.append(f"line {line}: SKU {sku} appears twice")
        seen.add(sku)
        try:
            price = parse_amount(raw.get("price", ""))
        except AmountError as exc:
            problems.append(f"line {line}: price: {exc}")
            price = None
        stock = _int(raw.get("stock", ""), "stock", line, problems, default=-1)
        reorder = _int(raw.get("reorder_level", ""), "reorder_level", line, problems, default=0)
        active = raw.get("active", "1").lower() not in ("0", "no", "false", "否")
        rows.append({"sku": sku, "name_zh": raw["name_zh"], "name_en": raw["name_en"], "price_fen": price,
                     "barcode": raw.get("barcode", "") or None, "category": raw["category"], "stock": stock,
                     "reorder_level": reorder, "active": active})
    if problems:
        raise ImportError_(problems=problems)
    return rows


def import_csv(db: sqlite_utils.Database, clock: Clock, actor: Actor, text: str) -> ImportResult:
    """Import a catalogue CSV in one transaction (audited per product); refuses the whole file on any bad row."""
    if not actor.is_manager:
        raise CounterError("only a manager can change the catalogue")
    rows = parse_rows(text)
    added = updated = unchanged = 0
    with write(db):
        known = {p.sku: p for p in counter.products(db, active_only=False)}
        for row in rows:
            current = known.get(row["sku"])
            stock = row.pop("stock")
            if current is None:
                counter.add_product(db, clock, actor, sku=row["sku"], name_zh=row["name_zh"], name_en=row["name_en"],
                                    price_fen=row["price_fen"], category=row["category"], barcode=row["barcode"],
                                    reorder_level=row["reorder_level"], opening_stock=max(stock, 0))
                if not row["active"]:
                    counter.update_product(db, clock, actor, counter.by_sku(db, row["sku"]).id, active=False)
                added += 1
                continue
            changes = {k: row[k] for k in counter.EDITABLE}
            after = counter.update_product(db, clock, actor, current.id, **changes)
            moved = stock >= 0 and stock != current.stock
            if moved:
                counter.adjust_stock(db, clock, actor, current.id, stock - current.stock, "catalogue import")
            if moved or after != current:
                updated += 1
            else:
                unchanged += 1
    return ImportResult(added, updated, unchanged)
