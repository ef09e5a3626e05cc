"""Lost-and-found logs and summary figures, from items entered through kiosk.lostfound.service."""
from __future__ import annotations

import csv
import io
from datetime import date, datetime, timezone

import openpyxl

from kiosk.reports import export
from kiosk.lostfound import service as lostfound
from kiosk.core.audit import Actor
from kiosk.reports.summary import build

STAFF = Actor("李娜", None, "staff")
TZ = "Asia/Shanghai"


def test_lost_items_and_status_changes_are_exported(db, clock, tmp_path):
    clock.set(datetime(2026, 11, 1, 2, 0, tzinfo=timezone.utc))
    old = lostfound.register_item(db, clock, STAFF, TZ, category="umbrella", description="黑色长柄伞",
                                  found_place="大堂", handed_in_kind="customer", handed_in_name="王先生",
                                  storage="柜台抽屉")
    clock.set(datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc))
    new = lostfound.register_item(db, clock, STAFF, TZ, category="wallet", description="=HYPERLINK(\"x\")",
                                  found_place="电梯", handed_in_kind="staff", handed_in_name="保安",
                                  storage="保险柜", value_fen=150_050)
    day = date(2026, 11, 23)
    summary = build(db, clock, day, day, TZ)
    assert (summary.lost_received, summary.lost_claimed, summary.lost_due_handover) == (1, 0, 1)
    result = export.run_export(db, clock, first=day, last=day, tz_name=TZ, destination=tmp_path,
                               formats=["csv", "xlsx"], lang="en",
                               actor=__import__("kiosk.core.audit", fromlist=["Actor"]).Actor("王经理", None, "manager"))
    assert "lost_items" not in {m.name for m in result.missing}
    rows = list(csv.DictReader(io.StringIO((result.folder / "lost_items.csv").read_text("utf-8-sig"), newline="")))
    assert [r["Reference"] for r in rows] == [new.ref]                    # only the day's entries
    assert rows[0]["Description"] == "'=HYPERLINK(\"x\")"
    assert rows[0]["Value (yuan)"] == "1500.50" and (rows[0]["Status now"], rows[0]["Status now (code)"]) == ("Held", "held")
    events = list(csv.DictReader(io.StringIO((result.folder / "lost_item_events.csv").read_text("utf-8-sig"),
                                             newline="")))
    assert [(e["Reference"], e["Status"], e["Status (code)"]) for e in events] == [(new.ref, "Held", "held")]
    book = openpyxl.load_workbook(next(p for p, _ in result.files if p.suffix == ".xlsx"))
    sheet = book["Lost and found items"]
    headers = [c.value for c in sheet[1]]
    value = sheet.cell(row=2, column=headers.index("Value (yuan)") + 1)
    assert value.value == 1500.5 and "#,##0.00" in value.number_format and "¥" in value.number_format
    assert old.ref not in [c.value for c in sheet["B"]]
