"""Issue 18: a day's export stalled the screen once (246-580 ms) and then ~100 ms per CSV log.

The UI thread did nothing during those stalls: it waited for the GIL while the export's worker held it, first
importing the PDF/xlsx writers and fontTools' tables (C code: unmarshalling, extensions), then inside one
csv.writerows over a whole day. The app now warms the writers on the worker after start-up, and CSV rows go
out in slices. These tests fail if a first export still imports writer code, or if one C call writes the day.
"""
from __future__ import annotations

import csv
import io
import json
import os
import subprocess
import sys
from pathlib import Path

from kiosk.reports import csv_out
from kiosk.reports.logs import DATETIME, INT, MONEY

ROOT = Path(__file__).resolve().parents[2]

_PROBE = r"""
import json, sys, tempfile
from datetime import timedelta
from pathlib import Path
from kiosk.core import db as db_mod
from kiosk.core.clock import FakeClock
from kiosk.core.audit import Actor
from kiosk.demo import accounts as demo, seed
from kiosk.reports import export
work = Path(sys.argv[1])
db = db_mod.connect(work / "k.db", create=True)
clock = FakeClock()
demo.ensure_demo(db, clock)
day = (clock.now() - timedelta(days=1)).date()
seed.seed(db, clock, days=1, tz_name="Asia/Shanghai", visitors=30, calls=10, sales=10, end_day=day)
warmed = export.warm_up()
before = set(sys.modules)
export.run_export(db, clock, first=day, last=day, tz_name="Asia/Shanghai", destination=work / "out", lang="zh_CN",
                  actor=Actor("经理😀", None, "manager"))
new = sorted(m for m in set(sys.modules) - before)
print(json.dumps({"warmed": warmed, "new": new}))
"""


def test_after_the_warm_up_a_first_export_imports_no_writer_code(tmp_path):
    (tmp_path / "out").mkdir()
    env = dict(os.environ, KIOSK_HOME=str(tmp_path / "home"))
    proc = subprocess.run([sys.executable, "-c", _PROBE, str(tmp_path)], cwd=ROOT, env=env, capture_output=True,
                          text=True, timeout=300)
    assert proc.returncode == 0, proc.stderr[-3000:]
    figures = json.loads(proc.stdout.strip().splitlines()[-1])
    assert "fpdf" in figures["warmed"] and "pdf" in figures["warmed"], figures["warmed"]
    heavy = [m for m in figures["new"] if m.split(".")[0] in ("fpdf", "fontTools", "xlsxwriter", "rustpy_xlsxwriter",
                                                               "PIL", "defusedxml")]
    assert not heavy, f"the first export still imported {heavy}"


def test_csv_rows_go_out_in_slices_and_read_back_exactly(tmp_path, monkeypatch):
    n = csv_out.CHUNK_ROWS * 3 + 7
    hostile = ["=1+1", "名字" * 200, "😀\x07\x1b[31m", "full\u3000width，", "", None, "a\r\nb", '"quoted"']
    rows = [(i, hostile[i % len(hostile)], i * 101, "2026-12-01T08:00:00+00:00") for i in range(n)]
    calls: list[int] = []
    real = csv.writer

    class Counting:
        def __init__(self, fh):
            self._w = real(fh)

        def writerow(self, row):
            return self._w.writerow(row)

        def writerows(self, chunk):
            chunk = list(chunk)
            calls.append(len(chunk))
            return self._w.writerows(chunk)
    monkeypatch.setattr(csv_out.csv, "writer", Counting)
    path = tmp_path / "log.csv"
    csv_out.write_rows(path, ["id", "text", "fen", "at"], [INT, "text", MONEY, DATETIME], rows)
    assert len(calls) == 4 and max(calls) <= csv_out.CHUNK_ROWS and sum(calls) == n
    monkeypatch.setattr(csv_out.csv, "writer", real)
    whole = tmp_path / "whole.csv"
    monkeypatch.setattr(csv_out, "CHUNK_ROWS", n + 1)
    csv_out.write_rows(whole, ["id", "text", "fen", "at"], [INT, "text", MONEY, DATETIME], rows)
    assert path.read_bytes() == whole.read_bytes()
    back = list(csv.reader(io.StringIO(path.read_text(encoding="utf-8-sig"))))
    assert len(back) == n + 1 and back[1 + 2][1].startswith("😀")
