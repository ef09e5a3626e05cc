-- Taking someone off the deny list is a new record (who, when, why); the entry itself stays.
CREATE TABLE deny_list_lifts (
    entry_id INTEGER PRIMARY KEY REFERENCES deny_list(id),
    at TEXT NOT NULL,
    actor TEXT NOT NULL,
    reason TEXT NOT NULL
) STRICT;
CREATE TRIGGER deny_list_no_delete BEFORE DELETE ON deny_list BEGIN SELECT RAISE(ABORT, 'deny-list entries are kept'); END;
CREATE TRIGGER deny_list_lifts_no_change BEFORE UPDATE ON deny_list_lifts BEGIN SELECT RAISE(ABORT, 'lifts are append-only'); END;
