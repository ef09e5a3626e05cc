-- Issue 12 (finish): the free text of a complaint ("what") names people as often as not ("王先生说
-- 1201 的李女士..."), so the anonymisation that blanks the customer's name and contact blanks it too.
-- Category, responsibility, place, topic, deadlines and every event stay: the monthly counts and
-- on-time rates still add up. Complaints already anonymised lose their text now, once, here.
DROP TRIGGER complaints_no_update;
UPDATE complaints SET what = '' WHERE anonymised_at IS NOT NULL;
CREATE TRIGGER complaints_no_update BEFORE UPDATE ON complaints WHEN NOT (new.customer_name = '' AND new.customer_contact = '' AND new.what = '' AND old.anonymised_at IS NULL AND new.anonymised_at IS NOT NULL AND new.id IS old.id AND new.ref IS old.ref AND new.taken_at IS old.taken_at AND new.channel IS old.channel AND new.call_note_id IS old.call_note_id AND new.kind IS old.kind AND new.category IS old.category AND new.responsibility IS old.responsibility AND new.place IS old.place AND new.topic IS old.topic AND new.major IS old.major AND new.major_reason IS old.major_reason AND new.start_due IS old.start_due AND new.resolve_due IS old.resolve_due AND new.calendar_source IS old.calendar_source AND new.actor_id IS old.actor_id AND new.actor IS old.actor AND new.uid IS old.uid AND new.site_id IS old.site_id AND new.terminal_id IS old.terminal_id)
BEGIN SELECT RAISE(ABORT, 'complaints is append-only (only anonymisation may change a row)'); END;
