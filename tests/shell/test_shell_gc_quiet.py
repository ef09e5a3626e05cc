"""The app's nightly full collection (kiosk.core.gcpolicy.collect_when_quiet): only inside the quiet hours,
only with nobody at the desk, once a night - it walks the whole heap with the interpreter lock held."""
from __future__ import annotations

import gc
import weakref
from datetime import datetime, timezone
from types import SimpleNamespace

import pytest

from kiosk.core import config as config_mod
from kiosk.core import gcpolicy
from kiosk.core.clock import FakeClock


class Node:
    def __init__(self) -> None:
        self.me = self


@pytest.fixture
def desk():
    from screens.app import KioskApp
    gcpolicy.manage()
    clock = FakeClock(datetime(2026, 12, 3, 12, 0, tzinfo=timezone.utc))   # 20:00 in Shanghai
    cfg = config_mod.validate({"site": {"language": "zh_CN", "timezone": "Asia/Shanghai"}}, "<test>")
    app = SimpleNamespace(ctx=SimpleNamespace(clock=clock, config=cfg), _collected_on=None)
    app.collect = lambda quiet: KioskApp._collect_when_quiet(app, quiet)
    yield app, clock
    gcpolicy.release()
    gc.collect()


def _frozen_garbage():
    garbage = Node()
    probe = weakref.ref(garbage)
    gcpolicy.settle()
    del garbage
    return probe


def test_collects_once_a_night_in_the_quiet_hours_with_nobody_there(desk) -> None:
    app, clock = desk
    probe = _frozen_garbage()
    app.collect(True)                       # 20:00: not the quiet hours
    assert probe() is not None
    clock.set(datetime(2026, 12, 3, 19, 30, tzinfo=timezone.utc))   # 03:30 local
    app.collect(False)                      # someone is at the desk
    assert probe() is not None
    app.collect(True)
    assert probe() is None and app._collected_on.isoformat() == "2026-12-04"
    again = _frozen_garbage()
    app.collect(True)                       # already done tonight
    assert again() is not None
    clock.set(datetime(2026, 12, 4, 19, 10, tzinfo=timezone.utc))   # the next night
    app.collect(True)
    assert again() is None


def test_an_unmanaged_process_never_runs_it(desk) -> None:
    app, clock = desk
    gcpolicy.manage(False)
    clock.set(datetime(2026, 12, 3, 19, 30, tzinfo=timezone.utc))
    app.collect(True)
    assert app._collected_on is None
