"""Three years of a busy desk, built from the project's own seeding code (issue 18's bench database).

`build(path, years=3)` runs the demo seeder (kiosk.demo.seed: the services' own row shapes, bulk
inserts) one quarter at a time so memory stays flat, then adds the lost-and-found register in bulk in
the shape kiosk.lostfound.service writes (the seeder enters only a few items a day, through the real
service). Volumes per year at the issue's busy desk: 333,000 visits, 33,000 calls (with their events,
notes and callbacks), 100,000 sales (about 2.1 lines each) with their print jobs, 6,700 lost items.

`cached(years)` keeps one copy under the temp dir, keyed by BUILD_VERSION and the seeder, so a second
bench run starts in seconds (later migrations are applied to the working copy when it is opened);
databases are never committed.
"""
from __future__ import annotations

import hashlib
import random
import shutil
import sys
import tempfile
import time
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from zoneinfo import ZoneInfo

ROOT = Path(__file__).resolve().parent.parent
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from kiosk.core import db as db_mod  # noqa: E402
from kiosk.core.clock import FakeClock, utc_iso  # noqa: E402
from kiosk.core.db import write  # noqa: E402

TZ = "Asia/Shanghai"
LAST = date(2026, 11, 30)
NOW = datetime(2026, 12, 1, 2, 30, tzinfo=timezone.utc)        # 10:30 local, the morning after the last seeded day
PER_DAY = {"visitors": 913, "calls": 91, "sales": 274}          # x 1,095 days: 1M visits, 100k calls, 300k sales
LOST_PER_DAY = 18                                               # x 1,095: about 20,000 lost items
CHUNK_DAYS = 92
STORAGE = ("前台柜子", "前台保险柜", "行政部仓库")
LOST = (("umbrella", "黑色长柄伞", "大堂"), ("wallet", "棕色皮夹", "电梯"), ("keys", "钥匙一串（3把）", "会议室"),
        ("phone", "白色手机", "洗手间"), ("clothing", "蓝色外套", "餐厅"), ("other", "保温杯 象印 500ml", "球场休息区"))


def bulk_lost_items(db, count: int, days: int, *, end: date = LAST, handover_days: int = 15, seed: int = 7) -> int:
    """`count` found items over `days` ending `end`, as lostfound.register_item and hand_over leave them:
    an lf_items row and its 'held' event, and for items past the handover period a handover (header,
    items, 'handed_over' event) or, for a fifth of them, a 'claimed' event. Returns the items made."""
    rng = random.Random(seed)
    tz = ZoneInfo(TZ)
    first_id = db.execute("SELECT COALESCE(MAX(id), 0) FROM lf_items").fetchone()[0] + 1
    cutoff = datetime.combine(end, datetime.min.time(), tz) - timedelta(days=handover_days)
    items, events, handovers, handover_items = [], [], [], []
    per_year: dict[int, int] = {}
    handover_of_day: dict[date, int] = {}
    next_handover = db.execute("SELECT COALESCE(MAX(id), 0) FROM lf_handovers").fetchone()[0] + 1
    for n in range(count):
        day = end - timedelta(days=int(days * n / max(1, count)))
        at = datetime(day.year, day.month, day.day, rng.randrange(8, 18), rng.randrange(60), tzinfo=tz)
        category, what, where = rng.choice(LOST)
        per_year[day.year] = per_year.get(day.year, 0) + 1
        item_id = first_id + n
        storage = rng.choice(STORAGE)
        items.append((item_id, f"LF-{day.year}-B{per_year[day.year]:05d}", category, what, "", "", "", 1, 0, 0,
                      utc_iso(at), where, "customer", "李娜", "", None, "王芳", storage, utc_iso(at)))
        events.append((item_id, utc_iso(at), "held", None, "王芳", f"stored at {storage}"))
        if at < cutoff:
            later = at + timedelta(days=rng.randrange(1, handover_days + 5))
            if rng.random() < 0.2:
                events.append((item_id, utc_iso(later), "claimed", None, "王芳", "claim"))
            else:
                hday = (at + timedelta(days=handover_days + 1)).date()
                if hday not in handover_of_day:
                    handover_of_day[hday] = next_handover
                    hat = datetime(hday.year, hday.month, hday.day, 16, 0, tzinfo=tz)
                    handovers.append((next_handover, utc_iso(hat), None, "王芳", "行政部 张伟", "",
                                      f"T01-LH-B{next_handover:06d}"))
                    next_handover += 1
                handover_items.append((handover_of_day[hday], item_id))
                hat = datetime(hday.year, hday.month, hday.day, 16, 0, tzinfo=tz)
                events.append((item_id, utc_iso(hat), "handed_over", None, "王芳",
                               f"handover {handover_of_day[hday]} to 行政部 张伟"))
    events.sort(key=lambda e: e[1])  # ids follow time, as a desk writes them
    with write(db):
        db.conn.executemany(
            "INSERT INTO lf_items (id, ref, category, description, features, colour, brand, quantity, value_fen,"
            " high_value, found_at, found_place, handed_in_kind, handed_in_name, handed_in_contact, actor_id, actor,"
            " storage, created_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)", items)
        db.conn.executemany("INSERT INTO lf_handovers (id, at, actor_id, actor, received_by, note, receipt_no)"
                            " VALUES (?, ?, ?, ?, ?, ?, ?)", handovers)
        db.conn.executemany("INSERT INTO lf_handover_items (handover_id, item_id) VALUES (?, ?)", handover_items)
        db.conn.executemany("INSERT INTO lf_events (item_id, at, status, actor_id, actor, detail)"
                            " VALUES (?, ?, ?, ?, ?, ?)", events)
    return len(items)


def build(path: Path, years: float = 3.0, *, log=print) -> dict:
    """Build the history database at `path` (replaced if there); returns what was made and how long."""
    from kiosk.demo import accounts as demo
    from kiosk.demo import seed as seeder
    path = Path(path)
    for suffix in ("", "-wal", "-shm"):
        Path(str(path) + suffix).unlink(missing_ok=True)
    clock = FakeClock(NOW)
    database = db_mod.connect(path)
    database.execute("PRAGMA synchronous=OFF")   # a bench build, not a desk: nothing to lose on a crash
    demo.ensure_demo(database, clock)
    days = int(round(365 * years))
    made: dict[str, int] = {}
    started = time.perf_counter()
    done = 0
    while done < days:
        chunk = min(CHUNK_DAYS, days - done)
        end = LAST - timedelta(days=days - done - chunk)
        counts = seeder.seed(database, clock, days=chunk, tz_name=TZ, end_day=end, random_seed=done + 1,
                             **PER_DAY)
        for key, value in counts.items():
            if isinstance(value, int):
                made[key] = made.get(key, 0) + value
        done += chunk
        log(f"  seeded {done}/{days} days ({time.perf_counter() - started:.0f} s)")
    made["lost items (bulk)"] = bulk_lost_items(database, LOST_PER_DAY * days, days)
    database.execute("PRAGMA wal_checkpoint(TRUNCATE)")
    database.close()
    made["seconds"] = round(time.perf_counter() - started, 1)
    return made


BUILD_VERSION = 1   # bump when build() makes different rows; newer migrations are applied to the copy on open


def _key(years: float) -> str:
    digest = hashlib.sha256((ROOT / "kiosk/demo/seed.py").read_bytes())
    return f"v{BUILD_VERSION}-{digest.hexdigest()[:12]}-{years:g}y"


def cached(years: float = 3.0, *, log=print) -> Path:
    """The cached history database for this code (built once, in minutes); callers work on copies."""
    folder = Path(tempfile.gettempdir()) / "kiosk-bench-history"
    folder.mkdir(exist_ok=True)
    path = folder / f"history-{_key(years)}.db"
    if not path.exists():
        log(f"building {years:g} years of history at {path} (cached for later runs)")
        tmp = path.with_suffix(".building")
        made = build(tmp, years, log=log)
        log(f"  made {made}")
        tmp.rename(path)
    return path


def working_copy(source: Path, target: Path) -> Path:
    """A copy to run the app on (the bench changes it: housekeeping, calls, receipts)."""
    for suffix in ("", "-wal", "-shm"):
        Path(str(target) + suffix).unlink(missing_ok=True)
    shutil.copyfile(source, target)
    return target
