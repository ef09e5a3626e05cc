"""`kiosk complaints export-month` is a manager's act like `kiosk export`: a manager's PIN (or the export
key), audited with who, range, formats, destination and rows; its folder 0700 and files 0600 whatever the
umask; and an erasure reaches the month's files."""
from __future__ import annotations

import json
import os
import zipfile
from datetime import datetime, timezone
from zoneinfo import ZoneInfo

import pytest
from click.testing import CliRunner

from kiosk.complaints import service as complaints
from kiosk.core import audit, auth
from kiosk.core import db as db_mod
from kiosk.core.audit import SYSTEM

TZ = "Asia/Shanghai"
NAME, PHONE = "哨兵欧阳娜娜", "13987654321"


@pytest.fixture
def site(tmp_path, clock):
    path = tmp_path / "data" / "kiosk.db"
    database = db_mod.connect(path)
    auth.add_user(database, clock, SYSTEM, "王经理", "manager", "4826")
    auth.add_user(database, clock, SYSTEM, "Li Na", "staff", "2468")
    clock.set(datetime(2026, 11, 10, 10, tzinfo=ZoneInfo(TZ)).astimezone(timezone.utc))
    complaints.take(database, clock, SYSTEM, TZ, kind="complaint", category="noise", responsibility="company",
                    what="吵", customer_name=NAME, customer_contact=PHONE, place=f"{NAME}的办公室")
    database.conn.close()
    return path


def _run(path, out, *extra, pin=None):
    from kiosk.cli.main import main
    return CliRunner().invoke(main, ["complaints", "export-month", "--db", str(path), "--month", "2026-11",
                                     "--out", str(out), "--formats", "csv,xlsx", *extra],
                              input=None if pin is None else f"{pin}\n")


def _audits(path, action):
    database = db_mod.connect(path)
    try:
        return [e for e in audit.entries(database) if e["action"] == action]
    finally:
        database.conn.close()


def test_no_manager_no_export(site, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    for extra, pin in (((), None), (("--manager", "Li Na"), "2468"), (("--manager", "王经理"), "0000"),
                       (("--manager", "王经理\u202e"), "4826"), (("--key", ""), None), (("--key", "guess"), None)):
        result = _run(site, out, *extra, pin=pin)
        assert result.exit_code != 0, (extra, result.output)
        assert not any(out.iterdir()), f"{extra}: wrote {list(out.iterdir())}"
    assert not _audits(site, "complaint.report_export")


def test_a_manager_exports_private_files_and_it_is_audited(site, tmp_path):
    out = tmp_path / "out"
    out.mkdir(mode=0o777)
    old = os.umask(0)
    try:
        result = _run(site, out, "--manager", "王经理", pin="4826")
    finally:
        os.umask(old)
    assert result.exit_code == 0, result.output
    folder = out / "kiosk-complaints-2026-11"
    assert folder.stat().st_mode & 0o777 == 0o700
    files = sorted(folder.iterdir())
    assert [f.suffix for f in files] == [".csv", ".xlsx"]
    assert all(f.stat().st_mode & 0o777 == 0o600 for f in files)
    (entry,) = _audits(site, "complaint.report_export")
    after = json.loads(entry["after"]) if isinstance(entry["after"], str) else entry["after"]
    assert entry["actor"] == "王经理"
    assert after["first_day"] == "2026-11-01" and after["last_day"] == "2026-11-30"
    assert after["formats"] == ["csv", "xlsx"] and after["destination"] == str(folder)
    assert after["rows"] == {"complaints": 1}


def test_an_erasure_reaches_the_month_report(site, tmp_path):
    out = tmp_path / "out"
    out.mkdir()
    assert _run(site, out, "--manager", "王经理", pin="4826").exit_code == 0
    book = out / "kiosk-complaints-2026-11" / "kiosk-complaints-2026-11.xlsx"

    def holds() -> bool:
        with zipfile.ZipFile(book) as z:
            return any(NAME.encode() in z.read(i) for i in z.infolist())
    assert holds(), "the place names the person before the erasure"
    from kiosk.cli.main import main
    result = CliRunner().invoke(main, ["privacy", "erase", "--db", str(site), "--phone", PHONE, "--name", NAME,
                                       "--manager", "王经理", "--yes"], input="4826\n")
    assert result.exit_code == 0, result.output
    assert not holds(), result.output
