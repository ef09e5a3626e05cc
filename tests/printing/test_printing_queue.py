"""The print queue keeps every job and its history; the virtual printer writes PNGs."""
from __future__ import annotations

import sqlite3
import time

import pytest

from hardware.devices import start_printer
from kiosk.core import audit
from kiosk.core import config
from kiosk.printing import queue as printqueue
from kiosk.core.audit import Actor
from kiosk.core.context import Context
from kiosk.core.db import write
from kiosk.printing.documents import receipt_number
from tests import receipt_samples

STAFF = Actor("Li Na", None, "staff")


def test_job_commits_with_its_record_or_not_at_all(db, clock):
    with pytest.raises(RuntimeError):
        with write(db):
            number = receipt_number(db, "T01", "sale")
            printqueue.enqueue(db, clock, STAFF, receipt_samples.sale(number=number), record_table="sales",
                               record_id=1, kick_drawer=True)
            raise RuntimeError("payment declined")
    assert db.execute("SELECT COUNT(*) FROM print_jobs").fetchone()[0] == 0
    assert db.execute("SELECT COUNT(*) FROM drawer_kicks").fetchone()[0] == 0
    with write(db):
        assert receipt_number(db, "T01", "sale") == "T01-S-000001"  # the number was given back


def test_jobs_and_history_are_append_only(db, clock):
    job_id = printqueue.enqueue(db, clock, STAFF, receipt_samples.fee(), record_table="fees", record_id=3)
    with pytest.raises(sqlite3.DatabaseError):
        db.execute("DELETE FROM print_jobs")
    with pytest.raises(sqlite3.DatabaseError):
        db.execute("UPDATE print_jobs SET document = NULL")
    with pytest.raises(sqlite3.DatabaseError):
        db.execute("UPDATE print_job_events SET status = 'printed'")
    printqueue.mark(db, clock, job_id, "failed", "offline", attempts=1)
    printqueue.mark(db, clock, job_id, "printed", "printed")
    job = printqueue.get(db, job_id)
    assert (job.status, job.attempts) == ("printed", 1)
    assert printqueue.pending(db) == []


def test_reprint_is_marked_audited_and_never_kicks(db, clock):
    job_id = printqueue.enqueue(db, clock, STAFF, receipt_samples.sale(), record_table="sales", record_id=7,
                                kick_drawer=True)
    copy_id = printqueue.reprint(db, clock, STAFF, job_id)
    copy = printqueue.get(db, copy_id)
    assert copy.receipt.reprint and not copy.kick_drawer and copy.reprint_of == job_id
    assert copy.receipt.number == "T01-S-000042"  # same number: it is the same receipt
    assert [j.id for j in printqueue.for_record(db, "sales", 7)] == [job_id, copy_id]
    [entry] = audit.entries(db, table="print_jobs")
    assert entry["action"] == "receipt.reprint" and entry["actor"] == "Li Na"


def test_no_sale_drawer_opening_needs_a_reason_and_is_logged(db, clock):
    with pytest.raises(ValueError):
        printqueue.kick_drawer(db, clock, STAFF, "  ")
    job_id = printqueue.kick_drawer(db, clock, STAFF, "change for the vending machine")
    kicks = list(db.query("SELECT * FROM drawer_kicks"))
    assert [k["reason"] for k in kicks] == ["no sale: change for the vending machine"]
    job = printqueue.get(db, job_id)
    assert job.kind == "drawer" and job.kick_drawer and job.receipt is None
    sale_job = printqueue.enqueue(db, clock, STAFF, receipt_samples.sale(), record_table="sales", record_id=1,
                                  kick_drawer=True)
    assert [k["reason"] for k in db.query("SELECT reason FROM drawer_kicks ORDER BY id")][-1] == "sale"
    assert printqueue.get(db, sale_job).kick_drawer


def test_virtual_printer_writes_pngs_at_paper_width(tmp_path, db_path, clock):
    cfg = config.validate({"printer": {"kind": "virtual", "output_dir": str(tmp_path / "out"), "paper_mm": 58}})
    ctx = Context(config=cfg, db_path=db_path, clock=clock)
    printqueue.enqueue(ctx.db, clock, STAFF, receipt_samples.badge("zh_CN"), record_table="visits", record_id=1)
    printqueue.kick_drawer(ctx.db, clock, STAFF, "float check")
    handle = start_printer(ctx, poll=0.05)
    try:
        deadline = time.monotonic() + 10
        while printqueue.queued_count(ctx.db) and time.monotonic() < deadline:
            time.sleep(0.05)
    finally:
        handle.stop()
    from PIL import Image
    [png] = sorted((tmp_path / "out").glob("*.png"))
    assert "badge-T01-B-000120" in png.name
    with Image.open(png) as image:
        assert image.width == 384 + 32  # 58 mm paper at 203 dpi, plus the preview's margins
    assert [j.status for j in printqueue.recent(ctx.db)] == ["printed", "printed"]
