"""Outside test (fifth round) finding 1: the counter's and the lost-and-found desk's free text that names a
person (a void's reason, a found place, a handover's receiver, a disposal note, a cash handover note) is
found by `erasure.find` and cut by `erasure.erase`; a raw byte scan of the database then finds nothing."""
from __future__ import annotations

import sqlite3

from kiosk.core import auth, erasure
from kiosk.core import db as db_mod
from kiosk.core.audit import SYSTEM
from kiosk.core.erasure import Person

NAME, PHONE = "哨兵欧阳娜娜", "13987654321"


def test_free_text_at_the_counter_and_lost_and_found_is_erased(tmp_path, clock):
    from kiosk.counter import fees, shifts
    from kiosk.counter.sales import Payment
    from kiosk.lostfound import service as lf
    from kiosk.visitors import service as v
    path = tmp_path / "k.db"
    db = db_mod.connect(path)
    v.seed_demo(db, clock)
    fees.seed_demo(db, clock)
    boss = auth.add_user(db, clock, SYSTEM, "M", "manager", "4826").actor()
    desk = auth.add_user(db, clock, SYSTEM, "S", "staff", "2468").actor()
    host = v.find_hosts(db, "Emma")[0]["id"]
    v.sign_in(db, clock, v.Visitor(NAME, PHONE, host, "meeting", privacy_accepted=True))
    shifts.open_shift(db, clock, desk, "T01", float_fen=10000)
    fee = [f for f in fees.fee_types(db) if not f.member_required][0]
    cid, _, _ = fees.collect(db, clock, desk, "T01", fee_type_id=fee.id, payer=NAME,
                             payment=Payment("cash", tendered_fen=fee.default_fen), amount_fen=fee.default_fen)
    fees.void(db, clock, desk, boss, "T01", cid, reason=f"{NAME}要求退费 电话{PHONE}")
    item = lf.register_item(db, clock, desk, "Asia/Shanghai", category="other", description="雨伞",
                            found_place=f"{NAME}的工位", handed_in_kind="staff", handed_in_name="保安", storage="A1")
    clock.advance(16 * 86400)
    lf.hand_over(db, clock, desk, "T01", [item.id], received_by=f"行政部{NAME}")
    lf.dispose(db, clock, desk, item.id, method="returned_to_finder", authorised_by="M", note=f"交给{NAME} {PHONE}")
    shifts.hand_over(db, clock, desk, "T01", amount_fen=100, received_by="财务", note=f"代{NAME}缴费 {PHONE}")
    found = erasure.find(db, Person(phone=PHONE, name=NAME)).tables()
    for table in ("fee_voids", "lf_items", "lf_handovers", "lf_disposals", "cash_handovers"):
        assert found.get(table), (table, found)
    erasure.erase(db, clock, boss, Person(phone=PHONE, name=NAME))
    assert db.execute("SELECT reason FROM fee_voids").fetchone()[0].count("电话") == 1, "the rest of the text stays"
    db.close()
    conn = sqlite3.connect(path)
    left = []
    for (table,) in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'"):
        for column in [r[1] for r in conn.execute(f"PRAGMA table_info('{table}')")]:
            for (value,) in conn.execute(f"SELECT \"{column}\" FROM '{table}'"):
                if isinstance(value, str) and ("欧阳娜娜" in value or PHONE in value):
                    left.append((table, column, value))
    conn.close()
    assert left == []
    for suffix in ("", "-wal"):
        blob = path.with_name(path.name + suffix).read_bytes() if path.with_name(path.name + suffix).exists() else b""
        for codec in ("utf-8", "utf-16-le"):
            assert "欧阳娜娜".encode(codec) not in blob and PHONE.encode(codec) not in blob, (suffix, codec)
    conn = sqlite3.connect(path)
    try:
        conn.execute("UPDATE fee_voids SET reason = 'x'")   # outside an erasure the guard still holds
        raise AssertionError("fee_voids was updated outside an erasure")
    except sqlite3.IntegrityError:
        pass
    finally:
        conn.close()
