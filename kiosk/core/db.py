"""SQLite through sqlite-utils: pragmas for a box that gets unplugged, numbered migrations.

One connection per thread: call :func:`connect` in each thread that needs the database.
"""
from __future__ import annotations

import contextlib
import re
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Iterator

import sqlite_utils

from kiosk.core.paths import data_dir

BUSY_TIMEOUT_MS = 5000
_MIGRATION_NAME = re.compile(r"^(\d{4})_([a-z0-9_]+)\.sql$")


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


def connect(path: str | Path, *, migrate: bool = True) -> sqlite_utils.Database:
    """Open (and by default migrate) the database at path with the kiosk's pragmas."""
    path = str(path)
    if path != ":memory:":
        Path(path).parent.mkdir(parents=True, exist_ok=True)
    conn = sqlite3.connect(path, timeout=BUSY_TIMEOUT_MS / 1000, check_same_thread=False)
    conn.execute(f"PRAGMA busy_timeout={BUSY_TIMEOUT_MS}")
    if path != ":memory:":
        conn.execute("PRAGMA journal_mode=WAL")
    conn.execute("PRAGMA synchronous=FULL")  # a kiosk gets unplugged: WAL+FULL survives power loss
    conn.execute("PRAGMA foreign_keys=ON")
    # No sqlite-utils plugins: scanning entry points costs start-up time and we register none.
    db = sqlite_utils.Database(conn, strict=True, execute_plugins=False)
    if migrate:
        apply_migrations(db)
    return db


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


def apply_migrations(db: sqlite_utils.Database) -> list[int]:
    """Apply every shipped migration the database does not have yet, each in its own transaction.

    A later number can land before an earlier one (each area owns its numbers), so what is applied
    is tracked per migration; PRAGMA user_version holds the highest number applied.
    """
    applied_now = []
    done = applied_migrations(db)
    pending = [m for m in migrations() if m.version not in done]
    conn = db.conn
    for migration in pending:
        try:
            conn.execute("BEGIN IMMEDIATE")
            # Re-check under the write lock: another process may have migrated meanwhile.
            if conn.execute("SELECT 1 FROM schema_migrations WHERE version = ?", (migration.version,)).fetchone():
                conn.execute("ROLLBACK")
                continue
            for statement in _split_sql(migration.sql):
                conn.execute(statement)
            conn.execute("INSERT INTO schema_migrations (version, name) VALUES (?, ?)",
                         (migration.version, migration.name))
            top = conn.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0]
            conn.execute(f"PRAGMA user_version={int(top)}")
            conn.execute("COMMIT")
        except BaseException:
            if conn.in_transaction:
                conn.execute("ROLLBACK")
            raise
        applied_now.append(migration.version)
    return applied_now


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


def integrity_check(db: sqlite_utils.Database) -> list[str]:
    """PRAGMA integrity_check; ['ok'] when the file is sound."""
    return [row[0] for row in db.execute("PRAGMA integrity_check").fetchall()]


def rows(db: sqlite_utils.Database, sql: str, params: tuple | dict = ()) -> list[dict]:
    """Run a query and return its rows as dicts."""
    return list(db.query(sql, params))
