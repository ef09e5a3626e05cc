"""Section screens built ahead, while the desk is idle (issue 18: a section's first open waited 200-450 ms of
UI-thread work - importing its module and kv, building its widget tree, rendering its fixed labels).

On an idle moment (nobody has touched the screen for `IDLE_S`, no popup open, no call ringing) the pool takes
small steps, a tick per `INTERVAL_S` (more than one while they are cheap, see `TICK_BUDGET_S`): first the login and desk screens, then for each section in `ORDER` its
import (the module and its kv rules) and, on a later step, one blank screen. Kivy renders the new labels'
textures on the next frame, so a step's cost is spread over two frames, both while nobody is touching.
The desk takes a pooled screen on first open (`take`), so a tap costs a refresh, not a build.

Pooled screens are blank: every section refreshes only on entering and only with someone signed in. They
are dropped on sign-out with the open sections (`clear`), so no screen that might have been refreshed for
one user (the phone section follows call events) outlives that user's session; the pool refills later.
"""
from __future__ import annotations

import ast
import importlib
import importlib.util
import logging
import sys
import time

from kivy.clock import Clock

from kiosk.core import gcpolicy
from screens import sections

log = logging.getLogger(__name__)

# The slowest first opens first (measured: Day & cash, Fees, Goods, Reports...).
ORDER = ("counter_day", "fees", "goods", "reports", "complaints", "visitors", "phone", "lostfound")
IDLE_S = 1.5        # untouched this long before a step (a person mid-task is never made to wait)
IDLE_SIGNED_IN_S = 10.0   # ... and this long while staff are signed in (reading a list is not idle)
_OURS = ("kiosk", "screens", "hardware")   # imports split into steps of their own (kivy's are loaded at start)
DEPTH_LIMIT = 4     # how deep the import split looks (a cycle or a deep chain ends in one bigger step)
INTERVAL_S = 0.4    # a tick at most this often: two frames of work, then the loop breathes
# A tick goes on to the next step while the steps so far were cheap (most are one small module's import, a few
# ms): one step a tick needed 49 ticks, 20 s of idle, and staff who signed in sooner met unbuilt sections.
CHEAP_STEP_S = 0.010
TICK_BUDGET_S = 0.030


class SectionPool:
    """Blank section screens built ahead of their first open (see the module's notes)."""

    def __init__(self, app, order: tuple[str, ...] = ORDER, ours: tuple[str, ...] | None = None) -> None:
        self.app = app
        self.ours = _OURS if ours is None else ours   # the packages whose imports are split into steps
        self.order = tuple(name for name in order if sections.find(name) is not None)
        self._screens: dict = {}
        self._imported: set[str] = set()
        self._prepared: set[str] = set()   # pooled screens that have built all they build ahead
        self._deps: dict[str, list[str]] = {}   # a section module's project imports not yet loaded
        self._failed: set[str] = set()          # imports that raised: left to the section's own import
        self._event = None
        self.steps: list[tuple[str, float]] = []   # (what, UI-thread seconds): for the bench and tests
        self._collected_at = 0   # len(steps) when the full pool last had its collector pass (gcpolicy.collect_now)

    def start(self) -> None:
        """Take steps on the Clock from now on (idle moments only)."""
        if self._event is None:
            self._event = Clock.schedule_interval(self._tick, INTERVAL_S)

    def stop(self) -> None:
        if self._event is not None:
            self._event.cancel()
            self._event = None
        self._screens.clear()

    def take(self, name: str):
        """The pooled blank screen for section `name` (then it is no longer pooled), or None."""
        self._prepared.discard(name)
        return self._screens.pop(name, None)

    def clear(self) -> None:
        """Drop every pooled screen (on sign-out); later idle steps build them again."""
        self._screens.clear()
        self._prepared.clear()

    def pooled(self) -> tuple[str, ...]:
        return tuple(self._screens)

    def full(self) -> bool:
        return all(name in self._screens or self._open(name) for name in self.order)

    # --- the steps -------------------------------------------------------------------------------
    def _open(self, name: str) -> bool:
        """Whether the desk already shows a screen for this section (then none is pooled)."""
        sm = getattr(self.app, "sm", None)
        if sm is None or not sm.has_screen("desk"):
            return False
        return sm.get_screen("desk").ids.content.has_screen(name)

    def _idle(self) -> bool:
        from kivy.core.window import Window
        from kivy.uix.modalview import ModalView
        wait = IDLE_S if getattr(self.app, "user", None) is None else IDLE_SIGNED_IN_S
        if self.app.idle_seconds() < wait:
            return False
        if any(isinstance(child, ModalView) for child in Window.children):
            return False
        prompt = getattr(self.app, "call_prompt", None)   # a call on screen: staff are about to act
        return prompt is None or (prompt.parent is None and getattr(prompt, "call_no", None) is None)

    def _tick(self, dt=None) -> bool:
        if not self._idle():
            return True
        # Cheap in the screen's time (wall clock), not the UI thread's CPU time: while another thread holds the
        # interpreter lock (the pinyin index loading beside the pool) a 3 ms step kept the screen 200 ms, and
        # the tick went on to the next (attack 18: 3 steps, 567 ms, counted as 41 ms).
        started, ticked_from = time.perf_counter(), len(self.steps)
        while True:
            before, step_started = len(self.steps), time.perf_counter()
            if self.step() is None or len(self.steps) == before:
                # Full since a tick of its own: the collector pass its new objects bring due, here (gcpolicy).
                if len(self.steps) == ticked_from != self._collected_at:
                    self._collected_at = ticked_from
                    gcpolicy.collect_now()
                break
            now = time.perf_counter()
            if now - step_started > CHEAP_STEP_S:   # a build: its labels render on the next frame; let it come
                break
            if now - started >= TICK_BUDGET_S:
                break
        return True

    def step(self) -> str | None:
        """One step of work (what it did, or None when the pool is full)."""
        started = time.thread_time()
        done = self._next()
        if done is not None:
            self.steps.append((done, time.thread_time() - started))
        return done

    def _first_unloaded(self, module: str, depth: int = 0) -> str | None:
        """A module `module` needs that is not loaded yet and whose own project imports are (leaves first,
        DEPTH_LIMIT levels down), so that each step imports one module's own code; None when there is none."""
        for dep in self._dependencies(module):
            if depth < DEPTH_LIMIT:
                deeper = self._first_unloaded(dep, depth + 1)
                if deeper is not None:
                    return deeper
            return dep
        return None

    def _dependencies(self, module: str) -> list[str]:
        """The project modules `module` imports at its top level that are not loaded yet (read from its
        source, never executed), in the order it imports them."""
        if module not in self._deps:
            found: list[str] = []
            try:
                spec = importlib.util.find_spec(module)
                tree = ast.parse(open(spec.origin, encoding="utf-8").read()) if spec and spec.origin else None
            except (ImportError, OSError, SyntaxError, ValueError):
                tree = None
            for node in (tree.body if tree is not None else ()):
                if isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                    names = [node.module] + [f"{node.module}.{a.name}" for a in node.names]
                elif isinstance(node, ast.Import):
                    names = [a.name for a in node.names]
                else:
                    continue
                for name in names:   # `from pkg import submodule` imports the submodule: one step of its own
                    parts = name.split(".")
                    if parts[0] not in self.ours:
                        continue
                    for n in range(1, len(parts) + 1):   # packages before their modules
                        prefix = ".".join(parts[:n])
                        if prefix not in found:
                            found.append(prefix)
            self._deps[module] = found
        kept, ready = [], []
        for name in self._deps[module]:
            if name in sys.modules or name in self._failed:
                continue
            parent = name.rpartition(".")[0]
            if parent and parent not in sys.modules:
                kept.append(name)   # find_spec would import the parent as a side effect: ask once it is loaded
                continue
            try:
                if importlib.util.find_spec(name) is None:
                    continue
            except (ImportError, ValueError):   # `from kiosk.x import a_function`: not a module
                continue
            kept.append(name)
            ready.append(name)
        self._deps[module] = kept   # what is loaded or not a module is never looked at again
        return ready

    def _next(self) -> str | None:
        sm = getattr(self.app, "sm", None)
        if sm is None:
            return None
        for name in ("login", "desk"):
            if not sm.has_screen(name):
                self.app.screen(name)
                return name
        for name in self.order:
            if self._open(name):
                continue
            if name in self._screens:
                # A screen may build more of itself ahead, one step at a time (Day & cash: its count rows).
                ahead = getattr(self._screens[name], "prepare_ahead", None)
                if ahead is not None and name not in self._prepared:
                    if not ahead():
                        self._prepared.add(name)
                    return f"ahead {name}"
                continue
            section = sections.find(name)
            module = section.target.split(":")[0]
            if module not in self._imported:
                # The section's own imports first, one module a step (a screen module importing its area's
                # services, kv files and widgets in one go was a 100-180 ms step), then the module itself.
                leaf = self._first_unloaded(module)
                if leaf is not None:
                    try:
                        importlib.import_module(leaf)
                    except Exception:   # the section's own import (below, or on open) reports it as before
                        log.exception("could not import %s ahead", leaf)
                        self._failed.add(leaf)
                    return f"import {leaf} (for {name})"
                try:
                    importlib.import_module(module)
                except Exception:   # raised out of every tick and held back the sections after it (attack 18)
                    log.exception("could not import the %s section ahead", name)
                    self.order = tuple(n for n in self.order if n != name)   # its open reports it, as before
                    return f"import {name} (failed)"
                self._imported.add(module)
                return f"import {name}"
            try:
                self._screens[name] = section.load()(name=name)
            except Exception:   # a section that cannot be built ahead is built on open, as before
                log.exception("could not build the %s section ahead", name)
                self.order = tuple(n for n in self.order if n != name)
            return f"build {name}"
        return None
