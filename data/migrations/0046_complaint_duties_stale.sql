-- 0046 (issue 12): the due index (0040) follows complaint_events whoever writes them.
-- The service rewrites a complaint's duties in the transaction of each event it writes; an event written any
-- other way (another process, a CLI or a script on the file, rows brought back from another terminal) left
-- its duties as they were. Every new event now marks its complaint's index row as not computed (next_due
-- NULL, as after 0040 or a repair); the next read (kiosk.complaints.service.ensure_index, one indexed probe)
-- recomputes it from the events. The service's own sync runs after its events in the same transaction and
-- sets next_due again, so a desk that writes through the service never sees the mark. A 'closed' event
-- deletes the row (0018), and its duties (0040), as before.
CREATE TRIGGER complaint_duties_stale_on_event AFTER INSERT ON complaint_events BEGIN
    UPDATE complaints_open SET next_due = NULL WHERE complaint_id = new.complaint_id;
END;
