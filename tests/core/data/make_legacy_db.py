"""Make a database exactly as the code before migration 0011 wrote it (kept gzipped).

The demo seed and the services now write the 0011 schema, so the database that 0011 must carry is
made once by the code of the last commit before it and stored: tests/core/test_core_schema.py loads
it, migrates it and compares counts and money. To remake it (or a bigger one to time the migration):

    git archive 68c85cd | tar -x -C /tmp/pre0011
    PYTHONPATH=/tmp/pre0011 KIOSK_HOME=$(mktemp -d) python tests/core/data/make_legacy_db.py OUT.db [--days N]
    sqlite3 OUT.db 'PRAGMA journal_mode=DELETE; VACUUM' && gzip -9c OUT.db > tests/core/data/legacy_0010.db.gz

(the file itself, not an SQL dump: a dump cannot recreate the FTS5 index as the old migrations made it).

Besides the seed's bulk rows it runs one full counter day through the services (open, sales, a void,
a refund, fees, a fee void, a cash handover, the close) and touches every other record table once.
"""
from __future__ import annotations

import argparse
import base64
from datetime import date, datetime, timezone

from kiosk.core import db as db_mod
from kiosk.core.audit import Actor
from kiosk.core.clock import FakeClock


def main() -> None:
    args = argparse.ArgumentParser()
    args.add_argument("out")
    args.add_argument("--days", type=int, default=5)
    opts = args.parse_args()
    db = db_mod.connect(opts.out)
    assert db_mod.schema_version(db) == 10, "run this with the code from before migration 0011"
    clock = FakeClock(datetime(2026, 11, 23, 1, 0, tzinfo=timezone.utc))
    from kiosk.demo import accounts, seed
    accounts.ensure_demo(db, clock)
    seed.seed(db, clock, days=opts.days, tz_name="Asia/Shanghai", end_day=date(2026, 11, 22))
    _one_day(db, clock)


def _one_day(db, clock: FakeClock) -> None:
    from kiosk.counter import closing, fees, sales, shifts, stockcount
    from kiosk.lostfound import service as lostfound
    from kiosk.phone import calllog
    from kiosk.printing import queue
    from kiosk.visitors import service as visitors
    users = {row["name"]: row for row in db.query("SELECT id, name, role FROM users")}
    staff = next(Actor(u["name"], u["id"], u["role"]) for u in users.values() if u["role"] == "staff")
    manager = next(Actor(u["name"], u["id"], u["role"]) for u in users.values() if u["role"] == "manager")
    terminal = "T01"
    from kiosk.core import auth
    from kiosk.demo.accounts import DEMO_STAFF
    auth.sign_in(db, clock, staff.id, DEMO_STAFF[1])
    try:
        auth.sign_in(db, clock, staff.id, "0000" if DEMO_STAFF[1] != "0000" else "9999")
    except auth.AuthError:
        pass
    products = sales.products(db)
    shifts.open_shift(db, clock, staff, terminal, float_fen=50000,
                      counts=[stockcount.CountLine(products[0].id, products[0].stock - 1, True, "broken")])
    clock.advance(600)
    cash = sales.sell(db, clock, staff, terminal, {products[0].id: 2, products[1].id: 1},
                      sales.Payment("cash", tendered_fen=100000))
    card = sales.sell(db, clock, staff, terminal, {products[1].id: 3}, sales.Payment("card", reference="A1"))
    mobile = sales.sell(db, clock, staff, terminal, {products[2].id: 1}, sales.Payment("mobile", reference="M1"))
    clock.advance(60)
    sales.reverse(db, clock, staff, manager, terminal, card.sale_id, kind="void", reason="wrong item", same_day=True)
    line = sales.sold_lines(db, cash.sale_id)[0]
    sales.reverse(db, clock, staff, manager, terminal, cash.sale_id, kind="refund", reason="damaged",
                  same_day=True, quantities={line["id"]: 1})
    fee_type = fees.fee_types(db)[0]
    fee_id, _, _ = fees.collect(db, clock, staff, terminal, fee_type_id=fee_type.id, payer="张先生",
                                payment=sales.Payment("cash", tendered_fen=fee_type.default_fen or 1000),
                                amount_fen=fee_type.default_fen or 1000)
    fees.collect(db, clock, staff, terminal, fee_type_id=fee_type.id, payer="Ms Lee",
                 payment=sales.Payment("card", reference="C9"), amount_fen=fee_type.default_fen or 1000)
    fees.void(db, clock, staff, manager, terminal, fee_id, "collected twice")
    queue.kick_drawer(db, clock, staff, "change for the till")
    shifts.hand_over(db, clock, staff, terminal, amount_fen=20000, received_by="财务 张敏", note="midday")
    # Visitors: self and staff sign-ins, an expected visitor, a roll call, the deny list.
    host = visitors.hosts(db)[0]
    expected = visitors.add_expected(db, clock, staff, name="钱七", phone="13900001111", host_id=host["id"],
                                     expected_on="2026-11-23")
    came = visitors.sign_in(db, clock, visitors.Visitor("钱七", "13900001111", host["id"], "meeting",
                                                        privacy_accepted=True))
    walk = visitors.sign_in(db, clock, visitors.Visitor("孙八", "13900002222", host["id"], "delivery",
                                                        id_type="id_card", id_number="110101199001011234"),
                            actor=staff)
    visitors.mark_located(db, clock, staff, came.visit_id)
    visitors.sign_out(db, clock, staff, walk.visit_id)
    entry = visitors.add_to_deny_list(db, clock, staff, name="坏人", reason="trouble last month")
    visitors.lift_deny(db, clock, manager, entry, "apologised")
    assert expected
    # Lost and found: a claim, a handover, a disposal, a lost report.
    items = lostfound.held_items(db)
    png = base64.b64decode("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==")
    lostfound.claim(db, clock, staff, terminal, items[0].id, claimant_name="周九", contact="13900003333",
                    id_type="id_card", id_number="110101199001014321", described_features=items[0].features or "黑色",
                    described_quantity=items[0].quantity, identity_checked=True, signature_png=png)
    lostfound.hand_over(db, clock, staff, terminal, [items[1].id], received_by="行政部 王建国")
    lostfound.dispose(db, clock, staff, items[1].id, method="donated", authorised_by="行政部 王建国")
    lostfound.report_lost(db, clock, staff, category="umbrella", description="蓝色雨伞", owner_name="吴十",
                          contact="13900004444", lost_on=date(2026, 11, 22))
    # The phone: a staff-confirmed call with a note and a callback.
    call_id = calllog.start_call(db, clock, "simulated")
    calllog.confirm_outcome(db, clock, staff, call_id, "answered")
    note = calllog.add_note(db, clock, staff, call_id=call_id, category="inquiry", what="开放时间",
                            caller_number="13900005555",
                            needs_callback=True, callback_minutes=30)
    calllog.complete_callback(db, clock, staff, note, "已回电")
    stockcount.stocktake(db, clock, manager, terminal,
                         [stockcount.CountLine(p.id, sales.product(db, p.id).stock) for p in sales.products(db)])
    clock.advance(3600)
    expected_cash = shifts.expected_cash(db, shifts.current(db, terminal))
    closing.close_shift(db, clock, staff, terminal, counted_fen=expected_cash - 100)
    assert mobile


if __name__ == "__main__":
    main()
