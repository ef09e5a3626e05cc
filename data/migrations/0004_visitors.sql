-- Visitors: the host directory, every visit (self sign-in or at the counter), sign-outs, the deny
-- list, pre-registered expected visitors, roll-call marks, and a full-text index for search.
CREATE TABLE hosts (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    department TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    active INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE TABLE visits (
    id INTEGER PRIMARY KEY,
    signed_in_at TEXT NOT NULL,
    name TEXT NOT NULL,                        -- '' once anonymised
    phone TEXT NOT NULL,
    organisation TEXT NOT NULL DEFAULT '',
    host_id INTEGER REFERENCES hosts(id),
    host_name TEXT NOT NULL,
    purpose TEXT NOT NULL CHECK (purpose IN ('meeting', 'interview', 'delivery', 'contractor', 'other')),
    party_size INTEGER NOT NULL CHECK (party_size BETWEEN 1 AND 50),
    registered_by TEXT NOT NULL CHECK (registered_by IN ('self', 'staff')),
    staff_id INTEGER REFERENCES users(id),
    id_type TEXT NOT NULL DEFAULT '',
    id_number TEXT NOT NULL DEFAULT '',        -- masked unless the site opts in
    privacy_accepted INTEGER NOT NULL,
    signout_code TEXT NOT NULL UNIQUE,
    expected_id INTEGER,
    anonymised_at TEXT
) STRICT;
CREATE INDEX visits_in ON visits(signed_in_at);
CREATE INDEX visits_phone ON visits(phone);

CREATE TABLE visit_signouts (
    visit_id INTEGER PRIMARY KEY REFERENCES visits(id),
    at TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('code', 'staff', 'auto')),
    actor TEXT NOT NULL
) STRICT;

CREATE TABLE deny_list (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL,
    added_at TEXT NOT NULL,
    added_by TEXT NOT NULL
) STRICT;

CREATE TABLE expected_visitors (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    phone TEXT NOT NULL,
    host_id INTEGER REFERENCES hosts(id),
    expected_on TEXT NOT NULL,                -- local date
    added_by TEXT NOT NULL
) STRICT;

CREATE TABLE rollcall_marks (
    id INTEGER PRIMARY KEY,
    visit_id INTEGER NOT NULL REFERENCES visits(id),
    at TEXT NOT NULL,
    actor TEXT NOT NULL
) STRICT;

CREATE VIRTUAL TABLE visits_fts USING fts5(name, phone, organisation, host_name, content='visits', content_rowid='id',
                                           tokenize='trigram');
CREATE TRIGGER visits_fts_ai AFTER INSERT ON visits BEGIN
    INSERT INTO visits_fts(rowid, name, phone, organisation, host_name)
    VALUES (new.id, new.name, new.phone, new.organisation, new.host_name);
END;
CREATE TRIGGER visits_fts_au AFTER UPDATE ON visits BEGIN
    INSERT INTO visits_fts(visits_fts, rowid, name, phone, organisation, host_name)
    VALUES ('delete', old.id, old.name, old.phone, old.organisation, old.host_name);
    INSERT INTO visits_fts(rowid, name, phone, organisation, host_name)
    VALUES (new.id, new.name, new.phone, new.organisation, new.host_name);
END;
CREATE TRIGGER visits_no_delete BEFORE DELETE ON visits BEGIN SELECT RAISE(ABORT, 'visits are kept (anonymised, not deleted)'); END;
CREATE TRIGGER visit_signouts_no_change BEFORE UPDATE ON visit_signouts BEGIN SELECT RAISE(ABORT, 'sign-outs are append-only'); END;
