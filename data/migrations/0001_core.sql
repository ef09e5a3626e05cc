-- Core: business settings, staff accounts, sign-in events, the audit log, numbered series.
CREATE TABLE settings (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL,            -- JSON
    updated_at TEXT NOT NULL
) STRICT;

CREATE TABLE users (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('staff', 'manager')),
    pin_hash TEXT NOT NULL,          -- scrypt$n$r$p$salt$hash, never the PIN
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
) STRICT;

-- Append-only record of PIN attempts; lockouts are derived from it.
CREATE TABLE auth_events (
    id INTEGER PRIMARY KEY,
    user_id INTEGER NOT NULL REFERENCES users(id),
    at TEXT NOT NULL,
    ok INTEGER NOT NULL
) STRICT;
CREATE INDEX auth_events_user ON auth_events(user_id, id);

CREATE TABLE audit (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_id INTEGER REFERENCES users(id),
    actor TEXT NOT NULL,             -- name at the time, or 'system' / 'visitor'
    action TEXT NOT NULL,
    table_name TEXT,
    record_id TEXT,
    before TEXT,                     -- JSON or NULL
    after TEXT                       -- JSON or NULL
) STRICT;
CREATE INDEX audit_at ON audit(at);
CREATE INDEX audit_record ON audit(table_name, record_id);

CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit
BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit
BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER auth_events_no_update BEFORE UPDATE ON auth_events
BEGIN SELECT RAISE(ABORT, 'auth_events is append-only'); END;
CREATE TRIGGER auth_events_no_delete BEFORE DELETE ON auth_events
BEGIN SELECT RAISE(ABORT, 'auth_events is append-only'); END;

-- Gapless numbered series (receipts per kind, lost-and-found references per year, ...).
-- Incremented inside the same transaction as the record that uses the number.
CREATE TABLE series (
    name TEXT PRIMARY KEY,
    last INTEGER NOT NULL
) STRICT;
