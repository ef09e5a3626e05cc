-- Issue 16, fifth pass.
-- 1. A per-database secret for keyed hashes (HMAC-SHA256) of identity numbers. The deny list keeps, beside
--    the mask it shows staff, the keyed hash of the normalised full number, and a visitor's document is
--    compared by that hash: a mask (first 6 + last 4, or last 4) alone never decides, since many numbers
--    share it. The secret is made here from SQLite's randomness (seeded from the OS); a backup carries it,
--    so a restored database still matches its own entries. It is not a record table: one row, never changed.
CREATE TABLE kiosk_secrets (
    name TEXT PRIMARY KEY CHECK (name IN ('id_hmac')),
    value TEXT NOT NULL CHECK (length(value) = 64 AND value NOT GLOB '*[^0-9a-f]*')
) STRICT;
INSERT INTO kiosk_secrets (name, value) VALUES ('id_hmac', lower(hex(randomblob(32))));
CREATE TRIGGER kiosk_secrets_no_update BEFORE UPDATE ON kiosk_secrets BEGIN SELECT RAISE(ABORT, 'kiosk_secrets is never changed'); END;
CREATE TRIGGER kiosk_secrets_no_delete BEFORE DELETE ON kiosk_secrets BEGIN SELECT RAISE(ABORT, 'kiosk_secrets is never changed'); END;
ALTER TABLE deny_list ADD COLUMN id_hash TEXT NOT NULL DEFAULT '' CHECK (id_hash = '' OR (length(id_hash) = 64 AND id_hash NOT GLOB '*[^0-9a-f]*'));

-- 2. An erasure replaces a backup file by an erased copy under a new name; the backups row keeps the name it
--    was made under (append-only). Each rename is a new record, old -> new, written BEFORE the files move, so
--    a kill mid-rename leaves a record whose new file may or may not exist: readers follow the chain to the
--    newest name that is on disk (kiosk.privacy.renames.current_name).
CREATE TABLE backup_renames (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    old_file TEXT NOT NULL CHECK (old_file != ''),
    new_file TEXT NOT NULL CHECK (new_file != '' AND new_file != old_file),
    reason TEXT NOT NULL DEFAULT 'erasure' CHECK (reason IN ('erasure', 'retention')),
    actor_id INTEGER REFERENCES users(id),
    actor TEXT NOT NULL,
    uid TEXT NOT NULL UNIQUE DEFAULT (kiosk_uuid7()) CHECK (length(uid) = 36),
    site_id TEXT NOT NULL DEFAULT (kiosk_site()),
    terminal_id TEXT NOT NULL DEFAULT (kiosk_terminal())
) STRICT;
CREATE INDEX backup_renames_old ON backup_renames(old_file);
CREATE TRIGGER backup_renames_no_update BEFORE UPDATE ON backup_renames BEGIN SELECT RAISE(ABORT, 'backup_renames is append-only'); END;
CREATE TRIGGER backup_renames_no_delete BEFORE DELETE ON backup_renames BEGIN SELECT RAISE(ABORT, 'backup_renames is append-only'); END;
CREATE TRIGGER backup_renames_uid_shape_insert BEFORE INSERT ON backup_renames WHEN NOT (new.uid GLOB '????????-????-7???-[89ab]???-????????????' AND new.uid NOT GLOB '*[^0-9a-f-]*' AND length(replace(new.uid, '-', '')) = 32) BEGIN SELECT RAISE(ABORT, 'backup_renames.uid is not a UUIDv7'); END;

-- 3. Free text a person types into at the counter and the lost-and-found desk that may name someone (a void's
--    reason "欧阳娜娜要求退费 13987654321", a handover's receiver, a disposal note, a found place "某某的工位", a
--    print error's detail): declared MENTION columns (kiosk.core.inventory), so an erasure cuts the person's
--    words out. Their append-only guards let an update through only inside an erasure's own transaction
--    (a row in privacy_erasing), as 0031 did for lf_amendments and complaints.
DROP TRIGGER fee_voids_no_update;
CREATE TRIGGER fee_voids_no_update BEFORE UPDATE ON fee_voids WHEN NOT EXISTS (SELECT 1 FROM privacy_erasing) BEGIN SELECT RAISE(ABORT, 'fee_voids is append-only'); END;
DROP TRIGGER sale_reversals_no_update;
CREATE TRIGGER sale_reversals_no_update BEFORE UPDATE ON sale_reversals WHEN NOT EXISTS (SELECT 1 FROM privacy_erasing) BEGIN SELECT RAISE(ABORT, 'sale_reversals is append-only'); END;
DROP TRIGGER cash_handovers_no_update;
CREATE TRIGGER cash_handovers_no_update BEFORE UPDATE ON cash_handovers WHEN NOT EXISTS (SELECT 1 FROM privacy_erasing) BEGIN SELECT RAISE(ABORT, 'cash_handovers is append-only'); END;
DROP TRIGGER lf_disposals_no_update;
CREATE TRIGGER lf_disposals_no_update BEFORE UPDATE ON lf_disposals WHEN NOT EXISTS (SELECT 1 FROM privacy_erasing) BEGIN SELECT RAISE(ABORT, 'lf_disposals is append-only'); END;
DROP TRIGGER lf_handovers_no_update;
CREATE TRIGGER lf_handovers_no_update BEFORE UPDATE ON lf_handovers WHEN NOT EXISTS (SELECT 1 FROM privacy_erasing) BEGIN SELECT RAISE(ABORT, 'lf_handovers is append-only'); END;
DROP TRIGGER print_job_events_no_update;
CREATE TRIGGER print_job_events_no_update BEFORE UPDATE ON print_job_events WHEN NOT EXISTS (SELECT 1 FROM privacy_erasing) BEGIN SELECT RAISE(ABORT, 'print_job_events is append-only'); END;
