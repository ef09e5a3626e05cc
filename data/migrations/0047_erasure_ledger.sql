-- 0047 (issue 16): an erasure survives a restore.
-- A manager's erasure request (kiosk privacy erase) leaves, beside its audit row, the keyed hashes
-- (HMAC-SHA256 with kiosk_secrets' id_hmac) of what it was asked to erase: the normalised phone, the folded
-- name, the normalised identity number. Never the values. A restore carries this ledger from the database
-- it replaces into the restored one, in the restore's own transaction, and the erasures are applied again to
-- the rows the restored file brought back (kiosk.core.erasure_ledger), so a backup an erasure never reached
-- (a stick left in a drawer) cannot bring the person back. A ledger carried from a database whose secret
-- differs keeps that secret in erasure_keys, by its tag, so its hashes can still be compared.
CREATE TABLE erasure_ledger (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('phone', 'name', 'id_number')),
    digest TEXT NOT NULL CHECK (length(digest) = 64 AND digest NOT GLOB '*[^0-9a-f]*'),
    key_tag TEXT NOT NULL CHECK (length(key_tag) = 16 AND key_tag NOT GLOB '*[^0-9a-f]*'),
    UNIQUE (key_tag, kind, digest)
) STRICT;
CREATE TRIGGER erasure_ledger_no_update BEFORE UPDATE ON erasure_ledger BEGIN SELECT RAISE(ABORT, 'erasure_ledger is append-only'); END;
CREATE TRIGGER erasure_ledger_no_delete BEFORE DELETE ON erasure_ledger BEGIN SELECT RAISE(ABORT, 'erasure_ledger is append-only'); END;
CREATE TABLE erasure_keys (
    tag TEXT PRIMARY KEY CHECK (length(tag) = 16 AND tag NOT GLOB '*[^0-9a-f]*'),
    value TEXT NOT NULL CHECK (length(value) = 64 AND value NOT GLOB '*[^0-9a-f]*')
) STRICT;
CREATE TRIGGER erasure_keys_no_update BEFORE UPDATE ON erasure_keys BEGIN SELECT RAISE(ABORT, 'erasure_keys is never changed'); END;
CREATE TRIGGER erasure_keys_no_delete BEFORE DELETE ON erasure_keys BEGIN SELECT RAISE(ABORT, 'erasure_keys is never changed'); END;
