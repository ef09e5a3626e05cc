"""Run a long service call in a child Python process, so its work never holds this process's GIL (issue 18).

A day's export on three years of history stalled the screen 90-145 ms at a time although it ran on a worker
thread: its Python work (reading and typing rows, fontTools tables, the workbook engine's conversion) holds
the interpreter lock in stretches, and the UI thread waits for it. In a child process the UI only waits on
a pipe. The child opens its own connection to the same database file and gets a clock shifted like the
caller's; progress comes back over the pipe and is handed to the caller's `progress` on the calling thread
(a background job's worker), the result and a raised exception likewise (both pickled).

Usage: ``run_with_db("kiosk.reports.export:run_export", db_path, clock, progress, first=..., ...)`` calls
``run_export(db, clock, progress=..., first=..., ...)`` in the child and returns its result.
"""
from __future__ import annotations

import importlib
import os
import pickle
import subprocess
import sys
import threading
from datetime import datetime, timedelta, timezone
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any, Callable

STOP_WAIT_S = 5.0   # a child that will not end after its result (or after the caller gave up) is killed


class ShiftedClock:
    """Real time plus a fixed offset: the caller's clock as it read when the job started, running on."""

    def __init__(self, offset_s: float) -> None:
        self._offset = timedelta(seconds=offset_s)

    def now(self) -> datetime:
        return datetime.now(timezone.utc) + self._offset

    def monotonic(self) -> float:
        import time
        return time.monotonic()


class ChildDied(RuntimeError):
    """The child process ended without a result (killed, out of memory, a crash in C)."""


def run_with_db(target: str, db_path: str | Path, clock, progress: Callable[[float, str], None] | None = None,
                **kwargs: Any) -> Any:
    """Call ``target(db, clock, progress=..., **kwargs)`` ("module:function") in a child process on its own
    connection to `db_path`; returns its result or raises its exception here."""
    offset = (clock.now() - datetime.now(timezone.utc)).total_seconds()
    read_fd, write_fd = os.pipe()
    env = dict(os.environ)
    # The child finds the same code as this process (a checkout run without installing, tests, the bench).
    env["PYTHONPATH"] = os.pathsep.join(p for p in sys.path if p and Path(p).is_dir())
    try:
        proc = subprocess.Popen([sys.executable, "-m", "kiosk.core.isolated", str(write_fd)], stdin=subprocess.PIPE,
                                pass_fds=(write_fd,), env=env, close_fds=True)
    finally:
        os.close(write_fd)
    reader = Connection(read_fd, writable=False)
    try:
        assert proc.stdin is not None
        proc.stdin.write(pickle.dumps((target, str(db_path), offset, kwargs)))
        proc.stdin.close()
        while True:
            try:
                kind, payload = reader.recv()
            except (EOFError, OSError):
                proc.wait(STOP_WAIT_S)
                raise ChildDied(f"{target} ended without a result (exit code {proc.returncode})") from None
            except (pickle.UnpicklingError, TypeError, AttributeError, ImportError) as exc:
                raise ChildDied(f"{target} sent what cannot be read here: {type(exc).__name__}") from None
            if kind == "progress":
                if progress is not None:
                    progress(*payload)
            elif kind == "result":
                return payload
            else:
                raise payload
    finally:
        reader.close()
        try:
            proc.wait(STOP_WAIT_S)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def _child(write_fd: int) -> None:
    """The child's side: read the call from stdin, run it, send progress and the outcome on write_fd."""
    conn = Connection(write_fd, readable=False)
    lock = threading.Lock()   # progress may come from the callee's own threads (the workbook writer)

    def send(message) -> None:
        with lock:
            conn.send(message)

    target, db_path, offset, kwargs = pickle.loads(sys.stdin.buffer.read())
    try:
        from kiosk.core import db as db_mod
        module, name = target.split(":")
        fn = getattr(importlib.import_module(module), name)
        database = db_mod.connect(db_path, create=False)
        result = fn(database, ShiftedClock(offset), progress=lambda fraction, step="": send(("progress", (fraction, step))),
                    **kwargs)
        send(("result", result))
    except BaseException as exc:  # every failure goes back to the caller, which shows it as the job's
        try:
            pickle.loads(pickle.dumps(exc))   # some exceptions pickle but cannot be rebuilt on the other side
            send(("error", exc))
        except Exception:
            send(("error", RuntimeError(f"{type(exc).__name__}: {exc}")))
    finally:
        conn.close()


if __name__ == "__main__":
    _child(int(sys.argv[1]))
