"""Erasure that erases: sentinel values typed into every form that takes personal data, a manager's
erasure, then a raw byte scan (UTF-8 and UTF-16) of the database file, its WAL and an export finds none;
counts and totals stay. And files for the owner only, whatever the umask."""
from __future__ import annotations

import os
import stat
from datetime import date, timedelta

import pytest
from click.testing import CliRunner

from kiosk.core import audit, auth, erasure
from kiosk.core import db as db_mod
from kiosk.core.audit import SYSTEM, Actor
from kiosk.core.erasure import Person

NAME, PHONE, ORG = "哨兵欧阳娜娜", "13987654321", "哨兵华为技术有限公司"
LATIN = "Zorblax Quimby"
TZ = "Asia/Shanghai"


def _needles() -> list[bytes]:
    out = []
    for text in (NAME, PHONE, ORG, LATIN, "139 8765 4321"[:0] or PHONE[3:]):
        for codec in ("utf-8", "utf-16-le", "utf-16-be"):
            out.append(text.encode(codec))
    return out


def _scan(*folders_or_files) -> list[str]:
    found = []
    for root in folders_or_files:
        paths = [root] if root.is_file() else [p for p in root.rglob("*") if p.is_file()]
        for path in paths:
            data = path.read_bytes()
            found += [f"{path.name}: {n!r}" for n in _needles() if n in data]
    return found


def _fill(database, clock):
    """Every form that takes this person's data: self sign-in, counter registration, expected visitor,
    badge print job, lost-and-found hand-in and loss report, call note with caller ID."""
    from kiosk.lostfound import service as lostfound
    from kiosk.phone import calllog
    from kiosk.printing import queue as printqueue
    from kiosk.visitors import service as visitors
    from kiosk.visitors.receipts import badge, onsite_list
    visitors.seed_demo(database, clock)
    boss = auth.add_user(database, clock, SYSTEM, "王经理", "manager", "9999")
    desk = auth.add_user(database, clock, SYSTEM, "Li Na", "staff", "2468").actor()
    host = visitors.find_hosts(database, "Emma")[0]["id"]
    today = clock.now().date().isoformat()
    visitors.add_expected(database, clock, desk, name=NAME, phone=PHONE, host_id=host, expected_on=today)
    first = visitors.sign_in(database, clock, visitors.Visitor(NAME, PHONE, host, "meeting", organisation=ORG,
                                                               privacy_accepted=True), tz=TZ)
    with db_mod.write(database):
        printqueue.enqueue(database, clock, desk, badge(database, first.visit_id, "zh_CN"), record_table="visits",
                           record_id=first.visit_id)
    visitors.sign_in(database, clock, visitors.Visitor(NAME, "+86 139-8765-4321", host, "delivery", organisation=ORG,
                                                       id_type="passport", id_number="E98765432"), actor=desk, tz=TZ)
    visitors.sign_in(database, clock, visitors.Visitor("Someone Else", "13500000000", host, "meeting",
                                                       privacy_accepted=True), tz=TZ)
    with db_mod.write(database):  # the fire roll-call list prints every name in full
        printqueue.enqueue(database, clock, desk, onsite_list(visitors.on_site(database), database, "zh_CN"),
                           record_table=None, record_id=None)
    lostfound.register_item(database, clock, desk, TZ, category="bag", description="black bag", found_place="lobby",
                            handed_in_kind="customer", handed_in_name=NAME, handed_in_contact=PHONE, storage="A1")
    lostfound.report_lost(database, clock, desk, category="wallet", description="brown wallet", owner_name=NAME,
                          contact=PHONE, lost_on=date(2026, 11, 30))
    calllog.add_note(database, clock, desk, call_id=None, category="inquiry", what=f"{NAME} asked about parking",
                     caller_name=NAME, caller_number=PHONE)
    return boss


@pytest.fixture
def database(tmp_path):
    old = os.umask(0)  # the most permissive umask: the files must still be owner-only
    try:
        yield db_mod.connect(tmp_path / "data" / "kiosk.db")
    finally:
        os.umask(old)


def test_erasure_leaves_no_byte_of_the_person_in_db_wal_or_export(tmp_path, database, clock):
    from kiosk.reports import export
    boss = _fill(database, clock)
    before = database.execute("SELECT COUNT(*), SUM(party_size) FROM visits").fetchone()
    path = tmp_path / "data" / "kiosk.db"
    found = erasure.find(database, Person(phone="139 8765 4321", name=NAME))
    tables = found.tables()
    assert {"visits", "expected_visitors", "print_jobs", "lf_items", "lf_reports", "call_notes"} <= set(tables)
    assert tables["visits"] == 2 and "Someone Else" not in str(found.hits)
    with pytest.raises(erasure.ErasureError, match="manager"):
        erasure.erase(database, clock, Actor("Li Na", None, "staff"), Person(phone=PHONE))
    erasure.erase(database, clock, boss.actor(), Person(phone=PHONE, name=NAME))
    erasure.erase(database, clock, boss.actor(), Person(name=LATIN, phone=ORG))  # nothing more: harmless
    assert database.execute("SELECT COUNT(*), SUM(party_size) FROM visits").fetchone() == before, "counts stay"
    assert [v["name"] for v in database.query("SELECT name FROM visits ORDER BY id")] == ["", "", "Someone Else"]
    assert database.execute("SELECT COUNT(*) FROM visits_fts WHERE visits_fts MATCH ?", ('"欧阳娜"',)).fetchone()[0] == 0
    out = tmp_path / "usb"
    out.mkdir()
    day = clock.now().astimezone(__import__("zoneinfo").ZoneInfo(TZ)).date()
    export.run_export(database, clock, first=day - timedelta(days=1), last=day + timedelta(days=1), tz_name=TZ,
                      destination=out, actor=boss.actor())
    files = [path] + [p for p in path.parent.iterdir() if p.name.startswith("kiosk.db-")]
    leaks = _scan(*files, out)
    assert not leaks, leaks
    entry = [e for e in audit.entries(database) if e["action"] == "privacy.erase"][0]
    assert NAME not in str(entry) and PHONE not in str(entry) and "visits" in str(entry["after"])


def test_files_are_owner_only_whatever_the_umask(tmp_path, database, clock):
    from kiosk.reports import export
    _fill(database, clock)
    data = tmp_path / "data"
    assert stat.S_IMODE(data.stat().st_mode) == 0o700
    for path in data.iterdir():
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name
    out = tmp_path / "usb"
    out.mkdir()
    old = os.umask(0)
    try:
        result = export.run_export(database, clock, first=clock.now().date() - timedelta(days=1), last=clock.now().date(), tz_name=TZ,
                                   destination=out, formats=["csv", "xlsx", "pdf"], actor=SYSTEM)
    finally:
        os.umask(old)
    assert stat.S_IMODE(result.folder.stat().st_mode) == 0o700
    for path, _ in result.files:
        assert stat.S_IMODE(path.stat().st_mode) == 0o600, path.name


def test_an_old_world_readable_database_is_tightened(tmp_path):
    path = tmp_path / "old.db"
    db_mod.connect(path).conn.close()
    os.chmod(path, 0o644)
    db_mod.connect(path)
    assert stat.S_IMODE(path.stat().st_mode) == 0o600


def test_retention_also_clears_expected_visitors_and_badge_documents(database, clock):
    from kiosk.visitors import service as visitors
    _fill(database, clock)
    clock.advance(40 * 24 * 3600)
    visitors.apply_retention(database, clock)
    assert database.execute("SELECT name, phone FROM expected_visitors").fetchall() == [("", "")]
    docs = [r[0] for r in database.execute("SELECT document FROM print_jobs")]
    assert len(docs) == 2 and all(NAME not in d for d in docs)


def test_cli_find_and_erase_need_a_manager_pin(tmp_path, clock):
    from kiosk.cli.main import main
    path = tmp_path / "cli.db"
    database = db_mod.connect(path)
    _fill(database, clock)
    database.conn.close()
    runner = CliRunner()
    bad = runner.invoke(main, ["privacy", "find", "--db", str(path), "--phone", PHONE, "--manager", "王经理"],
                        input="0000\n")
    assert bad.exit_code != 0 and "PIN 码错误" in bad.output
    ok = runner.invoke(main, ["privacy", "find", "--db", str(path), "--phone", PHONE, "--manager", "王经理"],
                       input="9999\n")
    assert ok.exit_code == 0, ok.output
    assert "访客\tvisits.phone\t2 行" in ok.output and "expected_visitors.phone" in ok.output
    assert NAME not in ok.output, "find lists where, never the values"
    erased = runner.invoke(main, ["privacy", "erase", "--db", str(path), "--phone", PHONE, "--name", NAME,
                                  "--manager", "王经理", "--yes"], input="9999\n")
    assert erased.exit_code == 0, erased.output
    again = runner.invoke(main, ["privacy", "find", "--db", str(path), "--phone", PHONE, "--manager", "王经理"],
                          input="9999\n")
    assert "没有记录含有此人的信息" in again.output


def test_a_denied_person_is_erased_everywhere_but_the_deny_list(database, clock):
    from kiosk.visitors import service as visitors
    boss = _fill(database, clock)
    visitors.add_to_deny_list(database, clock, boss.actor(), phone=PHONE, reason="banned")
    person = Person(phone=PHONE, name=NAME)
    assert "deny_list" in erasure.find(database, person).tables()
    done = erasure.erase(database, clock, boss.actor(), person)
    assert "deny_list" not in done and "visits" in done
    assert database.execute("SELECT phone FROM deny_list").fetchone()[0] == PHONE, "kept: a manager lifts it"
    assert set(erasure.find(database, person).tables()) == {"deny_list"}
