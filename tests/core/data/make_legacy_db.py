"""Make a database exactly as the code before migration 0011 wrote it, and dump its rows as plain SQL.

The demo seed and the services now write the 0011 schema, so the rows that 0011 must carry are made
once by the code of the last commit before it (68c85cd) and kept as text: tests/core/data/
legacy_0010_rows.sql holds INSERT statements for the base tables, in foreign-key order. The test
(tests/core/test_core_schema.py) builds the schema from the real migrations 0001-0010 with the
project's runner, loads the rows, checks that every record table has some, migrates and compares
counts, money and actors. No database file is committed.

To remake the rows (from the repository root; the old code only needs to be unpacked once):

    mkdir -p /tmp/pre0011 && git archive 68c85cd | tar -x -C /tmp/pre0011
    PYTHONPATH=/tmp/pre0011 KIOSK_HOME=$(mktemp -d) .venv/bin/python tests/core/data/make_legacy_db.py \
        $(mktemp -d)/legacy.db --dump-rows tests/core/data/legacy_0010_rows.sql

Left out of the dump, because the 0001-0010 triggers rebuild them as the rows go in: the stock
balance (stock_levels, from stock_movements), the visits full-text index (visits_fts and its shadow
tables, from visits) and the runner's own schema_migrations. After writing, --dump-rows proves the
text is enough: it rebuilds a database from the migrations and the dump and requires every table
(the derived ones too, and the schema itself) to equal the original, the full-text index to pass its
integrity check and to find the same visits for every name.

Besides the seed's bulk rows (--days, 2 by default: keeps the dump well under 1 MB) it runs one
full counter day through the services (open, sales, a void, a refund, fees, a fee void, a cash
handover, the close) and touches every other record table once. Without --dump-rows it only makes
the database (e.g. a bigger one to time the migration: --days 365).
"""
from __future__ import annotations

import argparse
import base64
import sqlite3
import sys
import tempfile
from datetime import date, datetime, timezone
from pathlib import Path

from kiosk.core import db as db_mod
from kiosk.core.audit import Actor
from kiosk.core.clock import FakeClock

# Rows the 0001-0010 triggers write as their sources go in (table -> what rebuilds it).
DERIVED = {"stock_levels": "stock_levels_follow_movements on stock_movements",
           "visits_fts": "visits_fts_ai on visits, with its fts5 shadow tables"}
RUNNER_TABLES = ("schema_migrations",)  # the runner writes these while migrating
ROWS_PER_INSERT = 200  # one INSERT per 200 rows, one row per line: small, diffable, well inside SQLite's limits


def main() -> None:
    args = argparse.ArgumentParser()
    args.add_argument("out", help="the database to make (must not exist)")
    args.add_argument("--days", type=int, default=2)
    args.add_argument("--dump-rows", metavar="SQL", type=Path, help="write the base tables' rows here and verify")
    opts = args.parse_args()
    if Path(opts.out).exists():
        sys.exit(f"{opts.out} exists: give the path of a new database")
    db = db_mod.connect(opts.out)
    assert db_mod.schema_version(db) == 10, "run this with the code from before migration 0011"
    clock = FakeClock(datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc))
    from kiosk.demo import accounts, seed
    accounts.ensure_demo(db, clock)
    seed.seed(db, clock, days=opts.days, tz_name="Asia/Shanghai", end_day=date(2026, 11, 22))
    _one_day(db, clock)
    db.close()
    if opts.dump_rows:
        opts.dump_rows.write_text(dump_rows(opts.out), encoding="utf-8")
        verify_dump(opts.out, opts.dump_rows)
        print(f"{opts.dump_rows}: {opts.dump_rows.stat().st_size} bytes, verified against {opts.out}")


def base_tables(conn: sqlite3.Connection) -> list[str]:
    """Tables whose rows are kept, parents before children (foreign-key order, then creation order)."""
    names = [n for (n,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                        " AND name NOT LIKE 'sqlite_%' ORDER BY rowid")]
    virtual = [n for n in names if conn.execute("SELECT sql FROM sqlite_master WHERE name = ?", (n,)
                                                ).fetchone()[0].upper().startswith("CREATE VIRTUAL")]
    skip = set(DERIVED) | set(RUNNER_TABLES) | set(virtual)
    kept = [n for n in names if n not in skip and not any(n.startswith(v + "_") for v in virtual)]
    parents = {t: {row[2] for row in conn.execute(f'PRAGMA foreign_key_list("{t}")')} - {t} for t in kept}
    ordered: list[str] = []
    while len(ordered) < len(kept):
        ready = [t for t in kept if t not in ordered and parents[t] <= set(ordered)]
        if not ready:
            raise RuntimeError(f"foreign keys form a loop among {sorted(set(kept) - set(ordered))}")
        ordered.append(ready[0])
    return ordered


def _literal(value: object) -> str:
    """An SQL literal that reads back as the same value and type."""
    if value is None:
        return "NULL"
    if isinstance(value, bytes):
        return "X'" + value.hex().upper() + "'"
    if isinstance(value, (int, float)):
        return repr(value)  # repr of a float round-trips exactly
    return "'" + str(value).replace("'", "''") + "'"


def dump_rows(path: str | Path) -> str:
    """INSERT statements for every base table's rows, in foreign-key order and rowid order."""
    conn = sqlite3.connect(path)
    out = ["-- Rows of a database as the code before migration 0011 (commit 68c85cd) wrote it.",
           "-- Made by tests/core/data/make_legacy_db.py --dump-rows (its docstring says how); do not edit.",
           "-- Load after migrations 0001-0010, foreign keys on. Left out, rebuilt by the old triggers: "
           + ", ".join(f"{t} ({how})" for t, how in DERIVED.items()) + "."]
    for table in base_tables(conn):
        columns = [row[1] for row in conn.execute(f'PRAGMA table_info("{table}")')]
        quoted = ", ".join(f'"{c}"' for c in columns)
        rows = conn.execute(f'SELECT {quoted} FROM "{table}" ORDER BY rowid').fetchall()
        for start in range(0, len(rows), ROWS_PER_INSERT):
            chunk = rows[start:start + ROWS_PER_INSERT]
            out.append(f'INSERT INTO {table} ({", ".join(columns)}) VALUES')
            out.append(",\n".join("(" + ", ".join(_literal(v) for v in row) + ")" for row in chunk) + ";")
    conn.close()
    return "\n".join(out) + "\n"


def _table_rows(conn: sqlite3.Connection, table: str) -> list[tuple]:
    has_rowid = "WITHOUT ROWID" not in conn.execute("SELECT sql FROM sqlite_master WHERE name = ?",
                                                    (table,)).fetchone()[0].upper()
    sql = f'SELECT {"rowid, " if has_rowid else ""}* FROM "{table}" ORDER BY {"rowid" if has_rowid else "1"}'
    return [tuple((type(v).__name__, v) for v in row) for row in conn.execute(sql)]


def verify_dump(original: str | Path, sql_path: Path) -> None:
    """Rebuild from the migrations and the dump; fail unless it equals the original everywhere it must."""
    with tempfile.TemporaryDirectory() as tmp:
        rebuilt = db_mod.connect(Path(tmp) / "rebuilt.db")  # this (old) code's runner: 0001-0010
        rebuilt.conn.executescript("BEGIN;\n" + sql_path.read_text("utf-8") + "\nCOMMIT;")
        new = rebuilt.conn
        old = sqlite3.connect(original)
        schema = "SELECT type, name, tbl_name, sql FROM sqlite_master ORDER BY type, name"
        assert old.execute(schema).fetchall() == new.execute(schema).fetchall(), "schemas differ"
        layout = ("visits_fts_data", "visits_fts_idx")  # segment layout depends on the write history
        for (table,) in old.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE"
                                    " 'sqlite_%' AND name != 'visits_fts' ORDER BY name").fetchall():
            if table in layout:
                continue
            if table == "schema_migrations":
                query = "SELECT version, name FROM schema_migrations ORDER BY version"
                assert old.execute(query).fetchall() == new.execute(query).fetchall(), table
                continue
            assert _table_rows(old, table) == _table_rows(new, table), f"{table} differs"
        for conn in (old, new):
            conn.execute("INSERT INTO visits_fts(visits_fts) VALUES ('integrity-check')")
        names = {n for (n,) in old.execute("SELECT DISTINCT name FROM visits WHERE length(name) >= 3")}
        assert names, "no visitor name long enough for the trigram index"
        find = "SELECT rowid FROM visits_fts WHERE visits_fts MATCH ? ORDER BY rowid"
        for name in names:
            phrase = '"' + name.replace('"', '""') + '"'
            found = old.execute(find, (phrase,)).fetchall()
            assert found and found == new.execute(find, (phrase,)).fetchall(), name
        old.close()
        rebuilt.close()


def _one_day(db, clock: FakeClock) -> None:
    from kiosk.counter import closing, fees, sales, shifts, stockcount
    from kiosk.lostfound import service as lostfound
    from kiosk.phone import calllog
    from kiosk.printing import queue
    from kiosk.visitors import service as visitors
    users = {row["name"]: row for row in db.query("SELECT id, name, role FROM users")}
    staff = next(Actor(u["name"], u["id"], u["role"]) for u in users.values() if u["role"] == "staff")
    manager = next(Actor(u["name"], u["id"], u["role"]) for u in users.values() if u["role"] == "manager")
    terminal = "T01"
    from kiosk.core import auth
    from kiosk.demo.accounts import DEMO_STAFF
    auth.sign_in(db, clock, staff.id, DEMO_STAFF[1])
    try:
        auth.sign_in(db, clock, staff.id, "0000" if DEMO_STAFF[1] != "0000" else "9999")
    except auth.AuthError:
        pass
    products = sales.products(db)
    shifts.open_shift(db, clock, staff, terminal, float_fen=50000,
                      counts=[stockcount.CountLine(products[0].id, products[0].stock - 1, True, "broken")])
    clock.advance(600)
    cash = sales.sell(db, clock, staff, terminal, {products[0].id: 2, products[1].id: 1},
                      sales.Payment("cash", tendered_fen=100000))
    card = sales.sell(db, clock, staff, terminal, {products[1].id: 3}, sales.Payment("card", reference="A1"))
    mobile = sales.sell(db, clock, staff, terminal, {products[2].id: 1}, sales.Payment("mobile", reference="M1"))
    clock.advance(60)
    sales.reverse(db, clock, staff, manager, terminal, card.sale_id, kind="void", reason="wrong item", same_day=True)
    line = sales.sold_lines(db, cash.sale_id)[0]
    sales.reverse(db, clock, staff, manager, terminal, cash.sale_id, kind="refund", reason="damaged",
                  same_day=True, quantities={line["id"]: 1})
    fee_type = fees.fee_types(db)[0]
    fee_id, _, _ = fees.collect(db, clock, staff, terminal, fee_type_id=fee_type.id, payer="张先生",
                                payment=sales.Payment("cash", tendered_fen=fee_type.default_fen or 1000),
                                amount_fen=fee_type.default_fen or 1000)
    fees.collect(db, clock, staff, terminal, fee_type_id=fee_type.id, payer="Ms Lee",
                 payment=sales.Payment("card", reference="C9"), amount_fen=fee_type.default_fen or 1000)
    fees.void(db, clock, staff, manager, terminal, fee_id, "collected twice")
    queue.kick_drawer(db, clock, staff, "change for the till")
    shifts.hand_over(db, clock, staff, terminal, amount_fen=20000, received_by="财务 张敏", note="midday")
    # Visitors: self and staff sign-ins, an expected visitor, a roll call, the deny list.
    host = visitors.hosts(db)[0]
    expected = visitors.add_expected(db, clock, staff, name="钱七", phone="13900001111", host_id=host["id"],
                                     expected_on="2026-11-23")
    came = visitors.sign_in(db, clock, visitors.Visitor("钱七", "13900001111", host["id"], "meeting",
                                                        privacy_accepted=True))
    walk = visitors.sign_in(db, clock, visitors.Visitor("孙八", "13900002222", host["id"], "delivery",
                                                        id_type="id_card", id_number="110101199001011234"),
                            actor=staff)
    visitors.mark_located(db, clock, staff, came.visit_id)
    visitors.sign_out(db, clock, staff, walk.visit_id)
    entry = visitors.add_to_deny_list(db, clock, staff, name="坏人", reason="trouble last month")
    visitors.lift_deny(db, clock, manager, entry, "apologised")
    assert expected
    # Lost and found: a claim, a handover, a disposal, a lost report.
    items = lostfound.held_items(db)
    png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
    lostfound.claim(db, clock, staff, terminal, items[0].id, claimant_name="周九", contact="13900003333",
                    id_type="id_card", id_number="110101199001014321", described_features=items[0].features or "黑色",
                    described_quantity=items[0].quantity, identity_checked=True, signature_png=png)
    lostfound.hand_over(db, clock, staff, terminal, [items[1].id], received_by="行政部 王建国")
    lostfound.dispose(db, clock, staff, items[1].id, method="donated", authorised_by="行政部 王建国")
    lostfound.report_lost(db, clock, staff, category="umbrella", description="蓝色雨伞", owner_name="吴十",
                          contact="13900004444", lost_on=date(2026, 11, 22))
    # The phone: a staff-confirmed call with a note and a callback.
    call_id = calllog.start_call(db, clock, "simulated")
    calllog.confirm_outcome(db, clock, staff, call_id, "answered")
    note = calllog.add_note(db, clock, staff, call_id=call_id, category="inquiry", what="开放时间",
                            caller_number="13900005555",
                            needs_callback=True, callback_minutes=30)
    calllog.complete_callback(db, clock, staff, note, "已回电")
    stockcount.stocktake(db, clock, manager, terminal,
                         [stockcount.CountLine(p.id, sales.product(db, p.id).stock) for p in sales.products(db)])
    clock.advance(3600)
    expected_cash = shifts.expected_cash(db, shifts.current(db, terminal))
    closing.close_shift(db, clock, staff, terminal, counted_fen=expected_cash - 100)
    assert mobile


if __name__ == "__main__":
    main()
