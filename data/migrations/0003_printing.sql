-- Printing: jobs are stored before they are sent; their status is a history of events.
CREATE TABLE print_jobs (
    id INTEGER PRIMARY KEY,
    created_at TEXT NOT NULL,
    kind TEXT NOT NULL,                  -- receipt kind, or 'drawer' for a no-sale drawer opening
    record_table TEXT,
    record_id TEXT,
    receipt_no TEXT,
    document TEXT,                       -- Receipt JSON (NULL for a bare drawer kick)
    kick_drawer INTEGER NOT NULL DEFAULT 0,
    reprint_of INTEGER REFERENCES print_jobs(id),
    actor TEXT NOT NULL
) STRICT;
CREATE INDEX print_jobs_record ON print_jobs(record_table, record_id);

CREATE TABLE print_job_events (
    id INTEGER PRIMARY KEY,
    job_id INTEGER NOT NULL REFERENCES print_jobs(id),
    at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'printed', 'failed', 'cancelled')),
    detail TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX print_job_events_job ON print_job_events(job_id, id);

-- Every opening of the cash drawer, "no sale" included.
CREATE TABLE drawer_kicks (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_id INTEGER REFERENCES users(id),
    actor TEXT NOT NULL,
    reason TEXT NOT NULL,                -- 'sale', 'fee', 'refund', 'no sale: <why>' ...
    record_table TEXT,
    record_id TEXT,
    job_id INTEGER REFERENCES print_jobs(id)
) STRICT;

CREATE TRIGGER print_jobs_no_delete BEFORE DELETE ON print_jobs
BEGIN SELECT RAISE(ABORT, 'print jobs are kept'); END;
CREATE TRIGGER print_jobs_no_update BEFORE UPDATE ON print_jobs
BEGIN SELECT RAISE(ABORT, 'print jobs are immutable; add a print_job_events row'); END;
CREATE TRIGGER print_job_events_no_change BEFORE UPDATE ON print_job_events
BEGIN SELECT RAISE(ABORT, 'print job events are append-only'); END;
CREATE TRIGGER print_job_events_no_delete BEFORE DELETE ON print_job_events
BEGIN SELECT RAISE(ABORT, 'print job events are append-only'); END;
CREATE TRIGGER drawer_kicks_no_change BEFORE UPDATE ON drawer_kicks
BEGIN SELECT RAISE(ABORT, 'drawer kicks are append-only'); END;
CREATE TRIGGER drawer_kicks_no_delete BEFORE DELETE ON drawer_kicks
BEGIN SELECT RAISE(ABORT, 'drawer kicks are append-only'); END;
