"""A stranger's inputs at the platform's edges: account names with invisible characters, numbers too large
for SQLite, settings typed with look-alike digits, and the retention periods of lost and found and call
notes (declared in the inventory, applied by the retention job, counts kept)."""
from __future__ import annotations

import io
from datetime import date

import pytest
from click.testing import CliRunner
from PIL import Image

from kiosk.core import audit, auth, erasure, settings
from kiosk.core import db as db_mod
from kiosk.core.audit import SYSTEM, Actor
from kiosk.core.desk import TOO_LARGE, Desk
from kiosk.core.errors import Refusal
from kiosk.core.inventory import CALLS, LOSTFOUND, personal_columns

DESK = Actor("Li Na", None, "staff")
TZ = "Asia/Shanghai"


@pytest.mark.parametrize("name", ["Li\x00Na", "Li\nNa", "Li\tNa", "王\u200b经理", "\u202eanaN iL", "Boss\x1b[2J",
                                  "Li\u00adNa", "王\ufeff", "\x7f", "Li\u2028Na", "\ud800"])
def test_account_names_refuse_invisible_characters(db, clock, name):
    with pytest.raises(auth.AuthError) as refused:
        auth.add_user(db, clock, SYSTEM, name, "staff", "2468")
    assert refused.value.field == "name"
    assert refused.value.message("zh_CN") != refused.value.msgid  # translated
    boss = auth.add_user(db, clock, SYSTEM, "王经理", "manager", "9999")
    with pytest.raises(auth.AuthError):
        auth.rename_user(db, clock, boss.actor(), boss.id, name)
    assert [u.name for u in auth.users(db)] == ["王经理"]


def test_account_names_are_folded_and_bounded(db, clock):
    made = auth.add_user(db, clock, SYSTEM, "  Li\u3000\u3000Na  ", "staff", "2468")  # full-width spaces
    assert made.name == "Li Na"
    with pytest.raises(auth.AuthError, match="a user named"):
        auth.add_user(db, clock, SYSTEM, "Li  Na", "staff", "1357")  # the same name, spaced differently
    assert auth.add_user(db, clock, SYSTEM, "欧" * 40, "staff", "1357").name == "欧" * 40
    for bad in ("欧" * 41, "", "   ", None, 12345):
        with pytest.raises(auth.AuthError, match="1 to 40"):
            auth.add_user(db, clock, SYSTEM, bad, "staff", "1357")


@pytest.mark.parametrize("huge", [2**63, 2**64 + 1, -(2**63) - 1, 10**4000])
def test_numbers_too_large_for_sqlite_are_refused_not_overflow_errors(ctx, huge):
    from kiosk.visitors import service as visitors
    boss = auth.add_user(ctx.db, ctx.clock, SYSTEM, "王经理", "manager", "9999")
    desk = Desk(ctx, boss)
    with pytest.raises(auth.AuthError, match="no such account"):
        desk.visitor_call(auth.sign_in, huge, "9999")
    with pytest.raises(auth.AuthError, match="no such account"):
        desk.call(auth.unlock, huge)
    with pytest.raises(Refusal) as refused:  # deep in a service, the desk turns the overflow into a refusal
        desk.visitor_call(visitors.sign_in, visitors.Visitor("王芳", "13800138000", huge, "meeting",
                                                             privacy_accepted=True))
    assert refused.value.msgid in (TOO_LARGE, "choose whom you are visiting")
    assert refused.value.message("zh_CN") != refused.value.msgid
    with pytest.raises(auth.AuthError, match="PIN must be"):
        auth.validate_pin(huge)


def test_the_desk_turns_any_overflow_into_a_translated_refusal(ctx):
    def service(db, big):
        db.execute("SELECT ?", (big,))
    with pytest.raises(Refusal) as refused:
        Desk(ctx).visitor_call(service, 2**80)
    assert refused.value.msgid == TOO_LARGE and refused.value.message("zh_CN") == "数字太大了"


@pytest.mark.parametrize("typed", ["²", "١٢", "9" * 5000, "3.5", "-1", "1e3", "", " ", "0x10", True, None, 10**30])
def test_settings_numbers_refuse_look_alike_and_huge_digits(typed):
    with pytest.raises(settings.SettingError, match="whole number"):
        settings.check("visitor_retention_days", typed)


def test_settings_numbers_take_full_width_digits():
    assert settings.check("visitor_retention_days", "３０") == 30
    assert settings.check("lostfound_retention_days", " 200 ") == 200
    with pytest.raises(settings.SettingError):
        settings.check("lostfound_retention_days", 15)  # shorter than the handover period
    with pytest.raises(settings.SettingError):
        settings.check("call_note_retention_days", 3651)


def test_cli_numbers_too_large_are_usage_errors_not_tracebacks(tmp_path):
    from kiosk.cli.main import main
    path = str(tmp_path / "k.db")
    runner = CliRunner()
    for args in (["receipt", "reprint", "--job", str(2**64), "--user", "x"],
                 ["receipt", "preview", "--job", "9" * 400],
                 ["receipt", "reprint", "--job", "-1", "--user", "x"]):
        result = runner.invoke(main, [*args, "--db", path])
        assert result.exit_code == 2, (args, result.output)
        assert "Traceback" not in result.output and "OverflowError" not in repr(result.exception)


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("L", (120, 40), 0).save(out, "PNG")
    return out.getvalue()


def test_lost_and_found_and_call_notes_have_their_own_retention(db, clock):
    """Names, contacts and identity numbers in the lost-and-found register, and callers' names, numbers
    and notes, are blanked after their own periods (not the visitors' 30 days); counts stay."""
    from kiosk.lostfound import service as lostfound
    from kiosk.phone import calllog
    from kiosk.phone.tracker import CallEvent
    assert {p.table for p in personal_columns() if p.retention == LOSTFOUND} >= {"lf_items", "lf_reports", "lf_claims"}
    assert {p.table for p in personal_columns() if p.retention == CALLS} >= {"call_notes", "call_events"}
    item = lostfound.register_item(db, clock, DESK, TZ, category="bag", description="black bag", found_place="lobby",
                                   handed_in_kind="customer", handed_in_name="欧阳娜娜", handed_in_contact="13987654321",
                                   storage="A1")
    lostfound.report_lost(db, clock, DESK, category="wallet", description="brown wallet", owner_name="欧阳娜娜",
                          contact="13987654321", lost_on=date(2026, 11, 30))
    lostfound.claim(db, clock, DESK, "T01", item.id, claimant_name="欧阳娜娜", contact="13987654321",
                    id_type="id_card", id_number="110101199003091234", described_features="black, 欧阳娜娜's tag",
                    described_quantity=1, identity_checked=True, signature_png=_png(), lang="zh_CN")
    call = calllog.start_call(db, clock, "line")
    calllog.record_event(db, clock, call, CallEvent("callerid", 0.0, 1, number="13987654321", name="OUYANG"))
    calllog.add_note(db, clock, DESK, call_id=call, category="inquiry", what="欧阳娜娜 asked about parking",
                     caller_name="欧阳娜娜", caller_number="13987654321")
    counts = {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0]
              for t in ("lf_items", "lf_reports", "lf_claims", "calls", "call_events", "call_notes")}

    def holding() -> set[str]:
        return set(erasure.find(db, erasure.Person(phone="13987654321", name="欧阳娜娜")).tables())

    clock.advance(40 * 86400)  # the visitors' period is over, not these
    erasure.apply_retention(db, clock)
    assert {"lf_items", "lf_reports", "lf_claims", "call_notes", "call_events"} <= holding()
    clock.advance(141 * 86400)  # 181 days: both default periods (180) are over
    changed = erasure.apply_retention(db, clock)
    assert {"lf_items", "lf_reports", "lf_claims", "call_notes", "call_events", "print_jobs"} <= set(changed)
    assert holding() == set(), "nothing of her is left in the register or the call log"
    assert erasure.apply_retention(db, clock) == {}, "a second run finds nothing (and does not vacuum again)"
    assert db.execute("SELECT json_extract(after, '$.ref') FROM audit WHERE action = 'lostfound.register'"
                      ).fetchone()[0] == item.ref, "the audit row keeps what is not personal"
    assert db.execute("SELECT id_number, described_features, length(signature_png), typeof(signature_png)"
                      " FROM lf_claims").fetchone() == ("", "", 0, "blob"), "her signature went with her claim"
    assert db.execute("SELECT category FROM call_notes").fetchone() == ("inquiry",)
    assert counts == {t: db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in counts}
    assert db.execute("SELECT description, storage FROM lf_items").fetchone() == ("black bag", "A1")
    assert list(db.query("SELECT * FROM audit WHERE action = 'privacy.retention'")), "the retention job says what it did"


def test_a_manager_may_change_the_periods_and_it_is_audited(db, clock):
    boss = auth.add_user(db, clock, SYSTEM, "王经理", "manager", "9999")
    assert settings.put_checked(db, clock, boss.actor(), {"call_note_retention_days": "３０"}) == ["call_note_retention_days"]
    assert settings.get(db, "call_note_retention_days") == 30
    assert db.execute("SELECT COUNT(*) FROM audit WHERE action = 'setting.change' AND record_id = 'call_note_retention_days'"
                      ).fetchone()[0] == 1


def test_an_erasure_takes_the_claimants_signature_with_her_claim(db, clock):
    from kiosk.lostfound import service as lostfound
    boss = auth.add_user(db, clock, SYSTEM, "王经理", "manager", "9999")
    for who in ("欧阳娜娜", "Someone Else"):
        item = lostfound.register_item(db, clock, DESK, TZ, category="bag", description="bag", found_place="lobby",
                                       handed_in_kind="staff", handed_in_name="Li Na", storage="A1")
        lostfound.claim(db, clock, DESK, "T01", item.id, claimant_name=who, contact="13987654321" if who != "Someone Else"
                        else "13500000000", id_type="passport", id_number="E12345678", described_features="black",
                        described_quantity=1, identity_checked=True, signature_png=_png(), lang="zh_CN")
    found = erasure.find(db, erasure.Person(name="欧阳娜娜"))
    assert found.hits[("lf_claims", "signature_png")] == [1]
    erasure.erase(db, clock, boss.actor(), erasure.Person(name="欧阳娜娜"))
    assert [r[0] for r in db.execute("SELECT length(signature_png) FROM lf_claims ORDER BY id")] == [0, len(_png())]


def _exit(name: str) -> int:
    """A control byte is refused by the command line itself, before any option is read (a usage error, 2);
    an invisible character such as U+202E by the accounts service (1)."""
    return 2 if any(ord(ch) < 32 or ord(ch) == 0x7F for ch in name) else 1


def _refusal(name: str) -> str:
    return "含有控制字符" if _exit(name) == 2 else "不可见字符或控制字符"


def test_cli_account_names_with_control_characters_are_refused_in_one_line(tmp_path):
    from kiosk.cli.main import main
    path = str(tmp_path / "k.db")
    runner = CliRunner()
    assert runner.invoke(main, ["db", "init", "--db", path]).exit_code == 0  # only `db init` creates one
    for name in ("Boss\x1b[31m", "Li\u202eNa", "a\nb"):
        result = runner.invoke(main, ["user", "add", "--name", name, "--role", "manager", "--pin", "9999", "--db", path])
        assert (result.exit_code, _refusal(name) in result.output) == (_exit(name), True), result.output
        assert result.exception is None or isinstance(result.exception, SystemExit)
    ok = runner.invoke(main, ["user", "add", "--name", "  王　经理 ", "--role", "manager", "--pin", "9999", "--db", path])
    assert ok.exit_code == 0 and "'王 经理'" in ok.output
    for name in ("Boss\x1b[31m", "Li\u202eNa", "a\nb"):  # the same refusal once a manager approves
        result = runner.invoke(main, ["user", "add", "--name", name, "--role", "staff", "--pin", "2468", "--db", path,
                                      "--manager", "王 经理", "--manager-pin", "9999"])
        assert (result.exit_code, _refusal(name) in result.output) == (_exit(name), True), result.output
