"""Staff and manager accounts: PINs as salted scrypt hashes, an escalating lockout, and a life cycle
(add, rename, reset PIN, deactivate, reactivate, change own PIN, unlock), every change audited."""
from __future__ import annotations

import hashlib
import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import timedelta

import sqlite_utils

from kiosk.core import audit
from kiosk.core.audit import Actor
from kiosk.core.clock import Clock, parse_iso, utc_iso
from kiosk.core.db import write
from kiosk.core.errors import Refusal
from kiosk.core.text import invisible

ROLES = ("staff", "manager")
MAX_FAILURES = 5
# Escalating lockout: the 5th wrong PIN in a row locks for 1 min, the 10th for 5 min, every 5th after
# that for 15 min. Between locks each try is free again, but a lock that ends does NOT re-arm on the
# next wrong PIN (the old rule let anyone keep the manager locked out with one tap a minute): it takes
# five more. A guesser gets 5 tries per 15 min (480 a day) instead of ~1,440.
LOCK_STEPS = (60, 300, 900)
LOCK_SECONDS = LOCK_STEPS[0]
_RESETS = ("user.unlock", "user.pin_reset", "user.reactivate")  # each ends a streak of wrong PINs
# scrypt cost: ~40 ms on a desktop core, a few hundred on a Pi - slow for a guesser, fine for a login.
_N, _R, _P = 2**14, 8, 1
_PIN = re.compile(r"^[0-9]{4,8}$")  # ASCII only: \d would take full-width digits


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
    if not isinstance(pin, str) or not _PIN.match(pin):
        raise AuthError("PIN must be 4 to 8 digits", field="pin")


NAME_LIMIT = 40
# Line breaks, spaces and dots are what a name's look is made of; anything a person cannot see (a control,
# a zero-width or bidi mark) could make two accounts look alike on the PIN pad, so it is refused.
_NAME_SPACES = re.compile(r"\s+")
_SPACES = " \u00a0\u3000"  # a space, a no-break space, the ideographic (full-width) space: folded to " "


def clean_name(name: object) -> str:
    """An account name as stored: NFC, trimmed, inner runs of spaces folded to one; refused when empty,
    over 40 characters or holding an invisible character (kiosk.core.text's rule)."""
    if not isinstance(name, str):
        raise AuthError("name must be 1 to 40 characters", field="name")
    # Before folding: a tab or a line break (U+2028 too) is not a space to us, and an invisible mark is refused.
    if any(invisible(ch) or (ch.isspace() and ch not in _SPACES) for ch in name):
        raise AuthError("a name cannot hold invisible or control characters", field="name")
    name = _NAME_SPACES.sub(" ", unicodedata.normalize("NFC", name)).strip()
    if not name or len(name) > NAME_LIMIT:
        raise AuthError("name must be 1 to 40 characters", field="name")
    return name


def add_user(db: sqlite_utils.Database, clock: Clock, actor: Actor, name: str, role: str, pin: str) -> User:
    """Create an account (audited; the PIN is never stored or logged)."""
    name = clean_name(name)
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


def _streak(db: sqlite_utils.Database, user_id: int) -> tuple[int, str]:
    """How many wrong PINs in a row since the last right one or the last unlock, and the newest one's time.

    Counted, not read row by row: a window of the last N attempts (200 before) stuck the count at N, a
    multiple of five, so from then on every single wrong PIN locked the account again for 15 minutes."""
    # The last unlock/reset/reactivation ends the streak. Ordered by row ids, never by wall-clock time: a
    # reset stamped while the clock ran days ahead (a Pi has no RTC) must not hide every wrong PIN typed
    # after NTP steps the clock back (outside test, fifth round). Each reset records the newest attempt id
    # it saw (``after_attempt``); an older reset without it falls back to its time.
    reset = db.execute("SELECT at, json_extract(after, '$.after_attempt') FROM audit WHERE record_table = 'users'"
                       f" AND record_id = ? AND action IN ({','.join('?' * len(_RESETS))}) ORDER BY id DESC LIMIT 1",
                       (str(user_id), *_RESETS)).fetchone()
    last_ok = db.execute("SELECT MAX(id) FROM auth_events WHERE actor_id = ? AND ok", (user_id,)).fetchone()[0] or 0
    if reset is not None and reset[1] is not None:
        count, newest = db.execute("SELECT COUNT(*), MAX(at) FROM auth_events WHERE actor_id = ? AND id > ?"
                                   " AND NOT ok", (user_id, max(last_ok, int(reset[1])))).fetchone()
    else:
        count, newest = db.execute("SELECT COUNT(*), MAX(at) FROM auth_events WHERE actor_id = ? AND id > ?"
                                   " AND NOT ok AND at > ?", (user_id, last_ok, reset[0] if reset else "")).fetchone()
    return int(count or 0), newest or ""


def _streak_mark(db, user_id: int) -> dict:
    """Where a reset cuts the streak: the newest sign-in attempt of the account (by row id)."""
    newest = db.execute("SELECT MAX(id) FROM auth_events WHERE actor_id = ?", (user_id,)).fetchone()[0]
    return {"after_attempt": int(newest or 0)}


def lock_seconds_for(failures: int) -> int:
    """The lock after this many wrong PINs in a row (0 unless it is a 5th, 10th, 15th...)."""
    if failures <= 0 or failures % MAX_FAILURES:
        return 0
    return LOCK_STEPS[min(failures // MAX_FAILURES, len(LOCK_STEPS)) - 1]


def seconds_locked(db: sqlite_utils.Database, clock: Clock, user_id: int) -> int:
    """Seconds left on a lockout (0 when the account may try)."""
    failures, newest = _streak(db, user_id)
    duration = lock_seconds_for(failures)
    if not duration:
        return 0
    left = (parse_iso(newest) + timedelta(seconds=duration) - clock.now()).total_seconds()
    return max(0, int(left + 0.999))


MAX_ID = 2**63 - 1  # SQLite's largest integer: a bigger id is nobody (not an OverflowError)


def _account(db: sqlite_utils.Database, user_id: int) -> tuple | None:
    if isinstance(user_id, bool) or not isinstance(user_id, int) or not 0 < user_id <= MAX_ID:
        return None
    return db.execute("SELECT id, name, role, pin_hash, active FROM users WHERE id = ?", (user_id,)).fetchone()


def sign_in(db: sqlite_utils.Database, clock: Clock, user_id: int, pin: str, *, purpose: str = "sign_in") -> User:
    """Check a PIN for an account. Wrong PINs count towards a lockout; a locked or deactivated account is
    not checked. A successful sign-in is audited (`user.sign_in`, or `user.approve` for an approval)."""
    row = _account(db, user_id)
    if row is None or not row[4]:
        raise AuthError("no such account")
    left = seconds_locked(db, clock, user_id)
    if left:
        raise LockedOut(seconds_left=left)
    ok = check_pin(pin or "", row[3])
    with write(db):
        db.execute("INSERT INTO auth_events (actor_id, actor, at, ok) VALUES (?, ?, ?, ?)",
                   (user_id, row[1], utc_iso(clock.now()), int(ok)))
        if not ok and seconds_locked(db, clock, user_id):
            audit.record(db, clock, Actor(row[1], row[0], row[2]), "user.locked", "users", user_id, None,
                         {"seconds": seconds_locked(db, clock, user_id)})
        if ok:
            audit.record(db, clock, Actor(row[1], row[0], row[2]), f"user.{purpose}", "users", user_id)
    if not ok:
        left = seconds_locked(db, clock, user_id)
        if left:
            raise LockedOut(seconds_left=left)
        raise AuthError("wrong PIN", field="pin")
    return User(row[0], row[1], row[2])


def sign_out(db: sqlite_utils.Database, clock: Clock, user: User, *, reason: str = "tapped") -> None:
    """Audit a sign-out ("tapped", "idle")."""
    with write(db):
        audit.record(db, clock, user.actor(), "user.sign_out", "users", user.id, None, {"reason": reason})


def verify_manager(db: sqlite_utils.Database, clock: Clock, user_id: int, pin: str) -> User:
    """Approve a manager-only action (void, refund, export) with that manager's PIN."""
    row = _account(db, user_id)
    if row is None or not row[4]:
        raise AuthError("no such account")
    if row[2] != "manager":
        raise AuthError("a manager's PIN is needed")
    return sign_in(db, clock, user_id, pin, purpose="approve")


# --- the life cycle ----------------------------------------------------------------------------------
def _manager_only(actor: Actor) -> None:
    if actor.role not in ("manager", "system"):
        raise AuthError("a manager must approve")


def _existing(db: sqlite_utils.Database, user_id: int) -> tuple:
    row = _account(db, user_id)
    if row is None:
        raise AuthError("no such account")
    return row


def all_accounts(db: sqlite_utils.Database, clock: Clock) -> list[dict]:
    """Every account for the manager's accounts screen: active or not, and seconds locked."""
    return [{"id": i, "name": n, "role": r, "active": bool(a), "locked": seconds_locked(db, clock, i)}
            for i, n, r, a in db.execute("SELECT id, name, role, active FROM users ORDER BY active DESC, name")]


def rename_user(db: sqlite_utils.Database, clock: Clock, actor: Actor, user_id: int, name: str) -> None:
    """A manager corrects a name (audited before/after; past records keep the name at the time)."""
    _manager_only(actor)
    name = clean_name(name)
    with write(db):
        _existing(db, user_id)
        if db.execute("SELECT 1 FROM users WHERE name = ? AND id != ?", (name, user_id)).fetchone():
            raise AuthError("a user named {name} already exists", field="name", name=repr(name))
        audit.update_changed(db, clock, actor, "user.rename", "users", user_id, {"name": name})


def reset_pin(db: sqlite_utils.Database, clock: Clock, actor: Actor, user_id: int, pin: str) -> None:
    """A manager sets a new PIN for someone who forgot theirs (also ends a lockout)."""
    _manager_only(actor)
    validate_pin(pin)
    pin_hash = hash_pin(pin)
    with write(db):
        _existing(db, user_id)
        db.execute("UPDATE users SET pin_hash = ? WHERE id = ?", (pin_hash, user_id))
        audit.record(db, clock, actor, "user.pin_reset", "users", user_id, None,
                     _streak_mark(db, user_id))  # never the PIN or its hash


def change_own_pin(db: sqlite_utils.Database, clock: Clock, user_id: int, old_pin: str, new_pin: str) -> None:
    """Everyone changes their own PIN with the current one (a wrong one counts towards the lockout)."""
    validate_pin(new_pin)
    user = sign_in(db, clock, user_id, old_pin, purpose="pin_check")
    if new_pin == old_pin:
        raise AuthError("the new PIN must differ from the old one", field="pin")
    pin_hash = hash_pin(new_pin)
    with write(db):
        db.execute("UPDATE users SET pin_hash = ? WHERE id = ?", (pin_hash, user_id))
        audit.record(db, clock, user.actor(), "user.pin_change", "users", user_id)


def set_active(db: sqlite_utils.Database, clock: Clock, actor: Actor, user_id: int, active: bool) -> None:
    """Deactivate someone who left (their PIN stops working at once) or bring them back. The last active
    manager cannot be deactivated: the desk would have nobody to approve anything."""
    _manager_only(actor)
    with write(db):
        row = _existing(db, user_id)
        if not active and row[2] == "manager" and db.execute(
                "SELECT COUNT(*) FROM users WHERE role = 'manager' AND active = 1 AND id != ?", (user_id,)).fetchone()[0] == 0:
            raise AuthError("the last manager cannot be deactivated")
        if active and row[4]:
            raise AuthError("already active")
        if not active and not row[4]:
            raise AuthError("already deactivated")
        db.execute("UPDATE users SET active = ? WHERE id = ?", (int(active), user_id))
        audit.record(db, clock, actor, "user.reactivate" if active else "user.deactivate", "users", user_id,
                     {"active": int(row[4])}, {"active": int(active), **_streak_mark(db, user_id)})


def console_unlock(db: sqlite_utils.Database, clock: Clock, user_id: int, operator: str) -> None:
    """The recovery of a site whose only manager is locked out (five wrong PINs from anyone at the counter
    lock them, and every unlock needs a manager's PIN): the box's administrator (root, at its console:
    the CLI checks) ends that lockout without a PIN. Only a manager's lockout, and only when no other
    active manager could unlock them; audited as `user.unlock` with ``{"recovery": "console"}``."""
    with write(db):
        row = _existing(db, user_id)
        if row[2] != "manager" or not row[4]:
            raise AuthError("only a locked manager can be unlocked this way")
        if not seconds_locked(db, clock, user_id):
            raise AuthError("that account is not locked")
        others = [u for u in users(db, role="manager") if u.id != user_id and not seconds_locked(db, clock, u.id)]
        if others:
            raise AuthError("another manager can unlock this account: ask them")
        audit.record(db, clock, Actor(f"console:{operator}"[:64]), "user.unlock", "users", user_id,
                     None, {"recovery": "console", **_streak_mark(db, user_id)})


def unlock(db: sqlite_utils.Database, clock: Clock, actor: Actor, user_id: int) -> None:
    """A manager ends a lockout at once (a manager may unlock another manager)."""
    _manager_only(actor)
    with write(db):
        _existing(db, user_id)
        audit.record(db, clock, actor, "user.unlock", "users", user_id, None, _streak_mark(db, user_id))
