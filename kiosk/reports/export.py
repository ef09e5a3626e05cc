"""Export the manager's daily logs for a day or a range: CSV per log, one workbook, one PDF report.

The screen and ``kiosk export`` both call :func:`run_export`. Files go into one folder per export
inside the destination; each file is written atomically and ``manifest.json`` comes last, so a
folder without a manifest is an incomplete export.
"""
from __future__ import annotations

from kiosk.core.errors import os_reason

import contextlib
import hashlib
import json
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Callable, Iterable
from zoneinfo import ZoneInfo

import sqlite_utils

from kiosk.core import audit
from kiosk.core.audit import Actor
from kiosk.core.clock import Clock, utc_iso
from kiosk.core.db import write
from kiosk.reports.files import FORMULA_CHARS, ExportError, atomic_path, check_writable
from kiosk.reports.logs import DATETIME, INT, MONEY, LogDef, PendingLog, fetch, split_available
from kiosk.reports.summary import Summary, build as build_summary, range_bounds

FORMATS = ("csv", "xlsx", "pdf")
Progress = Callable[[float, str], None]


@dataclass
class LogData:
    """One log's rows, typed: text (neutralised), local naive datetime, int fen, int."""

    log: LogDef
    rows: list[list]


@dataclass
class ExportResult:
    """What was written, for the screen's final list and the CLI."""

    folder: Path
    files: list[tuple[Path, int]] = field(default_factory=list)   # (path, size in bytes)
    missing: list[PendingLog] = field(default_factory=list)
    rows: dict[str, int] = field(default_factory=dict)
    summary: Summary | None = None


def parse_formats(text: str | Iterable[str]) -> tuple[str, ...]:
    """'csv,xlsx' -> ('csv', 'xlsx'); unknown names raise ExportError."""
    names = [n.strip().lower() for n in (text.split(",") if isinstance(text, str) else text) if n.strip()]
    bad = [n for n in names if n not in FORMATS]
    if bad or not names:
        raise ExportError("unknown format {names}; choose from {choices}", field="formats", names=", ".join(bad) or "(none)",
                          choices=", ".join(FORMATS))
    return tuple(dict.fromkeys(names))


def _converter(log: LogDef, tz: ZoneInfo):
    """A function turning one fetched row into typed cells: local naive datetimes, ints, neutralised text.

    A month is hundreds of thousands of rows, so each column gets its own small function chosen once,
    and the time-zone offset is looked up once per UTC minute rather than converted for every cell.
    """
    offsets: dict[str, timedelta] = {}

    def local(value: str) -> datetime:
        moment = datetime.fromisoformat(value)
        key = value[:16]
        offset = offsets.get(key)
        if offset is None:
            offset = offsets[key] = moment.astimezone(tz).utcoffset() - (moment.utcoffset() or timedelta(0))
        return moment.replace(tzinfo=None) + offset

    def text(value) -> str:
        value = str(value)
        return "'" + value if value[:1] in FORMULA_CHARS else value  # same rule as export_files.neutralise

    by_kind = {DATETIME: local, MONEY: int, INT: int}
    cells = [by_kind.get(col.kind, text) for col in log.columns]

    def convert(row) -> list:
        return [None if value is None else cell(value) for cell, value in zip(cells, row)]
    return convert


def collect(db: sqlite_utils.Database, logs: list[LogDef], start: datetime, end: datetime, tz_name: str) -> list[LogData]:
    """Read every log's rows for [start, end) in one read transaction (a consistent snapshot)."""
    tz = ZoneInfo(tz_name)
    out = []
    began = not db.conn.in_transaction
    if began:
        db.conn.execute("BEGIN")
    try:
        for log in logs:
            convert = _converter(log, tz)
            out.append(LogData(log, [convert(r) for r in fetch(db, log, utc_iso(start), utc_iso(end))]))
    finally:
        if began:
            db.conn.execute("COMMIT")
    return out


def folder_name(first: date, last: date) -> str:
    """kiosk-export-2026-11-23 or kiosk-export-2026-11-01_2026-11-30."""
    return f"kiosk-export-{first}" if first == last else f"kiosk-export-{first}_{last}"


def run_export(db: sqlite_utils.Database, clock: Clock, *, first: date, last: date, tz_name: str,
               destination: Path, formats: Iterable[str] = FORMATS, lang: str = "zh_CN",
               site_name: str = "", progress: Progress | None = None, actor: Actor | None = None) -> ExportResult:
    """Write the chosen formats for local days first..last into destination/<folder>; return what was written.

    An export is a manager's act: actor is the approving manager (or the system, for a scheduled run the
    CLI let through with the configured export key). It is audited with who, range, formats, destination
    and row counts."""
    if actor is None or actor.role not in ("manager", "system"):
        raise ExportError("a manager must approve the export", field="manager")
    formats = parse_formats(list(formats))
    report = progress or (lambda fraction, step: None)
    destination = Path(destination)
    check_writable(destination)
    start, end = range_bounds(first, last, tz_name)
    folder = destination / folder_name(first, last)
    try:
        folder.mkdir(mode=0o700, exist_ok=True)
        with contextlib.suppress(OSError):  # owner only whatever the umask (FAT sticks have no modes)
            folder.chmod(0o700)
    except OSError as exc:
        raise ExportError("cannot create {folder}: {reason}", folder=str(folder), reason=os_reason(exc)) from exc
    _drop_manifest(folder)
    result = ExportResult(folder)
    report(0.0, "summary")
    result.summary = build_summary(db, clock, first, last, tz_name)
    logs, result.missing = split_available(db)
    data = collect(db, logs, start, end, tz_name)
    result.rows = {d.log.name: len(d.rows) for d in data}
    steps = (len(data) if "csv" in formats else 0) + ("xlsx" in formats) + ("pdf" in formats) + 1
    done = 0

    def step(name: str) -> None:
        nonlocal done
        done += 1
        report(min(done / steps, 1.0), name)

    stem = folder_name(first, last)
    if "csv" in formats:
        from kiosk.reports.csv_out import write_csv
        for item in data:
            target = folder / f"{item.log.name}.csv"
            with atomic_path(target) as tmp:
                write_csv(tmp, item, lang)
            result.files.append((target, target.stat().st_size))
            step(f"csv:{item.log.name}")
    if "xlsx" in formats:
        from kiosk.reports.xlsx_out import write_xlsx
        target = folder / f"{stem}.xlsx"
        with atomic_path(target) as tmp:
            write_xlsx(tmp, data, result.summary, result.missing, lang)
        result.files.append((target, target.stat().st_size))
        step("xlsx")
    if "pdf" in formats:
        from kiosk.reports.pdf_out import write_pdf
        target = folder / f"{stem}.pdf"
        with atomic_path(target) as tmp:
            write_pdf(tmp, result.summary, result.rows, result.missing, lang, site_name)
        result.files.append((target, target.stat().st_size))
        step("pdf")
    _write_manifest(folder, result, clock, first, last, tz_name, lang)
    step("manifest")
    with write(db):
        audit.record(db, clock, actor, "export.run", None, None, None,
                     {"first_day": str(first), "last_day": str(last), "formats": list(formats),
                      "destination": str(folder), "rows": result.rows})
    return result


def _drop_manifest(folder: Path) -> None:
    """An older manifest must not vouch for files this export is about to rewrite."""
    try:
        (folder / "manifest.json").unlink(missing_ok=True)
    except OSError as exc:
        raise ExportError("cannot replace the manifest in {folder}: {reason}", folder=str(folder),
                          reason=os_reason(exc)) from exc


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            digest.update(chunk)
    return digest.hexdigest()


def _write_manifest(folder: Path, result: ExportResult, clock: Clock, first: date, last: date,
                    tz_name: str, lang: str) -> None:
    """Written last: its presence says every listed file is complete (sizes and hashes to check)."""
    manifest = {
        "complete": True, "created_at": utc_iso(clock.now()), "first_day": str(first), "last_day": str(last),
        "timezone": tz_name, "language": lang, "rows": result.rows,
        "missing_logs": [{"name": m.name, "waiting_for_tables": list(m.tables)} for m in result.missing],
        "files": [{"name": p.name, "bytes": size, "sha256": _sha256(p)} for p, size in result.files],
    }
    target = folder / "manifest.json"
    with atomic_path(target) as tmp:
        tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), "utf-8")
    result.files.append((target, target.stat().st_size))
