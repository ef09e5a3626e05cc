"""SQLite through sqlite-utils: pragmas for a box that gets unplugged, numbered migrations.

One connection per thread: call :func:`connect` in each thread that needs the database.
"""
from __future__ import annotations

import contextlib
import json
import os
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import sqlite_utils

from kiosk.core import records
from kiosk.core import storage
from kiosk.core import uid
from kiosk.core.paths import data_dir

BUSY_TIMEOUT_MS = 5000
_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")
# Where the box's site and terminal are mirrored for connections opened without them
# (worker threads); kiosk.core.context writes it from the configuration at start-up.
ORIGIN_KEY = "box_origin"
MIGRATION_CACHE_KIB = -131072  # 128 MiB of page cache while migrating (negative: KiB, SQLite's convention)


class SchemaTooNew(storage.StorageFault, RuntimeError):
    """The database has migrations this program does not ship: it was written by a newer version.

    A storage fault (translated like the others); still a RuntimeError for callers that catch that."""

    def __init__(self, path: str, version: int, latest: int, unknown: list[int]) -> None:
        super().__init__("newer_schema", path, version=version, latest=latest)
        self.version, self.latest, self.unknown = version, latest, unknown


@dataclass(frozen=True)
class Origin:
    """Which site and terminal write new records (stamped on every record row by column defaults)."""

    site_id: str = "SITE"
    terminal_id: str = "T01"


@dataclass(frozen=True)
class Migration:
    """One numbered schema step, kept as an SQL file in data/migrations."""

    version: int
    name: str
    sql: str


def migrations() -> list[Migration]:
    """All shipped migrations in order; numbers must be unique (each area owns its numbers)."""
    found = []
    for path in sorted((data_dir() / "migrations").glob("*.sql")):
        match = _MIGRATION_NAME.match(path.name)
        if not match:
            raise RuntimeError(f"badly named migration {path.name} (want NNNN_name.sql)")
        found.append(Migration(int(match.group(1)), match.group(2), path.read_text("utf-8")))
    versions = [m.version for m in found]
    if len(set(versions)) != len(versions):
        raise RuntimeError(f"duplicate migration numbers in {versions}")
    return found


def connect(path: str | Path, *, migrate: bool = True, origin: Origin | None = None,
            create: bool = True, read_only: bool | None = False) -> sqlite_utils.Database:
    """Open (and by default migrate) the database at path with the kiosk's pragmas.

    origin: the site and terminal new records are stamped with; None reads the copy the
    configuration left in the database (a worker thread's connection), else the defaults.
    create: False refuses a missing file or folder (``storage.StorageFault`` "missing") instead of
    making an empty database there, and a zero-byte file ("not_database") instead of migrating it into
    one — a mistyped path or a truncated file must never look like an empty site.
    Every storage fault met while opening (read-only, full, not a database, locked, newer schema...)
    is raised as a ``kiosk.core.storage.StorageFault`` naming the file.
    read_only: True opens read-only (``mode=ro``; nothing is written: no WAL switch, no migration — a
    database that needs one is refused as read-only); None does so only when nothing can be written
    there (read-only mount, file or folder, or a full disk: ``storage.cannot_write``), so a roll call or
    a last backup still reads a failing SD card. ``is_read_only(db)`` tells which it got.
    """
    path = str(path)
    if path != ":memory:":
        storage.remember_database(path)
        if not create and not Path(path).is_file():
            raise storage.missing(path)
        if not create and _empty_file(path):
            # SQLite takes a zero-byte file for a new database: migrating it would turn a truncated or
            # never-written file into an empty site ("on site: 0 people") — refused like a missing one.
            raise storage.not_a_database(path)
    if read_only is None:
        read_only = path != ":memory:" and Path(path).is_file() and storage.cannot_write(path)
    try:
        if read_only:
            return _open_read_only(path, origin=origin, migrate=migrate, create=create)
        return _open(path, migrate=migrate, origin=origin, create=create)
    except (sqlite3.Error, OSError) as exc:
        fault = storage.classify(exc, path)
        if fault is None:
            raise
        raise fault from exc


def _empty_file(path: str) -> bool:
    try:
        return Path(path).stat().st_size == 0
    except OSError:
        return False


def _open(path: str, *, migrate: bool, origin: Origin | None, create: bool = True) -> sqlite_utils.Database:
    if path != ":memory:":
        # Identity first, read-only: a refused file keeps its mode and gets no -wal/-shm (outside attack 2).
        refuse_foreign(path, create=create, complete=migrate)
        if not Path(path).exists() or _empty_file(path) or _header(path) is not None:
            make_private(Path(path))  # not SQLite (a text file): refused below, its mode left as it was
    conn = sqlite3.connect(path, timeout=busy_timeout_ms() / 1000, check_same_thread=False)
    try:
        return _prepare(conn, path, migrate=migrate, origin=origin, create=create)
    except BaseException:
        conn.close()  # a refused file is not held open (a half-made connection would keep its lock)
        raise


def _open_read_only(path: str, *, origin: Origin | None, migrate: bool = True,
                    create: bool = True) -> sqlite_utils.Database:
    refuse_foreign(path, create=create, complete=migrate)
    conn = sqlite3.connect(storage.reader_uri(path), uri=True, timeout=busy_timeout_ms() / 1000,
                           check_same_thread=False)
    try:
        conn.execute(f"PRAGMA busy_timeout={busy_timeout_ms()}")
        conn.execute("PRAGMA trusted_schema=ON")
        # Only a kiosk database is read as one (another program's tables are not a site's roll call).
        check_identity(conn, path, create=create, complete=migrate)
        stamp = _register_functions(conn, origin or Origin())
        db = sqlite_utils.Database(conn, strict=True, execute_plugins=False)
        shipped = migrations()
        tables = set(db.table_names())
        done = ({r[0] for r in conn.execute("SELECT version FROM schema_migrations")}
                if "schema_migrations" in tables else set())
        refuse_newer(db, done, shipped)
        if migrate and {m.version for m in shipped} - done:
            # The schema this code reads is not all there, and it cannot be migrated here (a caller that
            # does not migrate — db check — reads an older schema as it is).
            raise storage.read_only(path)
        if origin is None:
            stamp[0] = stored_origin(db) or stamp[0]
        db.kiosk_read_only = True  # type: ignore[attr-defined]
        return db
    except BaseException:
        conn.close()
        raise


def is_read_only(db: sqlite_utils.Database) -> bool:
    """Whether connect() opened this database read-only (writes would fail: skip the optional ones)."""
    return bool(getattr(db, "kiosk_read_only", False))


def busy_timeout_ms() -> int:
    """How long a write waits for another writer: KIOSK_BUSY_TIMEOUT_MS overrides (tests, slow media)."""
    import os
    try:
        return max(0, int(os.environ.get("KIOSK_BUSY_TIMEOUT_MS", BUSY_TIMEOUT_MS)))
    except ValueError:
        return BUSY_TIMEOUT_MS


def _prepare(conn: sqlite3.Connection, path: str, *, migrate: bool, origin: Origin | None,
             create: bool = True) -> sqlite_utils.Database:
    conn.execute(f"PRAGMA busy_timeout={busy_timeout_ms()}")
    # First, before any pragma below writes to the file (WAL switch, auto_vacuum) or a migration adds
    # tables: is this a kiosk database? Another program's file is refused as it is, byte for byte.
    check_identity(conn, path, create=create, complete=migrate)
    # Deleted and overwritten content is zeroed on disk, not left in free pages (erasure must erase).
    conn.execute("PRAGMA secure_delete=ON")
    # Free pages go back to the file in small steps (kiosk.core.compact), never by a full VACUUM that holds
    # the write lock for seconds: set on a new, empty file only (before its first table). On an existing
    # file the pragma writes (it would wait on another writer and change a file we may only refuse); that
    # file switches with its one conversion VACUUM in the nightly quiet window (compact.convert_when_quiet).
    if path != ":memory:" and conn.execute("PRAGMA page_count").fetchone()[0] == 0:
        conn.execute("PRAGMA auto_vacuum=INCREMENTAL")
    if path != ":memory:":
        conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")  # a kiosk gets unplugged: WAL+FULL survives power loss
    conn.execute("PRAGMA foreign_keys=ON")
    # INSERT OR REPLACE deletes the old row; only with recursive triggers does that delete meet the
    # record tables' _no_delete guard (sqlite-utils sets this too; the guard must not depend on it).
    conn.execute("PRAGMA recursive_triggers=ON")
    # Record tables take their uid, site_id and terminal_id from column DEFAULTs that call the
    # functions below; SQLite runs functions named in the schema only when the schema is trusted.
    conn.execute("PRAGMA trusted_schema=ON")
    stamp = _register_functions(conn, origin or Origin())
    # No sqlite-utils plugins: scanning entry points costs start-up time and we register none.
    db = sqlite_utils.Database(conn, strict=True, execute_plugins=False)
    if migrate:
        apply_migrations(db)
    if origin is None:
        stamp[0] = stored_origin(db) or stamp[0]
    return db


def make_private(path: Path) -> None:
    """The database file (and its -wal/-shm, which SQLite creates with the database file's mode) owner
    read/write only whatever the umask; a folder created for it is owner-only (0700). An existing file
    from before is tightened too."""
    import os
    folder = path.parent
    if not folder.exists():
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        os.chmod(folder, 0o700)
    if not path.exists():
        os.close(os.open(path, os.O_RDWR | os.O_CREAT, 0o600))
    for each in (path, Path(f"{path}-wal"), Path(f"{path}-shm"), Path(f"{path}-journal")):
        if each.exists() and (each.stat().st_mode & 0o077):
            os.chmod(each, 0o600)


def _register_functions(conn: sqlite3.Connection, origin: Origin) -> list[Origin]:
    """SQL functions the schema's DEFAULTs and migrations call; returns the origin holder they read."""
    holder = [origin]
    conn.create_function("kiosk_uuid7", 0, uid.uuid7)
    conn.create_function("kiosk_uuid7_for", 1, uid.uuid7_for)
    conn.create_function("kiosk_site", 0, lambda: holder[0].site_id)
    conn.create_function("kiosk_terminal", 0, lambda: holder[0].terminal_id)
    return holder


def stored_origin(db: sqlite_utils.Database) -> Origin | None:
    """The site and terminal the configuration last mirrored into the database, if any."""
    try:
        row = db.execute("SELECT value FROM settings WHERE key = ?", (ORIGIN_KEY,)).fetchone()
    except sqlite3.OperationalError:  # no settings table yet
        return None
    if row is None:
        return None
    value = json.loads(row[0])
    return Origin(value["site_id"], value["terminal_id"]) if isinstance(value, dict) else None


def schema_version(db: sqlite_utils.Database) -> int:
    """The number of the last migration applied."""
    return db.execute("PRAGMA user_version").fetchone()[0]


def applied_migrations(db: sqlite_utils.Database) -> set[int]:
    """Numbers of the migrations this database has (areas land their numbers independently)."""
    with db.conn:
        db.conn.execute("CREATE TABLE IF NOT EXISTS schema_migrations (version INTEGER PRIMARY KEY,"
                        " name TEXT NOT NULL, applied_at TEXT NOT NULL DEFAULT CURRENT_TIMESTAMP)")
        done = {row[0] for row in db.conn.execute("SELECT version FROM schema_migrations")}
        legacy = schema_version(db)
        if not done and legacy:
            # A database from before per-migration tracking: everything up to user_version is there.
            for migration in migrations():
                if migration.version <= legacy:
                    db.conn.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
                                    (migration.version, migration.name))
                    done.add(migration.version)
    return done


def apply_migrations(db: sqlite_utils.Database, *, upto: int | None = None) -> list[int]:
    """Apply every shipped migration the database does not have yet, each in its own transaction.

    A later number can land before an earlier one (each area owns its numbers), so what is applied
    is tracked per migration; PRAGMA user_version holds the highest number applied.
    upto: stop after this number (tests build an older schema with it, e.g. the one before 0011);
    None applies them all. Returns the numbers applied now.
    """
    applied_now = []
    shipped = migrations()
    done = applied_migrations(db)
    refuse_newer(db, done, shipped)
    stamp_identity(db)
    pending = [m for m in shipped if m.version not in done and (upto is None or m.version <= upto)]
    if not pending:
        return applied_now
    conn = db.conn
    # A migration may rebuild a table (SQLite's way to add a constraint or a column with a computed
    # default): foreign keys are off while it runs, so dropping the old table deletes nothing, and
    # checked in full before it commits. The pragma is ignored inside a transaction, hence here.
    conn.execute("PRAGMA foreign_keys=OFF")
    # A rebuild fills unique indexes (uid) out of rowid order: a bigger page cache keeps a year of
    # rows from thrashing the default 2 MB one (a year, 518k rows: 7.8 s -> 5.8 s).
    cache = conn.execute("PRAGMA cache_size").fetchone()[0]
    conn.execute(f"PRAGMA cache_size={MIGRATION_CACHE_KIB}")
    try:
        for migration in pending:
            if _apply_one(conn, migration):
                applied_now.append(migration.version)
    finally:
        conn.execute(f"PRAGMA cache_size={int(cache)}")
        conn.execute("PRAGMA foreign_keys=ON")
    # INSERT OR REPLACE deletes the old row; only with recursive triggers does that delete meet the
    # record tables' _no_delete guard (sqlite-utils sets this too; the guard must not depend on it).
    conn.execute("PRAGMA recursive_triggers=ON")
    return applied_now


def stamp_identity(db: sqlite_utils.Database) -> None:
    """Mark the file as a kiosk database (PRAGMA application_id): a new one before its first migration, one
    from before the mark once check_identity has recognised it by its bookkeeping and tables."""
    if db.execute("PRAGMA application_id").fetchone()[0] == APPLICATION_ID:
        return
    try:
        with write(db):
            db.conn.execute(f"PRAGMA application_id={APPLICATION_ID}")
    except sqlite3.OperationalError as exc:
        # Another writer holds the lock (or the card is full or read-only): the database opens as before,
        # recognised by its bookkeeping, and gets its mark on a later open. Other errors are not ours to hide.
        if (getattr(exc, "sqlite_errorcode", 0) & 0xFF) not in (storage.SQLITE_BUSY, storage.SQLITE_LOCKED,
                                                                 storage.SQLITE_READONLY, storage.SQLITE_FULL):
            raise


def _apply_one(conn: sqlite3.Connection, migration: Migration) -> bool:
    """Run one migration in its own transaction; False when another process already did."""
    try:
        conn.execute("BEGIN IMMEDIATE")
        # Re-check under the write lock: another process may have migrated meanwhile.
        if conn.execute("SELECT 1 FROM schema_migrations WHERE version = ?", (migration.version,)).fetchone():
            conn.execute("ROLLBACK")
            return False
        for statement in _split_sql(migration.sql):
            conn.execute(statement)
        broken = conn.execute("PRAGMA foreign_key_check").fetchall()
        if broken:
            raise RuntimeError(f"migration {migration.version:04d}_{migration.name} leaves {len(broken)} rows"
                               f" pointing nowhere, e.g. {broken[0][0]} row {broken[0][1]} -> {broken[0][2]}")
        conn.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
                     (migration.version, migration.name))
        top = conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0]
        conn.execute(f"PRAGMA user_version={int(top)}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
    return True


def refuse_newer(db: sqlite_utils.Database, done: set[int], shipped: list[Migration]) -> None:
    """Stop before touching a database that has migrations this program does not know.

    Running older code on it would write rows the newer schema does not expect (or fail halfway).
    """
    known = {m.version for m in shipped}
    unknown = sorted(done - known)
    latest = max(known, default=0)
    version = schema_version(db)
    if unknown or version > latest:
        newest = max(unknown + [version])
        raise schema_too_new(db_file(db), newest, latest, unknown)


def schema_too_new(path: str, version: int, latest: int, unknown: list[int]) -> SchemaTooNew:
    """The refusal of a database from a newer program (its sentence is storage.MESSAGES["newer_schema"])."""
    return SchemaTooNew(path, version, latest, unknown)


def db_file(db: sqlite_utils.Database) -> str:
    """The main database file's path ('' for an in-memory database)."""
    row = db.execute("PRAGMA database_list").fetchone()
    return row[2] if row and row[2] else ":memory:"


def _split_sql(script: str) -> list[str]:
    """Split a migration into statements (sqlite3.complete_statement knows about triggers)."""
    statements, buffer = [], ""
    for line in script.splitlines(keepends=True):
        buffer += line
        if sqlite3.complete_statement(buffer):
            if buffer.strip():
                statements.append(buffer.strip())
            buffer = ""
    if buffer.strip() and not buffer.strip().startswith("--"):
        statements.append(buffer.strip())
    return statements


@contextlib.contextmanager
def write(db: sqlite_utils.Database) -> Iterator[sqlite_utils.Database]:
    """One short write transaction (BEGIN IMMEDIATE); nests as a savepoint.

    Everything that must commit together — a sale, its stock movements, its receipt number,
    its print job and its audit rows — goes inside one ``with write(db):`` block.
    """
    if db.conn.in_transaction:
        with db.atomic():
            yield db
        return
    db.conn.execute("BEGIN IMMEDIATE")
    try:
        yield db
    except BaseException:
        if db.conn.in_transaction:
            db.conn.execute("ROLLBACK")
        raise
    db.conn.execute("COMMIT")


@contextlib.contextmanager
def short_waits(db: sqlite_utils.Database, ms: int) -> Iterator[sqlite_utils.Database]:
    """Writes inside wait at most ``ms`` for another writer (then raise "database is locked") instead of
    the connection's BUSY_TIMEOUT: for a tap on the UI thread that can keep its work in memory and retry
    (the roll call). The connection's own timeout comes back afterwards, whatever happened."""
    before = int(db.conn.execute("PRAGMA busy_timeout").fetchone()[0])
    db.conn.execute(f"PRAGMA busy_timeout={min(before, max(0, int(ms)))}")
    try:
        yield db
    finally:
        db.conn.execute(f"PRAGMA busy_timeout={before}")


def integrity_check(db: sqlite_utils.Database) -> list[str]:
    """PRAGMA integrity_check; ['ok'] when the file is sound."""
    return [row[0] for row in db.execute("PRAGMA integrity_check").fetchall()]


def _guard_sql(table: str, event: str) -> str:
    """The one shape of an append-only trigger (whitespace folded), as migration 0011 writes them."""
    return (f"CREATE TRIGGER {records.trigger_name(table, event)} BEFORE {event.upper()} ON {table} "
            f"BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")


def append_only_problems(db: sqlite_utils.Database) -> list[str]:
    """What is missing or wrong in the append-only guard: each declared record table's UPDATE and DELETE
    triggers must exist and have the guard's own body (a same-named trigger that blocks nothing is a
    problem too). The expected names come from kiosk.core.records (the one declaration of record tables).
    """
    present = {row[0]: (row[1], " ".join((row[2] or "").split()))
               for row in db.execute("SELECT name, tbl_name, sql FROM sqlite_master WHERE type = 'trigger'")}
    from kiosk.core.config import Text   # each an English line `kiosk db check` says in the site's language
    tables = set(db.table_names())
    problems = []
    for table in records.record_names():
        if table not in tables:
            problems.append(Text("record table {table} is missing", table=table))
            continue
        for event in records.APPEND_ONLY_EVENTS:
            trigger = records.trigger_name(table, event)
            on, sql = present.get(trigger, (None, ""))
            if on != table:
                problems.append(Text("trigger {trigger} on {table} is missing", trigger=trigger, table=table))
            elif (sql != _guard_sql(table, event) and not _is_anonymising_guard(db, table, event, sql)
                  and not _is_erasure_guard(table, event, sql)):
                problems.append(Text("trigger {trigger} on {table} does not block {event}", trigger=trigger, table=table,
                                     event=event.upper()))
    return problems


def _is_erasure_guard(table: str, event: str, sql: str) -> bool:
    """Migration 0014's guard of a personal-data table: blocks every UPDATE except inside an erasure."""
    return table in records.ERASABLE and event == "update" and sql == (
        f"CREATE TRIGGER {records.trigger_name(table, event)} BEFORE UPDATE ON {table} WHEN NOT EXISTS"
        f" (SELECT 1 FROM privacy_erasing) BEGIN SELECT RAISE(ABORT, '{table} is append-only'); END")


def _is_anonymising_guard(db: sqlite_utils.Database, table: str, event: str, sql: str) -> bool:
    """The declared exception: a table with personal columns (records.RecordTable.anonymise) may be
    updated only by the retention job's anonymisation — those columns blanked, `anonymised_at` set once,
    every other column unchanged."""
    declared = next((t for t in records.RECORD_TABLES if t.name == table), None)
    if event != "update" or declared is None or not declared.anonymise:
        return False
    head = f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} WHEN NOT ("
    tail = f"BEGIN SELECT RAISE(ABORT, '{table} is append-only (only anonymisation may change a row)'); END"
    columns = [row[1] for row in db.execute(f"PRAGMA table_info({table})")]
    kept = [c for c in columns if c not in declared.anonymise and c != "anonymised_at"]
    return (sql.startswith(head) and sql.endswith(tail) and "old.anonymised_at IS NULL" in sql
            and all(f"new.{c} = ''" in sql for c in declared.anonymise)
            and all(f"new.{c} IS old.{c}" in sql for c in kept))


def foreign_key_problems(db: sqlite_utils.Database) -> list[str]:
    """Rows whose foreign key points at nothing (PRAGMA foreign_key_check), at most 20 named."""
    from kiosk.core.config import Text
    found = db.execute("PRAGMA foreign_key_check").fetchmany(21)
    problems = [Text("{table} row {rowid} points at a missing {parent}", table=table, rowid=rowid, parent=parent)
                for table, rowid, parent, _ in found[:20]]
    return problems + ([Text("more broken references")] if len(found) > 20 else [])


def rows(db: sqlite_utils.Database, sql: str, params: tuple | dict = ()) -> list[dict]:
    """Run a query and return its rows as dicts."""
    return list(db.query(sql, params))


# --- identity: is this file a kiosk database at all? ---------------------------------------------------
# Every kiosk database carries this in its header (PRAGMA application_id, bytes 68-71): "KIOS". Migrations
# set it; a kiosk database from before it is recognised by its own migration bookkeeping (schema_migrations
# rows named as our migrations are) and its tables, and stamped on its next migrating open.
APPLICATION_ID = 0x4B494F53

_OBJECT_NAME = r'(?:"([^"]+)"|\[([^\]]+)\]|`([^`]+)`|([A-Za-z_][A-Za-z0-9_]*))'
_CREATE = re.compile(r"CREATE\s+(?:TEMP\s+|TEMPORARY\s+)?(?:UNIQUE\s+)?(?:VIRTUAL\s+)?(TABLE|INDEX|TRIGGER|VIEW)"
                     r"\s+(?:IF\s+NOT\s+EXISTS\s+)?" + _OBJECT_NAME, re.I)
_DROP = re.compile(r"DROP\s+(TABLE|INDEX|TRIGGER|VIEW)\s+(?:IF\s+EXISTS\s+)?" + _OBJECT_NAME, re.I)
_RENAME = re.compile(r"ALTER\s+TABLE\s+" + _OBJECT_NAME + r"\s+RENAME\s+TO\s+" + _OBJECT_NAME, re.I)
# The table an index or trigger belongs to (the first ON after its name; a trigger's "UPDATE OF a, b ON t").
_ON = re.compile(r"\bON\s+" + _OBJECT_NAME, re.I)


def _name(match: re.Match, first: int) -> str:
    return next(g for g in match.groups()[first:first + 4] if g is not None).lower()


_COMMENT = re.compile(r"--[^\n]*")


def _statement_ops(sql: str) -> tuple[tuple[str, ...], ...]:
    """What one migration does to the schema's objects, in order: ("create", type, name, table),
    ("drop", type, name) and ("rename", old, new). Read from its SQL text (no database needed), by regular
    expressions over the text without its comments, cut at each ";" (a trigger's header comes before its
    BEGIN, and a trigger body holds no CREATE, DROP or ALTER): a few milliseconds for all migrations."""
    ops: list[tuple[str, ...]] = []
    for chunk in _COMMENT.sub("", sql).split(";"):
        text = chunk.lstrip()
        if text[:6].upper() not in ("CREATE", "DROP T", "DROP I", "DROP V", "ALTER "):
            continue
        if match := _CREATE.match(text):
            kind, name = match.group(1).lower(), _name(match, 1)
            table = name
            if kind in ("index", "trigger"):
                on = _ON.search(text, match.end())
                table = _name(on, 0) if on else ""
            ops.append(("create", kind, name, table))
        elif match := _DROP.match(text):
            ops.append(("drop", match.group(1).lower(), _name(match, 1)))
        elif match := _RENAME.match(text):
            ops.append(("rename", _name(match, 0), _name(match, 4)))
    return tuple(ops)


_OPS_CACHE: dict[tuple[int, str], tuple[tuple[str, ...], ...]] = {}
_SCHEMA_CACHE: dict[tuple, dict[str, tuple[str, str]]] = {}  # by the applied migrations (version, name, size)


def expected_schema(done: set[int], shipped: list[Migration] | None = None) -> dict[str, tuple[str, str]]:
    """name -> (type, table) of every table, index, trigger and view the shipped migrations in ``done``
    leave behind, applied in order (SQLite's rules: dropping a table drops its indexes and triggers,
    renaming one carries them along). Cheap: a walk over the migrations' text, cached per migration."""
    applied = [m for m in (shipped if shipped is not None else migrations()) if m.version in done]
    whole = tuple((m.version, m.name, len(m.sql)) for m in applied)
    if whole in _SCHEMA_CACHE:
        return dict(_SCHEMA_CACHE[whole])
    objects: dict[str, tuple[str, str]] = {}
    for migration in applied:
        key = (migration.version, migration.sql)
        ops = _OPS_CACHE.get(key)
        if ops is None:
            ops = _OPS_CACHE[key] = _statement_ops(migration.sql)
        for op in ops:
            if op[0] == "create":
                objects[op[2]] = (op[1], op[3])
            elif op[0] == "drop":
                objects.pop(op[2], None)
                if op[1] == "table":
                    objects = {n: o for n, o in objects.items() if not (o[0] in ("index", "trigger") and o[1] == op[2])}
            else:
                old, new = op[1], op[2]
                if old in objects:
                    objects[new] = ("table", new)
                    del objects[old]
                objects = {n: (o[0], new if o[0] in ("index", "trigger") and o[1] == old else o[1])
                           for n, o in objects.items()}
    _SCHEMA_CACHE[whole] = dict(objects)
    return objects


def _kiosk_bookkeeping(conn: sqlite3.Connection, shipped: list[Migration]) -> set[int] | None:
    """The migrations a schema_migrations table records, when it is the kiosk's own (its rows name our
    migrations as we name them); None when it is someone else's table of that name (Rails, Flyway...)."""
    try:
        found = conn.execute("SELECT version, name FROM schema_migrations").fetchall()
    except sqlite3.OperationalError:
        return None
    names = {m.version: m.name for m in shipped}
    done = set()
    for version, name in found:
        if not isinstance(version, int) or (version in names and names[version] != name):
            return None
        done.add(version)
    return done


def check_identity(conn: sqlite3.Connection, path: str, *, create: bool, complete: bool = True) -> None:
    """Refuse, before anything is written, a file that is not a kiosk database or no longer a whole one.

    One pragma pair and a sqlite_master read (every open pays it). Raises StorageFault "not_kiosk" for
    another program's SQLite file (a foreign application_id; tables but no kiosk bookkeeping; a
    user_version but not the tables our migrations up to it make), "not_database" for an empty file
    when nothing may be created, and (``complete``) "incomplete" for a kiosk database whose tables are
    not all there — `db check` opens with complete=False and lists them itself."""
    app_id, version = (conn.execute("PRAGMA application_id").fetchone()[0],
                       conn.execute("PRAGMA user_version").fetchone()[0])
    present = {row[0].lower(): row[1] for row in conn.execute("SELECT name, type FROM sqlite_master")
               if not row[0].startswith("sqlite_")}
    if app_id not in (0, APPLICATION_ID):
        raise storage.not_kiosk(path)
    tables = {name for name, kind in present.items() if kind == "table"}
    if not present and app_id == 0 and version == 0:
        if not create and path != ":memory:":
            raise storage.not_a_database(path)  # an empty SQLite file: not a site (it would read as empty)
        return  # a new database: the migrations make it ours
    shipped = migrations()
    known = {m.version for m in shipped}
    if "schema_migrations" in tables:
        done = _kiosk_bookkeeping(conn, shipped)
        if done is None:
            raise storage.not_kiosk(path)
        ours = app_id == APPLICATION_ID or bool(done & known) or tables == {"schema_migrations"}
    else:
        # Before per-migration tracking, user_version alone said how far a kiosk database was.
        done = {v for v in known if v <= version}
        ours = app_id == APPLICATION_ID
    if not ours and not (done & known):
        # Tables, and no trace of our migrations: another program's file, even one whose own
        # schema_migrations holds versions we do not ship (timestamps, 49, 1000). Only a file with our mark
        # or our rows is "a newer kiosk's database" (outside attack 2: it was switched to WAL and called newer).
        raise storage.not_kiosk(path)
    newer = bool(done - known) or version > max(known, default=0)
    if newer and ours:
        return  # a newer kiosk's database: refuse_newer says so (our idea of its tables is out of date)
    if newer and not tables:
        # A user_version from the future and nothing else: said as a newer schema, before the
        # bookkeeping of applied_migrations would write into it.
        raise schema_too_new(path, version, max(known, default=0), [])
    expected = expected_schema(done, shipped)
    missing = sorted(name for name, (kind, _) in expected.items() if kind == "table" and name not in tables)
    if not missing:
        return
    if not ours:
        raise storage.not_kiosk(path)  # a user_version, but not our tables at it
    if complete:
        raise storage.incomplete(path, missing)


_SQLITE_HEADER = b"SQLite format 3\x00"


def _header(path: str | os.PathLike) -> bytes | None:
    """The file's first 100 bytes when they are an SQLite header; None otherwise (missing, short, not SQLite)."""
    try:
        with open(path, "rb") as f:
            header = f.read(100)
    except OSError:
        return None
    return header if len(header) == 100 and header.startswith(_SQLITE_HEADER) else None


def refuse_foreign(path: str | os.PathLike, *, create: bool = False, complete: bool = False) -> None:
    """check_identity for the file at path without changing anything there: StorageFault "not_kiosk" (and
    the other check_identity refusals) for another program's file. For the callers that open a file to
    write or copy it (connect, restore, backup) before they touch it: no chmod, no -wal/-shm beside it.

    Silent for a missing or empty file and for one that is not SQLite or cannot be read (damaged: each
    caller has its own answer for that, and the open that follows says it). Another application_id is
    read from the header bytes alone; a file without ours is opened read-only — ``immutable`` when no
    -wal content is beside it, so SQLite makes no -shm or -wal — for check_identity's bookkeeping read."""
    path = os.fspath(path)
    header = _header(path) if path != ":memory:" else None
    if header is None:
        return
    app_id = int.from_bytes(header[68:72], "big")
    if app_id not in (0, APPLICATION_ID):
        raise storage.not_kiosk(path)
    wal = Path(f"{path}-wal")
    try:
        has_wal = wal.stat().st_size > 0
    except OSError:
        has_wal = False
    if app_id == APPLICATION_ID and not has_wal:
        return  # ours by its header: the open's own check_identity looks at its tables
    # With -wal content the -wal (and its -shm, as a rule) is there already: read it (it may hold page 1).
    try:
        conn = sqlite3.connect(storage.sqlite_uri(path, immutable=not has_wal), uri=True)
    except sqlite3.Error:
        return
    try:
        check_identity(conn, path, create=create, complete=complete)
    except sqlite3.Error:
        return  # damaged or unreadable: not this check's to say
    finally:
        conn.close()


def schema_problems(db: sqlite_utils.Database) -> list[tuple[str, str]]:
    """(type, name) of every table, index, trigger and view the database's migrations should have left and
    that is not there (`kiosk db check`, quick and full): what another program or a bad disk removed."""
    conn = db.conn
    shipped = migrations()
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    done = (_kiosk_bookkeeping(conn, shipped) if "schema_migrations" in tables else None)
    if done is None:
        done = {m.version for m in shipped if m.version <= schema_version(db)}
    present = {(row[1], row[0].lower()) for row in conn.execute("SELECT name, type FROM sqlite_master")}
    found = [(kind, name) for name, (kind, _) in expected_schema(done, shipped).items() if (kind, name) not in present]
    order = {"table": 0, "view": 1, "index": 2, "trigger": 3}
    return sorted(found, key=lambda item: (order[item[0]], item[1]))
