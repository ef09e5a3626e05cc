"""The composition root: what a running kiosk (app or CLI command) is made of.

Built once at start-up and handed down; services still take db and clock explicitly.
"""
from __future__ import annotations

import threading
from dataclasses import dataclass, field
from pathlib import Path

import sqlite_utils

from kiosk.core import config as config_mod
from kiosk.core import db as db_mod
from kiosk.core.clock import Clock, SystemClock
from kiosk.core.events import EventBus
from kiosk.core.i18n import Language
from kiosk.core.paths import default_db_path


@dataclass
class Context:
    """Configuration, database location, clock, event bus and active language."""

    config: config_mod.Config
    db_path: Path
    clock: Clock = field(default_factory=SystemClock)
    bus: EventBus = field(default_factory=EventBus)
    language: Language | None = None
    # False: a missing database file (or folder) is refused, never created empty (every CLI command
    # but `db init` and `demo init`; kiosk.core.storage names the fault).
    create: bool = True
    # None: open read-only when nothing can be written there (read-only mount or file, full disk) — for
    # commands that only read (the roll call; the backup's source). False: always read-write.
    read_only: bool | None = False
    _local: threading.local = field(default_factory=threading.local, repr=False)

    def __post_init__(self) -> None:
        if self.language is None:
            self.language = Language(self.config.get("site", "language"))

    @property
    def db(self) -> sqlite_utils.Database:
        """This thread's connection (SQLite connections are per thread)."""
        conn = getattr(self._local, "db", None)
        if conn is None:
            conn = db_mod.connect(self.db_path, origin=self.origin, create=self.create, read_only=self.read_only)
            self._local.db = conn
            if not db_mod.is_read_only(conn):  # a read-only database keeps what it has
                self._mirror_config(conn)
        return conn

    @property
    def origin(self) -> db_mod.Origin:
        """The site and terminal this box stamps on the records it writes."""
        return db_mod.Origin(self.config.get("site", "site_id"), self.config.get("site", "id"))

    def _mirror_config(self, conn: sqlite_utils.Database) -> None:
        """What records alone must know, copied from the configuration into the database: the time zone
        (receipts print local times) and the origin (worker threads' connections stamp rows with it)."""
        from kiosk.core import settings
        from kiosk.core.audit import SYSTEM
        wanted = self.config.get("site", "timezone")
        if settings.get(conn, "site_timezone") != wanted:
            settings.put(conn, self.clock, SYSTEM, "site_timezone", wanted)
        from kiosk.core import localday
        localday.sync(conn, wanted)  # the local-day views (migration 0020) follow the configured zone
        from kiosk.core import restore
        restore.recover_interrupted(conn, self.db_path, self.clock)   # a restore killed before its record
        restore.reapply_pending(conn, self.clock)   # erasures a restore carried in, if a kill left them pending
        if settings.get(conn, "database_id") is None:
            import uuid
            settings.put(conn, self.clock, SYSTEM, "database_id", uuid.uuid4().hex)
        origin = {"site_id": self.origin.site_id, "terminal_id": self.origin.terminal_id}
        if settings.get(conn, db_mod.ORIGIN_KEY) != origin:
            settings.put(conn, self.clock, SYSTEM, db_mod.ORIGIN_KEY, origin)

    def close(self) -> None:
        """Close this thread's connection."""
        conn = getattr(self._local, "db", None)
        if conn is not None:
            conn.close()
            self._local.db = None

    @property
    def terminal_id(self) -> str:
        return self.config.get("site", "id")


def build(config_path: str | Path | None = None, db_path: str | Path | None = None,
          clock: Clock | None = None, *, create: bool = True, read_only: bool | None = False) -> Context:
    """Load configuration (strictly) and pick the database: --db, then config, then platform dir.

    create: whether a missing database may be created (see Context.create)."""
    cfg = config_mod.load(config_path)
    chosen = Path(db_path) if db_path else Path(cfg.get("database", "path") or default_db_path())
    return Context(config=cfg, db_path=chosen, clock=clock or SystemClock(), create=create, read_only=read_only)
