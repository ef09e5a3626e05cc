"""The demo seed leaves the print jobs its records would have: previews and reprints work on it."""
from __future__ import annotations

from click.testing import CliRunner

from kiosk.cli.main import main
from kiosk.core import db as db_mod
from kiosk.printing import queue as printqueue


def test_seeded_sales_and_fees_preview_and_reprint_from_the_cli(db_path, tmp_path):
    runner = CliRunner()
    assert runner.invoke(main, ["db", "init", "--db", str(db_path)]).exit_code == 0
    seeded = runner.invoke(main, ["demo", "seed", "--db", str(db_path), "--days", "2", "--sales", "6"])
    assert seeded.exit_code == 0, seeded.output
    database = db_mod.connect(db_path)
    sales = database.execute("SELECT COUNT(*) FROM sales").fetchone()[0]
    fees = database.execute("SELECT COUNT(*) FROM fee_collections").fetchone()[0]
    jobs = {kind: n for kind, n in database.execute("SELECT kind, COUNT(*) FROM print_jobs GROUP BY kind")}
    # The seed writes nothing after now (the real clock here): today's six sales only once they happened.
    assert jobs.get("sale") == sales and jobs.get("fee") == fees and 6 <= sales <= 12
    cash = database.execute("SELECT COUNT(*) FROM payments WHERE method = 'cash'").fetchone()[0] + \
        database.execute("SELECT COUNT(*) FROM fee_collections WHERE method = 'cash'").fetchone()[0]
    assert database.execute("SELECT COUNT(*) FROM drawer_kicks").fetchone()[0] == cash
    assert printqueue.queued_count(database) == 0, "the seed's past receipts were printed, nothing waits"
    receipt_no = database.execute("SELECT receipt_no FROM sales WHERE id = 1").fetchone()[0]
    preview = runner.invoke(main, ["receipt", "preview", "--db", str(db_path), "--kind", "sale", "--id", "1"])
    assert preview.exit_code == 0, preview.output
    assert receipt_no in preview.output and "销售" in preview.output
    png = tmp_path / "fee.png"
    fee_preview = runner.invoke(main, ["receipt", "preview", "--db", str(db_path), "--kind", "fee", "--id", "1",
                                       "--png", str(png)])
    assert fee_preview.exit_code == 0 and png.stat().st_size > 1000, fee_preview.output
    job = database.execute("SELECT id FROM print_jobs WHERE kind = 'sale' AND record_id = '1'").fetchone()[0]
    from kiosk.core.clock import FakeClock
    from kiosk.demo import accounts
    accounts.ensure_demo(database, FakeClock())
    name = accounts.DEMO_MANAGER[0]
    again = runner.invoke(main, ["receipt", "reprint", "--db", str(db_path), "--job", str(job), "--user", name])
    assert again.exit_code == 0, again.output
    copy = printqueue.recent(database, 1)[0]
    assert copy.reprint_of == job and copy.receipt.reprint and copy.receipt.mark.startswith("重印人：" + name)
    assert not copy.kick_drawer and copy.status == "queued"
    shown = runner.invoke(main, ["receipt", "preview", "--db", str(db_path), "--job", str(copy.id)]).output
    assert "重印" in shown and name in shown, shown
    database.close()
