-- Issue 11: a print job lifecycle with an end, found without rescanning history.
-- print_jobs stays the record of what was to be printed; print_job_events stays the append-only
-- history of outcomes, now with the lifecycle's states; print_queue is the one row of current
-- state per job (a state table, updated in place), with a partial index over the live jobs only,
-- so the worker's poll costs the same with a million printed jobs as with none.

CREATE TABLE print_job_events__new (
    id INTEGER PRIMARY KEY,
    job_id INTEGER NOT NULL REFERENCES print_jobs(id),
    at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('queued', 'sending', 'printed', 'unconfirmed', 'failed', 'held',
                                           'cancelled', 'retry')),
    detail TEXT NOT NULL DEFAULT '',
    uid TEXT NOT NULL UNIQUE DEFAULT (kiosk_uuid7()) CHECK (length(uid) = 36),
    site_id TEXT NOT NULL DEFAULT (kiosk_site()),
    terminal_id TEXT NOT NULL DEFAULT (kiosk_terminal())
) STRICT;
INSERT INTO print_job_events__new (id, job_id, at, status, detail, uid, site_id, terminal_id)
SELECT id, job_id, at, status, detail, uid, site_id, terminal_id FROM print_job_events;
DROP TABLE print_job_events;
ALTER TABLE print_job_events__new RENAME TO print_job_events;
CREATE INDEX print_job_events_job ON print_job_events(job_id, id);
CREATE TRIGGER print_job_events_no_update BEFORE UPDATE ON print_job_events BEGIN SELECT RAISE(ABORT, 'print_job_events is append-only'); END;
CREATE TRIGGER print_job_events_no_delete BEFORE DELETE ON print_job_events BEGIN SELECT RAISE(ABORT, 'print_job_events is append-only'); END;

CREATE TABLE print_queue (
    job_id INTEGER PRIMARY KEY REFERENCES print_jobs(id),
    status TEXT NOT NULL DEFAULT 'queued'
        CHECK (status IN ('queued', 'sending', 'printed', 'unconfirmed', 'held', 'cancelled')),
    attempts INTEGER NOT NULL DEFAULT 0 CHECK (attempts >= 0),
    detail TEXT NOT NULL DEFAULT '',
    updated_at TEXT NOT NULL
) STRICT;
-- Only live jobs are in this index: finding the next one never touches history.
CREATE INDEX print_queue_live ON print_queue(job_id) WHERE status IN ('queued', 'sending');
CREATE INDEX print_queue_attention ON print_queue(job_id) WHERE status IN ('held', 'unconfirmed');

-- Existing jobs: the latest event says where each stands ('failed' was a retry; it waits again).
INSERT INTO print_queue (job_id, status, attempts, detail, updated_at)
SELECT j.id,
       CASE e.status WHEN 'printed' THEN 'printed' WHEN 'cancelled' THEN 'cancelled' ELSE 'queued' END,
       (SELECT COUNT(*) FROM print_job_events f WHERE f.job_id = j.id AND f.status = 'failed'),
       e.detail, e.at
FROM print_jobs j
JOIN print_job_events e ON e.id = (SELECT MAX(id) FROM print_job_events WHERE job_id = j.id);
