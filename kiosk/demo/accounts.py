"""Demo mode: lets a newcomer in with known accounts and a little data in every area."""
from __future__ import annotations

import importlib
import json

import sqlite_utils

from kiosk.core import auth
from kiosk.core import settings
from kiosk.core.audit import SYSTEM
from kiosk.core.clock import Clock
from kiosk.core.errors import Refusal

DEMO_STAFF = ("Demo Staff 演示员工", "1111")
DEMO_MANAGER = ("Demo Manager 演示经理", "9999")
# A msgid (cli.po) and its values: the command line says it in the site's language (kiosk.cli.core).
LOGIN_HINT = "Demo sign-in: staff {staff} PIN {staff_pin}; manager {manager} PIN {manager_pin}"
LOGIN_VALUES = {"staff": repr(DEMO_STAFF[0]), "staff_pin": DEMO_STAFF[1], "manager": repr(DEMO_MANAGER[0]),
                "manager_pin": DEMO_MANAGER[1]}

# Each area seeds its own demo data: "module:function(db, clock) -> list[str] of what it created".
AREA_SEEDERS: list[str] = [
    "kiosk.lostfound.service:seed_demo",
    "kiosk.counter.sales:seed_demo",
    "kiosk.counter.fees:seed_demo",
    "kiosk.visitors.service:seed_demo",
]


DEMO_VERSION = 1  # bump when the demo data changes, so existing demo databases get the additions


def ensure_demo(db: sqlite_utils.Database, clock: Clock) -> list[str]:
    """Create whatever demo data is missing; returns short descriptions of what was created (English
    msgids: "staff account", "goods catalogue"..., said in the site's language by the command line).

    A marker in the settings table makes later starts cost one query.
    """
    if _marker(db) == _wanted():
        return []
    created = []
    existing = {user.name for user in auth.users(db)}
    for (name, pin), role in ((DEMO_STAFF, "staff"), (DEMO_MANAGER, "manager")):
        if name not in existing:
            auth.add_user(db, clock, SYSTEM, name, role, pin)
            created.append(f"{role} account")
    for target in AREA_SEEDERS:
        module, fn = target.split(":")
        created.extend(getattr(importlib.import_module(module), fn)(db, clock))
    settings.put(db, clock, SYSTEM, "demo_data", _wanted())
    mark_demo(db, clock)
    return created


class DemoRefusal(Refusal, RuntimeError):
    """Demo data refused: the database is a site's own."""


# The records a working desk writes: any of them in a database demo init did not make means a site's books.
SITE_RECORDS = ("visits", "calls", "sales", "fee_collections", "lf_items", "complaints", "shifts", "cash_handovers")
DEMO_MARK = "demo_database"


def check_demo_target(db: sqlite_utils.Database) -> None:
    """Refuse demo accounts or demo activity in a site's own database (outside test, issue 19).

    A database is a demo one when demo init or demo seed marked it, or when it is empty (no staff
    account but the demo ones, no records). Anything else is a site's: demo sales there would take the
    real receipt series and a manager PIN 9999 would open its books."""
    if _marker(db) is not None or _is_marked(db):
        return
    demo_names = {DEMO_STAFF[0], DEMO_MANAGER[0]}
    own = sorted(user.name for user in auth.users(db) if user.name not in demo_names)
    if own:
        raise DemoRefusal("This database has staff accounts of its own ({names}): demo data would mix with the "
                          "site's records. Use a new file for the demo (--db demo.db), or --force if it is a test copy.",
                          names=", ".join(own[:3]) + ("…" if len(own) > 3 else ""))
    tables = {row[0] for row in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    busy = [t for t in SITE_RECORDS if t in tables and db.execute(f'SELECT 1 FROM "{t}" LIMIT 1').fetchone()]
    if busy:
        raise DemoRefusal("This database already holds the site's records ({tables}): demo data would mix with "
                          "them. Use a new file for the demo (--db demo.db), or --force if it is a test copy.",
                          tables=", ".join(busy))


def mark_demo(db: sqlite_utils.Database, clock: Clock) -> None:
    """Mark the database as a demo one (demo init and demo seed), so later demo commands go ahead."""
    if not _is_marked(db):
        settings.put(db, clock, SYSTEM, DEMO_MARK, True)


def _is_marked(db: sqlite_utils.Database) -> bool:
    return db.execute("SELECT 1 FROM settings WHERE key = ?", (DEMO_MARK,)).fetchone() is not None


def _wanted() -> str:
    return f"{DEMO_VERSION}:{','.join(AREA_SEEDERS)}"


def _marker(db: sqlite_utils.Database) -> str | None:
    row = db.execute("SELECT value FROM settings WHERE key = 'demo_data'").fetchone()
    return json.loads(row[0]) if row else None
