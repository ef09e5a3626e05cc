"""Outside attack 16b: a fresh look at the privacy fixes for issue 16 (re-erasure of free-text mentions after a
restore, traditional folding, phone separators, the deny list's symbol-blind fold).

Real migrated sqlite files, real backups and real restores; nothing of the code under test is mocked. The
tests marked "Defect" fail on the code as handed over (607bf6e); the "Held" ones are attacks that did not get
through."""
from __future__ import annotations

import os
import random
import sqlite3
import subprocess
import sys
import textwrap
import time
from pathlib import Path

import pytest

from kiosk.core import auth, erasure, erasure_ledger, erasure_reapply, restore
from kiosk.core import backup as backup_mod
from kiosk.core import db as db_mod
from kiosk.core.audit import SYSTEM, Actor
from kiosk.core.erasure import Person
from kiosk.phone import calllog
from kiosk.visitors import service as visitors
from kiosk.visitors.service import SeeTheDesk

DESK = Actor("Zhou Qiang", None, "staff")


@pytest.fixture
def desk(tmp_path, clock):
    path = tmp_path / "data" / "kiosk.db"
    database = db_mod.connect(path)
    boss = auth.add_user(database, clock, SYSTEM, "王经理", "manager", "9999").actor()
    staff = auth.add_user(database, clock, SYSTEM, "Zhou Qiang", "staff", "2468").actor()
    (tmp_path / "backups").mkdir()
    yield {"db": database, "path": path, "boss": boss, "staff": staff, "backups": tmp_path / "backups",
           "tmp": tmp_path}
    try:
        database.conn.close()
    except sqlite3.Error:
        pass


def _note(desk, clock, what: str) -> None:
    calllog.add_note(desk["db"], clock, desk["staff"], call_id=None, category="inquiry", what=what)


def _notes(path: Path) -> list[str]:
    conn = sqlite3.connect(path)
    try:
        return [r[0] for r in conn.execute("SELECT what FROM call_notes ORDER BY id")]
    finally:
        conn.close()


def _erase_live(desk, clock, *people: Person) -> list[str]:
    """The nightly backup, then the erasure; the notes as the live erasure left them."""
    backup_mod.make_backup(desk["path"], desk["backups"], clock=clock, policy=None)
    clock.advance(3600)
    for person in people:
        erasure.erase(desk["db"], clock, desk["boss"], person)
    return _notes(desk["path"])


def _restore(desk, clock) -> list[str]:
    desk["db"].conn.close()
    clock.advance(3600)
    restore.restore(desk["path"], backup_mod.backups(desk["backups"])[0].path, clock=clock, actor=SYSTEM)
    return _notes(desk["path"])


# --------------------------------------------------------------------------------------------- defects
def test_a_long_uyghur_name_erased_from_a_note_comes_back_after_a_restore(desk, clock):
    """Defect. Scenario: staff note "阿卜杜热西提·阿卜杜热合曼 left a parcel for 12F" (a Uyghur name of 12
    characters, common in Xinjiang). He asks to be forgotten; the erasure by his name cuts it from the note.
    Last night's backup is restored: the note reads his full name again. The re-erasure only hashes Han
    runs of 2..8 characters (MAX_HAN = 8, "a compound surname and two more: 8 is ample"), so a longer name
    -- most Uyghur, Tibetan, Kazakh and transliterated foreign names -- is never a candidate."""
    name = "阿卜杜热西提·阿卜杜热合曼"
    _note(desk, clock, f"{name} left a parcel for 12F")
    live = _erase_live(desk, clock, Person(name=name))
    assert "阿卜杜热西提" not in live[0], live   # the live erasure did cut it
    after = _restore(desk, clock)
    assert "阿卜杜热西提" not in after[0] and "阿卜杜热合曼" not in after[0], after


def test_a_vietnamese_name_with_diacritics_comes_back_after_a_restore(desk, clock):
    """Defect. Scenario: a note "Nguyễn Văn An asked for the lost-and-found"; Mr Nguyễn is erased, the note
    shows "*** asked ...". After last night's backup is restored his name is in the note again. The
    re-erasure's Latin word pattern stops at U+00C0..U+024F, so "ễ" (U+1EC5, Latin Extended Additional: every
    Vietnamese tone-marked vowel) splits the word and the name is never hashed as written."""
    name = "Nguyễn Văn An"
    _note(desk, clock, f"{name} asked for the lost-and-found")
    live = _erase_live(desk, clock, Person(name=name))
    assert "Nguyễn" not in live[0], live
    after = _restore(desk, clock)
    assert "Nguyễn" not in after[0], after


def test_a_four_word_latin_name_comes_back_after_a_restore(desk, clock):
    """Defect. Scenario: "Maria de la Cruz called about her badge" is erased by her full name; after a
    restore the note names her again. The re-erasure joins at most 3 Latin words (MAX_WORDS = 3), so a
    Spanish/Portuguese/Dutch name of four words ("Maria de la Cruz", "Jan van der Berg") is never found."""
    name = "Maria de la Cruz"
    _note(desk, clock, f"{name} called about her badge")
    live = _erase_live(desk, clock, Person(name=name))
    assert "Maria de la Cruz" not in live[0], live
    after = _restore(desk, clock)
    assert "Maria de la Cruz" not in after[0], after


def test_a_name_written_with_the_ideographic_zero_comes_back_after_a_restore(desk, clock):
    """Defect. Scenario: a visitor's name is written 王〇明 (〇, U+3007, the ideographic zero used in names
    and as a placeholder). The live erasure cuts "王〇明" out of a note; after a restore it is back. The
    re-erasure's Han runs are U+3400..U+9FFF (and compatibility/extension planes): 〇 breaks the run, so the
    only candidates are "王" and "明", never the name."""
    _note(desk, clock, "王〇明的雨伞放在前台")
    live = _erase_live(desk, clock, Person(name="王〇明"))
    assert "王〇明" not in live[0], live
    after = _restore(desk, clock)
    assert "王〇明" not in after[0], after


def test_a_phone_number_read_out_digit_by_digit_comes_back_after_a_restore(desk, clock):
    """Defect. Scenario: staff type a number as the caller spelt it, "回电 1 3 9 8 7 6 5 4 3 2 1". The live
    erasure of 13987654321 cuts it (any separators between any two digits). After a restore the number is
    in the note again: the re-erasure joins at most MAX_GROUPS = 6 digit groups, and eleven one-digit groups
    are never one candidate. Live erasure and re-erasure disagree on what a phone number looks like."""
    _note(desk, clock, "回电 1 3 9 8 7 6 5 4 3 2 1 谢谢")
    live = _erase_live(desk, clock, Person(phone="13987654321"))
    assert "8 7 6 5" not in live[0], live
    after = _restore(desk, clock)
    assert "8 7 6 5" not in after[0], after


def test_erasing_li_na_cuts_carolina_out_of_another_note(desk, clock):
    """Defect. Scenario: Ms Li Na is erased. Another note, about a different person, says "Carolina from
    12F collected the keys". After the erasure it reads "Caro*** from 12F collected the keys": Latin names
    are searched as a bare substring with spaces optional, no word boundary, so "Li Na" (lina) is found
    inside Carolina, Angelina, Paulina... The same happens to "Ann Lee" inside "Joann Leeds" (-> "Jo***ds")."""
    _note(desk, clock, "Carolina from 12F collected the keys")
    _note(desk, clock, "Li Na asked for a taxi")
    live = _erase_live(desk, clock, Person(name="Li Na"))
    assert "Li Na" not in live[1], live
    assert live[0] == "Carolina from 12F collected the keys", live


def test_erasing_a_phone_also_cuts_the_room_number_written_before_it(desk, clock):
    """Defect. Scenario: "会议室86：13987654321 订了下午" (meeting room 86, then the booker's number). The
    erasure of 13987654321 leaves "会议室*** 订了下午": the optional country-code prefix (86 + up to three
    separators) swallows the room number, so the note no longer says which room was booked."""
    _note(desk, clock, "会议室86：13987654321 订了下午")
    live = _erase_live(desk, clock, Person(phone="13987654321"))
    assert "8765" not in live[0], live
    assert "会议室86" in live[0], live


def test_erasing_wang_wei_cuts_wang_weidong_mentioned_only_in_a_note_after_a_restore(desk, clock):
    """Defect. Scenario: 王伟 is erased. 王伟东, a different person, is never on a visitor record - he is only
    mentioned in a note "王伟东来电，明天来取快递". Live and after the restore the note reads "***东来电":
    the shield against over-erasure (longer_names) only knows names in name columns, so a longer name that
    is only in free text loses its first two characters, and the restore's re-erasure repeats it."""
    _note(desk, clock, "王伟东来电，明天来取快递")
    _note(desk, clock, "王伟 asked about parking")
    _erase_live(desk, clock, Person(name="王伟"))
    after = _restore(desk, clock)
    assert "王伟" not in after[1], after
    assert after[0] == "王伟东来电，明天来取快递", after


def test_a_name_written_with_the_taiwan_middle_dot_is_not_erased(desk, clock):
    """Defect. Scenario: a Taiwanese colleague wrote "阿卜杜‧热合曼的访客证" with U+2027 (‧, the hyphenation
    point Taiwanese IMEs type for a middle dot); another wrote "阿卜杜•热合曼" (U+2022 bullet). The erasure of
    阿卜杜·热合曼 leaves both notes whole: names are found with only [space · ・ .] between characters, the
    live erasure and the restore's re-erasure alike."""
    _note(desk, clock, "阿卜杜\u2027热合曼的访客证")
    _note(desk, clock, "阿卜杜\u2022热合曼来过")
    live = _erase_live(desk, clock, Person(name="阿卜杜·热合曼"))
    assert all("热合曼" not in t for t in live), live


def test_the_deny_list_for_wang_ming_stops_wang_ling_ming(db, clock):
    """Defect (false positive). Scenario: 王明 is on the deny list. A different visitor, 王〇明, signs in and
    is told to see the desk. The deny list's fold drops every N* character that is not in the Han blocks,
    and 〇 (U+3007, category Nl) is outside them, so 王〇明 folds to 王明. The reverse also holds: listing
    王〇明 stops every 王明."""
    visitors.add_to_deny_list(db, clock, DESK, name="王明", reason="r")
    visitors.check_deny(db, clock, name="王〇明")


# --------------------------------------------------------------------------------------------- held
def test_held_names_run_into_other_han_text_and_prefixed_phones_are_found_again(desk, clock):
    """Held. 请转告张伟明先生 / 张伟明的雨伞 / 張偉明 (traditional) / MARY  LEE (case, spacing) / +86 139 8765 4321
    and 0086-139-8765-4321 are all erased again after a restore, while a receipt number that holds the same
    digits (2026113987654321001) and another person's number are untouched."""
    for text in ("请转告张伟明先生回电", "张伟明的雨伞", "張偉明來過", "MARY  LEE said thanks",
                 "回电 +86 139 8765 4321", "回电 0086-139-8765-4321", "收据号 2026113987654321001",
                 "另一位 139-1234-5678"):
        _note(desk, clock, text)
    _erase_live(desk, clock, Person(name="张伟明"), Person(name="Mary Lee"), Person(phone="13987654321"))
    after = _restore(desk, clock)
    joined = " | ".join(after)
    for gone in ("张伟明", "張偉明", "MARY", "8765 4321", "8765-4321"):
        assert gone not in joined, (gone, after)
    for kept in ("请转告", "先生回电", "的雨伞", "來過", "said thanks", "收据号 2026113987654321001",
                 "另一位 139-1234-5678"):
        assert kept in joined, (kept, after)


def test_held_600_kb_of_notes_are_re_erased_in_bounded_time(desk, clock):
    """Held (measured). 600 KB of call notes of Han text with a name buried in the middle: the restore's
    re-erasure finds and cuts it and the whole restore stays within seconds."""
    rnd = random.Random(16)
    pool = "的一是在不了有和人这中大为上个国我以要他时来用们生到作地于出就分对成会可主发年动同工也能下过子说产种面而方后多定行学法所民得经"
    # a single note is capped at 500 characters (and call_notes is append-only), so the huge column is
    # 400 full-length notes (200,000 Han characters, ~600 KB) with the name in one of them
    for i in range(400):
        text = "".join(rnd.choice(pool) for _ in range(500))
        _note(desk, clock, text[:200] + "欧阳娜娜" + text[204:] if i == 200 else text)
    _erase_live(desk, clock, Person(name="欧阳娜娜"))
    started = time.monotonic()
    after = _restore(desk, clock)
    took = time.monotonic() - started
    print(f"restore with 600 KB of notes: {took:.2f} s")
    assert "欧阳娜娜" not in "".join(after)
    assert took < 30, took
    # the worst case: no replaced file to skip by (a new SD card, a damaged file moved aside): a full scan
    again = db_mod.connect(desk["path"], create=False)
    try:
        started = time.monotonic()
        found = erasure_reapply.people(again)
        full = time.monotonic() - started
    finally:
        again.conn.close()
    print(f"full re-erasure scan of 600 KB of notes: {full:.2f} s")
    assert found == [] and full < 30, (found, full)


CRASH = textwrap.dedent("""
    import os, sys
    from kiosk.core import erasure, restore
    from kiosk.core.audit import SYSTEM
    from kiosk.core.clock import SystemClock
    real = erasure.erase_as
    calls = []
    def once_then_die(*a, **k):
        out = real(*a, **k)
        calls.append(1)
        if len(calls) == 1:
            os._exit(9)          # the power goes after the first re-erasure is committed
        return out
    erasure.erase_as = once_then_die
    restore.restore(sys.argv[1], sys.argv[2], clock=SystemClock(), actor=SYSTEM)
""")


def test_held_a_kill_mid_re_erasure_is_finished_at_the_next_open(desk, clock):
    """Held. The power goes after the first of two re-erasures is committed (fault injected around the real
    erase_as in a child process). The next open finishes the pass from the recorded
    erasure_reapply_before, and both people are gone; the pending mark and the setting are cleared."""
    _note(desk, clock, "欧阳娜娜 left her umbrella")
    _note(desk, clock, "回电 139—8765—4321")
    _erase_live(desk, clock, Person(name="欧阳娜娜"), Person(phone="13987654321"))
    desk["db"].conn.close()
    script = desk["tmp"] / "crash.py"
    script.write_text(CRASH, encoding="utf-8")
    env = dict(os.environ)
    env["PYTHONPATH"] = str(Path(__file__).resolve().parents[2]) + os.pathsep + env.get("PYTHONPATH", "")
    done = subprocess.run([sys.executable, str(script), str(desk["path"]),
                           str(backup_mod.backups(desk["backups"])[0].path)], env=env, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode == 9, done.stderr[-2000:]
    half = _notes(desk["path"])
    assert sum("欧阳娜娜" in t or "8765" in t for t in half) == 1, half   # one of the two came back
    conn = sqlite3.connect(desk["path"])
    try:
        before = conn.execute("SELECT value FROM settings WHERE key = ?", (erasure_ledger.BEFORE,)).fetchone()
    finally:
        conn.close()
    assert before is not None and "before-restore" in before[0], before
    again = db_mod.connect(desk["path"], create=False)
    try:
        restore.reapply_pending(again, clock)
        assert not erasure_ledger.pending(again)
    finally:
        again.conn.close()
    texts = " | ".join(_notes(desk["path"]))
    assert "欧阳娜娜" not in texts and "8765" not in texts, texts
