"""A restore never rewinds a numbered series: receipt numbers printed after the backup (sales, fees, lost-and-
found references) are never issued again to other records. The outside tester's case, through the services
(demo seed sells through the counter), the CLI and the dry run."""
from __future__ import annotations

import sqlite3
from pathlib import Path

from click.testing import CliRunner

from kiosk.cli.main import main
from kiosk.core import backup as backup_mod
from kiosk.core import restore as restore_mod
from tests.days import yesterday


def cli(*args: str):
    result = CliRunner().invoke(main, list(args))
    assert result.exit_code == 0 and "Traceback" not in result.output, result.output
    return result.output


def receipts(db: Path) -> dict[str, tuple]:
    conn = sqlite3.connect(db)
    try:
        return {r[0]: r[1:] for r in conn.execute("SELECT receipt_no, id, uid FROM sales")}
    finally:
        conn.close()


def series(db: Path) -> dict[str, int]:
    return restore_mod.series_of(db)


def test_a_restore_moves_every_series_past_what_was_issued_since_the_backup(tmp_path):
    db = tmp_path / "k.db"
    cli("demo", "init", "--db", str(db))
    cli("demo", "seed", "--db", str(db), "--days", "1", "--end-day", yesterday(), "--sales", "4", "--visitors", "0", "--calls", "0", "--seed", "3")
    bk = tmp_path / "bk"
    bk.mkdir()
    cli("backup", "--db", str(db), "--to", str(bk), "--keep-all")
    backed = series(db)
    # The day goes on: more receipts printed after the backup.
    cli("demo", "seed", "--db", str(db), "--days", "1", "--end-day", yesterday(), "--sales", "5", "--visitors", "0", "--calls", "0", "--seed", "11")
    issued = series(db)
    printed = receipts(db)
    grown = {n for n in issued if issued[n] > backed.get(n, 0)}
    assert grown, "the second day issued numbers"
    file = backup_mod.backups(bk)[0].path
    dry = cli("restore", "--db", str(db), "--dry-run", str(file))
    for name in grown:
        assert f"编号序列 {name}：{backed.get(name, 0) + 1} 至 {issued[name]} 号" in dry, dry
    cli("restore", "--db", str(db), "--yes", str(file))
    after = series(db)
    assert all(after[n] >= issued[n] for n in issued), (after, issued)
    # The desk sells again: no receipt number printed before the restore names another sale now.
    cli("demo", "seed", "--db", str(db), "--days", "1", "--end-day", yesterday(), "--sales", "5", "--visitors", "0", "--calls", "0", "--seed", "12")
    now = receipts(db)
    reused = [no for no, ident in now.items() if no in printed and printed[no][1] != ident[1]]
    assert not reused, f"receipt numbers issued twice: {reused}"
    conn = sqlite3.connect(db)
    assert conn.execute("SELECT COUNT(*) FROM backups WHERE kind = 'restore'").fetchone()[0] == 1
    conn.close()
