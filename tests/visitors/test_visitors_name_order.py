"""Outside test of issue 13, through the services staff and visitors use: "yufang" (王's spurious reading)
finds nobody in the visits, the host directory or the lost-and-found register; "Fang Wang" (given name
first, as English speakers write it) finds 王芳 there; the visitor's own host search stays exact (a
stranger typing gets nothing more than before, and nothing about visitors)."""
from __future__ import annotations

import pytest

from kiosk.core.audit import Actor
from kiosk.lostfound import service as lostfound
from kiosk.visitors import service as visitors
from kiosk.visitors.service import Visitor
from tests.lostfound.test_lostfound_service import claim, umbrella

DESK = Actor("Li Na", None, "staff")
WESTERN = ("Fang Wang", "fang wang", "Fang WANG", "fangwang", "Fāng Wáng")
SURNAME_FIRST = ("Wang Fang", "wangfang", "wf", "Wáng Fāng", "WANG FANG")
SPURIOUS = ("yu", "yufang", "yu fang", "Yù Fāng", "yf")


@pytest.fixture
def register(db, clock):
    visitors.seed_demo(db, clock)
    host = visitors.find_hosts(db, "Li Na")[0]["id"]
    ids = {}
    for name, phone in (("王芳", "13800138000"), ("曾志伟", "13911112222"), ("王芳芳", "13922223333"),
                        ("方旺", "13933334444"), ("于芳", "13944445555"), ("欧阳娜娜", "13955556666")):
        clock.advance(60)
        ids[name] = visitors.sign_in(db, clock, Visitor(name=name, phone=phone, host_id=host, purpose="meeting",
                                                        party_size=1, privacy_accepted=True)).visit_id
    return ids


def _names(rows):
    return sorted(r["name"] for r in rows)


def test_visits_by_western_order_and_not_by_a_spurious_reading(db, clock, register):
    for query in WESTERN:
        # 方旺 is "fangwang" read surname first, as before; 王芳芳 is not "Fang Wang" (her given name is Fangfang)
        assert _names(visitors.search(db, query)) == ["方旺", "王芳"], query
    assert _names(visitors.search(db, "Fangfang Wang")) == ["王芳芳"]
    assert _names(visitors.search(db, "Nana Ouyang")) == ["欧阳娜娜"]
    assert _names(visitors.search(db, "Zhiwei Zeng")) == ["曾志伟"]
    for query in SURNAME_FIRST:
        assert "王芳" in _names(visitors.search(db, query)), query
    for query in ("yu", "yufang", "yu fang", "Yù Fāng"):
        assert _names(visitors.search(db, query)) == ["于芳"], (query, "于 is yu; 王 is not")
    for query in ("fang w", "fangwa", "fang wan", "fw"):
        assert "王芳" not in _names(visitors.search(db, query)), query


def test_staff_host_search_by_western_order(db, clock):
    visitors.seed_demo(db, clock)
    for name in ("王芳", "于芳", "曾志伟", "单田芳"):
        visitors.add_host(db, clock, DESK, name, "前台")
    for query in WESTERN:
        assert [h["name"] for h in visitors.staff_find_hosts(db, query)] == ["王芳"], query
    assert [h["name"] for h in visitors.staff_find_hosts(db, "yufang")] == ["于芳"]
    assert [h["name"] for h in visitors.staff_find_hosts(db, "Tianfang Shan")] == ["单田芳"]
    assert [h["name"] for h in visitors.staff_find_hosts(db, "shan tianfang")] == ["单田芳"]


def test_the_visitors_host_search_stays_exact(db, clock, register):
    """The sign-in screen's directory (visitors.host_answer) is not the staff matcher: nothing new answers
    there, neither the Western order nor a spurious reading, and it never lists visitors."""
    for name in ("王芳", "于芳", "曾志伟"):
        visitors.add_host(db, clock, DESK, name, "前台")
    for query in ("wang fang", "wf"):  # as before: the whole name, or its initials
        assert [h["name"] for h in visitors.host_answer(db, query).hosts] == ["王芳"], query
    for query in (*WESTERN, "yu fang wang", "yufang", "fw", "fang w", "欧阳", "13800138000"):
        names = [h["name"] for h in visitors.host_answer(db, query).hosts]
        assert "王芳" not in names and "王芳芳" not in names and "欧阳娜娜" not in names, (query, names)
    assert [h["name"] for h in visitors.host_answer(db, "yu fang").hosts] == ["于芳"]


def test_lost_and_found_by_western_order_and_not_by_a_spurious_reading(db, clock):
    passport = umbrella(db, clock, category="documents", description="护照一本，姓名：王芳", handed_in_name="保洁 李阿姨")
    wallet = umbrella(db, clock, category="wallet", description="黑色钱包", handed_in_name="王芳")
    umbrella(db, clock, description="蓝色雨伞", handed_in_name="于芳")
    refs = lambda found: sorted(item.description for item in found)  # noqa: E731
    for query in ("Fang Wang", "fang wang", "Fang WANG"):
        assert refs(lostfound.search(db, query)) == ["护照一本，姓名：王芳", "黑色钱包"], query
    assert refs(lostfound.search(db, "fangwang")) == ["黑色钱包"], "one word: the handed-in name whole only"
    assert refs(lostfound.search(db, "yufang")) == ["蓝色雨伞"]
    assert refs(lostfound.search(db, "yu fang")) == ["蓝色雨伞"]
    claim(db, clock, wallet, claimant_name="欧阳娜娜")
    assert refs(lostfound.search(db, "Nana Ouyang", status="claimed")) == ["黑色钱包"]
    assert passport.id
