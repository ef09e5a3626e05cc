-- Issue 12/13 fix: a complaint's follow-up notes ("已电话联系王小明(13800138000)") and its printed slip
-- name the customer as often as the complaint does, so they are blanked with it: by the complaint's own
-- retention job and by an erasure request (kiosk.core.erasure, inside privacy_erasing). The events keep
-- their kind, outcome and times (the monthly counts and on-time rates still add up).
DROP TRIGGER complaint_events_no_update;
CREATE TRIGGER complaint_events_no_update BEFORE UPDATE ON complaint_events WHEN NOT EXISTS (SELECT 1 FROM privacy_erasing) BEGIN SELECT RAISE(ABORT, 'complaint_events is append-only'); END;
-- Complaints already anonymised lose their trail now, once, here.
INSERT INTO privacy_erasing (request) VALUES ('migration 0028');
UPDATE complaint_events SET note = '' WHERE note != '' AND complaint_id IN (SELECT id FROM complaints WHERE anonymised_at IS NOT NULL);
UPDATE print_jobs SET document = '' WHERE document != '' AND record_table = 'complaints' AND record_id IN (SELECT id FROM complaints WHERE anonymised_at IS NOT NULL);
DELETE FROM privacy_erasing;
