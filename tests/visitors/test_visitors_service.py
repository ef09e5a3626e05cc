"""The visitor register: validation, privacy, returning visitors, deny list, sign-out, retention, search."""
from __future__ import annotations

import pytest

from kiosk.core import audit
from kiosk.visitors import service as visitors
from kiosk.core.audit import Actor
from kiosk.visitors.service import SeeTheDesk, Visitor, VisitorError

DESK = Actor("Li Na", None, "staff")


@pytest.fixture
def host(db, clock):
    visitors.seed_demo(db, clock)
    return visitors.find_hosts(db, "Li Na")[0]["id"]


def visitor(host, **extra):
    return Visitor(**({"name": "王小明", "phone": "13800138000", "host_id": host, "purpose": "meeting",
                       "party_size": 1, "organisation": "星河科技", "privacy_accepted": True} | extra))


@pytest.mark.parametrize("fields,field,message", [
    ({"name": ""}, "name", "name is required"),
    ({"name": "x" * 41}, "name", "too long"),
    ({"name": "王小明😀"}, "name", "cannot contain emoji"),
    ({"name": "王\x00明"}, "name", "control characters"),
    ({"phone": "138abc8000"}, "phone", "may only have digits"),
    ({"phone": ""}, "phone", "phone is required"),
    ({"purpose": "party"}, "purpose", "choose the purpose"),
    ({"party_size": 0}, "party_size", "1 to 50"),
    ({"host_id": 999}, "host", "choose whom you are visiting"),
    ({"privacy_accepted": False}, "privacy", "privacy notice"),
])
def test_bad_input_names_the_field_and_stores_nothing(db, clock, host, fields, field, message):
    with pytest.raises(VisitorError, match=message) as err:
        visitors.sign_in(db, clock, visitor(host, **fields))
    assert err.value.field == field
    assert db.execute("SELECT COUNT(*) FROM visits").fetchone()[0] == 0


def test_sql_looking_text_is_just_text(db, clock, host):
    visitors.sign_in(db, clock, visitor(host, name="Robert'); DROP TABLE visits;--"))
    assert db.execute("SELECT name FROM visits").fetchone()[0] == "Robert'); DROP TABLE visits;--"


def test_returning_visitor_is_recognised_only_by_their_own_name(db, clock, host):
    first = visitors.sign_in(db, clock, visitor(host))
    assert not first.returning and len(first.code) == 5
    assert not hasattr(visitors, "returning_hint") and not hasattr(visitors, "prefill"), "no hint exists to leak"
    # A stranger with the same phone and another name: a first visit, nothing copied from the earlier one.
    stranger = visitors.sign_in(db, clock, visitor(host, name="李四", organisation=""))
    assert not stranger.returning
    assert db.execute("SELECT organisation FROM visits WHERE id = ?", (stranger.visit_id,)).fetchone()[0] == ""
    # The visitor types their own name (spaced, full-width space): welcome back, company copied unseen.
    again = visitors.sign_in(db, clock, visitor(host, name=" 王　小明", phone="+86 138-0013-8000", organisation="",
                                                party_size=2))
    assert again.returning and visitors.greeting(2, True) == "Welcome back, all of you!"
    assert db.execute("SELECT organisation, phone FROM visits WHERE id = ?", (again.visit_id,)).fetchone() == (
        "星河科技", "13800138000")
    assert visitors.greeting(1, False) == "Welcome!" and visitors.greeting(3, False) == "Welcome, everyone!"


def test_deny_list_gives_a_neutral_answer_and_stores_no_visit(db, clock, host):
    visitors.add_to_deny_list(db, clock, DESK, phone="13800138000", reason="banned by management")
    with pytest.raises(SeeTheDesk):
        visitors.sign_in(db, clock, visitor(host))
    assert db.execute("SELECT COUNT(*) FROM visits").fetchone()[0] == 0
    assert audit.entries(db, table="deny_list")[-1]["action"] == "visitor.deny_match"


def test_staff_registration_masks_the_document_number(db, clock, host):
    visitors.sign_in(db, clock, visitor(host, id_type="id_card", id_number="110101199003071233"), actor=DESK)
    row = next(db.query("SELECT * FROM visits"))
    assert (row["registered_by"], row["id_number"]) == ("staff", "110101********1233")


def test_sign_out_by_code_on_site_list_and_roll_call(db, clock, host):
    a = visitors.sign_in(db, clock, visitor(host))
    b = visitors.sign_in(db, clock, visitor(host, name="Anna Lee", phone="13911112222"))
    assert [v["name"] for v in visitors.on_site(db)] == ["王小明", "Anna Lee"]
    assert visitors.sign_out_by_code(db, clock, a.code.lower()) == a.host_name
    with pytest.raises(VisitorError, match="no visit with that code"):  # the same words as a code never issued
        visitors.sign_out_by_code(db, clock, a.code)
    with pytest.raises(VisitorError, match="no visit with that code"):
        visitors.sign_out_by_code(db, clock, "ZZZZZ")
    visitors.mark_located(db, clock, DESK, b.visit_id)
    [left] = visitors.on_site(db)
    assert left["name"] == "Anna Lee" and left["located"]


def test_auto_sign_out_at_the_configured_time(db, clock, host):
    from kiosk.core import settings
    visitors.sign_in(db, clock, visitor(host))           # 09:00 Shanghai
    settings.put(db, clock, DESK, "auto_signout_time", "18:00")
    assert visitors.auto_sign_out(db, clock, "Asia/Shanghai") == 0
    clock.advance(9.5 * 3600)                             # 18:30
    assert visitors.auto_sign_out(db, clock, "Asia/Shanghai") == 1
    assert visitors.on_site(db) == []
    assert db.execute("SELECT kind FROM visit_signouts").fetchone()[0] == "auto"


def test_retention_anonymises_but_keeps_statistics(db, clock, host):
    visitors.sign_in(db, clock, visitor(host, party_size=3))
    clock.advance(31 * 24 * 3600)
    visitors.sign_in(db, clock, visitor(host, name="Anna Lee", phone="13911112222"))
    assert visitors.apply_retention(db, clock) == 1
    old, new = list(db.query("SELECT * FROM visits ORDER BY id"))
    assert (old["name"], old["phone"], old["organisation"]) == ("", "", "")
    assert (old["party_size"], old["purpose"], old["host_name"]) == (3, "meeting", new["host_name"])
    assert new["name"] == "Anna Lee"
    assert visitors.search(db, "王小明") == []
    assert audit.entries(db, table="visits")[-1]["action"] == "visitor.retention"
    assert not visitors.sign_in(db, clock, visitor(host)).returning, "an anonymised visit recognises nobody"


def test_search_by_name_phone_organisation_and_host(db, clock, host):
    visitors.sign_in(db, clock, visitor(host))
    visitors.sign_in(db, clock, visitor(host, name="Anna Lee", phone="13911112222", organisation="Acme Golf"))
    assert [v["name"] for v in visitors.search(db, "Acme")] == ["Anna Lee"]
    assert [v["name"] for v in visitors.search(db, "王小")] == ["王小明"]     # two characters: a scan
    assert [v["name"] for v in visitors.search(db, "1391111")] == ["Anna Lee"]
    assert len(visitors.search(db, "Li Na")) == 2                          # the host


def test_host_directory_is_searchable_not_browsable(db, clock, host):
    assert visitors.find_hosts(db, "") == []
    assert visitors.find_hosts(db, "财务") == [], "a department lists nobody"
    assert [h["name"] for h in visitors.find_hosts(db, "张敏")] == ["张敏 Zhang Min"]


def test_housekeeping_runs_retention_once_a_day_and_auto_sign_out_when_due(db, clock, host):
    from kiosk.visitors import housekeeping
    from kiosk.core import settings
    visitors.sign_in(db, clock, visitor(host))                        # day 1, 09:00
    settings.put(db, clock, DESK, "auto_signout_time", "20:00")
    first = housekeeping.run_due(db, clock, "Asia/Shanghai")
    assert (first.signed_out, first.anonymised, first.retention.ok) == (0, 0, True)
    assert housekeeping.run_due(db, clock, "Asia/Shanghai").anonymised is None, "once a day"
    clock.advance(11.5 * 3600)                                         # 20:30
    assert housekeeping.run_due(db, clock, "Asia/Shanghai").signed_out == 1
    clock.advance(31 * 24 * 3600)
    assert housekeeping.run_due(db, clock, "Asia/Shanghai").anonymised == 1
    assert db.execute("SELECT name FROM visits").fetchone()[0] == ""


def test_cli_onsite_search_and_housekeeping(db, db_path, clock, host):
    from click.testing import CliRunner
    from kiosk.cli.main import main
    visitors.sign_in(db, clock, visitor(host))
    runner = CliRunner()
    out = runner.invoke(main, ["visitors", "onsite", "--db", str(db_path)])
    assert out.exit_code == 0 and "王小明" in out.output and "在场：1 批来访，共 1 人" in out.output
    assert runner.invoke(main, ["visitors", "search", "星河科", "--db", str(db_path)]).exit_code == 2, "a manager's act"
    from kiosk.core import auth as auth_mod
    from kiosk.core.audit import SYSTEM
    auth_mod.add_user(db, clock, SYSTEM, "王经理", "manager", "9999")
    wrong = runner.invoke(main, ["visitors", "search", "星河科", "--db", str(db_path), "--manager", "王经理"],
                          input="0000\n")
    assert wrong.exit_code == 1 and "13800138000" not in wrong.output
    out = runner.invoke(main, ["visitors", "search", "星河科", "--db", str(db_path), "--manager", "王经理"],
                        input="9999\n")
    assert out.exit_code == 0 and "13800138000" in out.output
    assert "没有找到来访记录" in runner.invoke(main, ["visitors", "search", "nobody", "--db", str(db_path),
                                                     "--manager", "王经理"], input="9999\n").output
    looked = db.execute("SELECT actor, after FROM audit WHERE action = 'visitor.search'").fetchall()
    assert len(looked) == 2 and looked[0][0] == "王经理" and "星河" not in looked[0][1]
    out = runner.invoke(main, ["visitors", "housekeeping", "--db", str(db_path)])
    assert out.exit_code == 0 and "已匿名化：" in out.output
    assert runner.invoke(main, ["visitors", "host-add", "赵六", "--db", str(db_path)]).exit_code == 2
    out = runner.invoke(main, ["visitors", "host-add", "", "--db", str(db_path), "--manager", "王经理"], input="9999\n")
    assert out.exit_code == 1 and "请填写姓名" in out.output


def test_expected_visitor_is_matched_on_arrival(db, clock, host):
    with pytest.raises(VisitorError, match="2026-11-23"):
        visitors.add_expected(db, clock, DESK, name="Anna Lee", phone="13911112222", host_id=host, expected_on="tmrw")
    with pytest.raises(VisitorError, match="digits"):
        visitors.add_expected(db, clock, DESK, name="Anna Lee", phone="139-abc", host_id=host, expected_on="2026-11-23")
    visitors.add_expected(db, clock, DESK, name="Anna Lee", phone="13911112222", host_id=host, expected_on="2026-11-23")
    [entry] = visitors.expected_on(db, "2026-11-23")
    assert (entry["name"], entry["arrived"]) == ("Anna Lee", 0)
    result = visitors.sign_in(db, clock, visitor(host, name="Anna Lee", phone="13911112222"))
    assert result.expected and visitors.expected_on(db, "2026-11-23")[0]["arrived"] == 1
    assert visitors.expected_on(db, "2026-11-24") == []


def test_a_deny_match_is_listed_for_staff_only_and_stores_no_visit(db, clock, host):
    visitors.add_to_deny_list(db, clock, DESK, phone="13800138000", reason="banned after an incident")
    with pytest.raises(SeeTheDesk):
        visitors.sign_in(db, clock, visitor(host))
    [alert] = visitors.deny_alerts(db, "2000-01-01")
    assert (alert["phone"], alert["reason"], alert["by_whom"]) == ("13800138000", "banned after an incident", "visitor")
    assert db.execute("SELECT COUNT(*) FROM visits").fetchone()[0] == 0


def test_search_by_local_day(db, clock, host):
    visitors.sign_in(db, clock, visitor(host))                        # 2026-11-23 09:00 Shanghai
    clock.advance(16 * 3600)                                          # 01:00 the next local day
    visitors.sign_in(db, clock, visitor(host, name="Anna Lee", phone="13911112222"))
    assert [v["name"] for v in visitors.search(db, "2026-11-23")] == ["王小明"]
    assert [v["name"] for v in visitors.search(db, "2026-11-24")] == ["Anna Lee"]
    assert visitors.search(db, "2026-13-40") == []


def test_deny_list_entries_are_lifted_by_a_manager_not_deleted(db, clock, host):
    manager = Actor("Zhou Min", None, "manager")
    with pytest.raises(VisitorError, match="reason is required"):
        visitors.add_to_deny_list(db, clock, DESK, phone="13800138000", reason=" ")
    entry = visitors.add_to_deny_list(db, clock, DESK, phone="13800138000", reason="banned")
    with pytest.raises(SeeTheDesk):
        visitors.sign_in(db, clock, visitor(host))
    with pytest.raises(VisitorError, match="manager"):
        visitors.lift_deny(db, clock, DESK, entry, "apologised")
    visitors.lift_deny(db, clock, manager, entry, "apologised")
    with pytest.raises(VisitorError, match="already lifted"):
        visitors.lift_deny(db, clock, manager, entry, "again")
    assert visitors.deny_entries(db) == []
    assert visitors.sign_in(db, clock, visitor(host)).visit_id
    assert db.execute("SELECT COUNT(*) FROM deny_list").fetchone()[0] == 1, "the entry is kept"


def test_hosts_are_retired_not_deleted(db, clock, host):
    visitors.set_host_active(db, clock, DESK, host, False)
    assert visitors.find_hosts(db, "Li Na") == []
    with pytest.raises(VisitorError, match="choose whom"):
        visitors.sign_in(db, clock, visitor(host))
    assert any(h["id"] == host and not h["active"] for h in visitors.hosts(db))
    visitors.set_host_active(db, clock, DESK, host, True)
    assert visitors.find_hosts(db, "Li Na")[0]["id"] == host
    assert [e["action"] for e in audit.entries(db, table="hosts")][-2:] == ["host.change", "host.change"]
