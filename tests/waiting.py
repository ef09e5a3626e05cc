"""Polling helpers for tests that watch other threads."""
from __future__ import annotations

import time


def wait_until(predicate, timeout: float = 10.0, step: float = 0.01) -> None:
    """Return as soon as predicate() is true; fail the test after timeout seconds."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(step)
    raise AssertionError("condition not reached in time")
