"""Demo mode: lets a newcomer in with known accounts and a little data in every area."""
from __future__ import annotations

import importlib
import json

import sqlite_utils

from kiosk.core import auth
from kiosk.core import settings
from kiosk.core.audit import SYSTEM
from kiosk.core.clock import Clock

DEMO_STAFF = ("Demo Staff 演示员工", "1111")
DEMO_MANAGER = ("Demo Manager 演示经理", "9999")
LOGIN_HINT = (f"Demo sign-in: staff '{DEMO_STAFF[0]}' PIN {DEMO_STAFF[1]}; "
              f"manager '{DEMO_MANAGER[0]}' PIN {DEMO_MANAGER[1]}")

# Each area seeds its own demo data: "module:function(db, clock) -> list[str] of what it created".
AREA_SEEDERS: list[str] = [
    "kiosk.lostfound.service:seed_demo",
    "kiosk.counter.sales:seed_demo",
    "kiosk.counter.fees:seed_demo",
    "kiosk.visitors.service:seed_demo",
]


DEMO_VERSION = 1  # bump when the demo data changes, so existing demo databases get the additions


def ensure_demo(db: sqlite_utils.Database, clock: Clock) -> list[str]:
    """Create whatever demo data is missing; returns short descriptions of what was created.

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
    return created


def _wanted() -> str:
    return f"{DEMO_VERSION}:{','.join(AREA_SEEDERS)}"


def _marker(db: sqlite_utils.Database) -> str | None:
    row = db.execute("SELECT value FROM settings WHERE key = 'demo_data'").fetchone()
    return json.loads(row[0]) if row else None
