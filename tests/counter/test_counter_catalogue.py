"""The goods catalogue: edits audited before/after, stock in/out as movements, CSV round trip (all rows or
none), and the `kiosk catalogue` commands."""
from __future__ import annotations

import csv
import io
import json

import pytest
from click.testing import CliRunner

from kiosk.core import audit
from kiosk.counter import catalogue_csv
from kiosk.counter import sales as counter
from kiosk.demo import accounts as demo
from kiosk.core.audit import Actor
from kiosk.counter.catalogue_csv import ImportError_
from kiosk.cli.main import main
from kiosk.counter.sales import CounterError

STAFF = Actor("Li Na", None, "staff")
MANAGER = Actor("Zhou Min", None, "manager")


@pytest.fixture
def catalogue(db, clock):
    counter.seed_demo(db, clock)
    return {p.sku: p for p in counter.products(db, active_only=False)}


def test_edit_is_audited_with_before_and_after_and_staff_cannot_edit(db, clock, catalogue):
    water = catalogue["DRK-001"]
    with pytest.raises(CounterError):
        counter.update_product(db, clock, STAFF, water.id, price_fen=350)
    after = counter.update_product(db, clock, MANAGER, water.id, price_fen=350, active=False)
    assert after.price_fen == 350 and not after.active
    entry = [e for e in audit.entries(db, table="products") if e["record_id"] == str(water.id)][-1]
    assert entry["actor"] == "Zhou Min"
    before, after_json = json.loads(entry["before"]), json.loads(entry["after"])
    assert before["price_fen"] == water.price_fen and after_json["price_fen"] == 350
    # An inactive product is not offered at the counter but stays in the catalogue and its history.
    assert water.id not in {p.id for p in counter.products(db)}
    assert counter.product(db, water.id).sku == "DRK-001"


def test_stock_in_and_out_are_movements_with_a_reason(db, clock, catalogue):
    water = catalogue["DRK-001"]
    counter.adjust_stock(db, clock, MANAGER, water.id, 24, "delivery")
    counter.adjust_stock(db, clock, MANAGER, water.id, -2, "damaged")
    assert counter.product(db, water.id).stock == water.stock + 22
    with pytest.raises(CounterError):
        counter.adjust_stock(db, clock, MANAGER, water.id, 5, "  ")
    with pytest.raises(CounterError):
        counter.adjust_stock(db, clock, MANAGER, water.id, -(water.stock + 23), "more than we have")
    assert counter.product(db, water.id).stock == water.stock + 22


def test_csv_round_trip_changes_nothing(db, clock, catalogue):
    text = catalogue_csv.export_csv(db)
    assert text.splitlines()[0] == ",".join(catalogue_csv.COLUMNS)
    result = catalogue_csv.import_csv(db, clock, MANAGER, text)
    assert (result.added, result.updated, result.unchanged) == (0, 0, len(catalogue))


def _edit_csv(text: str, sku: str, **changes) -> str:
    rows = list(csv.DictReader(io.StringIO(text)))
    for row in rows:
        if row["sku"] == sku:
            row.update({k: str(v) for k, v in changes.items()})
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=catalogue_csv.COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue()


def test_csv_import_adds_updates_and_turns_a_stock_change_into_an_adjustment(db, clock, catalogue):
    water = catalogue["DRK-001"]
    text = _edit_csv(catalogue_csv.export_csv(db), "DRK-001", price="3.50", stock=water.stock + 10)
    text += "NEW-001,雨伞,Umbrella,45.5,,日用品,6,2,1\n"
    result = catalogue_csv.import_csv(db, clock, MANAGER, text)
    assert (result.added, result.updated, result.unchanged) == (1, 1, len(catalogue) - 1)
    after = counter.product(db, water.id)
    assert (after.price_fen, after.stock) == (350, water.stock + 10)
    umbrella = counter.by_sku(db, "NEW-001")
    assert (umbrella.price_fen, umbrella.stock, umbrella.category) == (4550, 6, "日用品")


def test_a_bad_file_names_every_bad_line_and_writes_nothing(db, clock, catalogue):
    before = catalogue_csv.export_csv(db)
    bad = before + ("NEW-002,伞,Umbrella,-3,,日用品,1,0,1\n"       # negative price
                    "NEW-003,,Nameless,1,,日用品,1,0,1\n"          # no Chinese name
                    "DRK-001,水,Water,3,,饮品,-4,0,1\n"            # duplicate SKU, negative stock
                    "NEW-004,盒,Box,abc,,日用品,1,0,1\n")          # price not a number
    with pytest.raises(ImportError_) as caught:
        catalogue_csv.import_csv(db, clock, MANAGER, bad)
    lines = {p.split(":")[0] for p in caught.value.problems}
    first_new = len(before.splitlines()) + 1
    assert lines == {f"line {first_new + i}" for i in range(4)}
    assert any("twice" in p for p in caught.value.problems)
    assert catalogue_csv.export_csv(db) == before
    with pytest.raises(ImportError_, match="missing column"):
        catalogue_csv.import_csv(db, clock, MANAGER, "sku,price\nA,1\n")
    with pytest.raises(CounterError):
        catalogue_csv.import_csv(db, clock, STAFF, before)


def test_cli_export_then_import_with_the_manager_pin(tmp_path, db, db_path, clock):
    demo.ensure_demo(db, clock)  # the demo manager and catalogue
    db = db_path
    runner = CliRunner()
    out = tmp_path / "catalogue.csv"
    exported = runner.invoke(main, ["catalogue", "export", str(out), "--db", str(db)])
    assert exported.exit_code == 0, exported.output
    assert out.read_bytes().startswith(b"\xef\xbb\xbf")  # BOM, so Excel opens the Chinese names right
    manager = "Demo Manager 演示经理"
    wrong = runner.invoke(main, ["catalogue", "import", str(out), "--manager", manager, "--pin", "0000",
                                 "--db", str(db)])
    assert wrong.exit_code != 0 and "错误" in wrong.output
    out.write_text(out.read_text("utf-8-sig") + "BAD-1,坏,Bad,x,,日用品,1,0,1\n", encoding="utf-8-sig")
    refused = runner.invoke(main, ["catalogue", "import", str(out), "--manager", manager, "--pin", "9999",
                                   "--db", str(db)])
    assert refused.exit_code != 0 and "未导入任何内容" in refused.output and "price" in refused.output
    out.write_text(out.read_text("utf-8-sig").replace("BAD-1,坏,Bad,x", "NEW-1,新,New,2"), encoding="utf-8-sig")
    done = runner.invoke(main, ["catalogue", "import", str(out), "--manager", manager, "--pin", "9999",
                                "--db", str(db)])
    assert done.exit_code == 0, done.output
    assert done.output.startswith("新增 1，")   # the default site: zh_CN


def test_fee_types_are_kept_by_managers_and_retired_not_deleted(db, clock):
    from kiosk.counter import fees
    fees.seed_demo(db, clock)
    with pytest.raises(CounterError):
        fees.add_fee_type(db, clock, STAFF, code="X", name_zh="甲", name_en="X", default_fen=100)
    with pytest.raises(CounterError, match="already used"):
        fees.add_fee_type(db, clock, MANAGER, code="GREEN9", name_zh="甲", name_en="X", default_fen=100)
    with pytest.raises(CounterError, match="between"):
        fees.add_fee_type(db, clock, MANAGER, code="BIG", name_zh="甲", name_en="X", default_fen=10**12)
    new_id = fees.add_fee_type(db, clock, MANAGER, code="CART", name_zh="球车费", name_en="Golf cart", default_fen=20000)
    changed = fees.update_fee_type(db, clock, MANAGER, new_id, default_fen=25000, member_required=True)
    assert (changed.default_fen, changed.member_required, changed.amount_editable) == (25000, True, True)
    with pytest.raises(CounterError):
        fees.update_fee_type(db, clock, MANAGER, new_id, name_en="  ")
    with pytest.raises(CounterError):
        fees.update_fee_type(db, clock, MANAGER, new_id, code="OTHER")
    fees.update_fee_type(db, clock, MANAGER, new_id, active=False)
    assert "CART" not in [f.code for f in fees.fee_types(db)]
    assert "CART" in [f.code for f in fees.fee_types(db, active_only=False)]
    entry = [e for e in audit.entries(db, table="fee_types") if e["record_id"] == str(new_id)]
    assert [e["action"] for e in entry] == ["fee_type.add", "fee_type.change", "fee_type.change"]
    assert json.loads(entry[1]["before"]) == {"default_fen": 20000, "member_required": 0}
