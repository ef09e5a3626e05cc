"""Counter logs in the export: sale lines, fees, voids and refunds, and totals that equal the day's."""
from __future__ import annotations

import csv
from datetime import date

import openpyxl

from kiosk.counter import sales as counter
from kiosk.reports import export
from kiosk.counter import fees
from kiosk.counter import closing, shifts
from kiosk.core.audit import Actor
from kiosk.counter.sales import Payment
from kiosk.reports.summary import range_bounds

STAFF = Actor("Li Na", None, "staff")
MANAGER = Actor("Zhou Min", None, "manager")


def test_counter_logs_and_payment_totals_reconcile_with_the_day(db, clock, tmp_path):
    counter.seed_demo(db, clock)
    fees.seed_demo(db, clock)
    shifts.open_shift(db, clock, STAFF, "T01", float_fen=20000)
    water, glove = counter.by_barcode(db, "6901234567892"), counter.by_barcode(db, "6901234567902")
    counter.sell(db, clock, STAFF, "T01", {water.id: 2}, Payment("cash", tendered_fen=1000))
    refunded = counter.sell(db, clock, STAFF, "T01", {glove.id: 1}, Payment("card", reference="T1"))
    counter.reverse(db, clock, STAFF, MANAGER, "T01", refunded.sale_id, kind="refund", reason="=SUM(A1)",
                    same_day=True)
    green = next(f for f in fees.fee_types(db) if f.code == "GREEN9")
    fees.collect(db, clock, STAFF, "T01", fee_type_id=green.id, payer="+86 王", payment=Payment("mobile", reference="W9"))
    shifts.hand_over(db, clock, STAFF, "T01", amount_fen=500, received_by="财务 吴")
    clock.advance(60)
    closing.close_shift(db, clock, MANAGER, "T01", counted_fen=20100)
    day = date(2026, 11, 23)  # the FakeClock's day in Shanghai
    result = export.run_export(db, clock, first=day, last=day, tz_name="Asia/Shanghai", destination=tmp_path,
                               formats=["csv", "xlsx"], lang="en",
                               actor=__import__("kiosk.core.audit", fromlist=["Actor"]).Actor("王经理", None, "manager"))
    start, end = range_bounds(day, day, "Asia/Shanghai")
    day_totals = shifts.payment_totals(db, start, end)
    assert day_totals == {"cash": 600, "card": 0, "mobile": 38000}
    assert result.summary.payments == day_totals, "the export's totals are the day's, to the fen"
    assert {"sale_lines", "fee_collections", "voids_refunds", "stock_movements", "cash_handovers",
            "eod_reports"} <= set(result.rows)
    names = {p.name: p for p, _ in result.files}
    with open(next(p for n, p in names.items() if n.startswith("sale_lines")), encoding="utf-8-sig") as fh:
        rows = list(csv.DictReader(fh))
    assert [(r["Product"], r["Line total (yuan)"]) for r in rows] == [("矿泉水 550ml", "6.00"), ("高尔夫手套", "98.00")]
    with open(next(p for n, p in names.items() if n.startswith("voids_refunds")), encoding="utf-8-sig") as fh:
        [reversal] = list(csv.DictReader(fh))
    assert reversal["Reason"] == "'=SUM(A1)" and reversal["Approved by"] == "Zhou Min"
    book = openpyxl.load_workbook(next(p for n, p in names.items() if n.endswith(".xlsx")))
    fee_sheet = next(ws for ws in book.worksheets if "Fee" in ws.title or "收费" in ws.title)
    header = [c.value for c in fee_sheet[1]]
    row = [c.value for c in fee_sheet[2]]
    # A string cell: what was typed, no visible guard (a workbook never evaluates a string cell).
    assert row[header.index("Amount (yuan)")] == 380 and row[header.index("Payer")] == "+86 王"
    assert fee_sheet.cell(row=2, column=header.index("Payer") + 1).data_type == "s"
    assert (row[header.index("Paid by")], row[header.index("Paid by (code)")]) == ("Mobile payment", "mobile")
    with open(next(p for n, p in names.items() if n.startswith("eod_reports")), encoding="utf-8-sig") as fh:
        [report] = list(csv.DictReader(fh))
    assert (report["Report"], report["Expected cash (yuan)"], report["Variance (yuan)"]) == ("T01-E-000001", "201.00",
                                                                                         "-0.00") or \
        (report["Report"], report["Expected cash (yuan)"], report["Variance (yuan)"]) == ("T01-E-000001", "201.00",
                                                                                          "0.00")
    with open(next(p for n, p in names.items() if n.startswith("cash_handovers")), encoding="utf-8-sig") as fh:
        [handover] = list(csv.DictReader(fh))
    assert (handover["Amount (yuan)"], handover["Received by"]) == ("5.00", "财务 吴")
    with open(next(p for n, p in names.items() if n.startswith("stock_movements")), encoding="utf-8-sig") as fh:
        moves = list(csv.DictReader(fh))
    # Sales are in the sale lines; this log holds the rest: the demo's opening deliveries and the
    # refunded glove back on the shelf.
    assert {(m["Kind"], m["Kind (code)"]) for m in moves} == {("Goods delivered", "receipt"), ("Refund", "refund")}
    assert [(m["SKU"], m["Quantity (+in/-out)"]) for m in moves if m["Kind (code)"] == "refund"] == [(glove.sku, "1")]
