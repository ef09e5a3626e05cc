-- The desk phone: every call, what happened to it, and the notes and callbacks staff took.
CREATE TABLE calls (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    detector TEXT NOT NULL              -- at | ri | line | simulated | manual
) STRICT;
CREATE INDEX calls_started ON calls(started_at);

-- Append-only history: ring, callerid, prompt, answered, ended, confirmed (by staff), dismissed.
CREATE TABLE call_events (
    id INTEGER PRIMARY KEY,
    call_id INTEGER NOT NULL REFERENCES calls(id),
    at TEXT NOT NULL,
    kind TEXT NOT NULL,
    rings INTEGER NOT NULL DEFAULT 0,
    outcome TEXT CHECK (outcome IN ('answered', 'missed', 'unknown')),
    source TEXT CHECK (source IN ('offhook', 'staff', 'heuristic')),
    seconds_to_answer REAL,
    duration REAL,
    number TEXT,
    name TEXT,
    actor_id INTEGER REFERENCES users(id),
    actor TEXT
) STRICT;
CREATE INDEX call_events_call ON call_events(call_id, id);

-- 5W1H notes: who called (name, number), what, where, why, how, and the follow-up.
CREATE TABLE call_notes (
    id INTEGER PRIMARY KEY,
    call_id INTEGER REFERENCES calls(id),
    at TEXT NOT NULL,
    actor_id INTEGER REFERENCES users(id),
    actor TEXT NOT NULL,
    caller_name TEXT NOT NULL DEFAULT '',
    caller_number TEXT NOT NULL DEFAULT '',
    category TEXT NOT NULL CHECK (category IN ('inquiry', 'complaint', 'repair', 'other')),
    what TEXT NOT NULL,
    place TEXT NOT NULL DEFAULT '',
    why TEXT NOT NULL DEFAULT '',
    how TEXT NOT NULL DEFAULT '',
    follow_up TEXT NOT NULL DEFAULT '',
    callback_due TEXT                   -- UTC; NULL when no callback was promised
) STRICT;
CREATE INDEX call_notes_due ON call_notes(callback_due);
CREATE INDEX call_notes_number ON call_notes(caller_number);

CREATE TABLE callbacks_done (
    id INTEGER PRIMARY KEY,
    note_id INTEGER NOT NULL REFERENCES call_notes(id),
    at TEXT NOT NULL,
    actor_id INTEGER REFERENCES users(id),
    actor TEXT NOT NULL,
    result TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TRIGGER call_events_append_only_u BEFORE UPDATE ON call_events BEGIN SELECT RAISE(ABORT, 'call history is append-only'); END;
CREATE TRIGGER call_events_append_only_d BEFORE DELETE ON call_events BEGIN SELECT RAISE(ABORT, 'call history is append-only'); END;
CREATE TRIGGER call_notes_append_only_u BEFORE UPDATE ON call_notes BEGIN SELECT RAISE(ABORT, 'call notes are append-only'); END;
CREATE TRIGGER call_notes_append_only_d BEFORE DELETE ON call_notes BEGIN SELECT RAISE(ABORT, 'call notes are append-only'); END;
CREATE TRIGGER calls_no_delete BEFORE DELETE ON calls BEGIN SELECT RAISE(ABORT, 'calls are kept'); END;
