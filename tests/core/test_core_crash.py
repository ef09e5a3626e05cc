"""A kiosk gets unplugged: every insert reported committed must survive a SIGKILL of the writer."""
from __future__ import annotations

import os
import random
import signal
import time

from kiosk.core import audit
from kiosk.core import db as db_mod
from kiosk.core.audit import SYSTEM
from kiosk.core.clock import SystemClock

KILLS = 60


def _writer(path: str, start: int, out_fd: int) -> None:
    """Child process: commit audit rows forever, reporting each id only after COMMIT returned."""
    database = db_mod.connect(path)
    clock = SystemClock()
    n = start
    while True:
        with db_mod.write(database):
            row_id = audit.record(database, clock, SYSTEM, "crash.test", "crash", n, None, {"n": n})
        os.write(out_fd, f"{row_id}\n".encode())
        n += 1


def test_sigkill_mid_stream_loses_no_committed_insert(tmp_path):
    path = str(tmp_path / "crash.db")
    db_mod.connect(path).close()  # migrate once up front
    rng = random.Random(20261123)
    reported: set[int] = set()
    for round_no in range(KILLS):
        read_fd, write_fd = os.pipe()
        pid = os.fork()
        if pid == 0:  # child
            os.close(read_fd)
            try:
                _writer(path, round_no * 1_000_000, write_fd)
            finally:
                os._exit(1)
        os.close(write_fd)
        first = b""
        while b"\n" not in first:  # its first commit, however loaded the box: then a kill at random
            chunk = os.read(read_fd, 4096)
            if not chunk:
                break
            first += chunk
        time.sleep(rng.uniform(0.0, 0.04))  # kill at a random point of the stream
        os.kill(pid, signal.SIGKILL)
        os.waitpid(pid, 0)
        with os.fdopen(read_fd, "rb") as pipe:
            lines = (first + pipe.read()).decode().split("\n")
        # The last line may be cut short by the kill; whole lines were reported after COMMIT.
        reported.update(int(line) for line in lines[:-1] if line)

    database = db_mod.connect(path)
    assert db_mod.integrity_check(database) == ["ok"]
    stored = {row[0] for row in database.execute("SELECT id FROM audit WHERE action = 'crash.test'")}
    assert len(reported) > KILLS, "the writers should have committed something before each kill"
    missing = reported - stored
    assert not missing, f"{len(missing)} committed inserts lost, e.g. {sorted(missing)[:5]}"
