"""Staff accounts with a life cycle, and a lockout that escalates and cannot be kept up by one tap a minute."""
from __future__ import annotations

import pytest

from kiosk.core import audit, auth
from kiosk.core.audit import SYSTEM


@pytest.fixture
def people(db, clock):
    boss = auth.add_user(db, clock, SYSTEM, "王经理", "manager", "9999")
    clerk = auth.add_user(db, clock, SYSTEM, "Li Na", "staff", "2468")
    return boss, clerk


def _wrong(db, clock, user, times):
    for _ in range(times):
        with pytest.raises(auth.AuthError):
            auth.sign_in(db, clock, user.id, "0000")


def test_lockout_escalates_1_5_15_minutes_and_one_wrong_pin_after_a_lock_does_not_relock(db, clock, people):
    _, clerk = people
    _wrong(db, clock, clerk, 5)
    assert 55 <= auth.seconds_locked(db, clock, clerk.id) <= 60
    clock.advance(61)
    # The abuse of the old rule: once the lock ended, one wrong PIN locked again. Now it takes five more.
    with pytest.raises(auth.AuthError, match="wrong PIN"):
        auth.sign_in(db, clock, clerk.id, "0000")
    assert auth.seconds_locked(db, clock, clerk.id) == 0
    assert auth.sign_in(db, clock, clerk.id, "2468") == clerk, "a colleague at the counter cannot keep her out"
    _wrong(db, clock, clerk, 5)
    clock.advance(61)
    _wrong(db, clock, clerk, 4)
    with pytest.raises(auth.LockedOut) as second:
        auth.sign_in(db, clock, clerk.id, "0000")
    assert second.value.seconds_left == 300
    clock.advance(301)
    _wrong(db, clock, clerk, 4)
    with pytest.raises(auth.LockedOut) as third:
        auth.sign_in(db, clock, clerk.id, "0000")
    assert third.value.seconds_left == 900
    clock.advance(901)
    _wrong(db, clock, clerk, 4)
    with pytest.raises(auth.LockedOut) as fourth:
        auth.sign_in(db, clock, clerk.id, "0000")
    assert fourth.value.seconds_left == 900, "15 minutes is the ceiling: 5 guesses per 15 min, 480 a day"


def test_a_manager_can_always_unlock_and_reset_a_pin(db, clock, people):
    boss, clerk = people
    _wrong(db, clock, clerk, 5)
    with pytest.raises(auth.AuthError, match="manager must approve"):
        auth.unlock(db, clock, clerk.actor(), clerk.id)
    auth.unlock(db, clock, boss.actor(), clerk.id)
    assert auth.seconds_locked(db, clock, clerk.id) == 0
    assert auth.sign_in(db, clock, clerk.id, "2468") == clerk
    auth.reset_pin(db, clock, boss.actor(), clerk.id, "13579")
    with pytest.raises(auth.AuthError, match="wrong PIN"):
        auth.sign_in(db, clock, clerk.id, "2468")
    assert auth.sign_in(db, clock, clerk.id, "13579") == clerk
    for row in db.execute("SELECT before, after FROM audit"):
        assert "13579" not in str(row) and "scrypt" not in str(row), "neither the PIN nor its hash in the audit"


def test_a_deactivated_account_cannot_sign_in_and_comes_back_when_reactivated(db, clock, people):
    boss, clerk = people
    auth.set_active(db, clock, boss.actor(), clerk.id, False)
    with pytest.raises(auth.AuthError, match="no such account"):
        auth.sign_in(db, clock, clerk.id, "2468")
    with pytest.raises(auth.AuthError, match="no such account"):
        auth.verify_manager(db, clock, clerk.id, "2468")
    assert clerk not in auth.users(db)
    with pytest.raises(auth.AuthError, match="already deactivated"):
        auth.set_active(db, clock, boss.actor(), clerk.id, False)
    with pytest.raises(auth.AuthError, match="last manager"):
        auth.set_active(db, clock, boss.actor(), boss.id, False)
    auth.set_active(db, clock, boss.actor(), clerk.id, True)
    assert auth.sign_in(db, clock, clerk.id, "2468") == clerk


def test_rename_and_change_own_pin(db, clock, people):
    boss, clerk = people
    long_name = "欧阳" * 20
    auth.rename_user(db, clock, boss.actor(), clerk.id, long_name)
    assert auth.sign_in(db, clock, clerk.id, "2468").name == long_name
    for bad in ("", "x" * 41, "王\x00明", "王经理"):
        with pytest.raises(auth.AuthError):
            auth.rename_user(db, clock, boss.actor(), clerk.id, bad)
    with pytest.raises(auth.AuthError, match="wrong PIN"):
        auth.change_own_pin(db, clock, clerk.id, "1111", "8642")
    with pytest.raises(auth.AuthError, match="must differ"):
        auth.change_own_pin(db, clock, clerk.id, "2468", "2468")
    with pytest.raises(auth.AuthError, match="4 to 8 digits"):
        auth.change_own_pin(db, clock, clerk.id, "2468", "８６４２")  # full-width digits are not a PIN
    auth.change_own_pin(db, clock, clerk.id, "2468", "8642")
    assert auth.sign_in(db, clock, clerk.id, "8642") == auth.User(clerk.id, long_name, "staff")


def test_every_sign_in_sign_out_and_account_change_is_audited(db, clock, people):
    boss, clerk = people
    user = auth.sign_in(db, clock, clerk.id, "2468")
    auth.sign_out(db, clock, user, reason="idle")
    auth.verify_manager(db, clock, boss.id, "9999")
    auth.rename_user(db, clock, boss.actor(), clerk.id, "李娜")
    auth.reset_pin(db, clock, boss.actor(), clerk.id, "1357")
    auth.set_active(db, clock, boss.actor(), clerk.id, False)
    auth.set_active(db, clock, boss.actor(), clerk.id, True)
    auth.unlock(db, clock, boss.actor(), clerk.id)
    actions = [e["action"] for e in audit.entries(db, table="users")]
    assert actions == ["user.add", "user.add", "user.sign_in", "user.sign_out", "user.approve", "user.rename",
                       "user.pin_reset", "user.deactivate", "user.reactivate", "user.unlock"]
    assert [a["locked"] for a in auth.all_accounts(db, clock)] == [0, 0]


def test_cli_account_life_cycle_needs_a_manager_pin(tmp_path):
    from click.testing import CliRunner

    from kiosk.cli.main import main
    from kiosk.core import db as db_mod
    path = str(tmp_path / "k.db")
    runner = CliRunner()

    def run(*args, pin_input="9999\n"):
        return runner.invoke(main, ["user", *args, "--db", path], input=pin_input)
    assert run("add", "--name", "Boss", "--role", "manager", "--pin", "9999").exit_code == 0
    assert run("add", "--name", "Leaver", "--role", "staff", "--pin", "2468").exit_code == 0
    wrong = run("deactivate", "Leaver", "--manager", "Boss", pin_input="0000\n")
    assert wrong.exit_code != 0 and "wrong PIN" in wrong.output
    assert run("deactivate", "Leaver", "--manager", "Boss").exit_code == 0
    database = db_mod.connect(path)
    leaver = database.execute("SELECT id FROM users WHERE name = 'Leaver'").fetchone()[0]
    from kiosk.core.clock import SystemClock
    with pytest.raises(auth.AuthError, match="no such account"):
        auth.sign_in(database, SystemClock(), leaver, "2468")
    assert run("reactivate", "Leaver", "--manager", "Boss").exit_code == 0
    assert run("rename", "Leaver", "Stayer", "--manager", "Boss").exit_code == 0
    assert run("reset-pin", "Stayer", "--manager", "Boss", pin_input="9999\n1357\n1357\n").exit_code == 0
    assert run("unlock", "Stayer", "--manager", "Boss").exit_code == 0
    changed = run("change-pin", "Stayer", pin_input="1357\n8642\n8642\n")
    assert changed.exit_code == 0, changed.output
    assert auth.sign_in(database, SystemClock(), leaver, "8642").name == "Stayer"
    notboss = run("unlock", "Stayer", "--manager", "Stayer", pin_input="8642\n")
    assert notboss.exit_code != 0 and "no manager account" in notboss.output
