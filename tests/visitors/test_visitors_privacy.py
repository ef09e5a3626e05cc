"""What a stranger at the visitor screen can learn: nothing from a phone number, no browsable directory,
a deny list that spacing or full-width digits do not dodge."""
from __future__ import annotations

import pytest

from kiosk.core import audit
from kiosk.visitors import service as visitors
from kiosk.visitors.service import SeeTheDesk, Visitor

@pytest.fixture
def desk():
    from kiosk.core.audit import Actor
    return Actor("Li Na", None, "staff")


@pytest.fixture
def host(db, clock):
    visitors.seed_demo(db, clock)
    return visitors.find_hosts(db, "Li Na")[0]["id"]


def names(found):
    return [h["name"] for h in found]


@pytest.mark.parametrize("query", ["", "_", "%", "__", "%%", "%_%", "部", "李", "L", "i", "an", "Li%", "\\", "*",
                                   "财务部", "会籍部", "Membership", "Admin", "pro shop", "a" * 2000, "😀😀"])
def test_the_directory_never_lists_for_a_wildcard_a_letter_or_a_department(db, clock, host, query):
    assert visitors.find_hosts(db, query) == [], query


@pytest.mark.parametrize("query,expected", [
    ("李经理", ["李经理 Li Na"]), ("经理", ["李经理 Li Na"]),      # two characters of a name
    ("Li", ["李经理 Li Na", "刘洋 Liu Yang"][:1]),                 # a full pinyin syllable (Liu is not Li)
    ("zhang", ["张敏 Zhang Min"]), ("ZHANG MIN", ["张敏 Zhang Min"]),
    ("zm", ["张敏 Zhang Min"]), ("wjg", ["王建国 Wang Jianguo"]),   # initials of a full name
    ("jianguo", ["王建国 Wang Jianguo"]), ("Ｅｍｍａ", ["Emma Clarke"]), ("cla", ["Emma Clarke"]),
])
def test_the_directory_answers_a_real_question(db, clock, host, query, expected):
    assert names(visitors.find_hosts(db, query)) == expected


def test_at_most_five_answers_and_no_department_in_them(db, clock, host, desk):
    for n in range(12):
        visitors.add_host(db, clock, desk, f"王{n:02d} Wang", "行政部")
    found = visitors.find_hosts(db, "wang")
    assert len(found) == 5 and all(set(h) == {"id", "name"} for h in found)
    assert len(visitors.find_hosts(db, "wang", limit=50)) == 5
    assert len(visitors.staff_find_hosts(db, "行政")) == 10, "staff at the counter may search departments"
    assert visitors.staff_find_hosts(db, "%") == [] and visitors.staff_find_hosts(db, "_") == []


def test_a_phone_number_alone_reveals_nothing(db, clock, host):
    visitors.sign_in(db, clock, Visitor("欧阳娜娜", "13911112222", host, "meeting", organisation="华为技术有限公司",
                                        privacy_accepted=True))
    public = [n for n in dir(visitors) if not n.startswith("_")]
    assert "returning_hint" not in public and "prefill" not in public
    today = clock.now().date().isoformat()
    assert visitors.expected_host(db, clock, "13911112222", "") is None
    assert visitors.expected_host(db, clock, "13911112222", "欧阳") is None
    stranger = visitors.sign_in(db, clock, Visitor("欧阳", "13911112222", host, "meeting", privacy_accepted=True))
    assert not stranger.returning and not stranger.expected
    row = db.execute("SELECT organisation FROM visits WHERE id = ?", (stranger.visit_id,)).fetchone()
    assert row[0] == "", "a partial name is not proof: nothing copied"
    assert today


def test_expected_visitor_is_matched_only_with_their_name(db, clock, host, desk):
    today = clock.now().astimezone(__import__("zoneinfo").ZoneInfo("Asia/Shanghai")).date().isoformat()
    visitors.add_expected(db, clock, desk, name="Anna Lee", phone="139 1111 2222", host_id=host, expected_on=today)
    assert visitors.expected_host(db, clock, "13911112222", "Bob") is None
    found = visitors.expected_host(db, clock, "+86 139-1111-2222", "ANNA LEE")
    assert found["id"] == host and found["name"] == "李经理 Li Na"
    result = visitors.sign_in(db, clock, Visitor("anna lee", "13911112222", host, "meeting", privacy_accepted=True))
    assert result.expected and not result.returning
    assert visitors.greeting(1, result.returning, result.expected) == "Welcome — {host} is expecting you"
    assert [e["action"] for e in audit.entries(db, table="visits")][-1] == "visitor.expected_arrived"


@pytest.mark.parametrize("typed", ["133 0000 0000", "+86 13300000000", "133-0000-0000", "１３３００００００００",
                                   "0086 133 0000 0000"])
def test_deny_list_phone_is_not_dodged_by_formatting(db, clock, host, desk, typed):
    visitors.add_to_deny_list(db, clock, desk, phone="13300000000", reason="曾闹事")
    with pytest.raises(SeeTheDesk):
        visitors.check_deny(db, clock, phone=typed)
    with pytest.raises(SeeTheDesk):
        visitors.sign_in(db, clock, Visitor("某人", typed, host, "meeting", privacy_accepted=True))
    assert db.execute("SELECT COUNT(*) FROM visits").fetchone()[0] == 0


@pytest.mark.parametrize("typed", ["赵 某某", "赵　某某", " 赵某某", "ＺＨＡＯ", "zhao"])
def test_deny_list_name_is_folded(db, clock, host, desk, typed):
    visitors.add_to_deny_list(db, clock, desk, name="赵某某", reason="r")
    visitors.add_to_deny_list(db, clock, desk, name="Zhao", reason="r")
    with pytest.raises(SeeTheDesk) as err:
        visitors.check_deny(db, clock, name=typed)
    assert "reason" not in str(err.value) and str(err.value) == "please see the desk"
    assert [e["action"] for e in audit.entries(db, table="deny_list")][-1] == "visitor.deny_match"


def test_deny_list_matches_an_identity_document_at_the_counter(db, clock, host, desk):
    visitors.add_to_deny_list(db, clock, desk, id_type="id_card", id_number="110101199003071233", reason="r")
    stored = db.execute("SELECT id_number FROM deny_list").fetchone()[0]
    assert stored == "110101********1233", "kept masked"
    with pytest.raises(SeeTheDesk):
        visitors.sign_in(db, clock, Visitor("Someone", "13500000000", host, "meeting", id_type="id_card",
                                            id_number="110101 19900307 1233"), actor=desk)
    visitors.lift_deny(db, clock, __import__("kiosk.core.audit", fromlist=["Actor"]).Actor("M", None, "manager"),
                       visitors.deny_entries(db)[0]["id"], "resolved")
    visitors.sign_in(db, clock, Visitor("Someone", "13500000000", host, "meeting", id_type="id_card",
                                        id_number="110101199003071233"), actor=desk)


def test_a_pass_code_from_their_own_badge_is_proof(db, clock, host):
    first = visitors.sign_in(db, clock, Visitor("欧阳娜娜", "13911112222", host, "meeting", organisation="华为",
                                                privacy_accepted=True))
    assert visitors.details_by_pass(db, first.code.lower()) == {"name": "欧阳娜娜", "phone": "13911112222",
                                                                 "organisation": "华为"}
    for guess in ("", "ZZZZZ", "%", "_____", first.code + "X", "' OR 1=1 --"):
        assert visitors.details_by_pass(db, guess) == {}
    clock.advance(40 * 24 * 3600)
    visitors.apply_retention(db, clock)
    assert visitors.details_by_pass(db, first.code) == {}, "an anonymised visit proves nothing"
