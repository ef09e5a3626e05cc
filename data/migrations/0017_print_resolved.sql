-- Issue 11 fixes: an unconfirmed original is resolved once a marked copy of it has printed; it
-- then no longer needs attention. print_queue is a state table, so the resolution is a column on
-- it, and the attention index covers only unresolved jobs: counting them never walks history.
ALTER TABLE print_queue ADD COLUMN resolved_by INTEGER REFERENCES print_jobs(id);
UPDATE print_queue SET resolved_by = (
    SELECT MIN(c.id) FROM print_jobs c JOIN print_queue cq ON cq.job_id = c.id
    WHERE c.reprint_of = print_queue.job_id AND cq.status = 'printed')
WHERE status = 'unconfirmed';
DROP INDEX print_queue_attention;
CREATE INDEX print_queue_attention ON print_queue(job_id)
    WHERE status IN ('held', 'unconfirmed') AND resolved_by IS NULL;
