"""Three years of a busy desk, still instant (issue 18): the real app, headless, on the demo database and on
three years of history (bench/history_db.py), figures side by side from the same run.

Run: .venv/bin/python bench/history_bench.py [--years 3] [--skip-catch-up]
(the first run builds the history database from the seeder and caches it under the temp dir; later
runs copy it in seconds). Each database is driven in its own process (Kivy runs one app per process):

- every staff section: tap -> first drawn frame (first open and re-open) and the UI thread's share of it;
- longest UI stall and p99 frame interval while a call rings and is answered with Phone open, while 100
  receipts print, while a day exports, and across housekeeping (with the history: a retention catch-up of
  every visit older than the retention period, about a million);
- the print worker's idle CPU (its own thread's CPU time over 10 s, from /proc);
then, in this process: `kiosk db check --quick` and the full integrity_check, the growth per table (dbstat),
the full-text index's share, what retention saved, and a ten-year projection against a 32 GB SD card.
Targets: section <= 150 ms to first frame, stall <= 100 ms, print worker idle <= 1 % of a core, quick check <= 1 s.
"""
from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone  # noqa: F401
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

TARGET_FIRST_FRAME, TARGET_STALL, TARGET_IDLE, TARGET_QUICK = 0.150, 0.100, 1.0, 1.0
IDLE_BEFORE_SIGN_IN = float(os.environ.get("KIOSK_BENCH_IDLE_S", "20"))   # seconds the desk idles after start
# before the manager signs in (0: staff sign in at once, before any section is built ahead)
REOPENS = 7                  # re-opens per section: median and p95 printed
STALL_DUMP_S = float(os.environ.get("KIOSK_BENCH_DUMP_MS", "0")) / 1000   # a frame longer than this has every
# thread's stack dumped (<work>/result.stalls.txt). Off by default: faulthandler walks the other threads' frames
# without the GIL, and it crashed the driver (SIGSEGV) while a worker was inside pypinyin.
PARTS = ("sections", "call", "receipts", "export", "catch-up")   # --only picks some (quick iteration)


def _median(values):
    import statistics
    return round(statistics.median(values), 1) if values else None


def _p95(values):
    values = sorted(values)
    return round(values[min(len(values) - 1, int(round(0.95 * (len(values) - 1))))], 1) if values else None
STAFF = ("visitors", "phone", "lostfound", "complaints", "goods", "fees", "counter_day", "reports")


# --- the driver: runs inside the app's process ------------------------------------------------------
class OffsetClock:
    """Real time, shifted so that the run starts at `start` (the history ends the day before)."""

    def __init__(self, start: datetime) -> None:
        self._offset = start - datetime.now(timezone.utc)

    def now(self) -> datetime:
        return datetime.now(timezone.utc) + self._offset

    def monotonic(self) -> float:
        return time.monotonic()


def _thread_cpu(native_id: int) -> float:
    """CPU seconds (user + system) of one thread of this process, from /proc."""
    with open(f"/proc/self/task/{native_id}/stat") as handle:
        fields = handle.read().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def drive(db_path: str, out_path: str, catch_up: bool, only: tuple[str, ...] = PARTS) -> None:
    """Open the app on db_path, run the scenarios, write the figures to out_path (JSON)."""
    os.environ.setdefault("KIVY_NO_ARGS", "1")
    os.environ.setdefault("KIVY_NO_CONSOLELOG", "1")
    from kivy.config import Config
    Config.set("graphics", "width", "800")
    Config.set("graphics", "height", "480")
    from kivy.clock import Clock
    from kivy.core.window import Window

    import history_db
    from kiosk.core import auth
    from kiosk.core import config as config_mod
    from kiosk.core.context import Context
    from kiosk.demo import accounts as demo
    from screens import sections
    from screens.app import KioskApp

    out_dir = Path(out_path).parent / "png"
    raw = {"site": {"language": "zh_CN"}, "phone": {"detector": "simulated"},
           "printer": {"kind": "virtual", "output_dir": str(out_dir)}}
    ctx = Context(config=config_mod.validate(raw, "<bench>"), db_path=Path(db_path),
                  clock=OffsetClock(history_db.NOW))
    demo.ensure_demo(ctx.db, ctx.clock)
    if not ctx.db.execute("SELECT 1 FROM sales LIMIT 1").fetchone():
        # the demo database has no sales: one day of the seeder's, so there are receipts to reprint
        from kiosk.demo import seed as seeder
        seeder.seed(ctx.db, ctx.clock, days=1, tz_name=history_db.TZ, visitors=0, calls=0, sales=100,
                    end_day=(history_db.NOW - timedelta(days=1)).date())
    # The start-up housekeeping must not run the retention while the sections are timed: the catch-up is
    # its own scenario below (it clears this mark and runs housekeeping as the app's timer does).
    from kiosk.core import settings
    from kiosk.core.audit import SYSTEM
    from kiosk.core.clock import local_now
    from kiosk.visitors import housekeeping
    settings.put(ctx.db, ctx.clock, SYSTEM, housekeeping.LAST_RETENTION_KEY,
                 local_now(ctx.clock, history_db.TZ).date().isoformat())
    results: dict = {"sections": {}, "scenarios": {}}
    # flips: drawn frames (Kivy draws only when something changed: the first frame after a tap);
    # ticks: every turn of the UI loop (Clock at maxfps), whose gaps are the stalls staff would feel.
    flips: list[float] = []
    ticks: list[float] = []
    cpu_ticks: list[float] = []   # the UI thread's own CPU time at each tick: its work per frame, whatever the load
    Window.bind(on_flip=lambda *a: flips.append(time.perf_counter()))
    # Garbage-collector passes (start, seconds, generation, thread): a pass holds the GIL, so one started by a
    # worker stalls the UI thread too, with no UI CPU to show for it.
    import gc
    import threading as _threading
    gc_passes: list[tuple[float, float, int, str]] = []
    gc_started: list[float] = [0.0]

    def on_gc(phase, info) -> None:
        if phase == "start":
            gc_started[0] = time.perf_counter()
        else:
            gc_passes.append((gc_started[0], time.perf_counter() - gc_started[0], info["generation"],
                              _threading.current_thread().name))
    gc.callbacks.append(on_gc)

    def tick(dt) -> None:
        ticks.append(time.perf_counter())
        cpu_ticks.append(time.thread_time())
    Clock.schedule_interval(tick, 0)

    app = KioskApp(ctx, demo=True, start_hardware=True)
    # A frame that takes over STALL_DUMP_S has every thread's stack written (faulthandler's own C thread
    # does it, without the GIL): what the UI thread and the workers were in when the screen stood still.
    if STALL_DUMP_S > 0:
        import faulthandler
        stall_dump = open(Path(out_path).with_suffix(".stalls.txt"), "w")
        Clock.schedule_interval(lambda dt: faulthandler.dump_traceback_later(STALL_DUMP_S, file=stall_dump), 0)

    async def wait_frames(n: int = 2) -> None:
        import asyncio
        start = len(ticks)
        while len(ticks) < start + n:
            await asyncio.sleep(0.001)

    async def sleep(seconds: float) -> None:
        import asyncio
        await asyncio.sleep(seconds)

    def stalls(since: int) -> dict:
        intervals = sorted(b - a for a, b in zip(ticks[since:], ticks[since + 1:]))
        if not intervals:
            return {"longest_ms": None, "p99_ms": None, "frames": 0}
        def pct(q):
            return round(intervals[min(len(intervals) - 1, int(round(q * (len(intervals) - 1))))] * 1000, 1)
        cpu = sorted(b - a for a, b in zip(cpu_ticks[since:], cpu_ticks[since + 1:]))
        passes = [p for p in gc_passes if p[0] >= ticks[since]]
        worst_gc = max(passes, default=None, key=lambda p: p[1])
        return {"gc_passes": len(passes), "gc_longest": None if worst_gc is None else
                f"{worst_gc[1] * 1000:.1f} ms gen {worst_gc[2]} on {worst_gc[3]}",
"longest_ms": round(intervals[-1] * 1000, 1), "p99_ms": pct(0.99), "p95_ms": pct(0.95),
                "median_ms": pct(0.5), "frames": len(intervals) + 1, "load": round(os.getloadavg()[0], 1),
                "longest_ui_cpu_ms": round(cpu[-1] * 1000, 1),
                "p99_ui_cpu_ms": round(cpu[min(len(cpu) - 1, int(round(0.99 * (len(cpu) - 1))))] * 1000, 1)}

    profiled = os.environ.get("KIOSK_BENCH_PROFILE", "")   # a part's UI-thread profile (cProfile), for hunting

    def profile_start(part: str):
        if part != profiled:
            return None
        import cProfile
        # KIOSK_BENCH_PROFILE_CPU=1: the UI thread's CPU time (thread_time), not wall time (a busy box's waits)
        prof = cProfile.Profile(time.thread_time) if os.environ.get("KIOSK_BENCH_PROFILE_CPU") else cProfile.Profile()
        prof.enable()
        return prof

    def profile_stop(prof) -> None:
        if prof is not None:
            prof.disable()
            where = Path(os.environ.get("KIOSK_BENCH_PROFILE_DIR") or Path(out_path).parent)   # kept past the run
            prof.dump_stats(str(where / f"{Path(out_path).stem}.{profiled.replace(' ', '_')}.pstats"))

    async def open_section(name: str) -> dict:
        section = sections.find(name)
        desk = app.screen("desk")
        count = len(flips)
        cpu0, t0 = time.thread_time(), time.perf_counter()
        desk.open_section(section)
        # A tap redraws its nav button, so a frame always follows it; opening the section already on screen
        # (Visitors, just after signing in) changed nothing and waited for an unrelated redraw (350 ms).
        Window.canvas.ask_update()
        while len(flips) == count:
            await sleep(0)
        first = flips[count] - t0
        cpu = time.thread_time() - cpu0
        return {"first_frame_ms": round(first * 1000, 1), "ui_share": round(min(1.0, cpu / first), 2),
                "ui_cpu_ms": round(cpu * 1000, 1)}

    async def until(condition, timeout: float) -> bool:
        end = time.monotonic() + timeout
        while time.monotonic() < end:
            if condition():
                return True
            await sleep(0.05)
        return False

    def note(text: str) -> None:
        with open(Path(out_path).with_suffix(".log"), "a") as handle:   # Kivy may own stderr
            handle.write(f"{time.strftime('%H:%M:%S')} {text}\n")

    async def scenario_body() -> None:
        import threading
        from kiosk.core import db as db_mod
        from kiosk.core.audit import Actor
        from kiosk.printing import queue as printqueue
        note("started")
        # Start-up, hardware, the first housekeeping run (2 s after start), then the desk idles as it does
        # every morning before anyone signs in: the section pool builds screens ahead on those idle moments.
        # Its own stalls (one step's UI work, while nobody touches) are reported as a scenario.
        await sleep(4)             # start-up: hardware, the first housekeeping run, the quick check
        since = len(ticks)
        prof = profile_start("idle")   # KIOSK_BENCH_PROFILE=idle: the pool's steps (and whatever else idles)
        await sleep(IDLE_BEFORE_SIGN_IN)
        profile_stop(prof)
        steps = list(app.section_pool.steps)
        results["scenarios"]["idle after start (sections built ahead)"] = {
            **stalls(since), "pool_steps": len(steps),
            "longest_step_cpu_ms": round(max((c for _, c in steps), default=0) * 1000, 1),
            "slowest_steps": sorted(((round(c * 1000, 1), what) for what, c in steps), reverse=True)[:4],
            "pooled": len(app.section_pool.pooled()),
            "heap": f"{len(gc.get_objects()):,} objects walked by a full pass, {gc.get_freeze_count():,} frozen"}
        manager = next(u for u in auth.users(ctx.db) if u.role == "manager")
        app.sign_in(manager)
        await wait_frames(5)
        for name in STAFF if "sections" in only else ():
            pooled = name in app.section_pool.pooled()
            prof = profile_start(f"open {name}")   # KIOSK_BENCH_PROFILE="open lostfound", say
            first = await open_section(name)
            profile_stop(prof)
            await wait_frames(3)
            results["sections"][name] = {"first": {**first, "pooled": pooled}, "again_all": []}
        for _ in range(REOPENS if "sections" in only else 0):   # re-open: the screen exists, its refresh runs
            for name in STAFF:
                results["sections"][name]["again_all"].append(await open_section(name))
                await wait_frames(3)
        for name in STAFF if "sections" in only else ():
            runs = results["sections"][name]["again_all"]
            results["sections"][name]["again"] = {
                "first_frame_ms": _median([r["first_frame_ms"] for r in runs]),
                "p95_ms": _p95([r["first_frame_ms"] for r in runs]),
                "ui_cpu_ms": _median([r["ui_cpu_ms"] for r in runs])}

        note("sections timed")
        # A call rings and is answered with Phone open (the simulated line, 2x speed).
        if "call" in only:
            from hardware.phone.runtime import play_demo_call
            await open_section("phone")
            await wait_frames(3)
            since = len(ticks)
            prof = profile_start("call")
            thread = play_demo_call(app.devices["phone"], "answered_ring2", speed=2.0)
            await until(lambda: not thread.is_alive(), 60)
            await sleep(1.0)
            profile_stop(prof)
            results["scenarios"]["call rings and is answered, Phone open"] = stalls(since)

        note("call done")
        # 100 receipts print (reprints of past receipts, queued from another thread as a till would).
        if "receipts" in only:
            await open_section("goods")
            jobs = [j.id for j in printqueue.recent(ctx.db, 200) if j.receipt is not None][:100]

            def queue_them():
                conn = db_mod.connect(ctx.db_path)
                for job_id in jobs:
                    printqueue.reprint(conn, ctx.clock, Actor(manager.name, manager.id, "manager"), job_id)
                conn.close()
            since = len(ticks)
            started = time.perf_counter()
            prof = profile_start("receipts")
            feeder = threading.Thread(target=queue_them)
            feeder.start()
            await until(lambda: not feeder.is_alive(), 240)   # never join on the UI thread
            printed = await until(lambda: printqueue.queued_count(ctx.db) == 0, 240)
            profile_stop(prof)
            results["scenarios"]["100 receipts print"] = {**stalls(since), "jobs": len(jobs), "drained": printed,
                                                          "seconds": round(time.perf_counter() - started, 1)}

        note("receipts done")
        # A day's export (the reports section's own job, on the background worker).
        if "export" in only:
            day = (history_db.NOW - timedelta(days=1)).astimezone().date()
            folder = Path(out_path).parent / "export"
            folder.mkdir(exist_ok=True)
            await open_section("reports")
            done: list = []
            for kind in ("export.finished", "export.failed"):
                ctx.bus.subscribe(kind, done.append)
            since = len(ticks)
            started = time.perf_counter()
            from screens.reports.reports_section import export_job   # the Reports section's own path
            app.jobs.submit("export", lambda progress: export_job(
                ctx, first=day, last=day, folder=folder, lang="zh_CN", progress=progress,
                actor=Actor(manager.name, manager.id, "manager")))
            await until(lambda: bool(done), 300)
            results["scenarios"]["a day exports"] = {**stalls(since), "seconds": round(time.perf_counter() - started, 1),
                                                     "ok": bool(done) and done[0].kind == "export.finished"}

        note("export done")
        # Housekeeping: auto sign-out and the daily retention (with the history: the whole catch-up).
        if catch_up and "catch-up" in only:
            settings.put(ctx.db, ctx.clock, SYSTEM, housekeeping.LAST_RETENTION_KEY, "")
            await open_section("visitors")
            finished: list = []
            ctx.bus.subscribe("housekeeping.finished", finished.append)
            ctx.bus.subscribe("housekeeping.failed", finished.append)
            since = len(ticks)
            started = time.perf_counter()
            for _ in range(600):
                if app._housekeeping() is not None:
                    break
                await sleep(0.1)
            await until(lambda: bool(finished), 1800)
            result = finished[0].data.get("result") if finished else None
            results["scenarios"]["housekeeping with the retention catch-up"] = {
                **stalls(since), "seconds": round(time.perf_counter() - started, 1),
                "anonymised": getattr(result, "anonymised", None), "ok": result is not None}

        note("housekeeping done")
        # The idle print worker: its own thread's CPU over 10 s with nothing queued.
        worker = next((t for t in threading.enumerate() if t.name == "printer"), None)
        if worker is not None and worker.native_id:
            cpu0 = _thread_cpu(worker.native_id)
            await sleep(10)
            results["print_worker_idle_percent"] = round(100 * (_thread_cpu(worker.native_id) - cpu0) / 10, 2)
        import statistics
        from kiosk.printing import queue as pq
        times = []
        for _ in range(50):
            t = time.perf_counter()
            pq.next_job(ctx.db)
            pq.queued_count(ctx.db)
            times.append(time.perf_counter() - t)
        results["idle_check_ms"] = round(statistics.median(times) * 1000, 3)
        Path(out_path).write_text(json.dumps(results, ensure_ascii=False, indent=1))
        app.stop()

    async def guarded() -> None:
        try:
            await scenario_body()
        except BaseException:
            import traceback
            note("FAILED\n" + traceback.format_exc())
            app.stop()

    def begin(*args) -> None:
        import asyncio
        asyncio.ensure_future(guarded())
    Clock.schedule_once(begin, 0)
    import asyncio
    asyncio.run(app.async_run(async_lib="asyncio"))


# --- the parent: builds, copies, runs both, prints ------------------------------------------------------
def _run_driver(db: Path, work: Path, catch_up: bool, only: tuple[str, ...] = PARTS) -> dict:
    out = work / "result.json"
    # A box builds its pinyin index once, on its first start, and reads the cached file on every later one:
    # the driver's home gets that file, so the scenarios measure a normal day, not a first boot.
    from kiosk.input import pinyin
    (work / "home").mkdir(parents=True, exist_ok=True)
    pinyin.PinyinEngine(cache_dir=work / "home").load()
    env = dict(os.environ, KIVY_LOG_MODE="PYTHON", SDL_VIDEODRIVER=os.environ.get("SDL_VIDEODRIVER", "offscreen"), KIVY_NO_ARGS="1",
               KIVY_NO_CONSOLELOG="1", KIVY_CLIPBOARD="sdl2", SDL_AUDIODRIVER="dummy", KIOSK_HOME=str(work / "home"),
               KIVY_HOME=str(work / "kivy"))
    cmd = [sys.executable, __file__, "--drive", str(db), "--out", str(out), "--only", ",".join(only)] + (
        ["--catch-up"] if catch_up else [])
    proc = subprocess.run(cmd, env=env, cwd=ROOT, capture_output=True, text=True, timeout=3600)
    if not out.exists():
        notes = out.with_suffix(".log")
        told = notes.read_text()[-4000:] if notes.exists() else "(no notes)"
        raise RuntimeError(f"the driver failed on {db}:\n{told}\n{proc.stderr[-1500:]}")
    dumps = out.with_suffix(".stalls.txt")
    if dumps.exists():
        import shutil
        kept = Path(tempfile.gettempdir()) / f"kiosk-history-bench-{work.name}.stalls.txt"
        shutil.copyfile(dumps, kept)
        print(f"stack dumps of frames over {STALL_DUMP_S * 1000:.0f} ms on {work.name}: {kept}")
    return json.loads(out.read_text())


def _fmt(value, target=None, unit="ms") -> str:
    if value is None:
        return "-"
    mark = "" if target is None else (" ok" if value <= target else " OVER")
    return f"{value:.1f} {unit}{mark}"


def storage_figures(path: Path, years: float) -> dict:
    """Bytes per table with its indexes (dbstat), the FTS share, and the file size."""
    import sqlite3
    conn = sqlite3.connect(path)
    rows = conn.execute("SELECT COALESCE(m.tbl_name, s.name), SUM(s.pgsize) FROM dbstat s"
                        " LEFT JOIN sqlite_master m ON m.name = s.name GROUP BY 1 ORDER BY 2 DESC").fetchall()
    conn.close()
    total = sum(size for _, size in rows)
    fts = sum(size for name, size in rows if name.startswith("visits_fts"))
    return {"file_bytes": path.stat().st_size, "total": total, "fts": fts, "tables": rows, "years": years}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--years", type=float, default=3.0)
    parser.add_argument("--skip-catch-up", action="store_true")
    parser.add_argument("--history", help="an existing history database to copy (e.g. one cached by an older"
                                          " seeder: rebuilding takes half an hour on a loaded box)")
    parser.add_argument("--only", default=",".join(PARTS), help=f"comma-separated parts of {PARTS}")
    parser.add_argument("--demo-only", action="store_true", help="the demo database only (quick iteration)")
    parser.add_argument("--skip-checks", action="store_true", help="no db checks, no conversion VACUUM")
    parser.add_argument("--drive")
    parser.add_argument("--out")
    parser.add_argument("--catch-up", action="store_true")
    args = parser.parse_args()
    if args.drive:
        drive(args.drive, args.out, args.catch_up, tuple(args.only.split(",")))
        return

    import history_db
    from kiosk.core import db as db_mod
    from kiosk.core import dbcheck
    if args.demo_only:   # quick iteration: the demo database's driver, its figures as JSON
        with tempfile.TemporaryDirectory(prefix="kiosk-history-bench-") as tmp:
            (Path(tmp) / "demo").mkdir()
            print(f"load average {os.getloadavg()[0]:.1f}")
            print(json.dumps(_run_driver(Path(tmp) / "demo" / "kiosk.db", Path(tmp) / "demo", catch_up=True,
                                         only=tuple(args.only.split(","))), ensure_ascii=False, indent=1))
        return
    source = Path(args.history) if args.history else history_db.cached(args.years)
    with tempfile.TemporaryDirectory(prefix="kiosk-history-bench-") as tmp:
        tmp = Path(tmp)
        (tmp / "demo").mkdir()
        (tmp / "history").mkdir()
        history = history_db.working_copy(source, tmp / "history" / "kiosk.db")
        # The database check first, on the untouched copy (migrated to this code's schema on open).
        database = db_mod.connect(history)
        before = storage_figures(history, args.years)
        quick = dbcheck.quick(database, history)
        started = time.perf_counter()
        full = ["skipped"] if args.skip_checks else db_mod.integrity_check(database)
        full_seconds = time.perf_counter() - started
        database.close()
        print(f"history: {source.name}, {before['file_bytes'] / 1e6:.0f} MB")
        load_start = os.getloadavg()
        only = tuple(args.only.split(","))
        demo_result = _run_driver(tmp / "demo" / "kiosk.db", tmp / "demo", catch_up=True, only=only)
        history_result = ({"sections": {}, "scenarios": {}} if args.demo_only else
                          _run_driver(history, tmp / "history", catch_up=not args.skip_catch_up, only=only))
        after = storage_figures(history, args.years)
        # The one-off switch to incremental vacuum (kiosk.core.compact), as the nightly quiet window runs it.
        from kiosk.core import compact
        database = db_mod.connect(history)
        free_pages = database.execute("PRAGMA freelist_count").fetchone()[0]
        started = time.perf_counter()
        converted = (False if args.skip_checks or args.demo_only else
                     compact.convert_when_quiet(database, history, datetime(2026, 12, 2, 3, 30), quiet=True))
        conversion_s = time.perf_counter() - started
        database.close()
        converted_bytes = history.stat().st_size
        load_end = os.getloadavg()

    print(f"load average (1/5/15 min) at the start {' / '.join(f'{v:.1f}' for v in load_start)}, at the end"
          f" {' / '.join(f'{v:.1f}' for v in load_end)}, on {os.cpu_count()} cores (wall times include waiting"
          f" for a core; the UI thread's own CPU time is beside each)")
    print(f"\nsections: tap -> first frame (UI-thread CPU ms); target <= {TARGET_FIRST_FRAME * 1000:.0f} ms."
          f" first: one open per run (built ahead on idle = 'pooled'); again: median of {REOPENS} re-opens [p95]")
    print(f"{'section':<14}{'demo first':>30}{'history first':>30}{'demo again':>34}{'history again':>34}")
    for name in STAFF:
        d, h = demo_result["sections"].get(name, {}), history_result["sections"].get(name, {})
        cells = []
        for which, target in (("first", TARGET_FIRST_FRAME * 1000), ("again", TARGET_FIRST_FRAME * 1000)):
            for res in (d, h):
                f = res.get(which, {})
                extra = (" pooled" if f.get("pooled") else "") if which == "first" else f" [{f.get('p95_ms', '-')}]"
                cells.append(f"{_fmt(f.get('first_frame_ms'), target)}{extra} ({f.get('ui_cpu_ms', '-')} cpu)")
        print(f"{name:<14}{cells[0]:>30}{cells[1]:>30}{cells[2]:>34}{cells[3]:>34}")
    print(f"\nscenarios: longest UI stall / p99 / p95 / median frame interval (load avg); target stall <="
          f" {TARGET_STALL * 1000:.0f} ms")
    for name in history_result["scenarios"] | demo_result["scenarios"]:
        d, h = demo_result["scenarios"].get(name, {}), history_result["scenarios"].get(name, {})
        extra = {k: v for k, v in h.items() if k not in ("longest_ms", "p99_ms", "p95_ms", "median_ms", "frames", "load")}

        def cell(r):
            return (f"{_fmt(r.get('longest_ms'), TARGET_STALL * 1000)} / {_fmt(r.get('p99_ms'))} /"
                    f" {_fmt(r.get('p95_ms'))} / {_fmt(r.get('median_ms'))} (load {r.get('load', '-')})")
        print(f"  {name}:\n    demo    {cell(d)}\n    history {cell(h)}  {extra}")
    print(f"\nprint worker idle: demo {_fmt(demo_result.get('print_worker_idle_percent'), TARGET_IDLE, '%')},"
          f" history {_fmt(history_result.get('print_worker_idle_percent'), TARGET_IDLE, '%')} of a core;"
          f" idle check (next job + count) demo {demo_result.get('idle_check_ms')} ms,"
          f" history {history_result.get('idle_check_ms')} ms")
    print(f"db check --quick: {quick.line()} (target <= {TARGET_QUICK:.0f} s); full integrity_check:"
          f" {'; '.join(full)[:60]} in {full_seconds:.1f} s")
    years = args.years
    print(f"\nstorage after {years:g} years: file {before['file_bytes'] / 1e6:.0f} MB, per year"
          f" {before['file_bytes'] / years / 1e6:.0f} MB; full-text index {before['fts'] / 1e6:.0f} MB"
          f" ({100 * before['fts'] / max(1, before['total']):.0f} %)")
    for name, size in before["tables"][:14]:
        print(f"  {name:<22}{size / years / 1e6:8.1f} MB/year")
    print(f"retention catch-up (anonymise in batches + stepwise FTS merge; this file predates incremental vacuum):"
          f" file {after['file_bytes'] / 1e6:.0f} MB with {free_pages * 4096 / 1e6:.0f} MB of free (zeroed) pages"
          f" that later writes reuse")
    saved = before["file_bytes"] - converted_bytes
    print(f"one-off switch to auto_vacuum=INCREMENTAL (nightly quiet window, write lock held throughout):"
          f" {'done' if converted else 'NOT done'} in {conversion_s:.1f} s; file {converted_bytes / 1e6:.0f} MB,"
          f" retention saved {saved / 1e6:.0f} MB ({100 * saved / max(1, before['file_bytes']):.0f} %)")
    per_year = converted_bytes / years
    ten = per_year * 10
    print(f"10-year projection at this volume with retention on: {ten / 1e9:.1f} GB of a 32 GB card"
          f" ({100 * ten / 32e9:.0f} %); without retention: {before['file_bytes'] / years * 10 / 1e9:.1f} GB")


if __name__ == "__main__":
    main()
