-- Issue 12 (w5): the open complaints' deadlines as an index, so that the open list, today's duties and the
-- quiet prompt cost what they show, never every complaint left open.
-- complaint_duties: what each open complaint waits on now (start, resolve, decide, callback, close...) and by
-- when; recomputed by kiosk.complaints.dueindex in the same transaction as every event of the complaint
-- (the events stay the record: this is state, rebuilt from them when it is missing).
-- complaints_open.next_due: its soonest duty (NULL: not yet computed, filled on the next read);
-- complaints_open.month_watch: when it was taken, while the "unresolved for a month" rule still watches it.
CREATE TABLE complaint_duties (
    complaint_id INTEGER NOT NULL REFERENCES complaints(id),
    kind TEXT NOT NULL,
    due TEXT NOT NULL,
    only_soon INTEGER NOT NULL DEFAULT 0 CHECK (only_soon IN (0, 1)),
    major INTEGER NOT NULL DEFAULT 0 CHECK (major IN (0, 1)),
    PRIMARY KEY (complaint_id, kind)
) STRICT;
CREATE INDEX complaint_duties_due ON complaint_duties(due, kind, complaint_id);
ALTER TABLE complaints_open ADD COLUMN next_due TEXT;
ALTER TABLE complaints_open ADD COLUMN month_watch TEXT;
CREATE INDEX complaints_open_next_due ON complaints_open(next_due, complaint_id);
CREATE INDEX complaints_open_month_watch ON complaints_open(month_watch);
CREATE TRIGGER complaint_duties_on_closed AFTER INSERT ON complaint_events WHEN new.kind = 'closed' BEGIN
    DELETE FROM complaint_duties WHERE complaint_id = new.complaint_id;
END;
