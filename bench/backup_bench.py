"""Backups: how long a verified backup of a busy site's database takes, and SIGKILLs at random moments.

Run: .venv/bin/python bench/backup_bench.py [--days 60] [--runs 5] [--kills 100]
1. Seeds a database with `kiosk.demo.seed` (days of visits, calls, sales), then times
   kiosk.core.backup.make_backup (online backup in one read snapshot + integrity_check + row counts on
   the copy + sha256 + fsyncs + rename). Baseline in the same run: a plain `shutil.copyfile` + fsync of the
   same file (what a naive "backup" does: neither consistent nor verified). Prints medians, p95 and ratio.
2. Kills a backing-up process with SIGKILL --kills times at random moments while another process
   commits rows, then checks every finished backup verifies and holds every row committed before it
   began, and that no half-written file carries a backup's name (tests/core/test_core_backup.py runs 30).
"""
from __future__ import annotations

import argparse
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from kiosk.core import backup as backup_mod  # noqa: E402
from kiosk.core.clock import FakeClock  # noqa: E402
from stats import percentile  # noqa: E402


def seeded(folder: Path, days: int) -> Path:
    """A database made the way a site makes one: `kiosk db init`, then `kiosk demo seed --days N`."""
    import subprocess
    path = folder / "kiosk.db"
    for args in (["db", "init"], ["demo", "seed", "--days", str(days)]):
        subprocess.run([sys.executable, "-m", "kiosk", *args, "--db", str(path)], check=True, capture_output=True,
                       cwd=ROOT, env={**os.environ, "KIOSK_HOME": str(folder)})
    return path


def timed_backups(source: Path, runs: int) -> tuple[list[float], list[float]]:
    ours, naive = [], []
    with tempfile.TemporaryDirectory() as out:
        for _ in range(runs):
            began = time.perf_counter()
            backup_mod.make_backup(source, out, policy=None)
            ours.append(time.perf_counter() - began)
            target = Path(out) / "naive.db"
            began = time.perf_counter()
            shutil.copyfile(source, target)
            fd = os.open(target, os.O_RDONLY)
            os.fsync(fd)
            os.close(fd)
            naive.append(time.perf_counter() - began)
    return ours, naive


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--days", type=int, default=60)
    parser.add_argument("--runs", type=int, default=5)
    parser.add_argument("--kills", type=int, default=100)
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as work:
        source = seeded(Path(work), args.days)
        size = source.stat().st_size
        ours, naive = timed_backups(source, args.runs)
        m_ours, m_naive = statistics.median(ours), statistics.median(naive)
        print(f"database: {args.days} seeded days, {size / 1e6:.1f} MB")
        print(f"verified backup: median {m_ours * 1000:.0f} ms, p95 {percentile(ours, 0.95) * 1000:.0f} ms")
        print(f"plain copy + fsync (baseline): median {m_naive * 1000:.0f} ms, p95 {percentile(naive, 0.95) * 1000:.0f} ms")
        print(f"ratio: {m_ours / m_naive:.1f}x the plain copy")
    if args.kills:
        from tests.core.test_core_backup import kill_during_backups
        with tempfile.TemporaryDirectory() as work:
            began = time.perf_counter()
            seen = kill_during_backups(Path(work), FakeClock(), kills=args.kills, seed=int(time.time()))
            print(f"SIGKILL x{args.kills}: {seen['backups']} finished backups all verified and complete, "
                  f"{seen['partials_seen']} kills left a .partial (never listed), {seen['rows']} rows committed; "
                  f"{time.perf_counter() - began:.0f} s")


if __name__ == "__main__":
    main()
