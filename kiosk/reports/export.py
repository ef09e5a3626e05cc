"""Export the manager's daily logs for a day or a range: CSV per log, one workbook, one PDF report.

The screen and ``kiosk export`` both call :func:`run_export`. Files go into one folder per export
inside the destination; each file is written atomically and ``manifest.json`` comes last, so a
folder without a manifest is an incomplete export.
"""
from __future__ import annotations

from kiosk.core.errors import os_reason

import contextlib
import logging
import json
import os
import shutil
import threading
import unicodedata
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta, timezone
from pathlib import Path
from typing import Callable, Iterable, Sequence
from zoneinfo import ZoneInfo

import sqlite_utils

from kiosk.core import audit
from kiosk.core import gcpolicy
from kiosk.core.audit import Actor
from kiosk.core.clock import Clock, utc_iso
from kiosk.core.db import write
from kiosk.core.paths import file_sha256
from kiosk.core.text import printable
from kiosk.reports import codes
from kiosk.reports.files import PARTIAL_SUFFIX, ExportError, atomic_path, check_writable
from kiosk.reports.logs import DATETIME, INT, MONEY, TEXT, Column, LogDef, PendingLog, fetch, split_available
from kiosk.reports.summary import Summary, build as build_summary, range_bounds

log = logging.getLogger(__name__)

FORMATS = ("csv", "xlsx", "pdf")
Progress = Callable[[float, str], None]


class ColumnRows(Sequence):
    """Rows over cells held column by column, made only when asked for (a slice, one row, iteration).

    The writers read columns; rows are for the PDF's first twenty, the widths' sample and callers that
    want tuples. Building every row of a month up front cost a second and another copy of every cell."""

    def __init__(self, cols: list) -> None:
        self._cols = cols
        self._len = len(cols[0]) if cols else 0

    def __len__(self) -> int:
        return self._len

    def __getitem__(self, index):
        if isinstance(index, slice):
            return list(zip(*(col[index] for col in self._cols)))
        if index < 0:
            index += self._len
        if not 0 <= index < self._len:
            raise IndexError(index)
        return tuple(col[index] for col in self._cols)

    def __iter__(self):
        return zip(*self._cols)

    def __eq__(self, other) -> bool:
        return list(self) == list(other)

    __hash__ = None


@dataclass
class LogData:
    """One log's rows, typed: text (printable, not yet guarded), local naive datetime, int fen, int.

    ``columns`` are the output columns: each code column (Column.codes) is followed by a column
    holding its raw code, so the rows carry the code in the reader's language and the code itself."""

    log: LogDef
    rows: list
    columns: tuple[Column, ...] = ()
    cols: list | None = None          # the same cells column by column (the writers' fast path)
    total: int | None = None          # rows in the range when ``rows`` holds only the first of them

    @property
    def count(self) -> int:
        """The log's rows in the range (all of them, whether or not all were read)."""
        return len(self.rows) if self.total is None else self.total

    def __post_init__(self) -> None:
        if not self.columns:
            self.columns = output_columns(self.log)

    def by_column(self) -> list:
        """The cells as one sequence per output column."""
        if self.cols is None:
            self.cols = [list(c) for c in zip(*self.rows)] if self.rows else [[] for _ in self.columns]
        return self.cols


def output_columns(log: LogDef) -> tuple[Column, ...]:
    """The log's columns as written: every code column followed by its raw-code column."""
    out: list[Column] = []
    for col in log.columns:
        out.append(col)
        if col.codes:
            out.append(Column(f"{col.key}_code", f"{col.en} (code)", f"{col.zh}(代码)", TEXT, raw=True))
    return tuple(out)


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


def _local_times(tz: ZoneInfo):
    """UTC ISO text -> local naive datetime, the offset looked up once per UTC minute (DST-safe)."""
    offsets: dict[str, timedelta] = {}

    def local(value: str) -> datetime:
        moment = datetime.fromisoformat(value)
        key = value[:16]
        offset = offsets.get(key)
        if offset is None:
            offset = offsets[key] = moment.astimezone(tz).utcoffset() - (moment.utcoffset() or timedelta(0))
        return moment.replace(tzinfo=None) + offset
    return local


def _text_column(values) -> list:
    """Text cells through the one sanitiser (kiosk.core.text.printable).

    The sanitiser's own test (printable and NFC already) is made once for the whole column, on its cells
    joined by a space: a space is printable and a starter (no mark composes with it or reorders across
    it), so the joined text is printable and NFC exactly when every cell is. Clean columns, nearly all of
    them, then cost one C pass; a column with one dirty cell is cleaned cell by cell."""
    cells = values if values.__class__ is list else list(values)
    try:
        joined = " ".join(filter(None, cells))
    except TypeError:       # a number in a text column (record ids): cell by cell
        joined = None
    nfc = unicodedata.is_normalized
    if joined is not None and joined.isprintable() and (joined.isascii() or nfc("NFC", joined)):
        return cells
    return [v if v is None or (v.__class__ is str and v.isprintable() and (v.isascii() or nfc("NFC", v)))
            else printable(v) for v in cells]


def _fixed_offset(tz: ZoneInfo, start: datetime, end: datetime) -> timedelta | None:
    """The zone's offset if it is the same at every hour of [start, end) (no DST change), else None.

    China has had one offset since 1991: a month then converts with one addition per cell."""
    offset = start.astimezone(tz).utcoffset()
    moment = start
    while moment < end:  # at most 366 x 24 steps
        if moment.astimezone(tz).utcoffset() != offset:
            return None
        moment += timedelta(hours=1)
    return offset if end.astimezone(tz).utcoffset() == offset else None


_UTC_SUFFIX = "+00:00"


def _time_column(values, local, offset: timedelta | None) -> list:
    """Stored UTC ISO texts as local naive datetimes, to the second (what every format shows).

    With one offset over the range (no DST change), the fast path parses the stored text's first 19
    characters (utc_iso's YYYY-MM-DDTHH:MM:SS, its suffix +00:00 checked) and adds the offset: a fifth of
    the time of parsing the whole text with its zone. Any other text goes the careful way."""
    if offset is None:
        return [None if v is None else local(v).replace(microsecond=0) for v in values]
    parse = datetime.fromisoformat
    return [None if v is None else parse(v[:19]) + offset if v.endswith(_UTC_SUFFIX) and len(v) >= 25
            else _utc_naive(v) + offset for v in values]


def _utc_naive(value: str) -> datetime:
    """Any stored time text as naive UTC to the second; a naive one is taken as UTC (kiosk.core.clock.parse_iso)."""
    moment = datetime.fromisoformat(value)
    if moment.tzinfo is not None:
        moment = moment.astimezone(timezone.utc).replace(tzinfo=None)
    return moment.replace(microsecond=0)


def convert_columns(log: LogDef, columns: list, tz: ZoneInfo, lang: str,
                    offset: timedelta | None = None) -> list[list]:
    """One log's fetched columns (a list per column) as typed output columns (see output_columns).

    Datetimes become local naive datetimes, money and counts ints, text passes the one sanitiser
    (no NUL, controls or bidi tricks in a cell), a code column gives two columns: the code in
    ``lang`` and the raw code. Formula guards are the writers' business (a CSV needs a visible one,
    a workbook's string cell does not). Column by column, with comprehensions: a month is millions
    of cells, and a function call per cell was most of the export's time.
    """
    local = _local_times(tz)
    out: list[list] = []
    for col, values in zip(log.columns, columns):
        if col.codes:
            clean = _text_column(values)
            table = {code: codes.label(col.codes, code, lang) for code in codes.vocabulary(col.codes)}
            out.append(list(map(table.get, clean, clean)))   # unknown codes (and None) as they are
            out.append(clean)
        elif col.words:
            table = {code: codes.label(col.words, code, lang) for code in codes.vocabulary(col.words)}
            clean = _text_column(values)
            out.append(list(map(table.get, clean, clean)))
        elif col.kind == DATETIME:
            out.append(_time_column(values, local, offset))
        elif col.kind in (MONEY, INT):
            out.append([v if v is None or v.__class__ is int else int(v) for v in values])
        else:
            out.append(_text_column(values))
    return out


def collect(db: sqlite_utils.Database, logs: list[LogDef], start: datetime, end: datetime, tz_name: str,
            lang: str = "zh_CN", progress: Progress | None = None, first_rows: int | None = None) -> list[LogData]:
    """Read every log's rows for [start, end) in one read transaction (a consistent snapshot).

    first_rows: read only each log's first rows and count the rest (LogData.total), for a PDF alone: it
    shows the first twenty rows of each log, and a month's 333,000 rows were read and typed for them."""
    tz = ZoneInfo(tz_name)
    offset = _fixed_offset(tz, start, end)
    out = []
    began = not db.conn.in_transaction
    if began:
        db.conn.execute("BEGIN")
    try:
        for log in logs:
            cursor = fetch(db, log, utc_iso(start), utc_iso(end), lang)
            fetched = cursor.fetchall() if first_rows is None else cursor.fetchmany(first_rows)
            total = None
            if first_rows is not None:
                cursor.close()
                total = len(fetched) if len(fetched) < first_rows else db.execute(
                    f"SELECT COUNT(*) FROM ({log.sql})", {"start": utc_iso(start), "end": utc_iso(end)}).fetchone()[0]
            columns = list(zip(*fetched)) if fetched else [[] for _ in log.columns]
            typed = convert_columns(log, columns, tz, lang, offset)
            out.append(LogData(log, ColumnRows(typed) if fetched else [], cols=typed if fetched else None,
                               total=total))
            if progress:
                progress(len(out) / len(logs), log.name)
    finally:
        if began:
            db.conn.execute("COMMIT")
    return out


def folder_name(first: date, last: date) -> str:
    """kiosk-export-2026-11-23 or kiosk-export-2026-11-01_2026-11-30."""
    return f"kiosk-export-{first}" if first == last else f"kiosk-export-{first}_{last}"


def warm_up(progress=None) -> list[str]:
    """Import the export's writers (fpdf and fontTools, the xlsx engine) ahead of the first export.

    Meant for the background worker at an idle moment after start-up. A first import holds the GIL in C
    for tens of milliseconds at a time (unmarshalling code, loading extensions), and the UI thread waits on
    it: the first export of a session stalled the screen for 250-580 ms, later ones for 33 ms (issue 18).
    Returns the modules it could import; a missing optional engine is no error here (the export says so)."""
    import importlib
    done = []
    for name in ("fpdf", "fontTools.ttLib", "fontTools.subset", "rustpy_xlsxwriter", "xlsxwriter",
                 "kiosk.reports.pdf_out", "kiosk.reports.xlsx_out", "kiosk.reports.csv_out", "kiosk.reports.logs"):
        try:
            importlib.import_module(name)
        except ImportError:
            continue
        done.append(name)
    try:
        # fontTools loads a font's tables (and their modules) as the subsetter asks for them: one line of
        # Chinese through the PDF writer, in memory, brings in what a real report's output will need.
        from fpdf import FPDF

        from kiosk.core.fonts import sc_font_path
        from kiosk.reports.pdf_out import add_sc_font
        pdf = FPDF()
        add_sc_font(pdf, str(sc_font_path()))   # also parses the font once for this process's exports
        pdf.add_page()
        pdf.set_font("sc", size=11)
        pdf.cell(0, 7, "前台 Front desk 0123456789")
        pdf.output()
        done.append("pdf")
    except Exception:  # noqa: BLE001 - warming is best effort; the export itself reports a missing font
        log.info("export warm-up: the PDF writer could not be warmed", exc_info=True)
    return done


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
    today = clock.now().astimezone(ZoneInfo(tz_name)).date()
    if first > today:   # outside test (issue 19): an empty export of tomorrow, written without a word
        raise ExportError("{first} is after today ({today}): nothing has happened on it yet", field="first",
                          first=str(first), today=str(today))
    report = progress or (lambda fraction, step: None)
    destination = Path(destination)
    check_writable(destination)
    start, end = range_bounds(first, last, tz_name)
    final = destination / folder_name(first, last)
    # Written in a hidden folder beside the final one and renamed into place when complete: a failed
    # export (stick full or pulled) leaves no folder of complete-looking CSVs, and an earlier complete
    # export of the same days stays whole until the new one replaces it (outside test, issue 19).
    folder = destination / f".{final.name}{PARTIAL_SUFFIX}"
    try:
        shutil.rmtree(folder, ignore_errors=True)     # a leftover of an export that died mid-way
        folder.mkdir(mode=0o700)
        with contextlib.suppress(OSError):  # owner only whatever the umask (FAT sticks have no modes)
            folder.chmod(0o700)
    except OSError as exc:
        raise ExportError("cannot create {folder}: {reason}", folder=str(final), reason=os_reason(exc)) from exc
    try:
        # A month is millions of new cells and tuples, none in a cycle: the collector's passes over them
        # found nothing and cost a tenth of the export's CPU (bench/export_bench.py).
        with gcpolicy.paused("an export"):
            result = _run_into(db, clock, folder, first, last, start, end, tz_name, formats, lang, site_name,
                               report)
        _swap_into_place(folder, final)
    except BaseException:
        shutil.rmtree(folder, ignore_errors=True)
        raise
    result.folder = final
    result.files = [(final / path.name, size) for path, size in result.files]
    with write(db):
        audit.record(db, clock, actor, "export.run", None, None, None,
                     {"first_day": str(first), "last_day": str(last), "formats": list(formats),
                      "destination": str(final), "rows": result.rows})
    return result


def _swap_into_place(folder: Path, final: Path) -> None:
    """Rename the complete export folder to its final name, replacing an older export of the same days."""
    old = final.with_name(f".{final.name}.old")
    try:
        shutil.rmtree(old, ignore_errors=True)
        if final.exists():
            final.rename(old)
        folder.rename(final)
        shutil.rmtree(old, ignore_errors=True)
        fd = os.open(final.parent, os.O_RDONLY)
        try:
            with contextlib.suppress(OSError):  # not every filesystem allows a directory fsync
                os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as exc:
        raise ExportError("cannot create {folder}: {reason}", folder=str(final), reason=os_reason(exc)) from exc


def _run_into(db, clock, folder: Path, first: date, last: date, start: datetime, end: datetime, tz_name: str,
              formats: tuple[str, ...], lang: str, site_name: str, report) -> ExportResult:
    """Write every chosen format and the manifest into folder (the hidden work folder)."""
    result = ExportResult(folder)
    report(0.0, "summary")
    result.summary = build_summary(db, clock, first, last, tz_name)
    logs, result.missing = split_available(db)
    # Shares of the progress bar by where a month's time goes (CPU seconds in bench/export_bench.py: the
    # summary and reading 2.0, CSV 1.3, the workbook 2.7, the PDF 0.5): reading and typing, then each format.
    shares = {"read": 0.35, "csv": 0.2 if "csv" in formats else 0, "xlsx": 0.35 if "xlsx" in formats else 0,
              "pdf": 0.1 if "pdf" in formats else 0}
    scale = 1.0 / sum(shares.values())
    done = dict.fromkeys(shares, 0.0)   # each phase's own 0..1
    lock = threading.Lock()

    def phase(name: str):
        """A progress function for one phase. The CSV files and the workbook are written at the same
        time, so the bar shows the sum of every phase's done share: it only ever moves forward."""
        def inner(fraction: float, step: str) -> None:
            with lock:
                done[name] = max(done[name], max(0.0, min(fraction, 1.0)))
                value = min(sum(done[k] * shares[k] for k in shares) * scale, 0.999)
                report(value, f"{name}:{step}")
        return inner

    from kiosk.reports.pdf_out import SAMPLE_ROWS
    # A PDF alone needs each log's first rows and its count, not the month's every row.
    data = collect(db, logs, start, end, tz_name, lang, progress=phase("read"),
                   first_rows=SAMPLE_ROWS if formats == ("pdf",) else None)
    result.rows = {d.log.name: d.count for d in data}
    stem = folder_name(first, last)
    xlsx_target = folder / f"{stem}.xlsx"

    def xlsx_job() -> None:
        from kiosk.reports.xlsx_out import write_xlsx
        with atomic_path(xlsx_target) as tmp:
            write_xlsx(tmp, data, result.summary, result.missing, lang, progress=phase("xlsx"))

    # The workbook engine (Rust) lets go of the GIL while it compresses: the CSV files are written
    # meanwhile on this thread, so the two formats overlap on a two-core box instead of adding up.
    pool = ThreadPoolExecutor(1, thread_name_prefix="export-xlsx") if "xlsx" in formats else None
    xlsx_future = pool.submit(xlsx_job) if pool else None
    try:
        if "csv" in formats:
            from kiosk.reports.csv_out import write_csv, write_per_day, write_summary
            csv_progress = phase("csv")
            jobs = [("summary", lambda tmp: write_summary(tmp, result.summary, data, result.missing, lang))]
            if result.summary.per_day is not None:
                jobs.append(("per_day", lambda tmp: write_per_day(tmp, result.summary.per_day, lang)))
            jobs += [(item.log.name, lambda tmp, item=item: write_csv(tmp, item, lang)) for item in data]
            for n, (name, write_one) in enumerate(jobs):
                target = folder / f"{name}.csv"
                with atomic_path(target) as tmp:
                    write_one(tmp)
                result.files.append((target, target.stat().st_size))
                csv_progress((n + 1) / len(jobs), name)
        if "pdf" in formats:
            # Also while the workbook is still being written: the PDF is a few pages whatever the range.
            from kiosk.reports.pdf_out import write_pdf
            target = folder / f"{stem}.pdf"
            with atomic_path(target) as tmp:
                write_pdf(tmp, result.summary, result.rows, result.missing, lang, site_name, data=data)
            result.files.append((target, target.stat().st_size))
            phase("pdf")(1.0, "written")
    finally:
        if pool:
            pool.shutdown(wait=True)   # never leave a writer running behind a failed export
    if xlsx_future is not None:
        xlsx_future.result()           # its ExportError (stick pulled...) is this export's error
        result.files.append((xlsx_target, xlsx_target.stat().st_size))
    _write_manifest(folder, result, clock, first, last, tz_name, lang)
    report(1.0, "manifest")
    return result


def _drop_manifest(folder: Path) -> None:
    """An older manifest must not vouch for files this export is about to rewrite."""
    try:
        (folder / "manifest.json").unlink(missing_ok=True)
    except OSError as exc:
        raise ExportError("cannot replace the manifest in {folder}: {reason}", folder=str(folder),
                          reason=os_reason(exc)) from exc



def _write_manifest(folder: Path, result: ExportResult, clock: Clock, first: date, last: date,
                    tz_name: str, lang: str) -> None:
    """Written last: its presence says every listed file is complete (sizes and hashes to check)."""
    manifest = {
        "complete": True, "created_at": utc_iso(clock.now()), "first_day": str(first), "last_day": str(last),
        "timezone": tz_name, "language": lang, "rows": result.rows,
        "missing_logs": [{"name": m.name, "waiting_for_tables": list(m.tables)} for m in result.missing],
        "files": [{"name": p.name, "bytes": size, "sha256": file_sha256(p)} for p, size in result.files],
    }
    target = folder / "manifest.json"
    with atomic_path(target) as tmp:
        tmp.write_text(json.dumps(manifest, ensure_ascii=False, indent=2), "utf-8")
    result.files.append((target, target.stat().st_size))
