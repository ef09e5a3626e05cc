-- Issue 18: no screen or timer waits on the size of the history.
-- Three "what is open now" tables kept by triggers (state, not records: each row is derived from the
-- record tables and can be rebuilt from them; `kiosk db check` compares them), plus a partial index
-- over the visits retention has not reached yet. A screen reads what is open through these, so its
-- cost follows today's activity, never three years of visits, callbacks or lost items.

-- Visitors on site now: a row from sign-in to sign-out.
CREATE TABLE visits_open (
    visit_id INTEGER PRIMARY KEY REFERENCES visits(id),
    signed_in_at TEXT NOT NULL
) STRICT;
CREATE INDEX visits_open_in ON visits_open(signed_in_at, visit_id);
INSERT INTO visits_open (visit_id, signed_in_at)
SELECT v.id, v.signed_in_at FROM visits v WHERE NOT EXISTS (SELECT 1 FROM visit_signouts s WHERE s.visit_id = v.id);
CREATE TRIGGER visits_open_on_sign_in AFTER INSERT ON visits BEGIN
    INSERT INTO visits_open (visit_id, signed_in_at) VALUES (new.id, new.signed_in_at);
END;
CREATE TRIGGER visits_open_on_sign_out AFTER INSERT ON visit_signouts BEGIN
    DELETE FROM visits_open WHERE visit_id = new.visit_id;
END;

-- Promised callbacks not yet made.
CREATE TABLE callbacks_open (
    note_id INTEGER PRIMARY KEY REFERENCES call_notes(id),
    due TEXT NOT NULL
) STRICT;
CREATE INDEX callbacks_open_due ON callbacks_open(due, note_id);
INSERT INTO callbacks_open (note_id, due)
SELECT n.id, n.callback_due FROM call_notes n
WHERE n.callback_due IS NOT NULL AND NOT EXISTS (SELECT 1 FROM callbacks_done d WHERE d.note_id = n.id);
CREATE TRIGGER callbacks_open_on_note AFTER INSERT ON call_notes WHEN new.callback_due IS NOT NULL BEGIN
    INSERT INTO callbacks_open (note_id, due) VALUES (new.id, new.callback_due);
END;
CREATE TRIGGER callbacks_open_on_done AFTER INSERT ON callbacks_done BEGIN
    DELETE FROM callbacks_open WHERE note_id = new.note_id;
END;

-- Where each lost item stands now: the newest lf_events row, kept as a row per item.
CREATE TABLE lf_item_status (
    item_id INTEGER PRIMARY KEY REFERENCES lf_items(id),
    status TEXT NOT NULL,
    since TEXT NOT NULL,
    event_id INTEGER NOT NULL
) STRICT;
CREATE INDEX lf_item_status_status ON lf_item_status(status, item_id);
INSERT INTO lf_item_status (item_id, status, since, event_id)
SELECT e.item_id, e.status, e.at, e.id FROM lf_events e
WHERE e.id = (SELECT MAX(l.id) FROM lf_events l WHERE l.item_id = e.item_id);
CREATE TRIGGER lf_item_status_on_event AFTER INSERT ON lf_events BEGIN
    INSERT INTO lf_item_status (item_id, status, since, event_id) VALUES (new.item_id, new.status, new.at, new.id)
    ON CONFLICT (item_id) DO UPDATE SET status = excluded.status, since = excluded.since, event_id = excluded.event_id
    WHERE excluded.event_id > lf_item_status.event_id;
END;

-- The visits retention has still to anonymise: the daily job (and a catch-up after an upgrade) walks
-- this index in batches instead of scanning every visit ever made.
CREATE INDEX visits_to_anonymise ON visits(signed_in_at, id) WHERE anonymised_at IS NULL;

-- Lost items by when they came in, newest first, per status view (paging).
CREATE INDEX lf_events_at_status ON lf_events(status, at);

-- Complaints not closed: the duty prompt reads them every 30 s on the UI thread.
CREATE TABLE complaints_open (
    complaint_id INTEGER PRIMARY KEY REFERENCES complaints(id)
) STRICT;
INSERT INTO complaints_open (complaint_id)
SELECT c.id FROM complaints c
WHERE NOT EXISTS (SELECT 1 FROM complaint_events e WHERE e.complaint_id = c.id AND e.kind = 'closed');
CREATE TRIGGER complaints_open_on_taken AFTER INSERT ON complaints BEGIN
    INSERT INTO complaints_open (complaint_id) VALUES (new.id);
END;
CREATE TRIGGER complaints_open_on_closed AFTER INSERT ON complaint_events WHEN new.kind = 'closed' BEGIN
    DELETE FROM complaints_open WHERE complaint_id = new.complaint_id;
END;

-- The day's voided fees (the summary and the end-of-day figures read them by time).
CREATE INDEX fee_voids_at ON fee_voids(at);
