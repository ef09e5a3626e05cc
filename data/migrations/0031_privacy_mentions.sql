-- Issue 16, fourth pass: free text that mentions a person where the inventory had said "not personal"
-- (a found ID card's description and features, a loss report's description, an amendment's reason and
-- before/after, a complaint's place and topic: "哨兵欧阳娜娜的办公室"). The inventory now declares them
-- MENTION columns: an erasure cuts the person's words out of them (never the whole text: the item is still
-- described, the complaint still counted). Two guards must let that erasure through:
-- lf_amendments (append-only) and complaints (only anonymisation could change a row) now also pass an
-- update made inside an erasure's own transaction (a row in privacy_erasing; kiosk.core.erasure).
DROP TRIGGER lf_amendments_no_update;
CREATE TRIGGER lf_amendments_no_update BEFORE UPDATE ON lf_amendments WHEN NOT EXISTS (SELECT 1 FROM privacy_erasing) BEGIN SELECT RAISE(ABORT, 'lf_amendments is append-only'); END;
DROP TRIGGER complaints_no_update;
CREATE TRIGGER complaints_no_update BEFORE UPDATE ON complaints WHEN NOT (new.customer_name = '' AND new.customer_contact = '' AND new.what = '' AND old.anonymised_at IS NULL AND new.anonymised_at IS NOT NULL AND new.id IS old.id AND new.ref IS old.ref AND new.taken_at IS old.taken_at AND new.channel IS old.channel AND new.call_note_id IS old.call_note_id AND new.kind IS old.kind AND new.category IS old.category AND new.responsibility IS old.responsibility AND new.place IS old.place AND new.topic IS old.topic AND new.major IS old.major AND new.major_reason IS old.major_reason AND new.start_due IS old.start_due AND new.resolve_due IS old.resolve_due AND new.calendar_source IS old.calendar_source AND new.deadline_basis IS old.deadline_basis AND new.actor_id IS old.actor_id AND new.actor IS old.actor AND new.uid IS old.uid AND new.site_id IS old.site_id AND new.terminal_id IS old.terminal_id) AND NOT EXISTS (SELECT 1 FROM privacy_erasing)
BEGIN SELECT RAISE(ABORT, 'complaints is append-only (only anonymisation may change a row)'); END;
