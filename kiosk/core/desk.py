"""The desk as screens see it: one object that carries what every service call needs.

Services take their collaborators explicitly and first, always under the same names:
``db, clock, actor, terminal_id, tz`` (any leading subset, in that order, e.g. ``sell(db, clock, actor,
terminal_id, cart, payment)`` or ``items_with_status(db, status)``). A :class:`Desk` fills that leading run
by name and passes the rest through, so a screen writes ``desk.call(sales.sell, cart, payment)`` instead of
threading ``app.ctx.db, app.ctx.clock, app.user.actor(), app.ctx.terminal_id`` through every call.

- ``db`` is this thread's connection (through the Context), so a Desk may be used from a worker thread.
- ``actor`` is the signed-in person; when nobody is signed in, :meth:`Desk.call` refuses (staff screens)
  and :meth:`Desk.visitor_call` acts as the visitor at the touchscreen.
- The binding is explicit: only the five names above are filled, only from the front of the signature,
  and a service whose first parameters use other names gets nothing filled (``desk.call(f, x)`` is ``f(x)``).
- A keyword overrides the desk's value for one call, e.g. ``desk.call(stockcount.stocktake, ...,
  actor=manager.actor())`` when a manager's PIN approved the step (the desk's user stays signed in).

The app owns one Desk (``app.desk``) and tells it who signed in or out.
"""
from __future__ import annotations

import inspect
import weakref
from functools import lru_cache
from typing import Any, Callable, TypeVar

import sqlite_utils

from kiosk.core.audit import VISITOR, Actor
from kiosk.core.clock import Clock
from kiosk.core.context import Context
from kiosk.core.errors import Refusal

T = TypeVar("T")
BOUND = ("db", "clock", "actor", "terminal_id", "tz")  # the names a Desk fills, in signature order
SIGN_IN_FIRST = "sign in first"  # msgid
SESSION_ENDED = "your account was changed by a manager: sign in again"  # msgid
# What ends an open session at its next call: the account deactivated, or its PIN reset (someone who
# left the job keeps no desk open until the idle timeout; a reset PIN means the old one is no proof).
_ENDS_SESSION = ("user.deactivate", "user.pin_reset")


class Desk:
    """The database, clock, signed-in actor and terminal of one desk, bound for service calls."""

    def __init__(self, ctx: Context, user: Any = None) -> None:
        self.ctx = ctx
        self.user = user  # a kiosk.core.auth.User (anything with .actor()), or None
        self._mark = 0     # the newest audit id when this session began
        self._on_ended: Callable[[], Callable[[], None] | None] = lambda: None
        if user is not None:
            self.sign_in(user)

    @property
    def on_session_ended(self) -> Callable[[], None] | None:
        """Called (on the calling thread) when a call finds the session ended: the app signs out. A bound
        method is held weakly: a worker's job that still holds this Desk must not keep the app alive."""
        return self._on_ended()

    @on_session_ended.setter
    def on_session_ended(self, callback: Callable[[], None] | None) -> None:
        if inspect.ismethod(callback):
            self._on_ended = weakref.WeakMethod(callback)
        else:
            self._on_ended = lambda: callback

    # --- who is at the desk --------------------------------------------------------------------
    def sign_in(self, user: Any) -> None:
        """A staff member or manager is now at the desk; their actor signs every call."""
        self.user = user
        try:
            self._mark = self.ctx.db.execute("SELECT COALESCE(MAX(id), 0) FROM audit").fetchone()[0]
        except Exception:  # noqa: BLE001 - a database that cannot be read: every change counts as later
            self._mark = 0

    def sign_out(self) -> None:
        """Nobody is signed in: staff calls refuse, visitor calls act as the visitor."""
        self.user = None

    @property
    def signed_in(self) -> bool:
        return self.user is not None

    @property
    def actor(self) -> Actor:
        """The signed-in person, or the visitor at the touchscreen when nobody is signed in."""
        return self.user.actor() if self.user is not None else VISITOR

    @property
    def staff(self) -> Actor:
        """The signed-in person; Refusal("sign in first") when nobody is."""
        if self.user is None:
            raise Refusal(SIGN_IN_FIRST)
        return self.user.actor()

    # --- what the desk carries -----------------------------------------------------------------
    @property
    def db(self) -> sqlite_utils.Database:
        """This thread's connection."""
        return self.ctx.db

    @property
    def clock(self) -> Clock:
        return self.ctx.clock

    @property
    def terminal_id(self) -> str:
        return self.ctx.terminal_id

    @property
    def tz(self) -> str:
        """The site's time zone name (box configuration)."""
        return self.ctx.config.get("site", "timezone")

    # --- calling services ----------------------------------------------------------------------
    def call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """A staff call: fn(<bound leading db/clock/actor/terminal_id/tz>, *args, **kwargs).

        Refuses (Refusal "sign in first") when nobody is signed in, whatever the service needs.
        """
        if self.user is None:
            raise Refusal(SIGN_IN_FIRST)
        self._check_session()
        return _guarded(fn, self._leading(fn, kwargs), args, kwargs)

    def _check_session(self) -> None:
        """Refuse (SESSION_ENDED) once the signed-in account was deactivated or had its PIN reset since
        this session began, and tell the app to sign out."""
        user_id = getattr(self.user, "id", None)
        if not isinstance(user_id, int):
            return
        db = self.ctx.db
        row = db.execute("SELECT active FROM users WHERE id = ?", (user_id,)).fetchone()
        ended = row is None or not row[0] or db.execute(
            "SELECT 1 FROM audit WHERE id > ? AND record_table = 'users' AND record_id = ? AND actor_id IS NOT ?"
            f" AND action IN ({','.join('?' * len(_ENDS_SESSION))}) LIMIT 1",
            (self._mark, str(user_id), user_id, *_ENDS_SESSION)).fetchone()  # not a manager's reset of their own
        if ended:
            callback = self.on_session_ended
            if callback is not None:
                callback()
            raise Refusal("your account was changed by a manager: sign in again")

    def unchecked_call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """A call that must go through even for an ended session (auditing that session's sign-out)."""
        return _guarded(fn, self._leading(fn, kwargs), args, kwargs)

    def quick_call(self, fn: Callable[..., T], *args: Any, wait_ms: int = 200, **kwargs: Any) -> T:
        """A staff call whose writes wait at most ``wait_ms`` for another writer (kiosk.core.db.short_waits):
        the caller keeps its work and retries rather than freeze the screen for the full busy timeout."""
        from kiosk.core.db import short_waits
        with short_waits(self.db, wait_ms):
            return self.call(fn, *args, **kwargs)

    def visitor_call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """A call a visitor may make at the touchscreen: as the signed-in person, else as the visitor."""
        if self.user is not None:
            self._check_session()
        return _guarded(fn, self._leading(fn, kwargs), args, kwargs)

    def _leading(self, fn: Callable, kwargs: dict[str, Any]) -> list[Any]:
        """The bound leading arguments; a keyword of the same name (taken out of kwargs) wins."""
        return [kwargs.pop(name) if name in kwargs else getattr(self, name) for name in bound_names(fn)]


TOO_LARGE = "that number is too large"  # msgid


def _guarded(fn: Callable[..., T], leading: list[Any], args: tuple, kwargs: dict[str, Any]) -> T:
    """Call a service; a number too large for SQLite's 64-bit integers (a pasted page of digits, a
    forged id) reaches the screen as a translated refusal, not an OverflowError. The write it was part
    of rolled back with the exception (kiosk.core.db.write)."""
    try:
        return fn(*leading, *args, **kwargs)
    except OverflowError:
        raise Refusal(TOO_LARGE) from None


@lru_cache(maxsize=None)
def bound_names(fn: Callable) -> tuple[str, ...]:
    """The leading positional parameters of fn that a Desk fills (a prefix of BOUND, in its order)."""
    names: list[str] = []
    params = inspect.signature(fn).parameters
    for param in params.values():
        if param.kind not in (param.POSITIONAL_ONLY, param.POSITIONAL_OR_KEYWORD) or param.name not in BOUND:
            break
        if names and BOUND.index(param.name) <= BOUND.index(names[-1]):
            break  # out of order: not a service signature we bind
        names.append(param.name)
    if "db" in params and "db" not in names:  # e.g. onsite_list(rows, db, lang): the desk would misplace it
        raise TypeError(f"{getattr(fn, '__qualname__', fn)} does not take db first; call it directly")
    return tuple(names)
