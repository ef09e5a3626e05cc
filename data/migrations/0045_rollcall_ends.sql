-- 0045 (issue 13): a roll call that was finished is a record, and one that was not is found again.
-- A roll call without a row here is still open: the next staff sign-in (after a sign-out, a crash, a
-- restart) is asked to resume it with its marks or end it. The counts are those the warden saw when it ended.
CREATE TABLE rollcall_ends (
    id INTEGER PRIMARY KEY,
    rollcall_id INTEGER NOT NULL UNIQUE REFERENCES rollcalls(id),
    ended_at TEXT NOT NULL,
    accounted INTEGER NOT NULL CHECK (accounted >= 0),
    missing INTEGER NOT NULL CHECK (missing >= 0),
    total INTEGER NOT NULL CHECK (total >= 0),
    actor_id INTEGER REFERENCES users(id),
    actor TEXT NOT NULL,
    uid TEXT NOT NULL UNIQUE DEFAULT (kiosk_uuid7()) CHECK (length(uid) = 36),
    site_id TEXT NOT NULL DEFAULT (kiosk_site()),
    terminal_id TEXT NOT NULL DEFAULT (kiosk_terminal())
) STRICT;
CREATE TRIGGER rollcall_ends_no_update BEFORE UPDATE ON rollcall_ends BEGIN SELECT RAISE(ABORT, 'rollcall_ends is append-only'); END;
CREATE TRIGGER rollcall_ends_uid_shape_insert BEFORE INSERT ON rollcall_ends WHEN NOT (new.uid GLOB '????????-????-7???-[89ab]???-????????????' AND new.uid NOT GLOB '*[^0-9a-f-]*' AND length(replace(new.uid, '-', '')) = 32) BEGIN SELECT RAISE(ABORT, 'rollcall_ends.uid is not a UUIDv7'); END;
CREATE TRIGGER rollcall_ends_no_delete BEFORE DELETE ON rollcall_ends BEGIN SELECT RAISE(ABORT, 'rollcall_ends is append-only'); END;

-- Who signed out after a roll call started stays on it (a sign-out accounts for nobody): found by time.
CREATE INDEX visit_signouts_at ON visit_signouts(at);
