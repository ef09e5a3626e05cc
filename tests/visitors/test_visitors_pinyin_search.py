"""Staff find visits and hosts by a name typed in pinyin (issue 13): 王芳 by "Wang Fang", "wangfang", "wf";
曾 zeng; an anonymised visit is never shown and leaves the index; a backlog is indexed on a thread while the
search answers at once. Plus: someone signed out after the roll call started stays on it."""
from __future__ import annotations

import pytest

from kiosk.core.audit import Actor
from kiosk.visitors import namesearch
from kiosk.visitors import service as visitors
from kiosk.visitors.service import Visitor

DESK = Actor("Li Na", None, "staff")


@pytest.fixture
def host(db, clock):
    visitors.seed_demo(db, clock)
    return visitors.find_hosts(db, "Li Na")[0]["id"]


def _in(db, clock, host, name, phone="13800138000", party=1):
    clock.advance(60)
    return visitors.sign_in(db, clock, Visitor(name=name, phone=phone, host_id=host, purpose="meeting",
                                               party_size=party, privacy_accepted=True)).visit_id


def _names(rows):
    return [r["name"] for r in rows]


def test_visits_are_found_by_pinyin_newest_first(db, clock, host):
    old = _in(db, clock, host, "王芳")
    _in(db, clock, host, "曾志伟", "13911112222")
    _in(db, clock, host, "Anna Lee", "13922223333")
    new = _in(db, clock, host, "王芳", "13933334444")
    _in(db, clock, host, "汪芳芳", "13944445555")
    for query in ("Wang Fang", "wangfang", "WANG FANG", "wáng fāng"):
        rows = visitors.search(db, query)
        assert [r["id"] for r in rows if r["name"] == "王芳"] == [new, old], query
        assert "汪芳芳" in _names(rows), "汪 is wang too"
    assert set(_names(visitors.search(db, "wf"))) == {"王芳", "汪芳芳"}
    assert _names(visitors.search(db, "zeng zhiwei")) == ["曾志伟"]
    assert _names(visitors.search(db, "zzw")) == ["曾志伟"]
    assert _names(visitors.search(db, "Anna")) == ["Anna Lee"], "Latin names as before"
    assert visitors.search(db, "w") == [] and visitors.search(db, "qq") == []
    assert _names(visitors.search(db, "王芳")) == ["王芳", "王芳"], "Chinese as before"
    for hostile in ("\x00\x1b[2J", "%", "_" * 100, "🙂" * 50, "w" * 10_000, "'; DROP TABLE visits; --"):
        visitors.search(db, hostile)
    # 100 results are never more than the limit
    assert len(visitors.search(db, "wf", limit=1)) == 1


def test_an_anonymised_visit_is_never_shown_and_leaves_the_index(db, clock, host):
    visit = _in(db, clock, host, "单田芳")
    assert _names(visitors.search(db, "shan tianfang")) == ["单田芳"]
    index = namesearch.index_for(db)
    assert visit in index.find("shantianfang")
    with db.conn:
        db.execute("UPDATE visits SET name = '', phone = '', organisation = '', id_number = '',"
                   " anonymised_at = '2026-11-23T00:00:00+00:00' WHERE id = ?", (visit,))
    assert visitors.search(db, "shan tianfang") == []
    assert visit not in index.find("shantianfang"), "dropped from the index when found blank"


def test_a_backlog_is_indexed_on_a_thread_and_the_search_answers_at_once(db, clock, host, monkeypatch):
    for i in range(30):
        _in(db, clock, host, "解晓东" if i == 29 else "李娜", f"139{i:08d}")
    monkeypatch.setattr(namesearch, "SYNC_ROWS", 5)
    monkeypatch.setattr(namesearch, "_INDEXES", {})
    monkeypatch.setattr(namesearch, "_BUILDERS", {})
    first = visitors.search(db, "xie xiaodong")  # only 5 visits indexed on the spot
    for thread in list(namesearch._BUILDERS.values()):
        thread.join(timeout=30)
    assert namesearch._BUILDERS, "the backlog went to a thread"
    assert _names(visitors.search(db, "xie xiaodong")) == ["解晓东"]
    assert first in ([], [visitors.search(db, "xie xiaodong")[0]])


def test_staff_find_hosts_by_pinyin(db, clock, host):
    visitors.add_host(db, clock, DESK, "欧阳娜娜", "Finance")
    assert [h["name"] for h in visitors.staff_find_hosts(db, "ouyang")] == ["欧阳娜娜"]
    assert [h["name"] for h in visitors.staff_find_hosts(db, "oynn")] == ["欧阳娜娜"]
    assert "欧阳娜娜" in [h["name"] for h in visitors.staff_find_hosts(db, "Finance")], "departments as before"


def test_someone_signed_out_after_the_roll_call_started_stays_on_it(db, clock, host):
    stays = _in(db, clock, host, "张伟", party=3)
    leaves = _in(db, clock, host, "李四", "13911112222")
    rc = visitors.start_rollcall(db, clock, DESK)
    clock.advance(60)
    visitors.sign_out(db, clock, DESK, leaves)
    later = _in(db, clock, host, "Late Comer", "13922223333")
    rows = {r["id"]: r["safe"] for r in visitors.rollcall_list(db, rc)}
    assert rows == {stays: 0, leaves: 0, later: 0}, "a sign-out accounts for nobody"
    gone_before = _in(db, clock, host, "Early", "13933334444")
    visitors.sign_out(db, clock, DESK, gone_before)
    clock.advance(60)
    rc2 = visitors.start_rollcall(db, clock, DESK)
    assert gone_before not in {r["id"] for r in visitors.rollcall_list(db, rc2)}, "left before it started"
