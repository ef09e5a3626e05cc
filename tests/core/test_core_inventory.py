"""Every text column of the schema is declared personal or not-personal (a new column cannot be forgotten)."""
from __future__ import annotations

from kiosk.core import inventory


def test_every_text_column_is_declared(db):
    undeclared = []
    for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' ORDER BY name"):
        for row in db.execute(f"PRAGMA table_info('{table}')"):
            if row[2].upper() in ("TEXT", "", "ANY") and not inventory.is_declared(table, row[1]):
                undeclared.append(f"{table}.{row[1]}")
    assert not undeclared, ("declare these text columns personal or not-personal in kiosk/core/inventory.py: "
                            + ", ".join(undeclared))


def test_declared_personal_columns_exist(db):
    for item in inventory.PERSONAL:
        columns = [r[1] for r in db.execute(f"PRAGMA table_info('{item.table}')")]
        assert item.column in columns, f"{item.table}.{item.column} is declared but not in the schema"
        if item.retention:
            assert item.since in columns, f"{item.table}.{item.since}"


def test_a_new_undeclared_column_fails(db):
    db.execute("CREATE TABLE complaints_x (id INTEGER PRIMARY KEY, customer_name TEXT)")
    assert not inventory.is_declared("complaints_x", "customer_name")
