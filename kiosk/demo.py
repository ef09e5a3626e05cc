"""Demo mode: lets a newcomer in with known accounts and a little data in every area."""
from __future__ import annotations

import importlib

import sqlite_utils

from kiosk import auth
from kiosk.audit import SYSTEM
from kiosk.clock import Clock

DEMO_STAFF = ("Demo Staff 演示员工", "1111")
DEMO_MANAGER = ("Demo Manager 演示经理", "9999")
LOGIN_HINT = (f"Demo sign-in: staff '{DEMO_STAFF[0]}' PIN {DEMO_STAFF[1]}; "
              f"manager '{DEMO_MANAGER[0]}' PIN {DEMO_MANAGER[1]}")

# Each area seeds its own demo data: "module:function(db, clock) -> list[str] of what it created".
AREA_SEEDERS: list[str] = []


def ensure_demo(db: sqlite_utils.Database, clock: Clock) -> list[str]:
    """Create whatever demo data is missing; returns short descriptions of what was created."""
    created = []
    existing = {user.name for user in auth.users(db)}
    for (name, pin), role in ((DEMO_STAFF, "staff"), (DEMO_MANAGER, "manager")):
        if name not in existing:
            auth.add_user(db, clock, SYSTEM, name, role, pin)
            created.append(f"{role} account")
    for target in AREA_SEEDERS:
        module, fn = target.split(":")
        created.extend(getattr(importlib.import_module(module), fn)(db, clock))
    return created
