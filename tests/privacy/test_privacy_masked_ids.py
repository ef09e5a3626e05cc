"""`kiosk privacy find --id` when identity numbers are stored masked (issue 16): a full number finds the
rows whose stored mask is consistent with it as candidates for the manager to confirm, never as the
person's own rows and never showing a full number; a typed mask works too; the deny list's keyed hash
decides where it exists."""
from __future__ import annotations

from click.testing import CliRunner

from kiosk.core import auth, erasure, settings
from kiosk.core import db as db_mod
from kiosk.core.audit import SYSTEM
from kiosk.core.erasure import Person
from kiosk.core.privacy import gb11643_check_char, id_consistent

TZ = "Asia/Shanghai"


def _rid(first17: str) -> str:
    return first17 + gb11643_check_char(first17)


MINE = _rid("11010119900307123")            # 110101********123?
TWIN = _rid("11010119851111123")            # another document, same first 6 and (maybe) last 4
OTHER = _rid("44030519700101567")


def _same_tail(a: str, b: str) -> bool:
    return a[-4:] == b[-4:]


def _setup(database, clock, *, full: bool = False):
    from kiosk.visitors import service as visitors
    visitors.seed_demo(database, clock)
    boss = auth.add_user(database, clock, SYSTEM, "王经理", "manager", "9999")
    desk = auth.add_user(database, clock, SYSTEM, "Li Na", "staff", "2468").actor()
    if full:
        settings.put(database, clock, boss.actor(), "store_full_id_numbers", True)
    host = visitors.find_hosts(database, "Emma")[0]["id"]
    ids = {}
    for name, phone, number in (("欧阳娜娜", "13987654321", MINE), ("张伟", "13500000000", OTHER)):
        ids[name] = visitors.sign_in(database, clock, visitors.Visitor(
            name, phone, host, "meeting", id_type="id_card", id_number=number), actor=desk, tz=TZ).visit_id
    return boss, ids


def test_consistency_needs_the_visible_characters_to_agree():
    masked = MINE[:6] + "*" * 8 + MINE[-4:]
    assert id_consistent(masked, MINE) and id_consistent(MINE, masked) and id_consistent(masked, masked)
    assert not id_consistent(masked, OTHER)
    assert not id_consistent(masked, MINE[:-1]), "another length is another document"
    assert not id_consistent("*" * 18, MINE) and not id_consistent("**************1234", "*" * 18)


def test_a_full_number_finds_masked_rows_as_candidates_only(tmp_path, clock):
    database = db_mod.connect(tmp_path / "k.db")
    _, ids = _setup(database, clock)
    stored = database.execute("SELECT id_number FROM visits WHERE id = ?", (ids["欧阳娜娜"],)).fetchone()[0]
    assert "*" in stored, "stored masked by default"
    found = erasure.find(database, Person(id_number=MINE))
    assert "visits" not in found.tables(), "a mask proves nothing: no row is taken as the person's"
    assert [(c.table, c.rowid) for c in found.candidates] == [("visits", ids["欧阳娜娜"])]
    c = found.candidates[0]
    assert c.id_number == stored and MINE not in repr(found.candidates)
    assert c.name == "欧**娜" and c.phone == "139****4321"
    # the same person asked for with their name: the row is theirs now (the name confirms the mask)
    confirmed = erasure.find(database, Person(id_number=MINE, name="欧阳娜娜"))
    assert confirmed.tables().get("visits") == 1 and not confirmed.candidates
    # another name beside the number: the masked row is not theirs, and no candidate either
    assert not erasure.find(database, Person(id_number=MINE, name="李四")).candidates


def test_a_typed_mask_finds_candidates_and_a_blank_mask_finds_nothing(tmp_path, clock):
    database = db_mod.connect(tmp_path / "k.db")
    _, ids = _setup(database, clock)
    typed = MINE[:6] + "********" + MINE[-4:]
    assert [c.rowid for c in erasure.find(database, Person(id_number=typed)).candidates] == [ids["欧阳娜娜"]]
    assert not erasure.find(database, Person(id_number="*" * 18)).candidates
    assert not erasure.find(database, Person(id_number="****")).candidates


def test_a_site_storing_full_numbers_never_shows_one_to_a_masked_search(tmp_path, clock):
    database = db_mod.connect(tmp_path / "k.db")
    _, ids = _setup(database, clock, full=True)
    assert database.execute("SELECT id_number FROM visits WHERE id = ?", (ids["欧阳娜娜"],)).fetchone()[0] == MINE
    by_mask = erasure.find(database, Person(id_number=MINE[:6] + "*" * 8 + MINE[-4:]))
    assert [c.rowid for c in by_mask.candidates] == [ids["欧阳娜娜"]] and "visits" not in by_mask.tables()
    assert MINE not in repr(by_mask.candidates) and by_mask.candidates[0].id_number.startswith(MINE[:6] + "*")
    exact = erasure.find(database, Person(id_number=MINE))
    assert exact.tables().get("visits") == 1 and not exact.candidates, "a full number stored is proof"


def test_the_deny_list_hash_decides_and_its_old_mask_only_entries_are_candidates(tmp_path, clock):
    from kiosk.visitors import service as visitors
    database = db_mod.connect(tmp_path / "k.db")
    boss, _ = _setup(database, clock)
    hashed = visitors.add_to_deny_list(database, clock, boss.actor(), reason="trouble", id_type="id_card",
                                       id_number=MINE)
    found = erasure.find(database, Person(id_number=MINE))
    assert found.tables().get("deny_list") == 1 and ("deny_list", "id_hash") in found.hits
    assert hashed in found.hits[("deny_list", "id_hash")]
    twin_found = erasure.find(database, Person(id_number=TWIN))
    assert "deny_list" not in twin_found.tables(), "the hash says it is another document"
    assert all(c.table != "deny_list" for c in twin_found.candidates)


def test_cli_find_by_id_lists_candidates_masked(tmp_path, clock):
    from kiosk.cli.main import main
    path = tmp_path / "cli.db"
    database = db_mod.connect(path)
    _setup(database, clock)
    database.conn.close()
    out = CliRunner().invoke(main, ["privacy", "find", "--db", str(path), "--id", MINE, "--manager", "王经理"],
                             input="9999\n")
    assert out.exit_code == 0, out.output
    assert "脱敏证件号可能匹配" in out.output and MINE[:6] + "********" + MINE[-4:] in out.output
    assert MINE not in out.output.replace(MINE[:6] + "********" + MINE[-4:], "")
    assert "欧阳娜娜" not in out.output and "13987654321" not in out.output
    assert "--name" in out.output
