"""The complaints section's refresh with 10,000 open complaints: median and p95 of what one refresh reads now -
a page of 100 from the deadline index, the open count, today's first 200 duties, the prompt check, the
escalation proposals and the month-old count - against baselines measured in the same run.

Two desks:
- "a year": 10,000 complaints that never close (resolved "not resolved", no callback owed; a few hundred
  more unreachable on their callback), one every 50 minutes. Baseline: reading every open complaint with its
  events and sorting them (the first step of the refresh before the due index).
- "a busy week, three years of lost property": the same 10,000, the newest 2,500 of them in the last seven
  days (typed topics, many spellings of a dozen matters), and 2,000 found items still held, registered over
  three years. Baseline: what the refresh did before the proposals read the due index and today's duties
  limited the handovers - full views of the week's open complaints (at most 2,000) grouped with a window per
  complaint, and every held item read for the handover duties.
Run: .venv/bin/python bench/complaints_refresh_bench.py [N]"""
from __future__ import annotations

import statistics
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path

from kiosk.complaints import rules as R
from kiosk.complaints import service
from kiosk.core import settings
from kiosk.core.audit import Actor
from kiosk.core.clock import FakeClock, parse_iso, utc_iso
from kiosk.core.db import connect, write
from kiosk.lostfound import service as lostfound
from kiosk.reports import duties

STAFF = Actor("Li Na", None, "staff")
TZ = "Asia/Shanghai"
# how desks type a dozen matters (the proposals fold them: kiosk.complaints.topics)
TOPICS = ("停水了", "停水！", "又停水了!!", "停电", "停电了。", "电梯坏了", "Elevator", "lift", "漏水", "楼上太吵了",
          "噪音", "停车位", "空调不制冷", "垃圾没人收", "门禁卡", "楼道灯不亮", "窗户漏风", "快递丢了")


def measure(fn, runs: int) -> tuple[float, float]:
    times = []
    for _ in range(runs):
        t0 = time.perf_counter()
        fn()
        times.append(time.perf_counter() - t0)
    times.sort()
    return statistics.median(times) * 1e3, times[min(len(times) - 1, int(len(times) * 0.95))] * 1e3


def seed(db, clock, n: int, start: datetime, step, topics: bool = False) -> None:
    """n complaints, the i-th taken at start + step(i); one in 30 closes, the rest stay open."""
    with write(db):
        for i in range(n):
            clock.set(start + step(i))
            cid = service.take(db, clock, STAFF, TZ, kind="complaint", category="noise", responsibility="not_company",
                               what=f"楼上装修太吵 {i}", customer_name=f"住户{i}", place=f"{i % 40}号楼",
                               topic=TOPICS[i % len(TOPICS)] if topics else "")
            if i % 30 == 0:
                service.resolve(db, clock, STAFF, TZ, cid, "resolved", "已协调")  # may owe no callback: closes
            else:
                service.resolve(db, clock, STAFF, TZ, cid, "not_resolved", "不归物业管")


def seed_held_items(db, clock, count: int, end: datetime) -> None:
    """`count` found items still held, registered evenly over the three years before `end`."""
    span = timedelta(days=3 * 365)
    with write(db):
        for i in range(count):
            clock.set(end - span + span * i / count)
            lostfound.register_item(db, clock, STAFF, TZ, category="other", description=f"黑色雨伞 {i}",
                                    found_place="大堂", handed_in_kind="staff", handed_in_name="保洁", storage="A柜")


def refresh(db, clock) -> None:
    service.open_page(db, limit=100)
    service.open_count(db)
    duties.today(db, clock, limit=200)
    duties.prompts(db, clock)
    service.escalation_proposals(db, clock)
    service.month_old_count(db, clock)


def baseline(db) -> None:
    rows = [(c.resolve_due, c) for c in service.open_complaints(db)]
    rows.sort(key=lambda pair: (pair[0] or "9999", pair[1].id))


def old_proposals(db, clock) -> None:
    """The proposals as they were read before (kept here as the baseline): full views of the week's open
    complaints (at most 2,000) and the month-old ones, grouped with one window per complaint."""
    rules = R.load(db)
    now = clock.now()
    window = timedelta(hours=int(rules["same_topic_hours"]))
    month = timedelta(days=int(rules["unresolved_major_days"]))
    recent = [r[0] for r in db.execute(
        "SELECT o.complaint_id FROM complaints c CROSS JOIN complaints_open o ON o.complaint_id = c.id"
        " WHERE c.taken_at >= ? ORDER BY c.taken_at DESC LIMIT ?", (utc_iso(now - window * 7), 2000))]
    aged = [r[0] for r in db.execute(
        "SELECT complaint_id FROM complaints_open WHERE month_watch IS NOT NULL AND month_watch <= ?"
        " ORDER BY month_watch, complaint_id LIMIT ?", (utc_iso(now - month), 100))]
    views = service._views(db, service._rows_by_id(db, sorted(set(recent) | set(aged))))
    groups: dict = {}
    for c in views:
        if not c.major and not c.major_proposed and c.status != "resolved" and service.topic_key(c.topic):
            groups.setdefault(service.topic_key(c.topic), []).append(c)
    for members in groups.values():
        times = [parse_iso(c.taken_at) for c in members]
        for i in range(len(members)):
            inside = [m for m, t in zip(members, times) if times[i] <= t < times[i] + window]
            if len({service._customer_key(m) for m in inside}) >= int(rules["same_topic_count"]):
                break


def old_handovers(db, clock) -> None:
    """Every held item registered before the handover horizon (what today's duties read before the limit)."""
    days = int(settings.get(db, "lostfound_handover_days"))
    lostfound.held_created_before(db, utc_iso(clock.now() + timedelta(days=1) - timedelta(days=days)))


def parts(db, clock) -> None:
    for label, fn in (("open_page(100)", lambda: service.open_page(db, limit=100)),
                      ("duties.today(200)", lambda: duties.today(db, clock, limit=200)),
                      ("duties.prompts", lambda: duties.prompts(db, clock)),
                      ("escalation_proposals", lambda: service.escalation_proposals(db, clock))):
        med, p95 = measure(fn, runs=30)
        print(f"  {label:22} median {med:7.2f} ms  p95 {p95:7.2f} ms")


def a_year(n: int) -> None:
    db = connect(Path(tempfile.mkdtemp()) / "kiosk.db")
    clock = FakeClock()
    t0 = time.perf_counter()
    seed(db, clock, n, datetime(2025, 12, 1, 1, 0, tzinfo=timezone.utc), lambda i: timedelta(minutes=50 * i))
    print(f"a year: seeded {n} complaints in {time.perf_counter() - t0:.1f} s; open now {service.open_count(db)}")
    clock.set(clock.now() + timedelta(hours=1))
    service.take(db, clock, STAFF, TZ, kind="complaint", category="facilities", responsibility="company",
                 what="电梯停了", customer_name="今天的")
    clock.set(clock.now() + timedelta(minutes=8))
    base = measure(lambda: baseline(db), runs=5)
    now = measure(lambda: refresh(db, clock), runs=30)
    print(f"baseline: read every open complaint + sort   median {base[0]:8.1f} ms  p95 {base[1]:8.1f} ms")
    print(f"refresh:  page 100 + count + duties 200 + prompts + proposals + month count"
          f"   median {now[0]:8.1f} ms  p95 {now[1]:8.1f} ms  (ratio {now[0] / base[0]:.3f})")
    parts(db, clock)
    db.close()


def a_busy_week(n: int, held: int = 2000) -> None:
    db = connect(Path(tempfile.mkdtemp()) / "kiosk.db")
    clock = FakeClock()
    end = datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc)  # a Monday, 10:00 in Shanghai
    week = min(n, 2500)
    old = n - week
    t0 = time.perf_counter()
    seed_held_items(db, clock, held, end - timedelta(days=8))
    # the older ones over the year before the week, the newest `week` in the last seven days
    seed(db, clock, old, end - timedelta(days=372), lambda i: timedelta(days=365) * i / max(1, old), topics=True)
    seed(db, clock, week, end - timedelta(days=7), lambda i: timedelta(days=7) * i / week, topics=True)
    clock.set(end)
    print(f"\na busy week: seeded {n} complaints ({week} this week) and {held} held items in "
          f"{time.perf_counter() - t0:.1f} s; open now {service.open_count(db)}, held {lostfound.status_count(db, 'held')}")
    base = measure(lambda: (old_proposals(db, clock), old_handovers(db, clock)), runs=15)
    now = measure(lambda: refresh(db, clock), runs=30)
    print(f"baseline: the week's views + a window per complaint + every held item"
          f"   median {base[0]:8.1f} ms  p95 {base[1]:8.1f} ms")
    print(f"refresh:  page 100 + count + duties 200 + prompts + proposals + month count"
          f"   median {now[0]:8.1f} ms  p95 {now[1]:8.1f} ms  (ratio {now[0] / base[0]:.3f})")
    for label, fn in (("old proposals", lambda: old_proposals(db, clock)),
                      ("old handovers (all held)", lambda: old_handovers(db, clock))):
        med, p95 = measure(fn, runs=15)
        print(f"  {label:22} median {med:7.2f} ms  p95 {p95:7.2f} ms")
    parts(db, clock)
    db.close()


def main() -> None:
    n = int(sys.argv[1]) if len(sys.argv) > 1 else 10_000
    a_year(n)
    a_busy_week(n)


if __name__ == "__main__":
    main()
