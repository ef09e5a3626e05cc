"""A single-manager site: five wrong PINs from anyone at the counter lock the only manager, and every
unlock needs a manager's PIN. The recovery: `kiosk user unlock --console NAME` as root on the box, no
PIN, only when no other manager could unlock them; audited (issue 16 re-test)."""
from __future__ import annotations

import json
import os

import pytest
from click.testing import CliRunner

from kiosk.cli.main import main
from kiosk.core import auth
from kiosk.core import db as db_mod
from kiosk.core.audit import SYSTEM
from kiosk.core.clock import SystemClock


@pytest.fixture
def clock():
    """The CLI reads the real time: the lockout must be one it sees (a 60 s lock outlasts the test)."""
    return SystemClock()


@pytest.fixture
def site(tmp_path, clock):
    path = tmp_path / "kiosk.db"
    database = db_mod.connect(path)
    boss = auth.add_user(database, clock, SYSTEM, "王经理", "manager", "9999")
    auth.add_user(database, clock, SYSTEM, "Li Na", "staff", "2468")
    for _ in range(auth.MAX_FAILURES):
        with pytest.raises(auth.AuthError):
            auth.sign_in(database, clock, boss.id, "0000")
    assert auth.seconds_locked(database, clock, boss.id) > 0
    return path, database, boss


def _unlock(path, *args):
    return CliRunner().invoke(main, ["user", "unlock", "--db", str(path), *args], catch_exceptions=False)


def test_root_at_the_console_unlocks_the_only_manager_without_a_pin(site, clock):
    path, database, boss = site
    assert os.geteuid() == 0, "the test box runs the suite as root"
    result = _unlock(path, "--console", "王经理")
    assert result.exit_code == 0 and "控制台恢复" in result.output, result.output
    assert auth.seconds_locked(database, clock, boss.id) == 0
    assert auth.sign_in(database, clock, boss.id, "9999").name == "王经理"
    actor, after = database.execute("SELECT actor, after FROM audit WHERE action = 'user.unlock'").fetchone()
    assert actor.startswith("console:") and json.loads(after)["recovery"] == "console"


def test_console_recovery_is_refused_when_it_is_not_the_last_resort(site, clock, monkeypatch):
    path, database, boss = site
    # not root: refused, still locked
    monkeypatch.setattr(os, "geteuid", lambda: 1000)
    result = _unlock(path, "--console", "王经理")
    assert result.exit_code != 0 and "root 身份" in result.output
    monkeypatch.undo()
    # a staff account, an unknown name, a name with control bytes: refused
    assert "只有被锁定的经理账户" in _unlock(path, "--console", "Li Na").output
    assert _unlock(path, "--console", "王经理\x00😀").exit_code != 0
    # neither a manager nor --console: a usage error, not a silent unlock
    assert _unlock(path, "王经理").exit_code != 0
    assert auth.seconds_locked(database, clock, boss.id) > 0
    # another manager exists and can sign in: they must do it
    auth.add_user(database, clock, SYSTEM, "Wu Fang", "manager", "1357")
    assert "另一位经理可以解锁" in _unlock(path, "--console", "王经理").output
    assert auth.seconds_locked(database, clock, boss.id) > 0
    # ... unless they are locked too
    other = next(u for u in auth.users(database, role="manager") if u.name == "Wu Fang")
    for _ in range(auth.MAX_FAILURES):
        with pytest.raises(auth.AuthError):
            auth.sign_in(database, clock, other.id, "0000")
    assert _unlock(path, "--console", "王经理").exit_code == 0
    assert auth.seconds_locked(database, clock, boss.id) == 0
    assert "该账户没有被锁定" in _unlock(path, "--console", "王经理").output
    assert database.execute("SELECT count(*) FROM audit WHERE action = 'user.unlock'").fetchone() == (1,)
