"""Local-day views (migration 0020): what an analyst with sqlite-utils or Datasette sees, without the app."""
from __future__ import annotations

import sqlite3
import subprocess
import sys
from datetime import date, datetime, timezone
from pathlib import Path

from kiosk.core import db as db_mod
from kiosk.core import localday
from kiosk.core.clock import FakeClock, utc_iso
from kiosk.demo import seed
from kiosk.reports import per_day

TZ = "Asia/Shanghai"


def test_views_group_by_the_site_local_day_read_with_plain_sqlite(tmp_path):
    path = tmp_path / "kiosk.db"
    db = db_mod.connect(path)
    clock = FakeClock(datetime(2026, 11, 23, 2, 0, tzinfo=timezone.utc))
    seed.seed(db, clock, days=3, tz_name=TZ, visitors=30, calls=20, sales=25, end_day=date(2026, 11, 22))
    # A visit at 23:59:59 UTC on the 21st is the 22nd in Shanghai; one at 15:59:59 UTC is still the 21st.
    db.close()
    plain = sqlite3.connect(path)     # no kiosk functions registered: what Datasette has
    views = {r[0] for r in plain.execute("SELECT name FROM sqlite_master WHERE type = 'view'")}
    assert {"visits_local", "visits_by_local_day", "calls_local", "calls_by_local_day", "sales_local",
            "sales_by_local_day"} <= views
    visits = dict(plain.execute("SELECT local_day, visits FROM visits_by_local_day").fetchall())
    assert visits == {"2026-11-20": 30, "2026-11-21": 30, "2026-11-22": 30}
    # The same figures the app's own per-day breakdown gives (zoneinfo, not the table).
    db = db_mod.connect(path)
    days = per_day.build(db, date(2026, 11, 20), date(2026, 11, 22), TZ)
    calls = {r[0]: (r[1], r[2], r[3]) for r in plain.execute(
        "SELECT local_day, calls, answered, missed FROM calls_by_local_day")}
    for row in days.rows:
        assert calls[str(row.day)] == (row.calls, row.answered, row.missed)
    sales = {r[0]: r[1] for r in plain.execute("SELECT local_day, total_fen FROM sales_by_local_day")}
    fees = {str(r.day): r.takings_fen for r in days.rows}
    fee_fen = dict(plain.execute(
        "SELECT date(at, '+480 minutes'), SUM(amount_fen) FROM fee_collections GROUP BY 1").fetchall())
    for day, takings in fees.items():
        assert sales[day] + fee_fen.get(day, 0) == takings        # no refunds seeded: gross = net
    late = plain.execute("SELECT signed_in_local, local_day FROM visits_local ORDER BY signed_in_at DESC LIMIT 1").fetchone()
    assert late[0].startswith(late[1]) and "08:00:00" <= late[0][11:] <= "18:00:00"
    # sqlite-utils, as an analyst runs it.
    out = subprocess.run([str(Path(sys.executable).with_name("sqlite-utils")), "query", str(path),
                          "select * from sales_by_local_day order by local_day", "--csv"],
                         capture_output=True, text=True, check=True).stdout
    assert out.splitlines()[0] == "local_day,sales,total_fen,cash_fen,card_fen,mobile_fen"
    assert len(out.splitlines()) == 4


def test_offsets_follow_the_configured_zone_across_daylight_saving(tmp_path):
    """A site in London: the views put 00:30 BST (23:30 UTC the day before) on the right day, and the
    offsets table is rewritten once when the zone changes, not on every start."""
    db = db_mod.connect(tmp_path / "k.db")
    assert localday.sync(db, "Europe/London") is True
    assert localday.sync(db, "Europe/London") is False
    rows = db.execute("SELECT utc_from, utc_to, offset_minutes FROM local_offsets ORDER BY utc_from").fetchall()
    assert rows[0][0] < "2000" and rows[-1][1] > "9000" and {r[2] for r in rows} == {0, 60}
    assert all(a[1] == b[0] for a, b in zip(rows, rows[1:]))            # no gap, no overlap
    summer = utc_iso(datetime(2026, 7, 1, 23, 30, tzinfo=timezone.utc))  # 00:30 on 2 July, London
    winter = utc_iso(datetime(2026, 1, 1, 23, 30, tzinfo=timezone.utc))  # 23:30 on 1 January, London
    change = utc_iso(datetime(2026, 3, 29, 1, 0, tzinfo=timezone.utc))   # clocks go forward
    for at, wanted in ((summer, "2026-07-02"), (winter, "2026-01-01"), (change, "2026-03-29")):
        got = db.execute("SELECT date(?, offset_minutes || ' minutes') FROM local_offsets"
                         " WHERE ? >= utc_from AND ? < utc_to", (at, at, at)).fetchone()[0]
        assert got == wanted, at
    localday.sync(db, TZ)
    assert db.execute("SELECT offset_minutes, tz FROM local_offsets").fetchall() == [(480, TZ)]


def test_the_app_keeps_the_offsets_in_step_with_its_configuration(tmp_path):
    from kiosk.core import config as config_mod
    from kiosk.core.context import Context
    cfg = config_mod.load(None)
    cfg.values["site"]["timezone"] = "America/New_York"
    ctx = Context(config=cfg, db_path=tmp_path / "ny.db", clock=FakeClock(datetime(2026, 11, 23, 2, tzinfo=timezone.utc)))
    zones = {r[0] for r in ctx.db.execute("SELECT DISTINCT tz FROM local_offsets")}
    assert zones == {"America/New_York"}
