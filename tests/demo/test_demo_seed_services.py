"""`kiosk demo seed` makes its records as the desk makes them (issue 19, item 5).

A seeded database is compared, table by table, with a fresh one where a desk day was made by hand
through the services, its phone calls through the call tracker and its receipts printed by the real
print worker: the same columns filled in every table, an audit row for every person's action, a
printed job for every receipt, series without a gap that rise with time, nothing dated after the
clock's now, and at 02:00 nobody on site who would have gone home.
"""
from __future__ import annotations

import re
from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

from hardware.printer.escpos import PrinterProfile
from hardware.printer.worker import PrintWorker
from kiosk.complaints import service as complaints
from kiosk.core import db as db_mod
from kiosk.core.audit import SYSTEM, Actor
from kiosk.core.clock import FakeClock, utc_iso
from kiosk.counter import closing, fees, shifts
from kiosk.counter import sales as counter
from kiosk.counter.sales import Payment
from kiosk.demo import seed
from kiosk.lostfound import service as lostfound
from kiosk.phone import calllog
from kiosk.phone.tracker import CallTracker, DetectorEvent, TrackerSettings
from kiosk.printing import queue as printqueue
from kiosk.visitors import service as visitors
from tests.printing.test_printing_lifecycle import Recorder, ctx_for
from tests.conftest import migrated_copy
from tests.waiting import wait_until

TZ = "Asia/Shanghai"
SH = ZoneInfo(TZ)
DAY = date(2026, 11, 22)
STAFF = Actor("王芳", None, "staff")
MANAGER = Actor("张经理", None, "manager")
# Tables that hold no desk record: the schema's own bookkeeping and the settings a seed never writes.
NOT_RECORDS = {"schema_migrations", "settings", "kiosk_secrets", "local_offsets", "sqlite_sequence", "users"}


def _at(clock: FakeClock, hour: int, minute: int, second: int = 0, day: date = DAY) -> None:
    clock.set(datetime(day.year, day.month, day.day, hour, minute, second, tzinfo=SH))


def _ring(db, clock: FakeClock, rings: int, number: str = "", answer_after: float | None = None,
          talk: float = 60.0) -> int:
    """A call as the phone runtime logs it: detector events into the tracker, its call events into
    the call log (start_call on 'started', record_event for each), ticks every half second."""
    tracker = CallTracker(TrackerSettings(offhook_sensing=True))
    start = clock.now()
    heard = []
    for ring in range(rings):
        heard += [DetectorEvent("ring_on", 5.0 * ring), DetectorEvent("ring_off", 5.0 * ring + 1.0)]
    if number:
        heard.append(DetectorEvent("callerid", 1.3, number=number))
    end = 5.0 * rings + 8
    if answer_after is not None:
        heard += [DetectorEvent("offhook", answer_after), DetectorEvent("onhook", answer_after + talk)]
        end = answer_after
    heard += [DetectorEvent("tick", n / 2) for n in range(int(end * 2) + 1)]
    call_id = None
    for detector_event in sorted(heard, key=lambda e: e.t):
        for event in tracker.feed(detector_event):
            clock.set(start + timedelta(seconds=event.t))
            if event.kind == "started":
                call_id = calllog.start_call(db, clock, "simulated")
            calllog.record_event(db, clock, call_id, event)
    return call_id


def _desk_by_hand(ctx, clock: FakeClock) -> None:
    """One desk day on 22 November made through the services, as the screens make it."""
    db = ctx.db
    _at(clock, 7, 0)
    host = visitors.add_host(db, clock, SYSTEM, "李娜", "会籍部")
    counter.seed_demo(db, clock)
    fees.seed_demo(db, clock)
    water, glove = counter.by_sku(db, "DRK-001"), counter.by_sku(db, "GLF-003")
    _at(clock, 7, 30)
    counter.adjust_stock(db, clock, STAFF, water.id, 6, "供应商到货补货")
    _at(clock, 7, 45)
    shifts.open_shift(db, clock, STAFF, "T01", float_fen=50_000)
    _at(clock, 9, 0)
    alone = visitors.sign_in(db, clock, visitors.Visitor(name="刘洋", phone="13800001111", host_id=host,
                                                         purpose="meeting", organisation="顺丰速运",
                                                         privacy_accepted=True))
    _at(clock, 9, 3)
    checked = visitors.sign_in(db, clock, visitors.Visitor(name="陈静", phone="13900002222", host_id=host,
                                                           purpose="delivery", party_size=2, id_type="id_card",
                                                           id_number=seed.ID_NUMBER), actor=STAFF)
    _at(clock, 9, 6)
    visitors.sign_in(db, clock, visitors.Visitor(name="杨磊", phone="13700003333", host_id=host, purpose="other",
                                                 privacy_accepted=True))
    _at(clock, 9, 10)
    counter.sell(db, clock, STAFF, "T01", {water.id: 2, glove.id: 1}, Payment("cash", tendered_fen=20_000))
    _at(clock, 9, 12)
    counter.sell(db, clock, STAFF, "T01", {water.id: 1}, Payment("card", reference="12345678"))
    _at(clock, 9, 14)
    counter.sell(db, clock, STAFF, "T01", {glove.id: 1}, Payment("mobile", reference="87654321"))
    green = next(f for f in fees.fee_types(db) if f.code == "GREEN18")
    member = next(f for f in fees.fee_types(db) if f.code == "MEMBER")
    _at(clock, 9, 20)
    fees.collect(db, clock, STAFF, "T01", fee_type_id=green.id, payer="黄勇", payment=Payment("cash", tendered_fen=70_000))
    _at(clock, 9, 22)
    fees.collect(db, clock, STAFF, "T01", fee_type_id=member.id, payer="赵敏", member_no="M00042",
                 payment=Payment("card", reference="11112222"))
    _at(clock, 10, 0)
    answered = _ring(db, clock, 2, "13800138000", answer_after=6.5)
    _ring(db, clock, 1, "", answer_after=1.5)
    _ring(db, clock, 5, "01088886666")                                   # missed, prompted after ring 3
    _ring(db, clock, 2, "")                                              # missed, no caller ID
    clock.advance(60)
    promised = calllog.add_note(db, clock, STAFF, call_id=answered, category="inquiry", what="询问开放时间",
                                caller_name="周杰", caller_number="13800138000", needs_callback=True,
                                callback_minutes=240)
    calllog.add_note(db, clock, STAFF, call_id=answered, category="repair", what="报修：门禁卡失灵",
                     caller_name="吴婷", caller_number="")
    calllog.add_note(db, clock, STAFF, call_id=answered, category="complaint", what="反映空调太冷",
                     caller_name="孙丽", caller_number="13800138000", needs_callback=True,
                     callback_minutes=240)                              # a callback still to make
    _at(clock, 10, 30)
    visitors.sign_out_by_code(db, clock, alone.code)
    visitors.sign_out(db, clock, STAFF, checked.visit_id)
    lostfound.register_item(db, clock, STAFF, TZ, category="umbrella", description="黑色长柄伞", found_place="大堂",
                            handed_in_kind="customer", handed_in_name="孙丽", storage="前台柜子")
    _at(clock, 11, 0)
    calllog.complete_callback(db, clock, STAFF, promised, "reached")
    general = complaints.take(db, clock, STAFF, TZ, kind="complaint", category="noise", responsibility="company",
                              what="楼上装修噪音", customer_name="马超", customer_contact="13811112222", place="3号楼",
                              topic="装修噪音")
    request = complaints.take(db, clock, STAFF, TZ, kind="request", category="repair", responsibility="company",
                              what="水龙头漏水", customer_name="李娜", customer_contact="13822223333",
                              place="5号楼 302", topic="水龙头漏水")
    major = complaints.take(db, clock, STAFF, TZ, kind="complaint", category="billing", responsibility="company",
                            what="物业费账单多收", customer_name="张伟", customer_contact="13833334444",
                            topic="物业费账单", major_reason="serious_loss")
    _at(clock, 11, 10)
    for cid in (general, request, major):
        complaints.start(db, clock, STAFF, cid)
    complaints.decide_major(db, clock, MANAGER, TZ, major, True)
    _at(clock, 12, 0)
    for cid in (general, request, major):
        complaints.resolve(db, clock, STAFF, TZ, cid, "resolved", "已安排维修")
    _at(clock, 15, 0)
    for cid, actor in ((general, STAFF), (request, STAFF), (major, MANAGER)):
        if complaints.get(db, cid).callback_required:
            complaints.record_callback(db, clock, STAFF, cid, "satisfied")
        clock.advance(300)
        current = complaints.get(db, cid)
        if current.status == "resolved":
            complaints.close(db, clock, actor, cid)
    _at(clock, 18, 30)
    closing.close_shift(db, clock, STAFF, "T01", counted_fen=shifts.expected_cash(db, shifts.current(db, "T01")))
    _at(clock, 20, 0)
    for row in visitors.on_site(db):   # the day's end: whoever is left is signed out by staff
        visitors.sign_out(db, clock, STAFF, row["id"])
    _at(clock, 20, 15)
    visitors.sign_in(db, clock, visitors.Visitor(name="黄勇", phone="13700004444", host_id=host, purpose="meeting",
                                                 privacy_accepted=True))                # still in: on site
    complaints.take(db, clock, STAFF, TZ, kind="request", category="parcel", responsibility="company",
                    what="代收快递", customer_name="周杰", customer_contact="13844445555", topic="代收快递")  # still open
    worker = PrintWorker(ctx, Recorder(), PrinterProfile(), poll=0.05, waker=printqueue.Waker()).start()
    try:
        wait_until(lambda: printqueue.queued_count(db) == 0)
    finally:
        worker.stop()


def _record_tables(db) -> list[str]:
    return [name for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'table'"
                                           " AND name NOT LIKE 'visits_fts%' ORDER BY name") if name not in NOT_RECORDS]


def _shapes(db, table: str) -> set[frozenset]:
    """The set of "which columns are NULL" patterns of a table's rows."""
    columns = [row[1] for row in db.execute(f'PRAGMA table_info("{table}")')]
    nulls = " || ".join(f"""CASE WHEN "{c}" IS NULL THEN '{c},' ELSE '' END""" for c in columns)
    return {frozenset(filter(None, pattern.split(","))) for (pattern,) in
            db.execute(f'SELECT DISTINCT {nulls} FROM "{table}"')}


def _seeded(db, now: datetime, **volumes) -> dict:
    clock = FakeClock(now)
    return seed.seed(db, clock, tz_name=TZ, **{"days": 3, "visitors": 40, "calls": 30, "sales": 30, **volumes})


def test_every_seeded_table_has_the_shape_of_the_services_rows(db, tmp_path):
    """Each table the seed fills is filled by the hand-made day too, and each seeded row's pattern of
    empty (NULL) columns is one the services write: no column the services fill is left empty by the
    seed, none they leave empty is filled."""
    _seeded(db, datetime(2026, 11, 23, 6, 0, tzinfo=timezone.utc), end_day=DAY + timedelta(days=1))
    hand = FakeClock(datetime(2026, 11, 21, 23, 0, tzinfo=timezone.utc))
    ctx = ctx_for(migrated_copy(tmp_path / "hand.db"), hand)
    try:
        _desk_by_hand(ctx, hand)
        differences = {}
        for table in _record_tables(db):
            seeded = _shapes(db, table)
            if not seeded:
                continue
            made = _shapes(ctx.db, table)
            if seeded - made:
                differences[table] = {"seed only": [sorted(p) for p in seeded - made], "services": [sorted(p) for p in made]}
        assert differences == {}, "\n".join(f"{t}: {d}" for t, d in differences.items())
        # ...and the other way round: every kind of record the day makes, the seed makes too.
        missing = [t for t in _record_tables(ctx.db) if _shapes(ctx.db, t) and not _shapes(db, t)]
        assert missing == []
    finally:
        ctx.close()


# Each kind of record a person makes and the audit row its service writes: (table, id column, time
# column, actions, audit record_table, how the audit row names the record).
AUDITED = [
    ("visits", "id", "signed_in_at", ("visitor.sign_in",), "visits", "id"),
    ("visit_signouts", "visit_id", "at", ("visitor.sign_out.code", "visitor.sign_out.staff",
                                          "visitor.sign_out.auto"), "visits", "visit_id"),
    ("sales", "id", "at", ("sale",), "sales", "id"),
    ("fee_collections", "id", "at", ("fee.collect",), "fee_collections", "id"),
    ("shifts", "id", "opened_at", ("shift.open",), "shifts", "id"),
    ("shift_closes", "id", "at", ("shift.close",), "shift_closes", "id"),
    ("call_notes", "id", "at", ("call.note",), "call_notes", "id"),
    ("callbacks_done", "note_id", "at", ("call.callback_done",), "call_notes", "note_id"),
]


def test_every_persons_action_has_its_audit_row_at_its_moment(db):
    _seeded(db, datetime(2026, 11, 23, 6, 0, tzinfo=timezone.utc), end_day=DAY + timedelta(days=1))
    for table, _, at, actions, record_table, key in AUDITED:
        rows = db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
        assert rows > 0, table
        placeholders = ", ".join("?" * len(actions))
        unaudited = db.execute(
            f'SELECT COUNT(*) FROM "{table}" r WHERE NOT EXISTS (SELECT 1 FROM audit a WHERE a.action IN'
            f' ({placeholders}) AND a.record_table = ? AND a.record_id = CAST(r."{key}" AS TEXT) AND a.at = r."{at}")',
            (*actions, record_table)).fetchone()[0]
        assert unaudited == 0, f"{unaudited} of {rows} {table} rows have no audit row at their moment"
    # Deliveries are stock adjustments: audited as the counter audits them.
    deliveries = db.execute("SELECT COUNT(*) FROM stock_movements WHERE kind = 'receipt' AND record_table = 'products'"
                            " AND at > (SELECT MIN(created_at) FROM products)").fetchone()[0]
    audited = db.execute("SELECT COUNT(*) FROM audit WHERE action = 'stock.adjust'").fetchone()[0]
    assert deliveries == audited > 0


def test_every_receipt_has_one_printed_job_and_every_series_runs_on_with_time(db):
    _seeded(db, datetime(2026, 11, 23, 6, 0, tzinfo=timezone.utc), end_day=DAY + timedelta(days=1))
    for table, number, kind in (("sales", "receipt_no", "S"), ("fee_collections", "receipt_no", "F"),
                                ("shift_closes", "report_no", None)):
        rows = list(db.query(f'SELECT id, at, "{number}" AS no FROM "{table}" ORDER BY id'))
        assert rows, table
        for row in rows:
            jobs = list(db.query("SELECT j.receipt_no, j.created_at, q.status FROM print_jobs j JOIN print_queue q"
                                 " ON q.job_id = j.id WHERE j.record_table = ? AND j.record_id = ?",
                                 (table, str(row["id"]))))
            assert [(j["receipt_no"], j["created_at"], j["status"]) for j in jobs] == [(row["no"], row["at"], "printed")]
        # numbered 1, 2, 3… in the order the records were made, which is the order of their times
        serials = [int(row["no"].rsplit("-", 1)[1]) for row in rows]
        assert serials == list(range(1, len(rows) + 1)), table
        assert [row["at"] for row in rows] == sorted(row["at"] for row in rows), table
        if kind:
            assert {row["no"].split("-")[1] for row in rows} == {kind}
    for name, table, column in (("receipt:sale", "sales", "receipt_no"), ("receipt:fee", "fee_collections", "receipt_no")):
        last = db.execute("SELECT last FROM series WHERE name = ?", (name,)).fetchone()[0]
        assert last == db.execute(f'SELECT COUNT(*) FROM "{table}"').fetchone()[0]
    # each job went queued -> sending -> printed, as the worker leaves it; a cash receipt opened the drawer
    steps = {tuple(r[0].split(",")) for r in db.execute(
        "SELECT GROUP_CONCAT(status) FROM (SELECT job_id, status FROM print_job_events ORDER BY id) GROUP BY job_id")}
    assert steps == {("queued", "sending", "printed")}
    cash = db.execute("SELECT (SELECT COUNT(*) FROM payments WHERE method = 'cash')"
                      " + (SELECT COUNT(*) FROM fee_collections WHERE method = 'cash')").fetchone()[0]
    assert db.execute("SELECT COUNT(*) FROM drawer_kicks").fetchone()[0] == cash > 0
    # ids rise with time everywhere the desk writes one record after another
    for table, at in (("visits", "signed_in_at"), ("calls", "started_at"), ("call_events", "at"), ("audit", "at"),
                      ("stock_movements", "at"), ("lf_items", "found_at")):
        times = [r[0] for r in db.execute(f'SELECT "{at}" FROM "{table}" ORDER BY id')]
        assert times and times == sorted(times), table


# Columns that hold a deadline or a day to come, not the moment something happened.
AHEAD = re.compile(r"(_due|due_at|_due_at|deadline|expected_on|^due)$")
ISO = re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d")


def _moments_after(db, now: datetime) -> dict[str, str]:
    """Every stored moment (an ISO time in any text column of any record table) later than now."""
    limit, late = utc_iso(now), {}
    for table in _record_tables(db):
        for column in [row[1] for row in db.execute(f'PRAGMA table_info("{table}")')]:
            if AHEAD.search(column):
                continue
            for (value,) in db.execute(f'SELECT "{column}" FROM "{table}" WHERE typeof("{column}") = \'text\''
                                       f' AND "{column}" > ? LIMIT 5', (limit,)):
                if ISO.match(value):
                    late[f"{table}.{column}"] = value
    return late


def test_nothing_is_dated_after_now_at_any_hour(tmp_path):
    """At 02:00, 10:30 and 14:00 (Shanghai) the seed stops at now: no stored moment is later, in any
    table (audit, print jobs, drawer, call events, stock…), whatever service wrote it."""
    for hours in (18, 2.5, 6):
        now = datetime(2026, 11, 22, tzinfo=timezone.utc) + timedelta(hours=hours)
        database = db_mod.connect(migrated_copy(tmp_path / f"at-{hours}.db"))
        try:
            _seeded(database, now, end_day=min(DAY + timedelta(days=1), now.astimezone(SH).date()), days=2)
            assert database.execute("SELECT COUNT(*) FROM audit").fetchone()[0] > 100
            assert _moments_after(database, now) == {}, now
        finally:
            database.close()


def test_a_seed_at_two_in_the_morning_has_nobody_on_site_and_nothing_today(db):
    """Seeded at 02:00 with today as the last day: today holds nothing yet, and everyone who came on the
    days before has left (by code, by staff, or at the day's end) — the roll call would list nobody."""
    now = datetime(2026, 11, 22, 18, 0, tzinfo=timezone.utc)   # 02:00 on 23 November in Shanghai
    made = _seeded(db, now, end_day=DAY + timedelta(days=1), visitors=80)
    assert made["visitors"] == 160
    assert visitors.on_site(db) == [] and visitors.on_site_count(db) == 0
    midnight = utc_iso(datetime(2026, 11, 23, tzinfo=SH))
    for table, at in (("visits", "signed_in_at"), ("sales", "at"), ("calls", "started_at"), ("audit", "at"),
                      ("print_jobs", "created_at")):
        assert db.execute(f'SELECT COUNT(*) FROM "{table}" WHERE "{at}" >= ?', (midnight,)).fetchone()[0] == 0, table
    kinds = dict(db.execute("SELECT kind, COUNT(*) FROM visit_signouts GROUP BY kind").fetchall())
    assert kinds.get("code", 0) > kinds.get("staff", 0) > 0
    # whoever the day's end signed out was still in at 20:00; everyone else left by their own moment
    for row in db.query("SELECT v.signed_in_at, s.at FROM visits v JOIN visit_signouts s ON s.visit_id = v.id"):
        assert row["signed_in_at"] < row["at"] <= utc_iso(datetime(2026, 11, 22, 20, 0, tzinfo=SH))


def test_in_the_afternoon_only_recent_visitors_are_on_site(db):
    """At 14:00 the people on site came today, and nearly all within the last three hours (a visit
    lasts 10 minutes to 3 hours; the few who stay all day are the 'left at closing' ones)."""
    now = datetime(2026, 11, 23, 6, 0, tzinfo=timezone.utc)
    _seeded(db, now, end_day=DAY + timedelta(days=1), visitors=150)
    on_site = visitors.on_site(db)
    today = utc_iso(datetime(2026, 11, 23, tzinfo=SH))
    assert on_site and all(today <= v["signed_in_at"] <= utc_iso(now) for v in on_site)
    recent = utc_iso(now - timedelta(hours=3))
    assert sum(v["signed_in_at"] >= recent for v in on_site) >= 0.8 * len(on_site)


def test_the_seed_with_the_sites_automatic_sign_out_uses_it(db):
    """A site with automatic sign-out (auto_signout_time) has its day's stragglers signed out by it,
    flagged automatic and audited as the housekeeping job does."""
    from kiosk.core import settings
    settings.put(db, FakeClock(datetime(2026, 11, 1, tzinfo=timezone.utc)), MANAGER, "auto_signout_time", "19:00")
    _seeded(db, datetime(2026, 11, 22, 18, 0, tzinfo=timezone.utc), end_day=DAY, visitors=100)
    autos = db.execute("SELECT COUNT(*) FROM visit_signouts WHERE kind = 'auto'").fetchone()[0]
    audited = db.execute("SELECT COUNT(*) FROM audit WHERE action = 'visitor.sign_out.auto'").fetchone()[0]
    assert autos == audited > 0
    assert db.execute("SELECT COUNT(*) FROM visit_signouts WHERE kind = 'auto' AND actor != 'system'").fetchone()[0] == 0
    assert visitors.on_site(db) == []
