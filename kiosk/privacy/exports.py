"""Carry one person's erasure into the export files in the export folder.

An export written before the erasure still holds the person. Each file under the export folder (and
under any export destination recorded in the audit that is there now) is looked at by what it is:

- text files (CSV, TXT, JSON): decoded (UTF-8 with or without BOM, UTF-16, else GB18030) and searched
  with the erasure's own matcher (:class:`kiosk.core.erasure.Needles`: names width-, case- and
  space-insensitively, phones with any separators); a file that holds the person is *rewritten* with
  their words replaced by ``***`` in the same encoding (rows and totals stay), atomically, 0600;
- workbooks (XLSX, a zip of XML): each XML part searched (entities decoded) and rewritten the same way,
  the zip written anew; a part that still holds the person after that means the file is removed;
- PDFs: their text is read with poppler's ``pdftotext`` when it is installed; a PDF that holds the person
  (or that cannot be read while its folder's other files held them) is *removed* — a PDF cannot be edited
  in place; re-export the range for a new one;
- anything else: a raw byte scan; a hit removes the file.

The folder's ``manifest.json`` is brought up to date (sizes and digests of rewritten files, removed
files dropped and named under ``removed_by_erasure``), so a checker never takes an edited file for a
damaged one. Every rewritten or removed file is returned for the audit. A final raw byte scan (UTF-8 and
UTF-16) of every file removes whatever still holds the person's bytes.
"""
from __future__ import annotations

import codecs
import contextlib
import html
import json
import os
import re
import shutil
import subprocess
import zipfile
from dataclasses import dataclass, field
from pathlib import Path

from kiosk.core import erasure
from kiosk.core.clock import Clock, utc_iso
from kiosk.core.paths import file_sha256
from kiosk.privacy import scan

TEXT_SUFFIXES = (".csv", ".txt", ".json", ".tsv")
MAX_FILES = 20000      # a bound on one walk (an export folder holds a few files per range)
MAX_DEPTH = 4
PDF_TIMEOUT_S = 60


@dataclass
class ExportOutcome:
    """What the erasure did in export folders (paths relative to nothing: absolute)."""

    rewritten: list[Path] = field(default_factory=list)
    removed: list[Path] = field(default_factory=list)
    looked_at: int = 0
    not_reachable: list[str] = field(default_factory=list)
    truncated: bool = False
    left: list[Path] = field(default_factory=list)   # not export files, but holding the person: left alone

    def audit_data(self) -> dict:
        return {"rewritten": [str(p) for p in self.rewritten], "removed": [str(p) for p in self.removed],
                "files_looked_at": self.looked_at, "not_reachable": self.not_reachable, "truncated": self.truncated,
                "left_alone": [str(p) for p in self.left]}


def export_folders(db, configured: str) -> tuple[list[Path], list[str]]:
    """The export folder and every export destination in the audit: (those there now, those not there).
    An audited destination is ``<folder>/<range>``; its parent is where the next exports went too."""
    folders: list[str] = [configured] if configured else []
    try:
        for (after,) in db.execute("SELECT after FROM audit WHERE action = 'export.run'"):
            with contextlib.suppress(ValueError, TypeError, AttributeError):
                destination = json.loads(after or "{}").get("destination")
                if destination:
                    folders.append(destination)
    except Exception:  # noqa: BLE001 - an audit that cannot be read: the configured folder alone
        pass
    try:  # the complaints month report (kiosk-complaints-YYYY-MM): its own record table, not export.run
        folders += [row[0] for row in db.execute("SELECT folder FROM complaint_report_exports WHERE folder != ''")]
    except Exception:  # noqa: BLE001 - a database from before that table
        pass
    present, absent = [], []
    for folder in dict.fromkeys(os.path.abspath(f) for f in folders):
        (present if Path(folder).is_dir() else absent).append(folder)
    # a destination inside the configured folder is walked with it
    roots = [Path(f) for f in present if not any(f != o and f.startswith(o.rstrip("/") + "/") for o in present)]
    return roots, absent


EXPORT_SUFFIXES = (*TEXT_SUFFIXES, ".xlsx", ".pdf")
SQLITE_MAGIC = b"SQLite format 3\0"


def _protected(path: Path, protect: tuple[Path, ...]) -> bool:
    """The live database and its journals, and anything inside a backup folder, are never an export file
    (an export folder configured as the data folder's parent must not lose the database)."""
    resolved = path.resolve()
    for item in protect:
        if resolved == item or item in resolved.parents:
            return True
    if path.is_dir():
        return False
    try:
        with open(path, "rb") as handle:
            return handle.read(16) == SQLITE_MAGIC  # a database file is never rewritten or removed as an export
    except OSError:
        return True  # unreadable: not ours to judge


def _files(roots: list[Path], protect: tuple[Path, ...] = ()) -> tuple[list[Path], bool]:
    out: list[Path] = []
    for root in roots:
        base = len(root.parts)
        for folder, dirs, names in os.walk(root, followlinks=False):
            if len(Path(folder).parts) - base >= MAX_DEPTH:
                dirs[:] = []
            dirs[:] = [d for d in dirs if not _protected(Path(folder) / d, protect)]
            for name in sorted(names):
                path = Path(folder) / name
                if _protected(path, protect):
                    continue
                if path.is_file() and not path.is_symlink():
                    out.append(path)
                    if len(out) >= MAX_FILES:
                        return out, True
    return out, False


def _decode(data: bytes) -> tuple[str, str, bytes] | None:
    """(text, codec, BOM) of a text file, or None when it is not text in an encoding we know."""
    for bom, codec in ((codecs.BOM_UTF8, "utf-8"), (codecs.BOM_UTF16_LE, "utf-16-le"),
                       (codecs.BOM_UTF16_BE, "utf-16-be")):
        if data.startswith(bom):
            try:
                return data[len(bom):].decode(codec), codec, bom
            except UnicodeDecodeError:
                return None
    for codec in ("utf-8", "gb18030"):
        try:
            return data.decode(codec), codec, b""
        except UnicodeDecodeError:
            continue
    return None


def _write_private(path: Path, data: bytes) -> None:
    """Replace path with data atomically, owner read/write only."""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.erasing")
    try:
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        try:
            with contextlib.suppress(OSError):  # FAT sticks have no modes
                os.fchmod(fd, 0o600)
            view = memoryview(data)
            while view:  # os.write may write less than asked
                view = view[os.write(fd, view):]
            os.fsync(fd)
        finally:
            os.close(fd)
        os.replace(tmp, path)
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()


def _scrub_unit(unit: str, needles: erasure.Needles, words: erasure.Needles | None) -> str:
    """One line of a CSV or one row of a sheet that names the person: their names, phones and numbers go,
    and so do the other personal words of their own records (their organisation) in that same unit."""
    unit = needles.replace(unit)
    return words.replace(unit) if words is not None and words.patterns else unit


def _rewrite_text(path: Path, needles: erasure.Needles, words: erasure.Needles | None = None) -> str:
    """'' (no person), 'rewritten' or 'remove'."""
    data = path.read_bytes()
    decoded = _decode(data)
    if decoded is None:
        return "remove" if scan.holds(path, needles.raw) else ""
    text, codec, bom = decoded
    if not needles.hits(text):
        return ""
    lines = text.splitlines(keepends=True)
    new = "".join(_scrub_unit(line, needles, words) if needles.hits(line) else line for line in lines)
    if needles.hits(new):
        return "remove"
    _write_private(path, bom + new.encode(codec))
    return "rewritten"


ROW = re.compile(r"<row\b.*?</row>|<si>.*?</si>", re.S)


def _rewrite_xlsx(path: Path, needles: erasure.Needles, words: erasure.Needles | None = None) -> str:
    try:
        with zipfile.ZipFile(path) as book:
            parts = [(info, book.read(info)) for info in book.infolist()]
    except (zipfile.BadZipFile, OSError, RuntimeError):
        return "remove" if scan.holds(path, needles.raw) else ""
    changed, new_parts = False, []
    for info, data in parts:
        if info.filename.endswith((".xml", ".rels")):
            try:
                text = data.decode("utf-8")
            except UnicodeDecodeError:
                text = None
            if text is not None and needles.hits(html.unescape(text)):
                # a sheet row (inline strings) or a shared string is the unit, as a line is in a CSV
                text = ROW.sub(lambda m: _scrub_unit(m.group(0), needles, words)
                               if needles.hits(html.unescape(m.group(0))) else m.group(0), text)
                text = needles.replace(text)
                if needles.hits(html.unescape(text)):
                    return "remove"   # the name was split by markup or entities: not safely editable
                data, changed = text.encode("utf-8"), True
        elif any(n in data for n in scan.encodings(needles.raw)):
            return "remove"
        new_parts.append((info, data))
    if not changed:
        return ""
    tmp = path.with_name(f".{path.name}.{os.getpid()}.zip-erasing")
    try:
        with zipfile.ZipFile(tmp, "w", zipfile.ZIP_DEFLATED) as book:
            for info, data in new_parts:
                book.writestr(info, data, compress_type=info.compress_type)
        _write_private(path, tmp.read_bytes())
    finally:
        with contextlib.suppress(OSError):
            tmp.unlink()
    return "rewritten"


def _pdf_holds(path: Path, needles: erasure.Needles) -> bool | None:
    """Whether a PDF's text holds the person; None when it cannot be read (no pdftotext, a bad file)."""
    tool = shutil.which("pdftotext")
    if tool is None:
        return None
    try:
        done = subprocess.run([tool, "-q", "-enc", "UTF-8", str(path), "-"], capture_output=True,
                              timeout=PDF_TIMEOUT_S, check=False)
    except (OSError, subprocess.SubprocessError):
        return None
    if done.returncode != 0:
        return None
    return needles.hits(done.stdout.decode("utf-8", "replace")) or scan.holds(path, needles.raw)


def _update_manifest(folder: Path, rewritten: list[Path], removed: list[Path], clock: Clock) -> None:
    manifest = folder / "manifest.json"
    if not manifest.is_file():
        return
    try:
        data = json.loads(manifest.read_text("utf-8"))
    except (OSError, ValueError):
        return
    if not isinstance(data, dict):
        return
    names_removed = {p.name for p in removed if p.parent == folder}
    names_rewritten = {p.name: p for p in rewritten if p.parent == folder}
    files = []
    for entry in data.get("files", []) if isinstance(data.get("files"), list) else []:
        if not isinstance(entry, dict) or entry.get("name") in names_removed:
            continue
        if entry.get("name") in names_rewritten:
            target = names_rewritten[entry["name"]]
            entry = {**entry, "bytes": target.stat().st_size, "sha256": file_sha256(target)}
        files.append(entry)
    data["files"] = files
    data["removed_by_erasure"] = sorted(set(data.get("removed_by_erasure", [])) | names_removed)
    data["erased_at"] = utc_iso(clock.now())
    _write_private(manifest, json.dumps(data, ensure_ascii=False, indent=2).encode("utf-8"))


def erase_exports(roots: list[Path], needles: erasure.Needles, clock: Clock, *, dry_run: bool = False,
                  words: list[str] = (), protect: tuple[Path, ...] = ()) -> ExportOutcome:
    """Rewrite or remove every export file under ``roots`` that holds the person (see the module);
    ``dry_run`` only lists them (``rewritten`` then means "holds the person")."""
    out = ExportOutcome()
    if not needles.patterns:
        return out
    row_words = erasure.Needles.words(list(words))
    files, out.truncated = _files(roots, tuple(Path(p).resolve() for p in protect))
    by_folder: dict[Path, list[Path]] = {}
    for path in files:
        by_folder.setdefault(path.parent, []).append(path)
    for folder, paths in by_folder.items():
        rewritten, removed, pdfs = [], [], []
        for path in paths:
            if path.name == "manifest.json" or path.name.endswith((".partial", ".erasing", ".zip-erasing")):
                if path.name != "manifest.json" and scan.holds(path, needles.raw):
                    removed.append(path)  # a killed writer's leftover holding the person
                continue
            out.looked_at += 1
            suffix = path.suffix.lower()
            if suffix == ".pdf":
                pdfs.append(path)
                continue
            try:
                if dry_run:
                    if suffix in TEXT_SUFFIXES:
                        decoded = _decode(path.read_bytes())
                        held = needles.hits(decoded[0]) if decoded else scan.holds(path, needles.raw)
                    elif suffix == ".xlsx":
                        with zipfile.ZipFile(path) as book:
                            held = any(needles.hits(html.unescape(book.read(i).decode("utf-8", "replace")))
                                       for i in book.infolist())
                    else:
                        if scan.holds(path, needles.raw):
                            out.left.append(path)
                        continue
                    if held:
                        rewritten.append(path)
                    continue
                if suffix not in EXPORT_SUFFIXES:
                    # not a file an export writes: never removed here, but said (the manager decides)
                    if scan.holds(path, needles.raw):
                        out.left.append(path)
                    continue
                what = (_rewrite_text(path, needles, row_words) if suffix in TEXT_SUFFIXES else
                        _rewrite_xlsx(path, needles, row_words))
            except (OSError, zipfile.BadZipFile, RuntimeError):
                what = "remove"
            if what == "rewritten":
                rewritten.append(path)
            elif what == "remove":
                removed.append(path)
        for pdf in pdfs:
            held = _pdf_holds(pdf, needles)
            if held or (held is None and (rewritten or removed)):
                (rewritten if dry_run else removed).append(pdf)
        if not dry_run:
            for path in removed:
                with contextlib.suppress(FileNotFoundError):
                    path.unlink()
            _update_manifest(folder, rewritten, removed, clock)
            # Last word: the raw bytes (UTF-8 and UTF-16) of what is left.
            for path in paths:
                if path.suffix.lower() not in EXPORT_SUFFIXES or path.name == "manifest.json":
                    continue
                if path.exists() and path not in removed and scan.holds(path, needles.raw):
                    path.unlink()
                    removed.append(path)
                    if path in rewritten:
                        rewritten.remove(path)
        out.rewritten += rewritten
        out.removed += removed
    return out
