"""Staff and manager accounts: PINs as salted scrypt hashes, lockout after repeated failures."""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
from dataclasses import dataclass
from datetime import timedelta

import sqlite_utils

from kiosk.core import audit
from kiosk.core.audit import Actor
from kiosk.core.clock import Clock, parse_iso, utc_iso
from kiosk.core.db import write
from kiosk.core.errors import Refusal

ROLES = ("staff", "manager")
MAX_FAILURES = 5
LOCK_SECONDS = 60
# scrypt cost: ~40 ms on a desktop core, a few hundred on a Pi - slow for a guesser, fine for a login.
_N, _R, _P = 2**14, 8, 1
_PIN = re.compile(r"^\d{4,8}$")


class AuthError(Refusal, ValueError):
    """A sign-in or account refusal (a Refusal); `field` is "pin", "name" or "role" when it is about one."""


class LockedOut(AuthError):
    """Too many wrong PINs: the account is locked for a while."""

    def __init__(self, msgid: str = "too many wrong PINs: locked for {seconds} s", field: str | None = "pin", *,
                 seconds_left: int, **params) -> None:
        super().__init__(msgid, field, seconds=seconds_left, **params)
        self.seconds_left = seconds_left


@dataclass(frozen=True)
class User:
    """A staff member or manager."""

    id: int
    name: str
    role: str

    def actor(self) -> Actor:
        """This user as the actor of audited changes."""
        return Actor(self.name, self.id, self.role)


def hash_pin(pin: str) -> str:
    """Salted scrypt hash in a self-describing string."""
    salt = secrets.token_bytes(16)
    digest = hashlib.scrypt(pin.encode(), salt=salt, n=_N, r=_R, p=_P, dklen=32)
    return f"scrypt${_N}${_R}${_P}${salt.hex()}${digest.hex()}"


def check_pin(pin: str, stored: str) -> bool:
    """Constant-time comparison of a PIN against a stored hash."""
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
    except ValueError:
        return False
    if scheme != "scrypt":
        return False
    candidate = hashlib.scrypt(pin.encode(), salt=bytes.fromhex(salt), n=int(n), r=int(r), p=int(p),
                               dklen=len(digest) // 2)
    return hmac.compare_digest(candidate.hex(), digest)


def validate_pin(pin: str) -> None:
    """PINs are 4 to 8 digits."""
    if not _PIN.match(pin or ""):
        raise AuthError("PIN must be 4 to 8 digits", field="pin")


def add_user(db: sqlite_utils.Database, clock: Clock, actor: Actor, name: str, role: str, pin: str) -> User:
    """Create an account (audited; the PIN is never stored or logged)."""
    name = (name or "").strip()
    if not name or len(name) > 40:
        raise AuthError("name must be 1 to 40 characters", field="name")
    if role not in ROLES:
        raise AuthError("role must be one of {choices}", field="role", choices=", ".join(ROLES))
    validate_pin(pin)
    pin_hash = hash_pin(pin)
    with write(db):
        if db.execute("SELECT 1 FROM users WHERE name = ?", (name,)).fetchone():
            raise AuthError("a user named {name} already exists", field="name", name=repr(name))
        user_id = db.execute(
            "INSERT INTO users (name, role, pin_hash, created_at) VALUES (?, ?, ?, ?)",
            (name, role, pin_hash, utc_iso(clock.now())),
        ).lastrowid
        audit.record(db, clock, actor, "user.add", "users", user_id, None, {"name": name, "role": role})
    return User(user_id, name, role)


def users(db: sqlite_utils.Database, *, role: str | None = None) -> list[User]:
    """Active accounts, by name."""
    sql = "SELECT id, name, role FROM users WHERE active = 1" + (" AND role = ?" if role else "") + " ORDER BY name"
    return [User(*row) for row in db.execute(sql, (role,) if role else ())]


def has_manager(db: sqlite_utils.Database) -> bool:
    """First run needs a manager before anything else."""
    return db.execute("SELECT 1 FROM users WHERE role = 'manager' AND active = 1").fetchone() is not None


def seconds_locked(db: sqlite_utils.Database, clock: Clock, user_id: int) -> int:
    """Seconds left on a lockout (0 when the account may try)."""
    recent = db.execute(
        "SELECT at, ok FROM auth_events WHERE actor_id = ? ORDER BY id DESC LIMIT ?", (user_id, MAX_FAILURES)
    ).fetchall()
    if len(recent) < MAX_FAILURES or any(ok for _, ok in recent):
        return 0
    unlock = parse_iso(recent[0][0]) + timedelta(seconds=LOCK_SECONDS)
    left = (unlock - clock.now()).total_seconds()
    return max(0, int(left + 0.999))


def sign_in(db: sqlite_utils.Database, clock: Clock, user_id: int, pin: str) -> User:
    """Check a PIN for an account. Wrong PINs count towards a lockout; a locked account is not checked."""
    row = db.execute("SELECT id, name, role, pin_hash FROM users WHERE id = ? AND active = 1", (user_id,)).fetchone()
    if row is None:
        raise AuthError("no such account")
    left = seconds_locked(db, clock, user_id)
    if left:
        raise LockedOut(seconds_left=left)
    ok = check_pin(pin or "", row[3])
    with write(db):
        db.execute("INSERT INTO auth_events (actor_id, actor, at, ok) VALUES (?, ?, ?, ?)",
                   (user_id, row[1], utc_iso(clock.now()), int(ok)))
        if not ok and seconds_locked(db, clock, user_id):
            audit.record(db, clock, Actor(row[1], row[0], row[2]), "user.locked", "users", user_id)
    if not ok:
        left = seconds_locked(db, clock, user_id)
        if left:
            raise LockedOut(seconds_left=left)
        raise AuthError("wrong PIN", field="pin")
    return User(row[0], row[1], row[2])


def verify_manager(db: sqlite_utils.Database, clock: Clock, user_id: int, pin: str) -> User:
    """Approve a manager-only action (void, refund, export) with that manager's PIN."""
    user = sign_in(db, clock, user_id, pin)
    if user.role != "manager":
        raise AuthError("a manager's PIN is needed")
    return user
