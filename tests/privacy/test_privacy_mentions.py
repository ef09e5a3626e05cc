"""The person mentioned in free text about something else (outside test F1): a found ID card's description
and features, a loss report's description, an amendment's reason and before/after, a complaint's place
and topic. `find` lists them, `erase` cuts the person's words out (the rest of the text stays, counts
stay), and a raw byte scan of the database and its WAL finds nothing."""
from __future__ import annotations

from datetime import date
from pathlib import Path

from kiosk.core import auth, erasure
from kiosk.core import db as db_mod
from kiosk.core.audit import SYSTEM
from kiosk.core.erasure import Person

NAME, PHONE = "哨兵欧阳娜娜", "13987654321"
TZ = "Asia/Shanghai"


def _raw(path: Path) -> list[str]:
    hits = []
    for file in [path, Path(f"{path}-wal")]:
        if file.exists():
            data = file.read_bytes()
            for text in (NAME, PHONE, "欧阳娜娜"):
                for codec in ("utf-8", "utf-16-le", "utf-16-be"):
                    if text.encode(codec) in data:
                        hits.append(f"{file.name}: {text} {codec}")
    return hits


def test_mentions_in_descriptions_amendments_and_complaint_places_are_erased(tmp_path, clock):
    from kiosk.complaints import service as complaints
    from kiosk.lostfound import service as lostfound
    path = tmp_path / "kiosk.db"
    database = db_mod.connect(path)
    boss = auth.add_user(database, clock, SYSTEM, "王经理", "manager", "9999")
    desk = boss.actor()
    card = lostfound.register_item(database, clock, desk, TZ, category="documents", description=f"身份证 {NAME}",
                                   features=f"证上姓名{NAME} 电话{PHONE[:3]}-{PHONE[3:7]}-{PHONE[7:]}",
                                   found_place="lobby", handed_in_kind="staff", handed_in_name="保安",
                                   handed_in_contact="", storage="A1")
    lostfound.amend_item(database, clock, desk, card.id, field="features", value=f"黑色卡套，{NAME}",
                         reason=f"{NAME} 来电补充 {PHONE}")
    lostfound.report_lost(database, clock, desk, category="wallet", description=f"钱包 内有{NAME}名片",
                          owner_name="另一位失主", contact="13500000000", lost_on=date(2026, 11, 20))
    complaints.take(database, clock, desk, TZ, kind="complaint", category="facilities", responsibility="company",
                    what="空调不制冷", customer_name="王先生", customer_contact="13600000000",
                    place=f"{NAME}的办公室")
    found = erasure.find(database, Person(phone=PHONE, name=NAME))
    tables = found.tables()
    assert {"lf_items", "lf_amendments", "lf_reports", "complaints"} <= set(tables), tables
    before = {t: database.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
              for t in ("lf_items", "lf_amendments", "lf_reports", "complaints")}
    done = erasure.erase(database, clock, desk, Person(phone=PHONE, name=NAME))
    assert done.scrubbed
    assert not _raw(path), _raw(path)
    item = database.execute("SELECT description, features, handed_in_name FROM lf_items").fetchone()
    assert item == ("身份证 ***", "证上姓名*** 电话***", "保安"), "the item is still described; the finder kept"
    place, customer, anonymised = database.execute("SELECT place, customer_name, anonymised_at FROM complaints").fetchone()
    assert place == "***的办公室" and customer == "王先生" and anonymised is None, "someone else's complaint stays theirs"
    assert database.execute("SELECT owner_name FROM lf_reports").fetchone()[0] == "另一位失主"
    assert {t: database.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in before} == before
    assert not erasure.find(database, Person(phone=PHONE, name=NAME)).hits


def test_namesakes_and_shared_document_masks_are_not_erased(tmp_path, clock):
    """Outside test F7: two passports stored as *****5432, two 张伟 with different phones. An erasure by the
    requester's passport finds only a row where that is proven; by name AND phone only the row with both."""
    from kiosk.visitors import service as visitors
    database = db_mod.connect(tmp_path / "kiosk.db")
    visitors.seed_demo(database, clock)
    boss = auth.add_user(database, clock, SYSTEM, "王经理", "manager", "9999")
    desk = auth.add_user(database, clock, SYSTEM, "Li Na", "staff", "2468").actor()
    host = visitors.find_hosts(database, "Emma")[0]["id"]
    for name, phone, number in (("请求人", "13911110001", "E98765432"), ("无关的人", "13911110002", "G11115432"),
                                ("张伟", "13900000001", "E11112222"), ("张伟", "13700000002", "E33334444")):
        visitors.sign_in(database, clock, visitors.Visitor(name, phone, host, "meeting", id_type="passport",
                                                           id_number=number), actor=desk, tz=TZ)
    from kiosk.phone import calllog
    calllog.add_note(database, clock, desk, call_id=None, category="inquiry", what="快递员说13700000002会再来")
    assert "visits" not in erasure.find(database, Person(id_number="E98765432")).tables(), "a mask alone proves nothing"
    found = erasure.find(database, Person(id_number="E98765432", name="请求人"))
    assert found.tables()["visits"] == 1
    erasure.erase(database, clock, boss.actor(), Person(name="张伟", phone="13900000001"))
    rows = database.execute("SELECT name, phone FROM visits ORDER BY id").fetchall()
    assert rows == [("请求人", "13911110001"), ("无关的人", "13911110002"), ("", ""), ("张伟", "13700000002")]
    assert database.execute("SELECT what FROM call_notes").fetchone()[0] == "快递员说13700000002会再来"
