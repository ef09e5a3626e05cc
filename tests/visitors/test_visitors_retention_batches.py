"""Retention in batches (issue 18): a catch-up never holds the write lock for long, and a run killed
halfway (SIGKILL, a real process) leaves whole batches done and nothing half-done; the next run goes on."""
from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from kiosk.core import audit
from kiosk.core import db as db_mod
from kiosk.core.clock import FakeClock
from kiosk.demo import accounts as demo
from kiosk.demo import seed as seeder
from kiosk.visitors import housekeeping
from kiosk.visitors import service as visitors

TZ = "Asia/Shanghai"
ROOT = Path(__file__).resolve().parents[2]
NOW = datetime(2026, 11, 30, 4, 0, tzinfo=timezone.utc)
WORKER = r"""
import sys
from datetime import datetime
from kiosk.core import db as db_mod
from kiosk.core.clock import FakeClock
from kiosk.visitors import service as visitors
database = db_mod.connect(sys.argv[1])
def progress(done):
    print(done, flush=True)
visitors.apply_retention(database, FakeClock(datetime.fromisoformat(sys.argv[2])), batch=int(sys.argv[3]),
                         progress=progress)
print("finished", flush=True)
"""


def _old_history(path: Path) -> int:
    """About 6,000 visits over 60 days ending today: those before the 30-day cut-off are due."""
    clock = FakeClock(NOW)
    database = db_mod.connect(path)
    demo.ensure_demo(database, clock)
    seeder.seed(database, clock, days=60, tz_name=TZ, visitors=100, calls=0, sales=0, end_day=NOW.date(),
                  lang="en")  # English names: the full-text index is probed for one below
    due = database.execute("SELECT COUNT(*) FROM visits WHERE signed_in_at < ? AND anonymised_at IS NULL",
                           ((NOW - timedelta(days=30)).isoformat(),)).fetchone()[0]
    database.close()
    return due


def _states(database) -> tuple[int, int, int]:
    """(anonymised whole, untouched, half-done) among all visits."""
    whole = database.execute("SELECT COUNT(*) FROM visits WHERE anonymised_at IS NOT NULL AND name = ''"
                             " AND phone = '' AND organisation = '' AND id_number = ''").fetchone()[0]
    untouched = database.execute("SELECT COUNT(*) FROM visits WHERE anonymised_at IS NULL AND name != ''"
                                 " AND phone != ''").fetchone()[0]
    total = database.execute("SELECT COUNT(*) FROM visits").fetchone()[0]
    return whole, untouched, total - whole - untouched


def test_a_killed_catch_up_leaves_whole_batches_and_the_next_run_finishes(tmp_path):
    path = tmp_path / "k.db"
    due = _old_history(path)
    assert due > 2500
    env = dict(os.environ, PYTHONPATH=str(ROOT))
    proc = subprocess.Popen([sys.executable, "-c", WORKER, str(path), NOW.isoformat(), "200"], cwd=ROOT, env=env,
                            stdout=subprocess.PIPE, text=True)
    reported = []
    deadline = time.monotonic() + 60
    while len(reported) < 3 and time.monotonic() < deadline:
        line = proc.stdout.readline()
        if not line:
            break
        reported.append(line.strip())
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    assert len(reported) >= 3 and "finished" not in reported, reported
    database = db_mod.connect(path)
    assert db_mod.integrity_check(database) == ["ok"]
    whole, untouched, half = _states(database)
    assert half == 0, "no visit is left half anonymised"
    assert int(reported[-1]) <= whole < due, "at least what was reported is done, and not everything"
    batches = [e for e in audit.entries(database, table="visits") if e["action"] == "visitor.retention"]
    assert sum(int(__import__("json").loads(e["after"])["anonymised"]) for e in batches) == whole, \
        "every committed batch has its audit row"
    # the next run (the app's housekeeping after the restart) takes it up from there
    clock = FakeClock(NOW)
    done = housekeeping.run_due(database, clock, TZ)
    assert done.anonymised == due - whole
    whole, untouched, half = _states(database)
    assert whole == due and half == 0
    database.execute("INSERT INTO visits_fts(visits_fts) VALUES ('integrity-check')")
    old_name = database.execute("SELECT COUNT(*) FROM visits_fts WHERE visits_fts MATCH '\"Olivia Brown\"'").fetchone()[0]
    recent = database.execute("SELECT COUNT(*) FROM visits WHERE name = 'Olivia Brown'").fetchone()[0]
    assert recent > 0 and old_name == recent, "the index knows only the names still kept"
    assert housekeeping.run_due(database, clock, TZ).anonymised is None, "once a day"


def test_batches_are_bounded_and_progress_is_reported(tmp_path):
    path = tmp_path / "k.db"
    due = _old_history(path)
    database = db_mod.connect(path)
    seen: list[int] = []
    count = visitors.apply_retention(database, FakeClock(NOW), batch=1000, progress=seen.append)
    assert count == due and seen[-1] == due
    steps = [b - a for a, b in zip([0] + seen, seen)]
    assert max(steps) == 1000 and all(0 < s <= 1000 for s in steps)
    assert visitors.apply_retention(database, FakeClock(NOW), batch=1000) == 0, "nothing left: one index probe"
