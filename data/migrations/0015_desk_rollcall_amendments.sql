-- 0015 (issue 13): the roll call as a drill, and corrections to the lost-and-found register.

-- A roll call: started by a member of staff; marks belong to one roll call, so a drill last week
-- does not count anyone as safe today.
CREATE TABLE rollcalls (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    actor_id INTEGER REFERENCES users(id),
    actor TEXT NOT NULL,
    uid TEXT NOT NULL UNIQUE DEFAULT (kiosk_uuid7()) CHECK (length(uid) = 36),
    site_id TEXT NOT NULL DEFAULT (kiosk_site()),
    terminal_id TEXT NOT NULL DEFAULT (kiosk_terminal())
) STRICT;
CREATE TRIGGER rollcalls_no_update BEFORE UPDATE ON rollcalls BEGIN SELECT RAISE(ABORT, 'rollcalls is append-only'); END;
CREATE TRIGGER rollcalls_no_delete BEFORE DELETE ON rollcalls BEGIN SELECT RAISE(ABORT, 'rollcalls is append-only'); END;

-- A mark now says how many heads of the party are accounted for (the newest mark of a visit in a roll
-- call wins; undo is a new mark with fewer heads). Older marks have neither: the whole party, no roll call.
ALTER TABLE rollcall_marks ADD COLUMN rollcall_id INTEGER REFERENCES rollcalls(id);
ALTER TABLE rollcall_marks ADD COLUMN heads INTEGER CHECK (heads IS NULL OR heads BETWEEN 0 AND 999);
CREATE INDEX rollcall_marks_rollcall ON rollcall_marks(rollcall_id, visit_id);

-- A correction to a lost-and-found register entry: the entry stays as written; the newest amendment of
-- a field is what the register shows, and every amendment is in the chain of custody (who, when, what
-- changed from what to what, and why).
CREATE TABLE lf_amendments (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES lf_items(id),
    at TEXT NOT NULL,
    field TEXT NOT NULL CHECK (field IN ('description', 'features', 'storage')),
    before TEXT NOT NULL,
    after TEXT NOT NULL,
    reason TEXT NOT NULL CHECK (length(reason) > 0),
    actor_id INTEGER REFERENCES users(id),
    actor TEXT NOT NULL,
    uid TEXT NOT NULL UNIQUE DEFAULT (kiosk_uuid7()) CHECK (length(uid) = 36),
    site_id TEXT NOT NULL DEFAULT (kiosk_site()),
    terminal_id TEXT NOT NULL DEFAULT (kiosk_terminal())
) STRICT;
CREATE INDEX lf_amendments_item ON lf_amendments(item_id, field);
CREATE TRIGGER lf_amendments_no_update BEFORE UPDATE ON lf_amendments BEGIN SELECT RAISE(ABORT, 'lf_amendments is append-only'); END;
CREATE TRIGGER lf_amendments_no_delete BEFORE DELETE ON lf_amendments BEGIN SELECT RAISE(ABORT, 'lf_amendments is append-only'); END;
