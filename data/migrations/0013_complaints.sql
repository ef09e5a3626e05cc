-- Complaints and service requests (issue 12): the complaint as taken, its history as new rows,
-- and the monthly report's exports. All three are records (kiosk/core/records.py).
CREATE TABLE complaints (
    id INTEGER PRIMARY KEY,
    ref TEXT NOT NULL UNIQUE,
    taken_at TEXT NOT NULL,
    channel TEXT NOT NULL CHECK (channel IN ('counter', 'call')),
    call_note_id INTEGER REFERENCES call_notes(id),
    kind TEXT NOT NULL CHECK (kind IN ('complaint', 'request')),
    category TEXT NOT NULL CHECK (category IN ('service', 'facilities', 'cleanliness', 'safety', 'noise',
                                               'billing', 'staff', 'repair', 'parcel', 'other')),
    responsibility TEXT NOT NULL CHECK (responsibility IN ('company', 'not_company', 'assisted')),
    customer_name TEXT NOT NULL,
    customer_contact TEXT NOT NULL,
    what TEXT NOT NULL,
    place TEXT NOT NULL,
    topic TEXT NOT NULL,
    major INTEGER NOT NULL CHECK (major IN (0, 1)),
    major_reason TEXT CHECK (major_reason IS NULL OR major_reason IN ('undelivered', 'serious_loss',
                             'unresolved_month', 'authority_press', 'five_customers')),
    start_due TEXT NOT NULL,
    resolve_due TEXT NOT NULL,
    calendar_source TEXT NOT NULL CHECK (calendar_source IN ('package', 'fallback')),
    actor_id INTEGER REFERENCES users(id),
    actor TEXT NOT NULL,
    anonymised_at TEXT,
    uid TEXT NOT NULL UNIQUE DEFAULT (kiosk_uuid7()) CHECK (length(uid) = 36),
    site_id TEXT NOT NULL DEFAULT (kiosk_site()),
    terminal_id TEXT NOT NULL DEFAULT (kiosk_terminal())
) STRICT;
CREATE INDEX complaints_taken ON complaints(taken_at);
CREATE INDEX complaints_note ON complaints(call_note_id);

CREATE TABLE complaint_events (
    id INTEGER PRIMARY KEY,
    complaint_id INTEGER NOT NULL REFERENCES complaints(id),
    at TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('started', 'escalated', 'major_accepted', 'major_declined', 'resolved',
                                       'callback', 'closed')),
    note TEXT NOT NULL DEFAULT '',
    outcome TEXT CHECK (outcome IS NULL OR outcome IN ('resolved', 'referred', 'not_resolved', 'satisfied',
                        'unsatisfied', 'unreachable')),
    reason TEXT,
    resolve_due TEXT,
    callback_due TEXT,
    callback_required INTEGER CHECK (callback_required IS NULL OR callback_required IN (0, 1)),
    actor_id INTEGER REFERENCES users(id),
    actor TEXT NOT NULL,
    uid TEXT NOT NULL UNIQUE DEFAULT (kiosk_uuid7()) CHECK (length(uid) = 36),
    site_id TEXT NOT NULL DEFAULT (kiosk_site()),
    terminal_id TEXT NOT NULL DEFAULT (kiosk_terminal())
) STRICT;
CREATE INDEX complaint_events_of ON complaint_events(complaint_id, kind);

CREATE TABLE complaint_report_exports (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    month TEXT NOT NULL CHECK (length(month) = 7),
    folder TEXT NOT NULL,
    actor_id INTEGER REFERENCES users(id),
    actor TEXT NOT NULL,
    uid TEXT NOT NULL UNIQUE DEFAULT (kiosk_uuid7()) CHECK (length(uid) = 36),
    site_id TEXT NOT NULL DEFAULT (kiosk_site()),
    terminal_id TEXT NOT NULL DEFAULT (kiosk_terminal())
) STRICT;

-- The privacy exception: the retention job's (or an erasure's) blanking of name and contact, and nothing else.
CREATE TRIGGER complaints_no_update BEFORE UPDATE ON complaints WHEN NOT (new.customer_name = '' AND new.customer_contact = '' AND old.anonymised_at IS NULL AND new.anonymised_at IS NOT NULL AND new.id IS old.id AND new.ref IS old.ref AND new.taken_at IS old.taken_at AND new.channel IS old.channel AND new.call_note_id IS old.call_note_id AND new.kind IS old.kind AND new.category IS old.category AND new.responsibility IS old.responsibility AND new.what IS old.what AND new.place IS old.place AND new.topic IS old.topic AND new.major IS old.major AND new.major_reason IS old.major_reason AND new.start_due IS old.start_due AND new.resolve_due IS old.resolve_due AND new.calendar_source IS old.calendar_source AND new.actor_id IS old.actor_id AND new.actor IS old.actor AND new.uid IS old.uid AND new.site_id IS old.site_id AND new.terminal_id IS old.terminal_id)
BEGIN SELECT RAISE(ABORT, 'complaints is append-only (only anonymisation may change a row)'); END;
CREATE TRIGGER complaints_no_delete BEFORE DELETE ON complaints BEGIN SELECT RAISE(ABORT, 'complaints is append-only'); END;
CREATE TRIGGER complaint_events_no_update BEFORE UPDATE ON complaint_events BEGIN SELECT RAISE(ABORT, 'complaint_events is append-only'); END;
CREATE TRIGGER complaint_events_no_delete BEFORE DELETE ON complaint_events BEGIN SELECT RAISE(ABORT, 'complaint_events is append-only'); END;
CREATE TRIGGER complaint_report_exports_no_update BEFORE UPDATE ON complaint_report_exports BEGIN SELECT RAISE(ABORT, 'complaint_report_exports is append-only'); END;
CREATE TRIGGER complaint_report_exports_no_delete BEFORE DELETE ON complaint_report_exports BEGIN SELECT RAISE(ABORT, 'complaint_report_exports is append-only'); END;
