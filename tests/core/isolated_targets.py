"""Functions the isolated-process tests run in a child (kiosk.core.isolated imports them by name)."""
from __future__ import annotations

import os
import threading

from kiosk.reports.files import ExportError


def work(db, clock, *, progress, steps: int, text: str):
    """Progress from two threads at once, then what the child saw: its database and its clock."""
    def half(start):
        for n in range(start, steps, 2):
            progress(n / steps, f"{text}:{n}")
    other = threading.Thread(target=half, args=(1,))
    other.start()
    half(0)
    other.join()
    return {"sites": db.execute("SELECT count(*) FROM settings").fetchone()[0], "now": clock.now(), "text": text}


def refuse(db, clock, *, progress, folder: str):
    raise ExportError("could not write {name} to {folder}: {reason}", name="日志.csv", folder=folder, reason="满")


class Odd(Exception):
    def __init__(self):
        super().__init__("odd")
        self.held = lambda: None   # cannot be pickled


def unpicklable(db, clock, *, progress):
    raise Odd()


def die(db, clock, *, progress):
    progress(0.5, "half")
    os._exit(3)


def burn(db, clock, *, progress, n: int):
    """One C call that holds the interpreter lock throughout (as a writer's conversion of a day did)."""
    return sum(range(n))
