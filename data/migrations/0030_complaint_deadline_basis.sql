-- Issue 12 (w4): how each deadline's days were judged, kept with the deadline it explains.
-- 'package': China's statutory holidays from the package for every year the deadline spans; 'manual': a
-- year the package lacks but the manager's holiday list covers; 'estimated': weekends only (no data for a
-- year it spans); 'calendar': the desk counts calendar days. complaints.calendar_source keeps its two
-- values ('fallback' when the basis is 'manual' or 'estimated'); older rows have NULL here and read from it.
ALTER TABLE complaints ADD COLUMN deadline_basis TEXT CHECK (deadline_basis IS NULL OR deadline_basis IN ('package', 'manual', 'estimated', 'calendar'));
ALTER TABLE complaint_events ADD COLUMN deadline_basis TEXT CHECK (deadline_basis IS NULL OR deadline_basis IN ('package', 'manual', 'estimated', 'calendar'));
DROP TRIGGER complaints_no_update;
CREATE TRIGGER complaints_no_update BEFORE UPDATE ON complaints WHEN NOT (new.customer_name = '' AND new.customer_contact = '' AND new.what = '' AND old.anonymised_at IS NULL AND new.anonymised_at IS NOT NULL AND new.id IS old.id AND new.ref IS old.ref AND new.taken_at IS old.taken_at AND new.channel IS old.channel AND new.call_note_id IS old.call_note_id AND new.kind IS old.kind AND new.category IS old.category AND new.responsibility IS old.responsibility AND new.place IS old.place AND new.topic IS old.topic AND new.major IS old.major AND new.major_reason IS old.major_reason AND new.start_due IS old.start_due AND new.resolve_due IS old.resolve_due AND new.calendar_source IS old.calendar_source AND new.deadline_basis IS old.deadline_basis AND new.actor_id IS old.actor_id AND new.actor IS old.actor AND new.uid IS old.uid AND new.site_id IS old.site_id AND new.terminal_id IS old.terminal_id)
BEGIN SELECT RAISE(ABORT, 'complaints is append-only (only anonymisation may change a row)'); END;
