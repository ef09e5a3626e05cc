"""Probe (issue 19.5): after `kiosk demo seed`, any stored time after now? Scans every text column
of every table for ISO times (UTC 'Z' or offsets) and integer epoch columns named *_ms/*_at."""
import sqlite3, sys, re
from datetime import datetime, timezone
db = sqlite3.connect(sys.argv[1])
now = datetime.now(timezone.utc)
iso = re.compile(r"^\d{4}-\d\d-\d\d[T ]\d\d:\d\d")
bad = {}
for (t,) in db.execute("select name from sqlite_master where type='table'"):
    cols = [r[1] for r in db.execute(f"pragma table_info('{t}')")]
    for c in cols:
        try:
            row = db.execute(f"select max(\"{c}\") from \"{t}\" where typeof(\"{c}\")='text' and \"{c}\" glob '[12][0-9][0-9][0-9]-[01][0-9]-[0-3][0-9][T ][0-2][0-9]:*'").fetchone()
        except sqlite3.Error:
            continue
        v = row[0]
        if not v:
            continue
        try:
            d = datetime.fromisoformat(v.replace("Z", "+00:00"))
        except ValueError:
            continue
        if d.tzinfo is None:
            d = d.replace(tzinfo=timezone.utc)
        if d > now:
            bad[f"{t}.{c}"] = v
print("now", now.isoformat(), "future values:", bad or "none")
