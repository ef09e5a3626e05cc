-- 0019: every backup and restore the box made, verified or not (kiosk.core.backup). A record table:
-- the manager's screen shows the newest good backup and warns when there has been none for 48 h.
CREATE TABLE backups (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('backup', 'restore')),
    started_at TEXT NOT NULL,
    finished_at TEXT NOT NULL,
    outcome TEXT NOT NULL CHECK (outcome IN ('ok', 'failed')),
    file TEXT NOT NULL DEFAULT '',           -- the verified copy (backup) or the file restored from
    destination TEXT NOT NULL DEFAULT '',    -- the folder written to (backup) or the copy kept aside (restore)
    bytes INTEGER NOT NULL DEFAULT 0 CHECK (bytes >= 0),
    sha256 TEXT NOT NULL DEFAULT '',
    schema_version INTEGER NOT NULL DEFAULT 0,
    rows INTEGER NOT NULL DEFAULT 0 CHECK (rows >= 0),   -- rows in every table of the copy, counted twice
    same_disk INTEGER NOT NULL DEFAULT 0 CHECK (same_disk IN (0, 1)),  -- copy on the database's own disk
    error TEXT NOT NULL DEFAULT '',          -- why it failed (English, for the log and the screen's detail)
    actor_id INTEGER REFERENCES users(id),
    actor TEXT NOT NULL,
    uid TEXT NOT NULL UNIQUE DEFAULT (kiosk_uuid7()) CHECK (length(uid) = 36),
    site_id TEXT NOT NULL DEFAULT (kiosk_site()),
    terminal_id TEXT NOT NULL DEFAULT (kiosk_terminal()),
    CHECK (finished_at >= started_at)
) STRICT;
CREATE INDEX backups_finished ON backups(kind, outcome, finished_at);
CREATE TRIGGER backups_no_update BEFORE UPDATE ON backups BEGIN SELECT RAISE(ABORT, 'backups is append-only'); END;
CREATE TRIGGER backups_no_delete BEFORE DELETE ON backups BEGIN SELECT RAISE(ABORT, 'backups is append-only'); END;
