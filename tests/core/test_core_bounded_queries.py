"""Issue 18: every query a screen or a timer runs on the UI thread is bounded by what it shows or by
today's activity, never by the size of the history.

Each service call below is one a screen or a timer makes; the test records the statements it really
runs (sqlite3's trace callback, values bound) and asks SQLite for each one's plan: a full SCAN of a
record table (visits, call_notes, print_jobs, lf_items... the history) fails the test, as does a
correlated subquery that walks one. SQLite plans without statistics here (no ANALYZE), so the plan on
this small database is the plan on three years of data.
"""
from __future__ import annotations

import re
from datetime import timedelta

import pytest

from kiosk.core import records, settings
from kiosk.core.audit import SYSTEM, Actor
from kiosk.core.clock import FakeClock
from kiosk.demo import accounts as demo
from kiosk.demo import seed as seeder

TZ = "Asia/Shanghai"
HISTORY = set(records.record_names()) | {"audit"}
SCAN = re.compile(r"\bSCAN (\w+)")


@pytest.fixture()
def busy(db, clock):
    """A month of a busy desk (thousands of rows) plus some open work: visitors on site, open callbacks,
    held lost items, a queued print job."""
    demo.ensure_demo(db, clock)
    seeder.seed(db, clock, days=30, tz_name=TZ, visitors=60, calls=30, sales=20)
    from kiosk.visitors import service as visitors
    host = db.execute("SELECT id FROM hosts WHERE active = 1 LIMIT 1").fetchone()[0]
    for i in range(3):
        visitors.sign_in(db, clock, visitors.Visitor(name=f"在场{i}", phone=f"1380013800{i}", host_id=host,
                                                      purpose="meeting", party_size=1, privacy_accepted=True))
    settings.put(db, clock, SYSTEM, "auto_signout_time", "00:00")
    return db


def _plans(db, fn) -> list[tuple[str, list[str]]]:
    """(statement, plan lines) for every SELECT/UPDATE/DELETE the call ran."""
    statements: list[str] = []
    db.conn.set_trace_callback(statements.append)
    try:
        fn()
    finally:
        db.conn.set_trace_callback(None)
    out = []
    for sql in statements:
        head = sql.lstrip().split(None, 1)[0].upper() if sql.strip() else ""
        if head not in ("SELECT", "UPDATE", "DELETE", "WITH"):
            continue
        try:
            plan = [row[3] for row in db.execute("EXPLAIN QUERY PLAN " + sql).fetchall()]
        except Exception:  # a statement that needs its own transaction state (savepoints): not a query
            continue
        out.append((sql, plan))
    return out


_ALIAS = re.compile(r"\b(?:FROM|JOIN)\s+(\w+)(?:\s+(?:AS\s+)?(?!ON\b|WHERE\b|JOIN\b|LEFT\b|INDEXED\b|ORDER\b"
                    r"|GROUP\b|LIMIT\b|USING\b|INNER\b|CROSS\b|UNION\b)(\w+))?", re.IGNORECASE)
_LIMITED = re.compile(r"\bLIMIT\s+\d+\s*(OFFSET\s+\d+\s*)?\)?\s*$", re.IGNORECASE)


def _tables(sql: str) -> dict[str, str]:
    """alias (or name) -> table, from the statement's FROM and JOIN clauses."""
    out = {}
    for table, alias in _ALIAS.findall(sql):
        out[table] = table
        if alias:
            out[alias] = table
    return out


def _history_scans(plans) -> list[str]:
    """Plan lines that walk a whole history table. A SCAN in a query that stops at a LIMIT and needs no
    sort (newest first along the rowid or an index) reads only what it returns, and passes."""
    bad = []
    for sql, plan in plans:
        names = _tables(sql)
        limited = bool(_LIMITED.search(sql.strip())) and not any("TEMP B-TREE FOR ORDER BY" in p for p in plan)
        for number, line in enumerate(plan):
            match = SCAN.search(line)
            if not match:
                continue
            table = names.get(match.group(1), match.group(1))
            if table not in HISTORY:
                continue
            if limited and number == 0:
                continue
            bad.append(f"{line} ({table})  <-  {sql[:200]}")
    return bad


def _ui_calls(db, clock):
    """The calls screens and timers make on the UI thread, by what makes them."""
    from kiosk.complaints import housekeeping as complaints_housekeeping  # noqa: F401 (import cost only)
    from kiosk.complaints import service as complaints
    from kiosk.counter import sales as counter
    from kiosk.counter import shift_state
    from kiosk.counter import fees, shifts
    from kiosk.core.clock import utc_iso
    from kiosk.lostfound import service as lostfound
    from kiosk.phone import calllog
    from kiosk.printing import queue as printqueue
    from kiosk.reports import duties, summary
    from kiosk.visitors import service as visitors

    start, end = calllog.day_bounds(clock, TZ)
    today = clock.now().astimezone().date()
    some_call = db.execute("SELECT MAX(id) FROM calls").fetchone()[0]
    return {
        "visitors section: on site": lambda: visitors.on_site(db),
        "visitors: on-site count": lambda: visitors.on_site_count(db),
        "timer: auto sign-out": lambda: visitors.auto_sign_out(db, clock, TZ),
        "phone section: figures": lambda: calllog.figures(db, clock, start, end),
        "phone section: call list": lambda: calllog.calls_between(db, start - timedelta(days=6), end, limit=100),
        "phone section: one call's row": lambda: calllog.call_row(db, some_call),
        "phone section: callbacks": lambda: calllog.open_callbacks(db, limit=50),
        "phone section: callback counts": lambda: calllog.callback_counts(db, clock),
        "phone section: gaps": lambda: calllog.gaps_between(db, start - timedelta(days=6), end),
        "print worker: next job": lambda: printqueue.next_job(db),
        "print worker: counts": lambda: (printqueue.queued_count(db), printqueue.attention_count(db)),
        "printer status: recent and attention": lambda: (printqueue.recent(db, 25), printqueue.attention(db)),
        "printing: pending": lambda: printqueue.pending(db, limit=1),
        "lost and found: held list": lambda: lostfound.items_with_status(db, "held", limit=500),
        "lost and found: claimed list": lambda: lostfound.items_with_status(db, "claimed", limit=500),
        "lost and found: due count": lambda: lostfound.due_count(db, clock),
        "lost and found: due list": lambda: lostfound.due_for_handover(db, clock),
        "reports section: today's summary": lambda: summary.build(db, clock, today, today, TZ),
        "timer: complaint prompts": lambda: duties.prompts(db, clock),
        "complaints section: duties": lambda: duties.today(db, clock, limit=200),
        "complaints section: open page and count": lambda: (complaints.open_page(db, limit=100),
                                                            complaints.open_count(db)),
        "complaints section: proposals": lambda: (complaints.escalation_proposals(db, clock),
                                                  complaints.month_old_count(db, clock)),
        "counter: the shift's figures": lambda: (shift_state.current(db, "T01"), counter.low_stock(db)),
        "day and cash: the count and the day's figures": lambda: (
            counter.products(db), shifts.current(db, "T01"), shifts.handovers(db, 1),
            shifts.payment_totals(db, start, shifts.OPEN_END)),
        # a window with nothing in it (the counter closed, a quiet day): must read nothing, not walk back
        "fees section: recent collections, none since": lambda: fees.recent(db, utc_iso(clock.now()), limit=20),
        "fees section: recent collections": lambda: fees.recent(db, shifts.listing_since(db, clock, "T01"), limit=20),
        "reports section: a month's summary": lambda: summary.build(db, clock, today - timedelta(days=30), today, TZ,
                                                                    with_per_day=False),
    }


def test_no_screen_or_timer_query_scans_the_history(busy, clock):
    failures = {}
    ran = 0
    for name, call in _ui_calls(busy, clock).items():
        plans = _plans(busy, call)
        ran += len(plans)
        bad = _history_scans(plans)
        if bad:
            failures[name] = bad
    assert ran > 30, "the trace saw the statements"
    assert not failures, "history scanned on the UI thread:\n" + "\n".join(
        f"{name}:\n  " + "\n  ".join(lines) for name, lines in failures.items())


def test_the_check_itself_catches_a_scan(busy):
    """The detector is not blind: the old on-site query (NOT EXISTS over every visit) is caught."""
    plans = _plans(busy, lambda: list(busy.query(
        "SELECT v.id FROM visits v WHERE NOT EXISTS (SELECT 1 FROM visit_signouts s WHERE s.visit_id = v.id)")))
    assert _history_scans(plans)


def test_retention_walks_only_the_visits_not_yet_anonymised(busy, clock):
    from kiosk.visitors import service as visitors
    later = FakeClock(clock.now() + timedelta(days=40))
    plans = _plans(busy, lambda: visitors.apply_retention(busy, later, batch=500))
    selects = [(sql, plan) for sql, plan in plans if "visits_to_anonymise" in sql]
    assert selects and all(any("visits_to_anonymise" in line for line in plan) for _, plan in selects)
    # (the erasure inventory that runs after it, on the same worker, is the privacy job's own)
    assert not _history_scans([p for p in plans if "visits" in _tables(p[0])])


def test_the_first_duties_are_the_same_with_a_limit(busy, clock):
    """The complaints section asks for the first 60 duties: the same as the first 60 of the whole list."""
    from kiosk.reports import duties
    from kiosk.phone import calllog
    clock.advance(6 * 3600)   # the seeded callbacks are overdue by now (the seed writes nothing after now)...
    for minutes in (30, 90, 240):  # ...and these, promised just now, are not
        calllog.add_note(busy, clock, Actor("李娜", None, "staff"), call_id=None, category="inquiry",
                         what=f"回电 {minutes}", caller_number="13800138000", needs_callback=True,
                         callback_minutes=minutes)
    everything = duties.today(busy, clock)
    assert len(everything) > 10 and any(d.overdue for d in everything) and not all(d.overdue for d in everything)
    for n in (1, 5, len(everything) // 2, len(everything) + 5):
        assert duties.today(busy, clock, limit=n) == everything[:n]
