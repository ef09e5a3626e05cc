"""`kiosk demo seed` rows have the shape the call services write, and the call figures read them."""
from __future__ import annotations

from datetime import date

from kiosk.phone import calllog
from kiosk.demo import seed
from kiosk.phone.tracker import CallEvent
from kiosk.reports.summary import build, range_bounds

DAY = date(2026, 11, 22)


def _null_pattern(row: dict) -> tuple:
    return tuple(sorted(k for k, v in row.items() if v is None and k not in ("actor_id", "actor", "name")))


def test_seeded_calls_match_the_service_shape_and_figures(db, clock):
    made = seed.seed(db, clock, days=2, tz_name="Asia/Shanghai", calls=50, end_day=DAY)
    assert made["calls"] == 100
    # The same kinds of events through the service, for comparison of which columns are filled.
    call_id = calllog.start_call(db, clock, "simulated")
    calllog.record_event(db, clock, call_id, CallEvent("ring", 0, 1, rings=1, number="13800138000"))
    calllog.record_event(db, clock, call_id, CallEvent("answered", 0, 1, rings=1, number="13800138000",
                                                       source="offhook", seconds_to_answer=1.5))
    calllog.record_event(db, clock, call_id, CallEvent("ended", 0, 1, rings=1, number="13800138000",
                                                       outcome="answered", source="offhook", seconds_to_answer=1.5,
                                                       duration=60.0))
    service = {r["kind"]: _null_pattern(r) for r in db.query("SELECT * FROM call_events WHERE call_id = ?", (call_id,))}
    seeded = {}
    for row in db.query("SELECT * FROM call_events WHERE call_id < ? AND number IS NOT NULL", (call_id,)):
        if row["kind"] in service and row["outcome"] in (None, "answered"):
            seeded.setdefault(row["kind"], _null_pattern(row))
    assert seeded == service
    start, end = range_bounds(DAY, DAY, "Asia/Shanghai")
    calls = calllog.calls_between(db, start, end)
    assert len(calls) == 50 and {c.outcome for c in calls} <= {"answered", "missed"}
    assert all(c.rings_to_answer for c in calls if c.outcome == "answered")
    figures = calllog.figures(db, clock, start, end)
    assert figures.answered + figures.missed == 50 and 0 < figures.share_within_three < 1
    summary = build(db, clock, DAY, DAY, "Asia/Shanghai")
    assert sum(summary.calls_per_hour) == 50 and summary.calls.missed == figures.missed
    # Local opening hours only (08:00-18:00 in the site's time zone).
    assert all(n == 0 for h, n in enumerate(summary.calls_per_hour) if h < 8 or h > 17)


def test_seeded_visits_and_sales_match_the_services(db, clock):
    from kiosk.counter import sales as counter
    from kiosk.visitors import service as visitors
    from kiosk.core.audit import Actor
    from kiosk.counter.sales import Payment
    made = seed.seed(db, clock, days=3, tz_name="Asia/Shanghai", calls=0, visitors=40, sales=30, end_day=DAY)
    assert (made["visitors"], made["sales"], made["fees"]) == (120, 90, 9)
    assert db.execute("SELECT MAX(receipt_no) FROM fee_collections").fetchone()[0] == "T01-F-000009"
    # A visit through the service fills the same columns as a seeded self sign-in.
    host = visitors.find_hosts(db, "李娜")[0]   # the seed's own host directory, in the site's language
    visitors.sign_in(db, clock, visitors.Visitor(name="测试", phone="13700001111", host_id=host["id"],
                                                 purpose="meeting", party_size=1, privacy_accepted=True))
    rows = list(db.query("SELECT * FROM visits ORDER BY id"))
    service, seeded = rows[-1], next(r for r in rows if r["registered_by"] == "self")
    assert _null_pattern(service) == _null_pattern(seeded)
    assert visitors.search(db, seeded["name"][:2]) and len(visitors.on_site(db)) >= 1
    # Sales: lines add up to the total, one payment each, stock is what the movements say.
    for sale in db.query("SELECT s.id, s.total_fen, SUM(l.total_fen) AS lines FROM sales s"
                         " JOIN sale_lines l ON l.sale_id = s.id GROUP BY s.id"):
        assert sale["total_fen"] == sale["lines"]
    assert db.execute("SELECT COUNT(*) FROM payments").fetchone()[0] == 90
    # The series carries on: the next real sale takes number 91, no clash with a seeded receipt.
    water = counter.by_sku(db, "DRK-001")
    from kiosk.counter import shifts
    assert shifts.current(db, "T01") is None, "every seeded day (all before today) is closed"
    shifts.open_shift(db, clock, Actor("Li Na", None, "staff"), "T01", float_fen=0)
    result = counter.sell(db, clock, Actor("Li Na", None, "staff"), "T01", {water.id: 1}, Payment("card", reference="x"))
    assert result.receipt_no == "T01-S-000091"
    summary = build(db, clock, DAY, DAY, "Asia/Shanghai")
    assert summary is not None


def test_every_seeded_sale_and_fee_falls_in_one_closed_shift_that_reconciles(db, clock):
    """A seeded history looks like the desk's: each day a shift, closed with a numbered end-of-day report
    whose cash is the float plus that day's net cash; no sale or fee outside a shift."""
    import json
    made = seed.seed(db, clock, days=3, tz_name="Asia/Shanghai", calls=0, visitors=0, sales=20, end_day=DAY)
    assert made["shifts"] == 3
    spans = [(r["opened_at"], r["at"], r["expected_fen"], r["report"], r["float_fen"]) for r in db.query(
        "SELECT s.opened_at, s.float_fen, c.at, c.expected_fen, c.report FROM shifts s"
        " JOIN shift_closes c ON c.shift_id = s.id ORDER BY s.id")]
    assert len(spans) == 3 and len({json.loads(r)["closed_at"] for *_, r, _ in spans}) == 3
    for table, column in (("sales", "at"), ("fee_collections", "at")):
        for (at,) in db.execute(f"SELECT {column} FROM {table}"):
            assert sum(opened <= at < closed for opened, closed, *_ in spans) == 1, (table, at)
    for opened, closed, expected, report, float_fen in spans:
        cash = db.execute("SELECT COALESCE(SUM(p.amount_fen), 0) FROM payments p JOIN sales s ON s.id = p.sale_id"
                          " WHERE p.method = 'cash' AND s.at >= ? AND s.at < ?", (opened, closed)).fetchone()[0]
        cash += db.execute("SELECT COALESCE(SUM(amount_fen), 0) FROM fee_collections WHERE method = 'cash'"
                           " AND at >= ? AND at < ?", (opened, closed)).fetchone()[0]
        assert expected == float_fen + cash == json.loads(report)["cash"]["expected_fen"]
    numbers = [r[0] for r in db.execute("SELECT report_no FROM shift_closes ORDER BY id")]
    assert numbers == sorted(set(numbers)) and all(n.startswith("T01-") for n in numbers)
    # seeding again over the same days adds no second shift
    assert seed.seed(db, clock, days=3, tz_name="Asia/Shanghai", calls=0, visitors=0, sales=1, end_day=DAY)["shifts"] == 0


def _times_after(db, now_iso: str) -> dict[str, str]:
    """Every time-of-event column (at, *_at) of every table whose newest value is after now (the
    migrations table records the real time its migrations ran, not a desk event)."""
    late = {}
    for (table,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE '%fts%'"
                              " AND name != 'schema_migrations'"):
        for col in db.execute(f"PRAGMA table_info({table})"):
            name = col[1]
            if name == "at" or name.endswith("_at") and name not in ("anonymised_at",):
                newest = db.execute(f'SELECT MAX("{name}") FROM "{table}"').fetchone()[0]
                if isinstance(newest, str) and newest > now_iso:
                    late[f"{table}.{name}"] = newest
    return late


def test_seed_at_two_in_the_morning_writes_nothing_later_and_nobody_is_on_site(db):
    """At 02:00 the night is empty: no record after now, nobody "on site" who arrived in the future,
    and `visitors onsite` (the service the CLI calls) says 0."""
    from datetime import datetime, timezone

    from kiosk.core.clock import FakeClock, utc_iso
    from kiosk.visitors import service as visitors
    clock = FakeClock(datetime(2026, 11, 22, 18, 0, tzinfo=timezone.utc))   # 02:00 on 23 Nov in Shanghai
    from datetime import date
    made = seed.seed(db, clock, days=3, tz_name="Asia/Shanghai", visitors=60, calls=30, sales=40,
                     end_day=date(2026, 11, 23))
    assert made["visitors"] == 120 and made["calls"] > 0                      # two past days, none today
    assert _times_after(db, utc_iso(clock.now())) == {}
    assert visitors.on_site(db) == []
    assert db.execute("SELECT COUNT(*) FROM visits WHERE signed_in_at >= '2026-11-22T16:00'").fetchone()[0] == 0


def test_seed_before_opening_ends_yesterday_by_default(db):
    """Seeded at 02:00 without an end day, the days end yesterday: a demo opened at night is not empty."""
    from datetime import datetime, timezone

    from kiosk.core.clock import FakeClock, utc_iso
    clock = FakeClock(datetime(2026, 11, 22, 18, 0, tzinfo=timezone.utc))   # 02:00 on 23 Nov in Shanghai
    made = seed.seed(db, clock, days=1, tz_name="Asia/Shanghai", visitors=60, calls=0, sales=5)
    assert made["visitors"] == 60 and made["sales"] == 5
    assert _times_after(db, utc_iso(clock.now())) == {}
    first, last = db.execute("SELECT MIN(signed_in_at), MAX(signed_in_at) FROM visits").fetchone()
    assert "2026-11-22T00:00" <= first and last < "2026-11-22T10:00", (first, last)   # 22 Nov, 08:00–18:00 local


def test_seed_in_the_morning_stops_at_now_with_a_plausible_site(db):
    """At 10:30 today's visits, calls and sales run up to now and no further; the people on site are
    those who came today and have not left yet (a few, not the whole day's visitors)."""
    from datetime import datetime, timezone

    from kiosk.core.clock import FakeClock, utc_iso
    from kiosk.visitors import service as visitors
    clock = FakeClock(datetime(2026, 11, 23, 2, 30, tzinfo=timezone.utc))   # 10:30 in Shanghai
    seed.seed(db, clock, days=2, tz_name="Asia/Shanghai", visitors=200, calls=80, sales=100)
    now = utc_iso(clock.now())
    assert _times_after(db, now) == {}
    today = db.execute("SELECT COUNT(*) FROM visits WHERE signed_in_at >= '2026-11-22T16:00'").fetchone()[0]
    on_site = visitors.on_site(db)
    assert 0 < today < 200 and 0 < len(on_site) < today
    assert all("2026-11-22T16:00" <= v["signed_in_at"] <= now for v in on_site)   # came today, before now
    # Calls of today are finished calls: each has its end, none is still ringing.
    open_calls = db.execute("SELECT COUNT(*) FROM calls c WHERE NOT EXISTS (SELECT 1 FROM call_events e"
                            " WHERE e.call_id = c.id AND e.kind = 'ended')").fetchone()[0]
    assert open_calls == 0
    # Today's counter is open (opened 07:45), not closed in the future.
    from kiosk.counter import shifts
    assert shifts.current(db, "T01") is not None


def test_seeded_records_have_the_services_columns_codes_audit_and_print_jobs(db, clock):
    """The same columns filled, the same codes (a staff sign-in stores id_card and a masked number), an
    audit row per sign-in and sign-out, and a printed job (with its drawer opening for cash) per sale and
    fee, as the services leave them."""
    from kiosk.core.privacy import mask_document
    seed.seed(db, clock, days=2, tz_name="Asia/Shanghai", calls=0, visitors=30, sales=20, end_day=DAY)
    staff = list(db.query("SELECT id_type, id_number FROM visits WHERE registered_by = 'staff'"))
    assert staff and {r["id_type"] for r in staff} == {"id_card"}
    assert {r["id_number"] for r in staff} == {mask_document("id_card", seed.ID_NUMBER)}
    from kiosk.visitors.service import ID_TYPES
    assert {r["id_type"] for r in db.query("SELECT DISTINCT id_type FROM visits")} <= set(ID_TYPES) | {""}
    signouts = db.execute("SELECT COUNT(*) FROM visit_signouts").fetchone()[0]
    audited = db.execute("SELECT COUNT(*) FROM audit WHERE action LIKE 'visitor.sign_out.%'").fetchone()[0]
    assert signouts == audited > 0
    sales = db.execute("SELECT COUNT(*) FROM sales").fetchone()[0]
    fees = db.execute("SELECT COUNT(*) FROM fee_collections").fetchone()[0]
    jobs = dict(db.execute("SELECT record_table, COUNT(*) FROM print_jobs GROUP BY record_table").fetchall())
    assert jobs.get("sales") == sales and jobs.get("fee_collections") == fees
    printed = db.execute("SELECT COUNT(*) FROM print_queue WHERE status = 'printed'").fetchone()[0]
    closes = db.execute("SELECT COUNT(*) FROM shift_closes").fetchone()[0]
    assert printed == sales + fees + closes and jobs.get("shift_closes") == closes == 2   # each day's report too
    cash = db.execute("SELECT COUNT(*) FROM payments WHERE method = 'cash'").fetchone()[0] + \
        db.execute("SELECT COUNT(*) FROM fee_collections WHERE method = 'cash'").fetchone()[0]
    assert db.execute("SELECT COUNT(*) FROM drawer_kicks").fetchone()[0] == cash
