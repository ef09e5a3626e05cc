"""Retention beyond the live database (issue 16): backups holding data past its period are rewritten
without it (verified, under a new name, audited) or deleted when they cannot be; the virtual printer's
receipt pictures go after the shortest print period and with a person's erasure."""
from __future__ import annotations

import json
import os
from pathlib import Path

from kiosk.core import audit, erasure
from kiosk.core import backup as backup_mod
from kiosk.core import db as db_mod
from kiosk.core import restore as restore_mod
from kiosk.core.erasure import Person
from kiosk.privacy import backups as pbackups
from kiosk.privacy import receipts
from kiosk.privacy import retention as beyond
from tests.core.test_core_erasure import NAME, ORG, PHONE, _fill

DAY = 24 * 3600


def _site(tmp_path, clock):
    path, folder = tmp_path / "data" / "kiosk.db", tmp_path / "backups"
    folder.mkdir()
    database = db_mod.connect(path)
    boss = _fill(database, clock)
    backup_mod.record_result(database, clock, boss.actor(), backup_mod.make_backup(path, folder, clock=clock))
    return database, path, folder, boss


def _live_retention(database, clock):
    from kiosk.visitors import service as visitors
    visitors.apply_retention(database, clock)


def test_a_backup_past_the_visitor_period_is_rewritten_without_the_visits(tmp_path, clock):
    database, path, folder, _ = _site(tmp_path, clock)
    [before] = backup_mod.backups(folder)
    assert ORG.encode() in before.path.read_bytes()
    clock.advance(40 * DAY)
    _live_retention(database, clock)
    done = beyond.run(database, path, clock, backup_folder=str(folder), receipt_folder=None)
    [outcome] = [o for o in done.backups if o.path.parent == folder]
    assert outcome.outcome == pbackups.RETAINED and outcome.replaced == before.path and not before.path.exists()
    [after] = backup_mod.backups(folder)
    restore_mod.verify(after.path)                      # a whole backup: digest, counts, integrity
    records = lambda counts: {t: n for t, n in counts.items() if not t.startswith("visits_fts")}  # noqa: E731
    assert records(after.counts) == records(before.counts), "retention blanks, it never removes a row"
    raw = after.path.read_bytes()
    assert ORG.encode() not in raw and ORG.encode("utf-16-le") not in raw, "the visit's company is gone"
    copy = db_mod.connect(after.path, create=False, read_only=True)
    try:
        assert copy.execute("SELECT COUNT(*) FROM visits WHERE name != '' OR phone != ''").fetchone()[0] == 0
        assert copy.execute("SELECT name, phone FROM expected_visitors").fetchall() == [("", "")]
        # the lost-and-found period (180 days) is not over: those rows keep the name
        assert copy.execute("SELECT handed_in_name FROM lf_items").fetchone()[0] == NAME
    finally:
        copy.conn.close()
    meta = json.loads(Path(f"{after.path}.json").read_text("utf-8"))
    assert "erased_at" not in meta and meta["retained_from"] == before.path.name, "retention is no erasure"
    [row] = [e for e in audit.entries(database) if e["action"] == "privacy.backup_retention"]
    assert before.path.name in row["after"] and NAME not in row["after"] and PHONE not in row["after"]
    assert database.execute("SELECT reason FROM backup_renames").fetchall() == [("retention",)]
    # the next day's pass finds nothing new past its period in it: nothing rewritten
    again = beyond.run(database, path, clock, backup_folder=str(folder), receipt_folder=None)
    assert [o.outcome for o in again.backups if o.path.parent == folder] == [pbackups.CLEAN]


def test_a_young_backup_is_left_alone(tmp_path, clock):
    database, path, folder, _ = _site(tmp_path, clock)
    clock.advance(2 * DAY)
    done = beyond.run(database, path, clock, backup_folder=str(folder), receipt_folder=None)
    assert [o.outcome for o in done.backups] == [pbackups.CLEAN]
    assert not [e for e in audit.entries(database) if e["action"] == "privacy.backup_retention"]


def test_a_damaged_backup_is_kept_while_young_and_deleted_once_past_the_period(tmp_path, clock):
    database, path, folder, _ = _site(tmp_path, clock)
    [made] = backup_mod.backups(folder)
    with open(made.path, "r+b") as handle:      # a flipped byte: its digest no longer matches
        handle.seek(200)
        byte = handle.read(1)
        handle.seek(200)
        handle.write(bytes([byte[0] ^ 0xFF]))
    clock.advance(5 * DAY)   # nothing in it past its period yet: kept as it is
    assert beyond.run(database, path, clock, backup_folder=str(folder), receipt_folder=None).backups[0].outcome \
        == pbackups.CLEAN and made.path.exists()
    clock.advance(35 * DAY)
    _live_retention(database, clock)
    done = beyond.run(database, path, clock, backup_folder=str(folder), receipt_folder=None)
    assert [o.outcome for o in done.backups] == [pbackups.DELETED]
    assert not made.path.exists() and not Path(f"{made.path}.json").exists()
    [row] = [e for e in audit.entries(database) if e["action"] == "privacy.backup_retention"]
    assert "deleted" in row["after"] and made.path.name in row["after"]


def test_a_backup_on_a_stick_not_plugged_in_is_reported(tmp_path, clock):
    database, path, folder, boss = _site(tmp_path, clock)
    stick = tmp_path / "media" / "STICK"
    backup_mod.record(database, clock, boss.actor(), kind="backup", started=clock.now(), outcome="ok",
                      file=str(stick / "kiosk-site-1-20261201T000000000Z.db"), destination=str(stick))
    clock.advance(40 * DAY)
    done = beyond.run(database, path, clock, backup_folder=str(folder), receipt_folder=None)
    assert [o.outcome for o in done.still_holding()] == [pbackups.NOT_REACHABLE]


def _picture(folder: Path, name: str, age_days: float, clock) -> Path:
    folder.mkdir(exist_ok=True)
    path = folder / name
    path.write_bytes(b"\x89PNG fake")
    when = clock.now().timestamp() - age_days * DAY
    os.utime(path, (when, when))
    return path


def test_receipt_pictures_go_after_the_shortest_print_period(tmp_path, clock):
    database = db_mod.connect(tmp_path / "k.db")
    _fill(database, clock)
    folder = tmp_path / "receipts"
    old = _picture(folder, "20261101-120000-badge-slip.png", 31, clock)
    tmp = _picture(folder, "20261101-120000-badge-slip.tmp.png", 45, clock)
    young = _picture(folder, "20261130-120000-sale-T01-000001.png", 29, clock)
    other = folder / "notes.txt"
    other.write_text("not a picture")
    os.utime(other, (0, 0))
    assert receipts.period_days(database) == 30
    out = receipts.expire(database, clock, folder)
    assert sorted(out.removed) == sorted([old.name, tmp.name]) and young.exists() and other.exists()
    [row] = [e for e in audit.entries(database) if e["action"] == "privacy.receipt_files"]
    assert '"retention"' in row["after"] and old.name in row["after"]
    assert receipts.expire(database, clock, folder).removed == []
    assert len([e for e in audit.entries(database) if e["action"] == "privacy.receipt_files"]) == 1, \
        "nothing removed: nothing audited"


def test_an_erasure_removes_the_pictures_of_the_persons_print_jobs(tmp_path, clock):
    from kiosk.printing import queue as printqueue
    database = db_mod.connect(tmp_path / "k.db")
    boss = _fill(database, clock)
    folder = tmp_path / "receipts"
    jobs = [r[0] for r in database.execute("SELECT id FROM print_jobs ORDER BY id")]
    assert len(jobs) == 2  # her badge and the roll-call list naming her
    pictures = [_picture(folder, f"20261201-10000{i}-badge-slip.png", 0, clock) for i in range(len(jobs))]
    for job, picture in zip(jobs, pictures):
        printqueue.mark(database, clock, job, "printed", f"saved {picture}")
    bystander = _picture(folder, "20261201-100009-sale-T01-000001.png", 0, clock)
    found = erasure.find(database, Person(phone=PHONE, name=NAME))
    assert receipts.jobs_of(found) == set(jobs)
    out = receipts.erase_jobs(database, clock, boss.actor(), folder, receipts.jobs_of(found))
    assert sorted(out.removed) == sorted(p.name for p in pictures) and bystander.exists()
    [row] = [e for e in audit.entries(database) if e["action"] == "privacy.receipt_files"]
    assert row["actor"] == "王经理" and '"erasure"' in row["after"] and NAME not in row["after"]
