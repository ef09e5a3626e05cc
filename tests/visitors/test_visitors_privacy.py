"""What a stranger at the visitor screen can learn: nothing from a phone number, no browsable directory,
a deny list that spacing or full-width digits do not dodge."""
from __future__ import annotations

import pytest

from kiosk.core import audit
from kiosk.core.db import write
from kiosk.visitors import service as visitors
from kiosk.visitors.service import SeeTheDesk, Visitor, VisitorError

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
    assert visitors.details_by_pass(db, first.code.lower(), clock) == {"name": "欧阳娜娜", "phone": "13911112222",
                                                                        "organisation": "华为", "purpose": "meeting"}
    for guess in ("", "ZZZZZ", "%", "_____", first.code + "X", "' OR 1=1 --"):
        assert visitors.details_by_pass(db, guess, clock) == {}
    clock.advance(40 * 24 * 3600)
    visitors.apply_retention(db, clock)
    assert visitors.details_by_pass(db, first.code, clock) == {}, "an anonymised visit proves nothing"


@pytest.mark.parametrize("how", ["code", "staff", "auto", "window"])
def test_a_badge_code_stops_proving_once_its_visit_is_over(db, clock, host, how):
    """A badge left on a table or thrown away proves no one: not after the visit is signed out (by its
    code, by staff, by the evening's automatic sign-out) and not after BADGE_PROOF_HOURS."""
    first = visitors.sign_in(db, clock, Visitor("欧阳娜娜", "13911112222", host, "meeting", organisation="华为",
                                                privacy_accepted=True))
    assert visitors.check_pass(db, clock, first.code) == {"expected": None}
    if how == "code":
        visitors.sign_out_by_code(db, clock, first.code)
    elif how == "staff":
        visitors.sign_out(db, clock, visitors.Actor("Li Na", None, "staff"), first.visit_id)
    elif how == "auto":
        with write(db):
            db.execute("INSERT INTO visit_signouts (visit_id, at, kind, actor_id, actor) VALUES (?, ?, 'auto', NULL,"
                       " 'system')", (first.visit_id, "2099-01-01T00:00:00Z"))
    else:
        clock.advance(visitors.BADGE_PROOF_HOURS * 3600 + 1)
    assert visitors.details_by_pass(db, first.code, clock) == {}
    with pytest.raises(VisitorError, match="not known here"):
        visitors.check_pass(db, clock, first.code)
    with pytest.raises(VisitorError, match="not known here"):
        visitors.sign_in(db, clock, Visitor("", "", host, "", privacy_accepted=True, pass_code=first.code))
    assert db.execute("SELECT COUNT(*) FROM visits").fetchone()[0] == 1, "nobody signed in on an old badge"


def test_a_code_proves_only_its_own_holder(db, clock, host):
    """A stranger with her badge code who types their own name (or phone) is not her, and is not
    "welcome back": nothing of hers is copied; her own name beside her code, spaced or full width, is fine."""
    hers = visitors.sign_in(db, clock, Visitor("欧阳娜娜", "13911112222", host, "delivery", organisation="华为",
                                               privacy_accepted=True))
    for name, phone in (("王小明", ""), ("", "13500000000"), ("欧阳娜", ""), ("欧阳娜娜", "13911112223")):
        with pytest.raises(VisitorError, match="not known here"):
            visitors.sign_in(db, clock, Visitor(name, phone, host, "", privacy_accepted=True, pass_code=hers.code))
    assert db.execute("SELECT COUNT(*) FROM visits").fetchone()[0] == 1
    again = visitors.sign_in(db, clock, Visitor("欧阳　娜娜", "+86 139-1111-2222", host, "", privacy_accepted=True,
                                                pass_code=hers.code))
    assert again.returning
    # Her phone with someone else's name is a new visitor: not welcomed back, her company not copied.
    other = visitors.sign_in(db, clock, Visitor("王小明", "13911112222", host, "", privacy_accepted=True))
    row = next(db.query("SELECT organisation, purpose FROM visits WHERE id = ?", (other.visit_id,)))
    assert not other.returning and row["organisation"] == "" and row["purpose"] == "meeting"


def test_check_pass_counts_wrong_codes_and_then_answers_nobody(db, clock, host):
    """The 25^5 badge codes cannot be walked at the touchscreen: after PASS_TRIES wrong codes in the window
    everyone is sent to the desk, even with a right code; the window passes and her code works again."""
    first = visitors.sign_in(db, clock, Visitor("欧阳娜娜", "13911112222", host, "delivery", organisation="华为",
                                                privacy_accepted=True))
    assert visitors.check_pass(db, clock, "SO:" + first.code) == {"expected": None}
    for n in range(visitors.PASS_TRIES):
        with pytest.raises(VisitorError, match="not known here") as wrong:
            visitors.check_pass(db, clock, f"QQQQ{visitors.CODE_ALPHABET[n]}")
        assert wrong.value.field == "pass_code" and wrong.value.params == {}
    with pytest.raises(VisitorError, match="too many wrong codes"):
        visitors.check_pass(db, clock, first.code)
    with pytest.raises(VisitorError, match="too many wrong codes"):  # the last step cannot skip the check
        visitors.sign_in(db, clock, Visitor("", "", host, "", privacy_accepted=True, pass_code=first.code))
    clock.advance(visitors.PASS_WINDOW + 1)
    again = visitors.sign_in(db, clock, Visitor("", "", host, "", privacy_accepted=True, pass_code=first.code))
    row = next(db.query("SELECT * FROM visits WHERE id = ?", (again.visit_id,)))
    assert again.returning and (row["name"], row["phone"], row["organisation"], row["purpose"]) == (
        "欧阳娜娜", "13911112222", "华为", "delivery")
    wrongs = db.execute("SELECT COUNT(*), MAX(before), MAX(after) FROM audit WHERE action = 'visitor.pass_wrong'").fetchone()
    assert wrongs == (visitors.PASS_TRIES, None, None), "counted, without the codes typed"


def test_a_denied_visitor_with_a_badge_code_is_sent_to_the_desk(db, clock, host):
    first = visitors.sign_in(db, clock, Visitor("欧阳娜娜", "13911112222", host, "meeting", privacy_accepted=True))
    visitors.add_to_deny_list(db, clock, visitors.Actor("Li Na", None, "staff"), phone="+86 139-1111-2222",
                              reason="banned")
    with pytest.raises(visitors.SeeTheDesk):
        visitors.check_pass(db, clock, first.code)
    with pytest.raises(visitors.SeeTheDesk):
        visitors.sign_in(db, clock, Visitor("", "", host, "", privacy_accepted=True, pass_code=first.code))


def test_sign_out_codes_cannot_be_walked_either(db, clock, host):
    """A stranger guessing codes at the sign-out screen would sign other people out: the same count."""
    first = visitors.sign_in(db, clock, Visitor("欧阳娜娜", "13911112222", host, "meeting", privacy_accepted=True))
    for n in range(visitors.PASS_TRIES):
        with pytest.raises(VisitorError, match="no visit with that code"):
            visitors.sign_out_by_code(db, clock, f"QQQQ{visitors.CODE_ALPHABET[n]}")
    with pytest.raises(VisitorError, match="too many wrong codes"):
        visitors.sign_out_by_code(db, clock, first.code)
    assert visitors.on_site(db), "still signed in: the guesser signed nobody out"
    clock.advance(visitors.PASS_WINDOW + 1)
    assert visitors.sign_out_by_code(db, clock, "so:" + first.code.lower()) and not visitors.on_site(db)


def test_an_invitation_code_is_proof_on_its_day_only(db, clock, host):
    from zoneinfo import ZoneInfo
    desk = visitors.Actor("Li Na", None, "staff")
    today = clock.now().astimezone(ZoneInfo("Asia/Shanghai")).date()
    entry = visitors.add_expected(db, clock, desk, name="欧阳娜娜", phone="13911112222", host_id=host,
                                  expected_on=today.isoformat())
    [row] = visitors.expected_on(db, today.isoformat())
    code = row["invite_code"]
    assert row["id"] == entry and len(code) == 5 and set(code) <= set(visitors.CODE_ALPHABET)
    proof = visitors.check_pass(db, clock, code.lower())
    assert proof["expected"]["id"] == host and set(proof) == {"expected"}, "the host, nothing about her"
    result = visitors.sign_in(db, clock, Visitor("", "", host, "", privacy_accepted=True, pass_code=code))
    visit = next(db.query("SELECT * FROM visits WHERE id = ?", (result.visit_id,)))
    assert result.expected and not result.returning, "invited, not here before"
    assert (visit["name"], visit["phone"], visit["expected_id"], visit["purpose"]) == ("欧阳娜娜", "13911112222", entry,
                                                                                      "meeting")
    tomorrow = (today + __import__("datetime").timedelta(days=1)).isoformat()
    visitors.add_expected(db, clock, desk, name="Wu Fang", phone="13500000000", host_id=host, expected_on=tomorrow)
    [later] = visitors.expected_on(db, tomorrow)
    with pytest.raises(VisitorError, match="not known here"):  # tomorrow's invitation is not today's proof
        visitors.check_pass(db, clock, later["invite_code"])
    assert later["invite_code"] != code and later["invite_code"] != result.code


def test_an_invitation_code_is_single_use(db, clock, host):
    """Once it has signed the invitee in - or they arrived by typing their phone and name - the code
    proves nothing: a forwarded, photographed or overheard code signs no stranger in as them."""
    from zoneinfo import ZoneInfo
    desk = visitors.Actor("Li Na", None, "staff")
    today = clock.now().astimezone(ZoneInfo("Asia/Shanghai")).date().isoformat()
    visitors.add_expected(db, clock, desk, name="欧阳娜娜", phone="13911112222", host_id=host, expected_on=today)
    visitors.add_expected(db, clock, desk, name="Ｗｕ Ｆａｎｇ", phone="13500000000", host_id=host, expected_on=today)
    first, second = (r["invite_code"] for r in visitors.expected_on(db, today))
    visitors.sign_in(db, clock, Visitor("", "", host, "", privacy_accepted=True, pass_code=first))
    clock.advance(3600)
    for typed in (first, first.lower(), "SO:" + first, "ｓｏ：" + first.lower()):
        with pytest.raises(VisitorError, match="not known here"):
            visitors.check_pass(db, clock, typed)
        with pytest.raises(VisitorError, match="not known here"):
            visitors.sign_in(db, clock, Visitor("", "", host, "", privacy_accepted=True, pass_code=typed))
    assert db.execute("SELECT count(*) FROM visits").fetchone() == (1,), "nobody signed in as her"
    # arriving by phone and name uses the code up too
    visitors.sign_in(db, clock, Visitor("wu fang", "13500000000", host, "meeting", privacy_accepted=True))
    with pytest.raises(VisitorError, match="not known here"):
        visitors.check_pass(db, clock, second)


def test_taps_on_an_empty_or_malformed_code_use_up_no_ones_tries(db, clock, host):
    first = visitors.sign_in(db, clock, Visitor("欧阳娜娜", "13911112222", host, "meeting", privacy_accepted=True))
    for junk in ["", " ", "ZZZZZ", "1234", "ACDEFG", "😀" * 5, "\x00" * 5] * 5:
        with pytest.raises(VisitorError, match="not known here"):
            visitors.check_pass(db, clock, junk)
    assert visitors.check_pass(db, clock, first.code) == {"expected": None}


@pytest.mark.parametrize("phone, name", [("8613912345678", "Someone"), ("+86 (0)139 1234 5678", "Someone"),
                                         ("013912345678", "Someone"), ("13500000000", "Zhang San"),
                                         ("13500000000", "zhangsan"), ("13500000000", "ZHANG  SAN")])
def test_the_deny_list_is_not_dodged_by_86_in_front_or_the_name_in_pinyin(db, clock, host, phone, name):
    """Outside test F8: the visitor numpad has no "+", so "86" typed in front; "+86 (0)…"; the name on the
    Latin layer. Each is sent to the desk (checked at the phone step, the name step and the last tap)."""
    visitors.add_to_deny_list(db, clock, visitors.Actor("Li Na", None, "staff"), name="张三", phone="13912345678",
                              reason="banned")
    with pytest.raises(SeeTheDesk):
        visitors.check_deny(db, clock, phone=phone, name=name)
    with pytest.raises(SeeTheDesk):
        visitors.sign_in(db, clock, Visitor(name, phone, host, "meeting", privacy_accepted=True))
    assert db.execute("SELECT COUNT(*) FROM visits").fetchone()[0] == 0


def test_a_number_typed_with_86_is_stored_and_erased_as_the_mobile(db, clock, host):
    from kiosk.core import erasure
    visit = visitors.sign_in(db, clock, Visitor("王小明", "8613912345678", host, "meeting", privacy_accepted=True))
    assert db.execute("SELECT phone FROM visits WHERE id = ?", (visit.visit_id,)).fetchone()[0] == "13912345678"
    assert erasure.find(db, erasure.Person(phone="+86 139 1234 5678")).tables().get("visits") == 1
    assert erasure.Needles.of([erasure.Person(phone="13912345678")]).replace("回电 8613912345678 或 +86(0)139-1234-5678") \
        == "回电 *** 或 ***"


def test_a_pinyin_syllable_answers_only_whole(db, clock):
    """Outside test F14: 'zho' listed 周伟, 'hon' 陈晓红: three letters of a syllable walk the directory."""
    from kiosk.core.audit import Actor
    manager = Actor("M", None, "manager")
    for name in ("周伟", "陈晓红", "Emma Clarke"):
        visitors.add_host(db, clock, manager, name, "")
    names = lambda q: [h["name"] for h in visitors.find_hosts(db, q)]  # noqa: E731
    assert names("zho") == [] and names("hon") == [] and names("xia") == []
    assert names("zhou") == ["周伟"] and names("hong") == ["陈晓红"] and names("cxh") == ["陈晓红"]
    assert names("emm") == ["Emma Clarke"], "a Latin name's first letters still answer"


def test_ten_made_up_codes_slow_the_sign_out_down_but_never_close_it(db, clock, host):
    """Outside test F9: ten wrong codes at the sign-out blocked every visitor for 10 minutes, again and again.
    Past the count, one try per SIGNOUT_PAUSE: the real visitor waits seconds, a guesser gets 2 a minute."""
    first = visitors.sign_in(db, clock, Visitor("欧阳娜娜", "13911112222", host, "meeting", privacy_accepted=True))
    for n in range(visitors.PASS_TRIES):
        with pytest.raises(VisitorError, match="no visit with that code"):
            visitors.sign_out_by_code(db, clock, f"QQQQ{visitors.CODE_ALPHABET[n]}")
    with pytest.raises(VisitorError, match="too many wrong codes"):
        visitors.sign_out_by_code(db, clock, first.code)
    clock.advance(visitors.SIGNOUT_PAUSE + 1)
    with pytest.raises(VisitorError, match="no visit with that code"):  # the guesser's next try...
        visitors.sign_out_by_code(db, clock, f"QQQQ{visitors.CODE_ALPHABET[-1]}")
    with pytest.raises(VisitorError, match="too many wrong codes"):    # ...costs them (and her) a pause
        visitors.sign_out_by_code(db, clock, first.code)
    clock.advance(visitors.SIGNOUT_PAUSE + 1)
    assert visitors.sign_out_by_code(db, clock, first.code) and not visitors.on_site(db)
