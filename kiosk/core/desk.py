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


class Desk:
    """The database, clock, signed-in actor and terminal of one desk, bound for service calls."""

    def __init__(self, ctx: Context, user: Any = None) -> None:
        self.ctx = ctx
        self.user = user  # a kiosk.core.auth.User (anything with .actor()), or None

    # --- who is at the desk --------------------------------------------------------------------
    def sign_in(self, user: Any) -> None:
        """A staff member or manager is now at the desk; their actor signs every call."""
        self.user = user

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
        return fn(*self._leading(fn, kwargs), *args, **kwargs)

    def visitor_call(self, fn: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """A call a visitor may make at the touchscreen: as the signed-in person, else as the visitor."""
        return fn(*self._leading(fn, kwargs), *args, **kwargs)

    def _leading(self, fn: Callable, kwargs: dict[str, Any]) -> list[Any]:
        """The bound leading arguments; a keyword of the same name (taken out of kwargs) wins."""
        return [kwargs.pop(name) if name in kwargs else getattr(self, name) for name in bound_names(fn)]


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
