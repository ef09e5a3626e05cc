"""Outside attack 16: the time the re-erasure after a restore takes when it searches free text for the
ledger's names and phones (kiosk.core.erasure_reapply.mentioned), on a file with tens of thousands of call
notes (what/place/why/how/follow_up), complaints and lost items in realistic mixed Chinese/Latin text with
names and phone numbers in it.

A backup is taken; a person mentioned only in notes is erased by name and another by phone; the backup is
restored over the live file; the pending re-erasure (erasure_reapply.reapply) is timed: the free-text scan
alone (people(), skipping the texts the replaced file held unchanged) and the whole pass (the erasures
included), then the same scan with nothing skipped (a pass finished at the next start after a kill).
Run: .venv/bin/python bench/restore_reerasure_bench.py [notes=40000]"""
from __future__ import annotations

import random
import sys
import tempfile
import time
from pathlib import Path

from kiosk.core import auth, erasure, erasure_reapply, restore
from kiosk.core import backup as backup_mod
from kiosk.core import db as db_mod
from kiosk.core.audit import SYSTEM
from kiosk.core.clock import FakeClock
from kiosk.core.erasure import Person
from kiosk.phone import calllog

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰萍红鹏辉玲飞斌宇浩凯健俊帆"
WORDS = ["客户", "来电", "询问", "停车", "费用", "电梯", "故障", "维修", "物业", "前台", "包裹", "快递", "已经",
         "下午", "明天", "回电", "投诉", "噪音", "楼上", "空调", "不制冷", "请尽快", "处理", "业主", "访客",
         "雨伞", "遗失", "大堂", "会议室", "预约", "发票", "账单", "钥匙", "门禁卡", "丢了", "找到", "说"]
LATIN = ["left", "her", "umbrella", "in", "the", "lobby", "call", "back", "parcel", "invoice", "Mr", "Ms",
         "Zhang", "Wang", "Smith", "Lee", "meeting", "room", "tomorrow", "please"]
SEPS = [" ", "-", "—", "", "／", "."]


def name(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choice(GIVEN) for _ in range(rng.choice((1, 2))))


def phone(rng: random.Random) -> str:
    digits = "1" + rng.choice("3456789") + "".join(rng.choice("0123456789") for _ in range(9))
    sep = rng.choice(SEPS)
    return sep.join((digits[:3], digits[3:7], digits[7:]))


def text(rng: random.Random) -> str:
    parts = []
    for _ in range(rng.randint(4, 12)):
        roll = rng.random()
        if roll < 0.15:
            parts.append(name(rng))
        elif roll < 0.22:
            parts.append(phone(rng))
        elif roll < 0.40:
            parts.append(rng.choice(LATIN))
        else:
            parts.append(rng.choice(WORDS))
    return rng.choice(("", " ")).join(parts)


def build(path: Path, clock: FakeClock, notes: int) -> None:
    database = db_mod.connect(path)
    auth.add_user(database, clock, SYSTEM, "王经理", "manager", "9999")
    rng = random.Random(16)
    with database.conn:
        database.conn.executemany(
            "INSERT INTO call_notes (at, actor, category, what, place, why, how, follow_up, caller_name,"
            " caller_number) VALUES ('2026-12-01T00:00:00Z', 'bench', 'inquiry', ?, ?, ?, ?, ?, ?, ?)",
            [(text(rng), rng.choice(WORDS), text(rng) if rng.random() < 0.3 else "", "",
              text(rng) if rng.random() < 0.2 else "", name(rng) if rng.random() < 0.5 else "",
              "") for _ in range(notes)])
    staff = auth.add_user(database, clock, SYSTEM, "Li Na", "staff", "2468").actor()
    calllog.add_note(database, clock, staff, call_id=None, category="inquiry",
                     what="哨兵欧阳娜娜 left her umbrella in the lobby")
    calllog.add_note(database, clock, staff, call_id=None, category="inquiry", what="请回电 139—8765—4321")
    database.conn.close()


def main() -> None:
    notes = int(sys.argv[1]) if len(sys.argv) > 1 else 40000
    folder = Path(tempfile.mkdtemp())
    clock = FakeClock()
    path = folder / "data" / "kiosk.db"
    t0 = time.perf_counter()
    build(path, clock, notes)
    print(f"built {notes} call notes in {time.perf_counter() - t0:.1f} s")
    (folder / "backups").mkdir()
    backup_mod.make_backup(path, folder / "backups", clock=clock, policy=None)
    clock.advance(3600)
    database = db_mod.connect(path, create=False)
    boss = auth.users(database, role="manager")[0].actor()
    erasure.erase(database, clock, boss, Person(name="哨兵欧阳娜娜"))
    erasure.erase(database, clock, boss, Person(phone="13987654321"))
    database.conn.close()
    clock.advance(3600)
    old = backup_mod.backups(folder / "backups")[0].path
    # the restore runs the re-erasure itself; time it through a patched reapply to see the pass alone
    timings = {}
    real_people, real_reapply = erasure_reapply.people, erasure_reapply.reapply

    def people(db, before=None):
        t = time.perf_counter()
        out = real_people(db, before)
        timings["scan"] = time.perf_counter() - t
        timings["found"] = len(out)
        return out

    def reapply(db, clock, before=None):
        t = time.perf_counter()
        out = real_reapply(db, clock, before=before)
        timings["reapply"] = time.perf_counter() - t
        return out
    erasure_reapply.people, erasure_reapply.reapply = people, reapply
    try:
        t = time.perf_counter()
        _, aside = restore.restore(path, old, clock=clock, actor=SYSTEM)
        timings["restore"] = time.perf_counter() - t
    finally:
        erasure_reapply.people, erasure_reapply.reapply = real_people, real_reapply
    again = db_mod.connect(path, create=False)
    left = again.execute("SELECT COUNT(*) FROM call_notes WHERE what LIKE '%哨兵欧阳娜娜%' OR what LIKE '%8765—4321%'"
                         ).fetchone()[0]
    # the same scan without the replaced file (a re-erasure finished at the next start after a kill): every
    # text is searched
    t = time.perf_counter()
    erasure_reapply.people(again)
    full = time.perf_counter() - t
    distinct = sum(again.execute(f"SELECT COUNT(DISTINCT {c}) FROM call_notes").fetchone()[0]
                   for c in ("what", "place", "why", "how", "follow_up"))
    again.conn.close()
    print(f"distinct note texts {distinct}; people found again {timings.get('found')};"
          f" free-text + column scan {timings.get('scan', 0):.2f} s; whole re-erasure {timings.get('reapply', 0):.2f} s;"
          f" whole restore {timings['restore']:.2f} s; mentions left {left}; full scan without the replaced"
          f" file {full:.2f} s")


if __name__ == "__main__":
    main()
