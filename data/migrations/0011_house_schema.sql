-- One house plan (issue 14): a coherent schema, carrying every existing row.
--
-- * Every record table (kiosk/core/records.py declares which) gains a globally unique uid (UUIDv7,
--   made on the box), the site_id and terminal_id that wrote the row, and two append-only triggers
--   named <table>_no_update / <table>_no_delete. New rows get all three from column DEFAULTs that call
--   functions kiosk.core.db registers on every connection; existing rows get a uid timed at their own
--   timestamp, this box's site, and their shift's terminal where they have one.
-- * One actor convention: actor_id (users.id; NULL for a visitor or the system) + actor (the name at
--   the time); a second person who approved is approver_id + approver. Retired: staff_id, added_by,
--   authorised_by, approved_by(_id), opened_by(_id), closed_by(_id), handed_by(_id), received_by_id,
--   auth_events.user_id. cash_handovers.handed_by was always the actor and is folded into it.
-- * One name for a reference to a row of any table: record_table + record_id (audit.table_name and
--   stock_movements.ref_table/ref_id are renamed).
-- * The missing foreign key visits.expected_id -> expected_visitors(id) (dangling ids become NULL).
-- * CHECK constraints on enumerated columns (detector, call event kind, reversal method, lost-and-found
--   category and id type, 0/1 flags).
-- SQLite adds a constraint or a computed default only by rebuilding the table: each one is created
-- as <table>__new, filled from the old, and renamed into place. The runner turns foreign keys off
-- around migrations and runs PRAGMA foreign_key_check before committing.

-- Old guards go first (their names came in four styles); the new ones are made at the end.
DROP TRIGGER audit_no_update;
DROP TRIGGER audit_no_delete;
DROP TRIGGER auth_events_no_update;
DROP TRIGGER auth_events_no_delete;
DROP TRIGGER call_events_append_only_u;
DROP TRIGGER call_events_append_only_d;
DROP TRIGGER call_notes_append_only_u;
DROP TRIGGER call_notes_append_only_d;
DROP TRIGGER calls_no_delete;
DROP TRIGGER print_jobs_no_delete;
DROP TRIGGER print_jobs_no_update;
DROP TRIGGER print_job_events_no_change;
DROP TRIGGER print_job_events_no_delete;
DROP TRIGGER drawer_kicks_no_change;
DROP TRIGGER drawer_kicks_no_delete;
DROP TRIGGER visits_fts_ai;
DROP TRIGGER visits_fts_au;
DROP TRIGGER visits_no_delete;
DROP TRIGGER visit_signouts_no_change;
DROP TRIGGER lf_items_no_update;
DROP TRIGGER lf_items_no_delete;
DROP TRIGGER lf_events_no_update;
DROP TRIGGER lf_events_no_delete;
DROP TRIGGER lf_claims_no_update;
DROP TRIGGER lf_claims_no_delete;
DROP TRIGGER lf_handovers_no_delete;
DROP TRIGGER lf_disposals_no_delete;
DROP TRIGGER stock_movements_ro_u;
DROP TRIGGER stock_movements_ro_d;
DROP TRIGGER sales_ro_u;
DROP TRIGGER sales_ro_d;
DROP TRIGGER sale_lines_ro_u;
DROP TRIGGER sale_lines_ro_d;
DROP TRIGGER payments_ro_u;
DROP TRIGGER payments_ro_d;
DROP TRIGGER reversals_ro_u;
DROP TRIGGER reversals_ro_d;
DROP TRIGGER fee_collections_ro_u;
DROP TRIGGER fee_collections_ro_d;
DROP TRIGGER fee_voids_ro_u;
DROP TRIGGER fee_voids_ro_d;
DROP TRIGGER reversal_lines_ro_u;
DROP TRIGGER reversal_lines_ro_d;
DROP TRIGGER shifts_ro_u;
DROP TRIGGER shifts_ro_d;
DROP TRIGGER shift_closes_ro_u;
DROP TRIGGER shift_closes_ro_d;
DROP TRIGGER cash_handovers_ro_u;
DROP TRIGGER cash_handovers_ro_d;
DROP TRIGGER stock_counts_ro_u;
DROP TRIGGER stock_counts_ro_d;
DROP TRIGGER stock_count_lines_ro_u;
DROP TRIGGER stock_count_lines_ro_d;
DROP TRIGGER stock_levels_follow_movements;
DROP TRIGGER deny_list_no_delete;
DROP TRIGGER deny_list_lifts_no_change;

-- audit: who did what, when, to which record (before/after as JSON)
CREATE TABLE audit__new (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_id INTEGER REFERENCES users(id),
    actor TEXT NOT NULL,
    action TEXT NOT NULL,
    record_table TEXT,
    record_id TEXT,
    before TEXT,
    after TEXT,
    uid TEXT NOT NULL UNIQUE DEFAULT (kiosk_uuid7()) CHECK (length(uid) = 36),
    site_id TEXT NOT NULL DEFAULT (kiosk_site()),
    terminal_id TEXT NOT NULL DEFAULT (kiosk_terminal())
) STRICT;
INSERT INTO audit__new (id, at, actor_id, actor, action, record_table, record_id, before, after, uid, site_id, terminal_id)
SELECT id, at, actor_id, actor, action, table_name, record_id, before, after, kiosk_uuid7_for(at), kiosk_site(), kiosk_terminal() FROM audit;
DROP TABLE audit;
ALTER TABLE audit__new RENAME TO audit;
CREATE INDEX audit_at ON audit(at);
CREATE INDEX audit_record ON audit(record_table, record_id);

-- auth_events: PIN attempts on an account (the actor is the account tried); lockouts are derived from it
CREATE TABLE auth_events__new (
    id INTEGER PRIMARY KEY,
    actor_id INTEGER NOT NULL REFERENCES users(id),
    actor TEXT NOT NULL,
    at TEXT NOT NULL,
    ok INTEGER NOT NULL CHECK (ok IN (0, 1)),
    uid TEXT NOT NULL UNIQUE DEFAULT (kiosk_uuid7()) CHECK (length(uid) = 36),
    site_id TEXT NOT NULL DEFAULT (kiosk_site()),
    terminal_id TEXT NOT NULL DEFAULT (kiosk_terminal())
) STRICT;
INSERT INTO auth_events__new (id, actor_id, actor, at, ok, uid, site_id, terminal_id)
SELECT id, user_id, COALESCE((SELECT u.name FROM users u WHERE u.id = user_id), ''), at, ok, kiosk_uuid7_for(at), kiosk_site(), kiosk_terminal() FROM auth_events;
DROP TABLE auth_events;
ALTER TABLE auth_events__new RENAME TO auth_events;
CREATE INDEX auth_events_actor ON auth_events(actor_id, id);

-- calls: every call the line saw
CREATE TABLE calls__new (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    detector TEXT NOT NULL CHECK (detector IN ('at', 'ri', 'line', 'simulated', 'manual')),
    uid TEXT NOT NULL UNIQUE DEFAULT (kiosk_uuid7()) CHECK (length(uid) = 36),
    site_id TEXT NOT NULL DEFAULT (kiosk_site()),
    terminal_id TEXT NOT NULL DEFAULT (kiosk_terminal())
) STRICT;
INSERT INTO calls__new (id, started_at, detector, uid, site_id, terminal_id)
SELECT id, started_at, detector, kiosk_uuid7_for(started_at), kiosk_site(), kiosk_terminal() FROM calls;
DROP TABLE calls;
ALTER TABLE calls__new RENAME TO calls;
CREATE INDEX calls_started ON calls(started_at);

-- call_events: what the tracker (actor 'system') or staff said about a call
CREATE TABLE call_events__new (
    id INTEGER PRIMARY KEY,
    call_id INTEGER NOT NULL REFERENCES calls(id),
    at TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('started', 'ring', 'callerid', 'prompt', 'answered', 'ended', 'confirmed', 'dismissed')),
    rings INTEGER NOT NULL DEFAULT 0,
    outcome TEXT CHECK (outcome IN ('answered', 'missed', 'unknown')),
    source TEXT CHECK (source IN ('offhook', 'staff', 'heuristic')),
    seconds_to_answer REAL,
    duration REAL,
    number TEXT,
    name TEXT,
    actor_id INTEGER REFERENCES users(id),
    actor TEXT NOT NULL DEFAULT 'system',
    uid TEXT NOT NULL UNIQUE DEFAULT (kiosk_uuid7()) CHECK (length(uid) = 36),
    site_id TEXT NOT NULL DEFAULT (kiosk_site()),
    terminal_id TEXT NOT NULL DEFAULT (kiosk_terminal())
) STRICT;
INSERT INTO call_events__new (id, call_id, at, kind, rings, outcome, source, seconds_to_answer, duration, number, name, actor_id, actor, uid, site_id, terminal_id)
SELECT id, call_id, at, kind, rings, outcome, source, seconds_to_answer, duration, number, name, actor_id, COALESCE(actor, 'system'), kiosk_uuid7_for(at), kiosk_site(), kiosk_terminal() FROM call_events;
DROP TABLE call_events;
ALTER TABLE call_events__new RENAME TO call_events;
CREATE INDEX call_events_call ON call_events(call_id, id);

-- call_notes: 5W1H notes
CREATE TABLE call_notes__new (
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
    callback_due TEXT,
    uid TEXT NOT NULL UNIQUE DEFAULT (kiosk_uuid7()) CHECK (length(uid) = 36),
    site_id TEXT NOT NULL DEFAULT (kiosk_site()),
    terminal_id TEXT NOT NULL DEFAULT (kiosk_terminal())
) STRICT;
INSERT INTO call_notes__new (id, call_id, at, actor_id, actor, caller_name, caller_number, category, what, place, why, how, follow_up, callback_due, uid, site_id, terminal_id)
SELECT id, call_id, at, actor_id, actor, caller_name, caller_number, category, what, place, why, how, follow_up, callback_due, kiosk_uuid7_for(at), kiosk_site(), kiosk_terminal() FROM call_notes;
DROP TABLE call_notes;
ALTER TABLE call_notes__new RENAME TO call_notes;
CREATE INDEX call_notes_due ON call_notes(callback_due);
CREATE INDEX call_notes_number ON call_notes(caller_number);
CREATE INDEX call_notes_call ON call_notes(call_id);

-- callbacks_done: promised callbacks made
CREATE TABLE callbacks_done__new (
    id INTEGER PRIMARY KEY,
    note_id INTEGER NOT NULL REFERENCES call_notes(id),
    at TEXT NOT NULL,
    actor_id INTEGER REFERENCES users(id),
    actor TEXT NOT NULL,
    result TEXT NOT NULL DEFAULT '',
    uid TEXT NOT NULL UNIQUE DEFAULT (kiosk_uuid7()) CHECK (length(uid) = 36),
    site_id TEXT NOT NULL DEFAULT (kiosk_site()),
    terminal_id TEXT NOT NULL DEFAULT (kiosk_terminal())
) STRICT;
INSERT INTO callbacks_done__new (id, note_id, at, actor_id, actor, result, uid, site_id, terminal_id)
SELECT id, note_id, at, actor_id, actor, result, kiosk_uuid7_for(at), kiosk_site(), kiosk_terminal() FROM callbacks_done;
DROP TABLE callbacks_done;
ALTER TABLE callbacks_done__new RENAME TO callbacks_done;
CREATE INDEX callbacks_done_note ON callbacks_done(note_id);

-- print_jobs: jobs are stored before they are sent; their status is print_job_events
CREATE TABLE print_jobs__new (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    kind TEXT NOT NULL,
    record_table TEXT,
    record_id TEXT,
    receipt_no TEXT,
    document TEXT,
    kick_drawer INTEGER NOT NULL DEFAULT 0 CHECK (kick_drawer IN (0, 1)),
    reprint_of INTEGER REFERENCES print_jobs(id),
    actor_id INTEGER REFERENCES users(id),
    actor TEXT NOT NULL,
    uid TEXT NOT NULL UNIQUE DEFAULT (kiosk_uuid7()) CHECK (length(uid) = 36),
    site_id TEXT NOT NULL DEFAULT (kiosk_site()),
    terminal_id TEXT NOT NULL DEFAULT (kiosk_terminal())
) STRICT;
INSERT INTO print_jobs__new (id, created_at, kind, record_table, record_id, receipt_no, document, kick_drawer, reprint_of, actor_id, actor, uid, site_id, terminal_id)
SELECT id, created_at, kind, record_table, record_id, receipt_no, document, kick_drawer, reprint_of, (SELECT u.id FROM users u WHERE u.name = print_jobs.actor), actor, kiosk_uuid7_for(created_at), kiosk_site(), kiosk_terminal() FROM print_jobs;
DROP TABLE print_jobs;
ALTER TABLE print_jobs__new RENAME TO print_jobs;
CREATE INDEX print_jobs_record ON print_jobs(record_table, record_id);

-- print_job_events: the print worker's outcomes
CREATE TABLE print_job_events__new (
    id INTEGER PRIMARY KEY,
    job_id INTEGER NOT NULL REFERENCES print_jobs(id),
    at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'printed', 'failed', 'cancelled')),
    detail TEXT NOT NULL DEFAULT '',
    uid TEXT NOT NULL UNIQUE DEFAULT (kiosk_uuid7()) CHECK (length(uid) = 36),
    site_id TEXT NOT NULL DEFAULT (kiosk_site()),
    terminal_id TEXT NOT NULL DEFAULT (kiosk_terminal())
) STRICT;
INSERT INTO print_job_events__new (id, job_id, at, status, detail, uid, site_id, terminal_id)
SELECT id, job_id, at, status, detail, kiosk_uuid7_for(at), kiosk_site(), kiosk_terminal() FROM print_job_events;
DROP TABLE print_job_events;
ALTER TABLE print_job_events__new RENAME TO print_job_events;
CREATE INDEX print_job_events_job ON print_job_events(job_id, id);

-- drawer_kicks: every opening of the cash drawer, 'no sale' included
CREATE TABLE drawer_kicks__new (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_id INTEGER REFERENCES users(id),
    actor TEXT NOT NULL,
    reason TEXT NOT NULL,
    record_table TEXT,
    record_id TEXT,
    job_id INTEGER REFERENCES print_jobs(id),
    uid TEXT NOT NULL UNIQUE DEFAULT (kiosk_uuid7()) CHECK (length(uid) = 36),
    site_id TEXT NOT NULL DEFAULT (kiosk_site()),
    terminal_id TEXT NOT NULL DEFAULT (kiosk_terminal())
) STRICT;
INSERT INTO drawer_kicks__new (id, at, actor_id, actor, reason, record_table, record_id, job_id, uid, site_id, terminal_id)
SELECT id, at, actor_id, actor, reason, record_table, record_id, job_id, kiosk_uuid7_for(at), kiosk_site(), kiosk_terminal() FROM drawer_kicks;
DROP TABLE drawer_kicks;
ALTER TABLE drawer_kicks__new RENAME TO drawer_kicks;

-- visits: every visit; name, phone, organisation and id_number are blanked after the retention period
CREATE TABLE visits__new (
    id INTEGER PRIMARY KEY,
    signed_in_at TEXT NOT NULL,
    name TEXT NOT NULL,
    phone TEXT NOT NULL,
    organisation TEXT NOT NULL DEFAULT '',
    host_id INTEGER REFERENCES hosts(id),
    host_name TEXT NOT NULL,
    purpose TEXT NOT NULL CHECK (purpose IN ('meeting', 'interview', 'delivery', 'contractor', 'other')),
    party_size INTEGER NOT NULL CHECK (party_size BETWEEN 1 AND 50),
    registered_by TEXT NOT NULL CHECK (registered_by IN ('self', 'staff')),
    actor_id INTEGER REFERENCES users(id),
    actor TEXT NOT NULL,
    id_type TEXT NOT NULL DEFAULT '',
    id_number TEXT NOT NULL DEFAULT '',
    privacy_accepted INTEGER NOT NULL CHECK (privacy_accepted IN (0, 1)),
    signout_code TEXT NOT NULL UNIQUE,
    expected_id INTEGER REFERENCES expected_visitors(id),
    anonymised_at TEXT,
    uid TEXT NOT NULL UNIQUE DEFAULT (kiosk_uuid7()) CHECK (length(uid) = 36),
    site_id TEXT NOT NULL DEFAULT (kiosk_site()),
    terminal_id TEXT NOT NULL DEFAULT (kiosk_terminal())
) STRICT;
INSERT INTO visits__new (id, signed_in_at, name, phone, organisation, host_id, host_name, purpose, party_size, registered_by, actor_id, actor, id_type, id_number, privacy_accepted, signout_code, expected_id, anonymised_at, uid, site_id, terminal_id)
SELECT id, signed_in_at, name, phone, organisation, host_id, host_name, purpose, party_size, registered_by, staff_id, CASE WHEN registered_by = 'self' THEN 'visitor' ELSE COALESCE((SELECT u.name FROM users u WHERE u.id = staff_id), 'staff') END, id_type, id_number, privacy_accepted, signout_code, (SELECT e.id FROM expected_visitors e WHERE e.id = visits.expected_id), anonymised_at, kiosk_uuid7_for(signed_in_at), kiosk_site(), kiosk_terminal() FROM visits;
DROP TABLE visits;
ALTER TABLE visits__new RENAME TO visits;
CREATE INDEX visits_in ON visits(signed_in_at);
CREATE INDEX visits_phone ON visits(phone);
CREATE INDEX visits_expected ON visits(expected_id);

-- visit_signouts: one sign-out per visit
CREATE TABLE visit_signouts__new (
    visit_id INTEGER PRIMARY KEY REFERENCES visits(id),
    at TEXT NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('code', 'staff', 'auto')),
    actor_id INTEGER REFERENCES users(id),
    actor TEXT NOT NULL,
    uid TEXT NOT NULL UNIQUE DEFAULT (kiosk_uuid7()) CHECK (length(uid) = 36),
    site_id TEXT NOT NULL DEFAULT (kiosk_site()),
    terminal_id TEXT NOT NULL DEFAULT (kiosk_terminal())
) STRICT;
INSERT INTO visit_signouts__new (visit_id, at, kind, actor_id, actor, uid, site_id, terminal_id)
SELECT visit_id, at, kind, (SELECT u.id FROM users u WHERE u.name = visit_signouts.actor), actor, kiosk_uuid7_for(at), kiosk_site(), kiosk_terminal() FROM visit_signouts;
DROP TABLE visit_signouts;
ALTER TABLE visit_signouts__new RENAME TO visit_signouts;

-- deny_list: names and numbers the desk is alerted to; lifting one is a deny_list_lifts row
CREATE TABLE deny_list__new (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL DEFAULT '',
    phone TEXT NOT NULL DEFAULT '',
    reason TEXT NOT NULL,
    added_at TEXT NOT NULL,
    actor_id INTEGER REFERENCES users(id),
    actor TEXT NOT NULL,
    uid TEXT NOT NULL UNIQUE DEFAULT (kiosk_uuid7()) CHECK (length(uid) = 36),
    site_id TEXT NOT NULL DEFAULT (kiosk_site()),
    terminal_id TEXT NOT NULL DEFAULT (kiosk_terminal())
) STRICT;
INSERT INTO deny_list__new (id, name, phone, reason, added_at, actor_id, actor, uid, site_id, terminal_id)
SELECT id, name, phone, reason, added_at, (SELECT u.id FROM users u WHERE u.name = deny_list.added_by), added_by, kiosk_uuid7_for(added_at), kiosk_site(), kiosk_terminal() FROM deny_list;
DROP TABLE deny_list;
ALTER TABLE deny_list__new RENAME TO deny_list;

-- deny_list_lifts: a manager took an entry off the deny list
CREATE TABLE deny_list_lifts__new (
    entry_id INTEGER PRIMARY KEY REFERENCES deny_list(id),
    at TEXT NOT NULL,
    actor_id INTEGER REFERENCES users(id),
    actor TEXT NOT NULL,
    reason TEXT NOT NULL,
    uid TEXT NOT NULL UNIQUE DEFAULT (kiosk_uuid7()) CHECK (length(uid) = 36),
    site_id TEXT NOT NULL DEFAULT (kiosk_site()),
    terminal_id TEXT NOT NULL DEFAULT (kiosk_terminal())
) STRICT;
INSERT INTO deny_list_lifts__new (entry_id, at, actor_id, actor, reason, uid, site_id, terminal_id)
SELECT entry_id, at, (SELECT u.id FROM users u WHERE u.name = deny_list_lifts.actor), actor, reason, kiosk_uuid7_for(at), kiosk_site(), kiosk_terminal() FROM deny_list_lifts;
DROP TABLE deny_list_lifts;
ALTER TABLE deny_list_lifts__new RENAME TO deny_list_lifts;

-- expected_visitors: pre-registered visitors (local date)
CREATE TABLE expected_visitors__new (
    id INTEGER PRIMARY KEY,
    name TEXT NOT NULL,
    phone TEXT NOT NULL,
    host_id INTEGER REFERENCES hosts(id),
    expected_on TEXT NOT NULL,
    actor_id INTEGER REFERENCES users(id),
    actor TEXT NOT NULL,
    uid TEXT NOT NULL UNIQUE DEFAULT (kiosk_uuid7()) CHECK (length(uid) = 36),
    site_id TEXT NOT NULL DEFAULT (kiosk_site()),
    terminal_id TEXT NOT NULL DEFAULT (kiosk_terminal())
) STRICT;
INSERT INTO expected_visitors__new (id, name, phone, host_id, expected_on, actor_id, actor, uid, site_id, terminal_id)
SELECT id, name, phone, host_id, expected_on, (SELECT u.id FROM users u WHERE u.name = expected_visitors.added_by), added_by, kiosk_uuid7_for(expected_on), kiosk_site(), kiosk_terminal() FROM expected_visitors;
DROP TABLE expected_visitors;
ALTER TABLE expected_visitors__new RENAME TO expected_visitors;
CREATE INDEX expected_visitors_day ON expected_visitors(expected_on, phone);

-- rollcall_marks: evacuation roll call: this visitor is accounted for
CREATE TABLE rollcall_marks__new (
    id INTEGER PRIMARY KEY,
    visit_id INTEGER NOT NULL REFERENCES visits(id),
    at TEXT NOT NULL,
    actor_id INTEGER REFERENCES users(id),
    actor TEXT NOT NULL,
    uid TEXT NOT NULL UNIQUE DEFAULT (kiosk_uuid7()) CHECK (length(uid) = 36),
    site_id TEXT NOT NULL DEFAULT (kiosk_site()),
    terminal_id TEXT NOT NULL DEFAULT (kiosk_terminal())
) STRICT;
INSERT INTO rollcall_marks__new (id, visit_id, at, actor_id, actor, uid, site_id, terminal_id)
SELECT id, visit_id, at, (SELECT u.id FROM users u WHERE u.name = rollcall_marks.actor), actor, kiosk_uuid7_for(at), kiosk_site(), kiosk_terminal() FROM rollcall_marks;
DROP TABLE rollcall_marks;
ALTER TABLE rollcall_marks__new RENAME TO rollcall_marks;
CREATE INDEX rollcall_marks_visit ON rollcall_marks(visit_id);

-- lf_items: the register of items handed in (the actor is the staff who received it)
CREATE TABLE lf_items__new (
    id INTEGER PRIMARY KEY,
    ref TEXT NOT NULL UNIQUE,
    category TEXT NOT NULL CHECK (category IN ('bag', 'wallet', 'phone', 'keys', 'clothing', 'umbrella', 'documents', 'jewellery', 'electronics', 'sports', 'other')),
    description TEXT NOT NULL,
    features TEXT NOT NULL DEFAULT '',
    colour TEXT NOT NULL DEFAULT '',
    brand TEXT NOT NULL DEFAULT '',
    quantity INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 999),
    value_fen INTEGER NOT NULL DEFAULT 0 CHECK (value_fen >= 0),
    high_value INTEGER NOT NULL DEFAULT 0 CHECK (high_value IN (0, 1)),
    found_at TEXT NOT NULL,
    found_place TEXT NOT NULL,
    handed_in_kind TEXT NOT NULL CHECK (handed_in_kind IN ('customer', 'staff')),
    handed_in_name TEXT NOT NULL,
    handed_in_contact TEXT NOT NULL DEFAULT '',
    actor_id INTEGER REFERENCES users(id),
    actor TEXT NOT NULL,
    storage TEXT NOT NULL,
    created_at TEXT NOT NULL,
    uid TEXT NOT NULL UNIQUE DEFAULT (kiosk_uuid7()) CHECK (length(uid) = 36),
    site_id TEXT NOT NULL DEFAULT (kiosk_site()),
    terminal_id TEXT NOT NULL DEFAULT (kiosk_terminal())
) STRICT;
INSERT INTO lf_items__new (id, ref, category, description, features, colour, brand, quantity, value_fen, high_value, found_at, found_place, handed_in_kind, handed_in_name, handed_in_contact, actor_id, actor, storage, created_at, uid, site_id, terminal_id)
SELECT id, ref, category, description, features, colour, brand, quantity, value_fen, high_value, found_at, found_place, handed_in_kind, handed_in_name, handed_in_contact, received_by_id, received_by, storage, created_at, kiosk_uuid7_for(created_at), kiosk_site(), kiosk_terminal() FROM lf_items;
DROP TABLE lf_items;
ALTER TABLE lf_items__new RENAME TO lf_items;
CREATE INDEX lf_items_created ON lf_items(created_at);

-- lf_events: custody history: every status change
CREATE TABLE lf_events__new (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES lf_items(id),
    at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('held', 'claimed', 'handed_over', 'disposed')),
    actor_id INTEGER REFERENCES users(id),
    actor TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT '',
    uid TEXT NOT NULL UNIQUE DEFAULT (kiosk_uuid7()) CHECK (length(uid) = 36),
    site_id TEXT NOT NULL DEFAULT (kiosk_site()),
    terminal_id TEXT NOT NULL DEFAULT (kiosk_terminal())
) STRICT;
INSERT INTO lf_events__new (id, item_id, at, status, actor_id, actor, detail, uid, site_id, terminal_id)
SELECT id, item_id, at, status, actor_id, actor, detail, kiosk_uuid7_for(at), kiosk_site(), kiosk_terminal() FROM lf_events;
DROP TABLE lf_events;
ALTER TABLE lf_events__new RENAME TO lf_events;
CREATE INDEX lf_events_item ON lf_events(item_id, id);

-- lf_reports: owners' reports of something lost
CREATE TABLE lf_reports__new (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    category TEXT NOT NULL CHECK (category IN ('bag', 'wallet', 'phone', 'keys', 'clothing', 'umbrella', 'documents', 'jewellery', 'electronics', 'sports', 'other')),
    description TEXT NOT NULL,
    features TEXT NOT NULL DEFAULT '',
    colour TEXT NOT NULL DEFAULT '',
    brand TEXT NOT NULL DEFAULT '',
    lost_on TEXT NOT NULL,
    lost_place TEXT NOT NULL DEFAULT '',
    owner_name TEXT NOT NULL,
    contact TEXT NOT NULL,
    actor_id INTEGER REFERENCES users(id),
    actor TEXT NOT NULL,
    uid TEXT NOT NULL UNIQUE DEFAULT (kiosk_uuid7()) CHECK (length(uid) = 36),
    site_id TEXT NOT NULL DEFAULT (kiosk_site()),
    terminal_id TEXT NOT NULL DEFAULT (kiosk_terminal())
) STRICT;
INSERT INTO lf_reports__new (id, at, category, description, features, colour, brand, lost_on, lost_place, owner_name, contact, actor_id, actor, uid, site_id, terminal_id)
SELECT id, at, category, description, features, colour, brand, lost_on, lost_place, owner_name, contact, (SELECT u.id FROM users u WHERE u.name = lf_reports.actor), actor, kiosk_uuid7_for(at), kiosk_site(), kiosk_terminal() FROM lf_reports;
DROP TABLE lf_reports;
ALTER TABLE lf_reports__new RENAME TO lf_reports;

-- lf_claims: an owner claimed an item and signed for it
CREATE TABLE lf_claims__new (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES lf_items(id),
    at TEXT NOT NULL,
    claimant_name TEXT NOT NULL,
    contact TEXT NOT NULL,
    id_type TEXT NOT NULL CHECK (id_type IN ('id_card', 'passport', 'driving_licence', 'other')),
    id_number TEXT NOT NULL,
    described_features TEXT NOT NULL,
    described_quantity INTEGER NOT NULL,
    register_features TEXT NOT NULL,
    register_quantity INTEGER NOT NULL,
    identity_checked INTEGER NOT NULL CHECK (identity_checked = 1),
    signature_png BLOB NOT NULL,
    signature_sha256 TEXT NOT NULL,
    actor_id INTEGER REFERENCES users(id),
    actor TEXT NOT NULL,
    receipt_no TEXT NOT NULL,
    uid TEXT NOT NULL UNIQUE DEFAULT (kiosk_uuid7()) CHECK (length(uid) = 36),
    site_id TEXT NOT NULL DEFAULT (kiosk_site()),
    terminal_id TEXT NOT NULL DEFAULT (kiosk_terminal())
) STRICT;
INSERT INTO lf_claims__new (id, item_id, at, claimant_name, contact, id_type, id_number, described_features, described_quantity, register_features, register_quantity, identity_checked, signature_png, signature_sha256, actor_id, actor, receipt_no, uid, site_id, terminal_id)
SELECT id, item_id, at, claimant_name, contact, id_type, id_number, described_features, described_quantity, register_features, register_quantity, identity_checked, signature_png, signature_sha256, actor_id, actor, receipt_no, kiosk_uuid7_for(at), kiosk_site(), kiosk_terminal() FROM lf_claims;
DROP TABLE lf_claims;
ALTER TABLE lf_claims__new RENAME TO lf_claims;

-- lf_handovers: unclaimed items handed to the admin department (received_by: their person, not an account)
CREATE TABLE lf_handovers__new (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_id INTEGER REFERENCES users(id),
    actor TEXT NOT NULL,
    received_by TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    receipt_no TEXT NOT NULL,
    uid TEXT NOT NULL UNIQUE DEFAULT (kiosk_uuid7()) CHECK (length(uid) = 36),
    site_id TEXT NOT NULL DEFAULT (kiosk_site()),
    terminal_id TEXT NOT NULL DEFAULT (kiosk_terminal())
) STRICT;
INSERT INTO lf_handovers__new (id, at, actor_id, actor, received_by, note, receipt_no, uid, site_id, terminal_id)
SELECT id, at, handed_by_id, handed_by, received_by, note, receipt_no, kiosk_uuid7_for(at), kiosk_site(), kiosk_terminal() FROM lf_handovers;
DROP TABLE lf_handovers;
ALTER TABLE lf_handovers__new RENAME TO lf_handovers;

-- lf_handover_items: the items of a handover
CREATE TABLE lf_handover_items__new (
    handover_id INTEGER NOT NULL REFERENCES lf_handovers(id),
    item_id INTEGER NOT NULL REFERENCES lf_items(id),
    uid TEXT NOT NULL UNIQUE DEFAULT (kiosk_uuid7()) CHECK (length(uid) = 36),
    site_id TEXT NOT NULL DEFAULT (kiosk_site()),
    terminal_id TEXT NOT NULL DEFAULT (kiosk_terminal()),
    PRIMARY KEY (handover_id, item_id)
) STRICT;
INSERT INTO lf_handover_items__new (handover_id, item_id, uid, site_id, terminal_id)
SELECT handover_id, item_id, kiosk_uuid7_for((SELECT h.at FROM lf_handovers h WHERE h.id = lf_handover_items.handover_id)), kiosk_site(), kiosk_terminal() FROM lf_handover_items;
DROP TABLE lf_handover_items;
ALTER TABLE lf_handover_items__new RENAME TO lf_handover_items;

-- lf_disposals: what became of a handed-over item; the approver is who authorised it (a name, usually not an account)
CREATE TABLE lf_disposals__new (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES lf_items(id),
    at TEXT NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('returned_to_finder', 'donated', 'destroyed')),
    approver_id INTEGER REFERENCES users(id),
    approver TEXT NOT NULL,
    actor_id INTEGER REFERENCES users(id),
    actor TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    uid TEXT NOT NULL UNIQUE DEFAULT (kiosk_uuid7()) CHECK (length(uid) = 36),
    site_id TEXT NOT NULL DEFAULT (kiosk_site()),
    terminal_id TEXT NOT NULL DEFAULT (kiosk_terminal())
) STRICT;
INSERT INTO lf_disposals__new (id, item_id, at, method, approver_id, approver, actor_id, actor, note, uid, site_id, terminal_id)
SELECT id, item_id, at, method, NULL, authorised_by, actor_id, actor, note, kiosk_uuid7_for(at), kiosk_site(), kiosk_terminal() FROM lf_disposals;
DROP TABLE lf_disposals;
ALTER TABLE lf_disposals__new RENAME TO lf_disposals;

-- stock_movements: stock changes only by new movements (+ in, - out)
CREATE TABLE stock_movements__new (
    id INTEGER PRIMARY KEY,
    product_id INTEGER NOT NULL REFERENCES products(id),
    at TEXT NOT NULL,
    quantity INTEGER NOT NULL,
    kind TEXT NOT NULL CHECK (kind IN ('receipt', 'sale', 'void', 'refund', 'adjustment', 'opening', 'stocktake')),
    record_table TEXT,
    record_id INTEGER,
    reason TEXT NOT NULL DEFAULT '',
    actor_id INTEGER REFERENCES users(id),
    actor TEXT NOT NULL,
    uid TEXT NOT NULL UNIQUE DEFAULT (kiosk_uuid7()) CHECK (length(uid) = 36),
    site_id TEXT NOT NULL DEFAULT (kiosk_site()),
    terminal_id TEXT NOT NULL DEFAULT (kiosk_terminal())
) STRICT;
INSERT INTO stock_movements__new (id, product_id, at, quantity, kind, record_table, record_id, reason, actor_id, actor, uid, site_id, terminal_id)
SELECT id, product_id, at, quantity, kind, ref_table, ref_id, reason, (SELECT u.id FROM users u WHERE u.name = stock_movements.actor), actor, kiosk_uuid7_for(at), kiosk_site(), kiosk_terminal() FROM stock_movements;
DROP TABLE stock_movements;
ALTER TABLE stock_movements__new RENAME TO stock_movements;
CREATE INDEX stock_movements_product ON stock_movements(product_id);
CREATE INDEX stock_movements_at ON stock_movements(at);

-- sales: goods sales
CREATE TABLE sales__new (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    receipt_no TEXT NOT NULL UNIQUE,
    total_fen INTEGER NOT NULL CHECK (total_fen >= 0),
    actor_id INTEGER REFERENCES users(id),
    actor TEXT NOT NULL,
    uid TEXT NOT NULL UNIQUE DEFAULT (kiosk_uuid7()) CHECK (length(uid) = 36),
    site_id TEXT NOT NULL DEFAULT (kiosk_site()),
    terminal_id TEXT NOT NULL DEFAULT (kiosk_terminal())
) STRICT;
INSERT INTO sales__new (id, at, receipt_no, total_fen, actor_id, actor, uid, site_id, terminal_id)
SELECT id, at, receipt_no, total_fen, actor_id, actor, kiosk_uuid7_for(at), kiosk_site(), kiosk_terminal() FROM sales;
DROP TABLE sales;
ALTER TABLE sales__new RENAME TO sales;
CREATE INDEX sales_at ON sales(at);

-- sale_lines: what a sale sold
CREATE TABLE sale_lines__new (
    id INTEGER PRIMARY KEY,
    sale_id INTEGER NOT NULL REFERENCES sales(id),
    product_id INTEGER NOT NULL REFERENCES products(id),
    name TEXT NOT NULL,
    unit_fen INTEGER NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    total_fen INTEGER NOT NULL,
    uid TEXT NOT NULL UNIQUE DEFAULT (kiosk_uuid7()) CHECK (length(uid) = 36),
    site_id TEXT NOT NULL DEFAULT (kiosk_site()),
    terminal_id TEXT NOT NULL DEFAULT (kiosk_terminal())
) STRICT;
INSERT INTO sale_lines__new (id, sale_id, product_id, name, unit_fen, quantity, total_fen, uid, site_id, terminal_id)
SELECT id, sale_id, product_id, name, unit_fen, quantity, total_fen, kiosk_uuid7_for((SELECT s.at FROM sales s WHERE s.id = sale_lines.sale_id)), kiosk_site(), kiosk_terminal() FROM sale_lines;
DROP TABLE sale_lines;
ALTER TABLE sale_lines__new RENAME TO sale_lines;
CREATE INDEX sale_lines_sale ON sale_lines(sale_id);

-- payments: how a sale was paid
CREATE TABLE payments__new (
    id INTEGER PRIMARY KEY,
    sale_id INTEGER NOT NULL REFERENCES sales(id),
    method TEXT NOT NULL CHECK (method IN ('cash', 'card', 'mobile')),
    amount_fen INTEGER NOT NULL,
    tendered_fen INTEGER,
    change_fen INTEGER,
    reference TEXT NOT NULL DEFAULT '',
    uid TEXT NOT NULL UNIQUE DEFAULT (kiosk_uuid7()) CHECK (length(uid) = 36),
    site_id TEXT NOT NULL DEFAULT (kiosk_site()),
    terminal_id TEXT NOT NULL DEFAULT (kiosk_terminal())
) STRICT;
INSERT INTO payments__new (id, sale_id, method, amount_fen, tendered_fen, change_fen, reference, uid, site_id, terminal_id)
SELECT id, sale_id, method, amount_fen, tendered_fen, change_fen, reference, kiosk_uuid7_for((SELECT s.at FROM sales s WHERE s.id = payments.sale_id)), kiosk_site(), kiosk_terminal() FROM payments;
DROP TABLE payments;
ALTER TABLE payments__new RENAME TO payments;
CREATE INDEX payments_sale ON payments(sale_id);

-- sale_reversals: voids and refunds, approved with a manager's PIN
CREATE TABLE sale_reversals__new (
    id INTEGER PRIMARY KEY,
    sale_id INTEGER NOT NULL REFERENCES sales(id),
    kind TEXT NOT NULL CHECK (kind IN ('void', 'refund')),
    at TEXT NOT NULL,
    amount_fen INTEGER NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('cash', 'card', 'mobile')),
    reason TEXT NOT NULL,
    approver_id INTEGER REFERENCES users(id),
    approver TEXT NOT NULL,
    actor_id INTEGER REFERENCES users(id),
    actor TEXT NOT NULL,
    receipt_no TEXT NOT NULL UNIQUE,
    uid TEXT NOT NULL UNIQUE DEFAULT (kiosk_uuid7()) CHECK (length(uid) = 36),
    site_id TEXT NOT NULL DEFAULT (kiosk_site()),
    terminal_id TEXT NOT NULL DEFAULT (kiosk_terminal())
) STRICT;
INSERT INTO sale_reversals__new (id, sale_id, kind, at, amount_fen, method, reason, approver_id, approver, actor_id, actor, receipt_no, uid, site_id, terminal_id)
SELECT id, sale_id, kind, at, amount_fen, method, reason, approved_by_id, approved_by, (SELECT u.id FROM users u WHERE u.name = sale_reversals.actor), actor, receipt_no, kiosk_uuid7_for(at), kiosk_site(), kiosk_terminal() FROM sale_reversals;
DROP TABLE sale_reversals;
ALTER TABLE sale_reversals__new RENAME TO sale_reversals;
CREATE INDEX sale_reversals_sale ON sale_reversals(sale_id);
CREATE INDEX sale_reversals_at ON sale_reversals(at);

-- reversal_lines: what a reversal took back
CREATE TABLE reversal_lines__new (
    id INTEGER PRIMARY KEY,
    reversal_id INTEGER NOT NULL REFERENCES sale_reversals(id),
    sale_line_id INTEGER NOT NULL REFERENCES sale_lines(id),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    total_fen INTEGER NOT NULL CHECK (total_fen >= 0),
    uid TEXT NOT NULL UNIQUE DEFAULT (kiosk_uuid7()) CHECK (length(uid) = 36),
    site_id TEXT NOT NULL DEFAULT (kiosk_site()),
    terminal_id TEXT NOT NULL DEFAULT (kiosk_terminal())
) STRICT;
INSERT INTO reversal_lines__new (id, reversal_id, sale_line_id, quantity, total_fen, uid, site_id, terminal_id)
SELECT id, reversal_id, sale_line_id, quantity, total_fen, kiosk_uuid7_for((SELECT r.at FROM sale_reversals r WHERE r.id = reversal_lines.reversal_id)), kiosk_site(), kiosk_terminal() FROM reversal_lines;
DROP TABLE reversal_lines;
ALTER TABLE reversal_lines__new RENAME TO reversal_lines;
CREATE INDEX reversal_lines_reversal ON reversal_lines(reversal_id);
CREATE INDEX reversal_lines_sale_line ON reversal_lines(sale_line_id);

-- fee_collections: fees collected
CREATE TABLE fee_collections__new (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    receipt_no TEXT NOT NULL UNIQUE,
    fee_type_id INTEGER NOT NULL REFERENCES fee_types(id),
    payer TEXT NOT NULL,
    member_no TEXT NOT NULL DEFAULT '',
    amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
    period TEXT NOT NULL DEFAULT '',
    method TEXT NOT NULL CHECK (method IN ('cash', 'card', 'mobile')),
    tendered_fen INTEGER,
    change_fen INTEGER,
    reference TEXT NOT NULL DEFAULT '',
    actor_id INTEGER REFERENCES users(id),
    actor TEXT NOT NULL,
    uid TEXT NOT NULL UNIQUE DEFAULT (kiosk_uuid7()) CHECK (length(uid) = 36),
    site_id TEXT NOT NULL DEFAULT (kiosk_site()),
    terminal_id TEXT NOT NULL DEFAULT (kiosk_terminal())
) STRICT;
INSERT INTO fee_collections__new (id, at, receipt_no, fee_type_id, payer, member_no, amount_fen, period, method, tendered_fen, change_fen, reference, actor_id, actor, uid, site_id, terminal_id)
SELECT id, at, receipt_no, fee_type_id, payer, member_no, amount_fen, period, method, tendered_fen, change_fen, reference, actor_id, actor, kiosk_uuid7_for(at), kiosk_site(), kiosk_terminal() FROM fee_collections;
DROP TABLE fee_collections;
ALTER TABLE fee_collections__new RENAME TO fee_collections;
CREATE INDEX fee_collections_at ON fee_collections(at);

-- fee_voids: a voided fee, approved with a manager's PIN
CREATE TABLE fee_voids__new (
    id INTEGER PRIMARY KEY,
    collection_id INTEGER NOT NULL UNIQUE REFERENCES fee_collections(id),
    at TEXT NOT NULL,
    reason TEXT NOT NULL,
    approver_id INTEGER REFERENCES users(id),
    approver TEXT NOT NULL,
    actor_id INTEGER REFERENCES users(id),
    actor TEXT NOT NULL,
    receipt_no TEXT NOT NULL UNIQUE,
    uid TEXT NOT NULL UNIQUE DEFAULT (kiosk_uuid7()) CHECK (length(uid) = 36),
    site_id TEXT NOT NULL DEFAULT (kiosk_site()),
    terminal_id TEXT NOT NULL DEFAULT (kiosk_terminal())
) STRICT;
INSERT INTO fee_voids__new (id, collection_id, at, reason, approver_id, approver, actor_id, actor, receipt_no, uid, site_id, terminal_id)
SELECT id, collection_id, at, reason, approved_by_id, approved_by, (SELECT u.id FROM users u WHERE u.name = fee_voids.actor), actor, receipt_no, kiosk_uuid7_for(at), kiosk_site(), kiosk_terminal() FROM fee_voids;
DROP TABLE fee_voids;
ALTER TABLE fee_voids__new RENAME TO fee_voids;

-- shifts: a counter opened with its float (the actor opened it)
CREATE TABLE shifts__new (
    id INTEGER PRIMARY KEY,
    terminal_id TEXT NOT NULL DEFAULT (kiosk_terminal()),
    opened_at TEXT NOT NULL,
    float_fen INTEGER NOT NULL CHECK (float_fen >= 0),
    actor_id INTEGER REFERENCES users(id),
    actor TEXT NOT NULL,
    uid TEXT NOT NULL UNIQUE DEFAULT (kiosk_uuid7()) CHECK (length(uid) = 36),
    site_id TEXT NOT NULL DEFAULT (kiosk_site())
) STRICT;
INSERT INTO shifts__new (id, terminal_id, opened_at, float_fen, actor_id, actor, uid, site_id)
SELECT id, terminal_id, opened_at, float_fen, opened_by_id, opened_by, kiosk_uuid7_for(opened_at), kiosk_site() FROM shifts;
DROP TABLE shifts;
ALTER TABLE shifts__new RENAME TO shifts;
CREATE INDEX shifts_terminal ON shifts(terminal_id, id);

-- shift_closes: the close of a shift with its counted cash and the end-of-day report as printed (the actor closed it)
CREATE TABLE shift_closes__new (
    id INTEGER PRIMARY KEY,
    shift_id INTEGER NOT NULL UNIQUE REFERENCES shifts(id),
    at TEXT NOT NULL,
    expected_fen INTEGER NOT NULL,
    counted_fen INTEGER NOT NULL CHECK (counted_fen >= 0),
    variance_fen INTEGER NOT NULL,
    report_no TEXT NOT NULL UNIQUE,
    report TEXT NOT NULL,
    actor_id INTEGER REFERENCES users(id),
    actor TEXT NOT NULL,
    uid TEXT NOT NULL UNIQUE DEFAULT (kiosk_uuid7()) CHECK (length(uid) = 36),
    site_id TEXT NOT NULL DEFAULT (kiosk_site()),
    terminal_id TEXT NOT NULL DEFAULT (kiosk_terminal())
) STRICT;
INSERT INTO shift_closes__new (id, shift_id, at, expected_fen, counted_fen, variance_fen, report_no, report, actor_id, actor, uid, site_id, terminal_id)
SELECT id, shift_id, at, expected_fen, counted_fen, variance_fen, report_no, report, closed_by_id, closed_by, kiosk_uuid7_for(at), kiosk_site(), COALESCE((SELECT s.terminal_id FROM shifts s WHERE s.id = shift_closes.shift_id), kiosk_terminal()) FROM shift_closes;
DROP TABLE shift_closes;
ALTER TABLE shift_closes__new RENAME TO shift_closes;

-- cash_handovers: cash handed to finance: the actor handed it, received_by is finance's person (not an account)
CREATE TABLE cash_handovers__new (
    id INTEGER PRIMARY KEY,
    shift_id INTEGER NOT NULL REFERENCES shifts(id),
    at TEXT NOT NULL,
    amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
    received_by TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    actor_id INTEGER REFERENCES users(id),
    actor TEXT NOT NULL,
    uid TEXT NOT NULL UNIQUE DEFAULT (kiosk_uuid7()) CHECK (length(uid) = 36),
    site_id TEXT NOT NULL DEFAULT (kiosk_site()),
    terminal_id TEXT NOT NULL DEFAULT (kiosk_terminal())
) STRICT;
INSERT INTO cash_handovers__new (id, shift_id, at, amount_fen, received_by, note, actor_id, actor, uid, site_id, terminal_id)
SELECT id, shift_id, at, amount_fen, received_by, note, (SELECT u.id FROM users u WHERE u.name = cash_handovers.actor), handed_by, kiosk_uuid7_for(at), kiosk_site(), COALESCE((SELECT s.terminal_id FROM shifts s WHERE s.id = cash_handovers.shift_id), kiosk_terminal()) FROM cash_handovers;
DROP TABLE cash_handovers;
ALTER TABLE cash_handovers__new RENAME TO cash_handovers;
CREATE INDEX cash_handovers_at ON cash_handovers(at);

-- stock_counts: opening counts and month-end stocktakes
CREATE TABLE stock_counts__new (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('opening', 'stocktake')),
    at TEXT NOT NULL,
    shift_id INTEGER REFERENCES shifts(id),
    report_no TEXT,
    actor_id INTEGER REFERENCES users(id),
    actor TEXT NOT NULL,
    uid TEXT NOT NULL UNIQUE DEFAULT (kiosk_uuid7()) CHECK (length(uid) = 36),
    site_id TEXT NOT NULL DEFAULT (kiosk_site()),
    terminal_id TEXT NOT NULL DEFAULT (kiosk_terminal())
) STRICT;
INSERT INTO stock_counts__new (id, kind, at, shift_id, report_no, actor_id, actor, uid, site_id, terminal_id)
SELECT id, kind, at, shift_id, report_no, (SELECT u.id FROM users u WHERE u.name = stock_counts.actor), actor, kiosk_uuid7_for(at), kiosk_site(), COALESCE((SELECT s.terminal_id FROM shifts s WHERE s.id = stock_counts.shift_id), kiosk_terminal()) FROM stock_counts;
DROP TABLE stock_counts;
ALTER TABLE stock_counts__new RENAME TO stock_counts;

-- stock_count_lines: the lines of a count
CREATE TABLE stock_count_lines__new (
    id INTEGER PRIMARY KEY,
    count_id INTEGER NOT NULL REFERENCES stock_counts(id),
    product_id INTEGER NOT NULL REFERENCES products(id),
    expected INTEGER NOT NULL,
    counted INTEGER NOT NULL CHECK (counted >= 0),
    adjusted INTEGER NOT NULL CHECK (adjusted IN (0, 1)),
    reason TEXT NOT NULL DEFAULT '',
    uid TEXT NOT NULL UNIQUE DEFAULT (kiosk_uuid7()) CHECK (length(uid) = 36),
    site_id TEXT NOT NULL DEFAULT (kiosk_site()),
    terminal_id TEXT NOT NULL DEFAULT (kiosk_terminal())
) STRICT;
INSERT INTO stock_count_lines__new (id, count_id, product_id, expected, counted, adjusted, reason, uid, site_id, terminal_id)
SELECT id, count_id, product_id, expected, counted, adjusted, reason, kiosk_uuid7_for((SELECT c.at FROM stock_counts c WHERE c.id = stock_count_lines.count_id)), kiosk_site(), kiosk_terminal() FROM stock_count_lines;
DROP TABLE stock_count_lines;
ALTER TABLE stock_count_lines__new RENAME TO stock_count_lines;
CREATE INDEX stock_count_lines_count ON stock_count_lines(count_id);

-- The stock balance follows the movements again (its trigger went with the old table).
CREATE TRIGGER stock_levels_follow_movements AFTER INSERT ON stock_movements BEGIN
    INSERT INTO stock_levels (product_id, quantity) VALUES (new.product_id, new.quantity)
    ON CONFLICT(product_id) DO UPDATE SET quantity = quantity + excluded.quantity;
END;
-- The full-text index follows visits (inserts, and the anonymising update).
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

-- Append-only, one style: <table>_no_update and <table>_no_delete on every record table.
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER audit_no_delete BEFORE DELETE ON audit BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
CREATE TRIGGER auth_events_no_update BEFORE UPDATE ON auth_events BEGIN SELECT RAISE(ABORT, 'auth_events is append-only'); END;
CREATE TRIGGER auth_events_no_delete BEFORE DELETE ON auth_events BEGIN SELECT RAISE(ABORT, 'auth_events is append-only'); END;
CREATE TRIGGER calls_no_update BEFORE UPDATE ON calls BEGIN SELECT RAISE(ABORT, 'calls is append-only'); END;
CREATE TRIGGER calls_no_delete BEFORE DELETE ON calls BEGIN SELECT RAISE(ABORT, 'calls is append-only'); END;
CREATE TRIGGER call_events_no_update BEFORE UPDATE ON call_events BEGIN SELECT RAISE(ABORT, 'call_events is append-only'); END;
CREATE TRIGGER call_events_no_delete BEFORE DELETE ON call_events BEGIN SELECT RAISE(ABORT, 'call_events is append-only'); END;
CREATE TRIGGER call_notes_no_update BEFORE UPDATE ON call_notes BEGIN SELECT RAISE(ABORT, 'call_notes is append-only'); END;
CREATE TRIGGER call_notes_no_delete BEFORE DELETE ON call_notes BEGIN SELECT RAISE(ABORT, 'call_notes is append-only'); END;
CREATE TRIGGER callbacks_done_no_update BEFORE UPDATE ON callbacks_done BEGIN SELECT RAISE(ABORT, 'callbacks_done is append-only'); END;
CREATE TRIGGER callbacks_done_no_delete BEFORE DELETE ON callbacks_done BEGIN SELECT RAISE(ABORT, 'callbacks_done is append-only'); END;
CREATE TRIGGER print_jobs_no_update BEFORE UPDATE ON print_jobs BEGIN SELECT RAISE(ABORT, 'print_jobs is append-only'); END;
CREATE TRIGGER print_jobs_no_delete BEFORE DELETE ON print_jobs BEGIN SELECT RAISE(ABORT, 'print_jobs is append-only'); END;
CREATE TRIGGER print_job_events_no_update BEFORE UPDATE ON print_job_events BEGIN SELECT RAISE(ABORT, 'print_job_events is append-only'); END;
CREATE TRIGGER print_job_events_no_delete BEFORE DELETE ON print_job_events BEGIN SELECT RAISE(ABORT, 'print_job_events is append-only'); END;
CREATE TRIGGER drawer_kicks_no_update BEFORE UPDATE ON drawer_kicks BEGIN SELECT RAISE(ABORT, 'drawer_kicks is append-only'); END;
CREATE TRIGGER drawer_kicks_no_delete BEFORE DELETE ON drawer_kicks BEGIN SELECT RAISE(ABORT, 'drawer_kicks is append-only'); END;
-- The privacy exception: the retention job's anonymising update, and nothing else.
CREATE TRIGGER visits_no_update BEFORE UPDATE ON visits WHEN NOT (new.name = '' AND new.phone = '' AND new.organisation = '' AND new.id_number = '' AND old.anonymised_at IS NULL AND new.anonymised_at IS NOT NULL AND new.id IS old.id AND new.signed_in_at IS old.signed_in_at AND new.host_id IS old.host_id AND new.host_name IS old.host_name AND new.purpose IS old.purpose AND new.party_size IS old.party_size AND new.registered_by IS old.registered_by AND new.actor_id IS old.actor_id AND new.actor IS old.actor AND new.id_type IS old.id_type AND new.privacy_accepted IS old.privacy_accepted AND new.signout_code IS old.signout_code AND new.expected_id IS old.expected_id AND new.uid IS old.uid AND new.site_id IS old.site_id AND new.terminal_id IS old.terminal_id)
BEGIN SELECT RAISE(ABORT, 'visits is append-only (only anonymisation may change a row)'); END;
CREATE TRIGGER visits_no_delete BEFORE DELETE ON visits BEGIN SELECT RAISE(ABORT, 'visits is append-only'); END;
CREATE TRIGGER visit_signouts_no_update BEFORE UPDATE ON visit_signouts BEGIN SELECT RAISE(ABORT, 'visit_signouts is append-only'); END;
CREATE TRIGGER visit_signouts_no_delete BEFORE DELETE ON visit_signouts BEGIN SELECT RAISE(ABORT, 'visit_signouts is append-only'); END;
CREATE TRIGGER deny_list_no_update BEFORE UPDATE ON deny_list BEGIN SELECT RAISE(ABORT, 'deny_list is append-only'); END;
CREATE TRIGGER deny_list_no_delete BEFORE DELETE ON deny_list BEGIN SELECT RAISE(ABORT, 'deny_list is append-only'); END;
CREATE TRIGGER deny_list_lifts_no_update BEFORE UPDATE ON deny_list_lifts BEGIN SELECT RAISE(ABORT, 'deny_list_lifts is append-only'); END;
CREATE TRIGGER deny_list_lifts_no_delete BEFORE DELETE ON deny_list_lifts BEGIN SELECT RAISE(ABORT, 'deny_list_lifts is append-only'); END;
CREATE TRIGGER expected_visitors_no_update BEFORE UPDATE ON expected_visitors BEGIN SELECT RAISE(ABORT, 'expected_visitors is append-only'); END;
CREATE TRIGGER expected_visitors_no_delete BEFORE DELETE ON expected_visitors BEGIN SELECT RAISE(ABORT, 'expected_visitors is append-only'); END;
CREATE TRIGGER rollcall_marks_no_update BEFORE UPDATE ON rollcall_marks BEGIN SELECT RAISE(ABORT, 'rollcall_marks is append-only'); END;
CREATE TRIGGER rollcall_marks_no_delete BEFORE DELETE ON rollcall_marks BEGIN SELECT RAISE(ABORT, 'rollcall_marks is append-only'); END;
CREATE TRIGGER lf_items_no_update BEFORE UPDATE ON lf_items BEGIN SELECT RAISE(ABORT, 'lf_items is append-only'); END;
CREATE TRIGGER lf_items_no_delete BEFORE DELETE ON lf_items BEGIN SELECT RAISE(ABORT, 'lf_items is append-only'); END;
CREATE TRIGGER lf_events_no_update BEFORE UPDATE ON lf_events BEGIN SELECT RAISE(ABORT, 'lf_events is append-only'); END;
CREATE TRIGGER lf_events_no_delete BEFORE DELETE ON lf_events BEGIN SELECT RAISE(ABORT, 'lf_events is append-only'); END;
CREATE TRIGGER lf_reports_no_update BEFORE UPDATE ON lf_reports BEGIN SELECT RAISE(ABORT, 'lf_reports is append-only'); END;
CREATE TRIGGER lf_reports_no_delete BEFORE DELETE ON lf_reports BEGIN SELECT RAISE(ABORT, 'lf_reports is append-only'); END;
CREATE TRIGGER lf_claims_no_update BEFORE UPDATE ON lf_claims BEGIN SELECT RAISE(ABORT, 'lf_claims is append-only'); END;
CREATE TRIGGER lf_claims_no_delete BEFORE DELETE ON lf_claims BEGIN SELECT RAISE(ABORT, 'lf_claims is append-only'); END;
CREATE TRIGGER lf_handovers_no_update BEFORE UPDATE ON lf_handovers BEGIN SELECT RAISE(ABORT, 'lf_handovers is append-only'); END;
CREATE TRIGGER lf_handovers_no_delete BEFORE DELETE ON lf_handovers BEGIN SELECT RAISE(ABORT, 'lf_handovers is append-only'); END;
CREATE TRIGGER lf_handover_items_no_update BEFORE UPDATE ON lf_handover_items BEGIN SELECT RAISE(ABORT, 'lf_handover_items is append-only'); END;
CREATE TRIGGER lf_handover_items_no_delete BEFORE DELETE ON lf_handover_items BEGIN SELECT RAISE(ABORT, 'lf_handover_items is append-only'); END;
CREATE TRIGGER lf_disposals_no_update BEFORE UPDATE ON lf_disposals BEGIN SELECT RAISE(ABORT, 'lf_disposals is append-only'); END;
CREATE TRIGGER lf_disposals_no_delete BEFORE DELETE ON lf_disposals BEGIN SELECT RAISE(ABORT, 'lf_disposals is append-only'); END;
CREATE TRIGGER stock_movements_no_update BEFORE UPDATE ON stock_movements BEGIN SELECT RAISE(ABORT, 'stock_movements is append-only'); END;
CREATE TRIGGER stock_movements_no_delete BEFORE DELETE ON stock_movements BEGIN SELECT RAISE(ABORT, 'stock_movements is append-only'); END;
CREATE TRIGGER sales_no_update BEFORE UPDATE ON sales BEGIN SELECT RAISE(ABORT, 'sales is append-only'); END;
CREATE TRIGGER sales_no_delete BEFORE DELETE ON sales BEGIN SELECT RAISE(ABORT, 'sales is append-only'); END;
CREATE TRIGGER sale_lines_no_update BEFORE UPDATE ON sale_lines BEGIN SELECT RAISE(ABORT, 'sale_lines is append-only'); END;
CREATE TRIGGER sale_lines_no_delete BEFORE DELETE ON sale_lines BEGIN SELECT RAISE(ABORT, 'sale_lines is append-only'); END;
CREATE TRIGGER payments_no_update BEFORE UPDATE ON payments BEGIN SELECT RAISE(ABORT, 'payments is append-only'); END;
CREATE TRIGGER payments_no_delete BEFORE DELETE ON payments BEGIN SELECT RAISE(ABORT, 'payments is append-only'); END;
CREATE TRIGGER sale_reversals_no_update BEFORE UPDATE ON sale_reversals BEGIN SELECT RAISE(ABORT, 'sale_reversals is append-only'); END;
CREATE TRIGGER sale_reversals_no_delete BEFORE DELETE ON sale_reversals BEGIN SELECT RAISE(ABORT, 'sale_reversals is append-only'); END;
CREATE TRIGGER reversal_lines_no_update BEFORE UPDATE ON reversal_lines BEGIN SELECT RAISE(ABORT, 'reversal_lines is append-only'); END;
CREATE TRIGGER reversal_lines_no_delete BEFORE DELETE ON reversal_lines BEGIN SELECT RAISE(ABORT, 'reversal_lines is append-only'); END;
CREATE TRIGGER fee_collections_no_update BEFORE UPDATE ON fee_collections BEGIN SELECT RAISE(ABORT, 'fee_collections is append-only'); END;
CREATE TRIGGER fee_collections_no_delete BEFORE DELETE ON fee_collections BEGIN SELECT RAISE(ABORT, 'fee_collections is append-only'); END;
CREATE TRIGGER fee_voids_no_update BEFORE UPDATE ON fee_voids BEGIN SELECT RAISE(ABORT, 'fee_voids is append-only'); END;
CREATE TRIGGER fee_voids_no_delete BEFORE DELETE ON fee_voids BEGIN SELECT RAISE(ABORT, 'fee_voids is append-only'); END;
CREATE TRIGGER shifts_no_update BEFORE UPDATE ON shifts BEGIN SELECT RAISE(ABORT, 'shifts is append-only'); END;
CREATE TRIGGER shifts_no_delete BEFORE DELETE ON shifts BEGIN SELECT RAISE(ABORT, 'shifts is append-only'); END;
CREATE TRIGGER shift_closes_no_update BEFORE UPDATE ON shift_closes BEGIN SELECT RAISE(ABORT, 'shift_closes is append-only'); END;
CREATE TRIGGER shift_closes_no_delete BEFORE DELETE ON shift_closes BEGIN SELECT RAISE(ABORT, 'shift_closes is append-only'); END;
CREATE TRIGGER cash_handovers_no_update BEFORE UPDATE ON cash_handovers BEGIN SELECT RAISE(ABORT, 'cash_handovers is append-only'); END;
CREATE TRIGGER cash_handovers_no_delete BEFORE DELETE ON cash_handovers BEGIN SELECT RAISE(ABORT, 'cash_handovers is append-only'); END;
CREATE TRIGGER stock_counts_no_update BEFORE UPDATE ON stock_counts BEGIN SELECT RAISE(ABORT, 'stock_counts is append-only'); END;
CREATE TRIGGER stock_counts_no_delete BEFORE DELETE ON stock_counts BEGIN SELECT RAISE(ABORT, 'stock_counts is append-only'); END;
CREATE TRIGGER stock_count_lines_no_update BEFORE UPDATE ON stock_count_lines BEGIN SELECT RAISE(ABORT, 'stock_count_lines is append-only'); END;
CREATE TRIGGER stock_count_lines_no_delete BEFORE DELETE ON stock_count_lines BEGIN SELECT RAISE(ABORT, 'stock_count_lines is append-only'); END;
