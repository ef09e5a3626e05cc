-- Privacy (issue 16): the deny list also matches an identity document, stored masked like a visit's
-- (resident ID first 6 + last 4, others last 4) so a match compares masks and no full number is kept.
ALTER TABLE deny_list ADD COLUMN id_number TEXT NOT NULL DEFAULT '';

-- Erasure (PIPL art. 47): a person's data is blanked in record tables by kiosk.core.erasure, which puts
-- one row here inside its own transaction and removes it before COMMIT; the append-only UPDATE
-- triggers of the tables that hold personal data let an update through only while that row exists
-- (no other connection ever sees it). DELETE stays refused everywhere.
CREATE TABLE privacy_erasing (id INTEGER PRIMARY KEY, request TEXT NOT NULL) STRICT;

DROP TRIGGER expected_visitors_no_update;
CREATE TRIGGER expected_visitors_no_update BEFORE UPDATE ON expected_visitors WHEN NOT EXISTS (SELECT 1 FROM privacy_erasing) BEGIN SELECT RAISE(ABORT, 'expected_visitors is append-only'); END;
DROP TRIGGER print_jobs_no_update;
CREATE TRIGGER print_jobs_no_update BEFORE UPDATE ON print_jobs WHEN NOT EXISTS (SELECT 1 FROM privacy_erasing) BEGIN SELECT RAISE(ABORT, 'print_jobs is append-only'); END;
DROP TRIGGER audit_no_update;
CREATE TRIGGER audit_no_update BEFORE UPDATE ON audit WHEN NOT EXISTS (SELECT 1 FROM privacy_erasing) BEGIN SELECT RAISE(ABORT, 'audit is append-only'); END;
DROP TRIGGER call_events_no_update;
CREATE TRIGGER call_events_no_update BEFORE UPDATE ON call_events WHEN NOT EXISTS (SELECT 1 FROM privacy_erasing) BEGIN SELECT RAISE(ABORT, 'call_events is append-only'); END;
DROP TRIGGER call_notes_no_update;
CREATE TRIGGER call_notes_no_update BEFORE UPDATE ON call_notes WHEN NOT EXISTS (SELECT 1 FROM privacy_erasing) BEGIN SELECT RAISE(ABORT, 'call_notes is append-only'); END;
DROP TRIGGER callbacks_done_no_update;
CREATE TRIGGER callbacks_done_no_update BEFORE UPDATE ON callbacks_done WHEN NOT EXISTS (SELECT 1 FROM privacy_erasing) BEGIN SELECT RAISE(ABORT, 'callbacks_done is append-only'); END;
DROP TRIGGER lf_items_no_update;
CREATE TRIGGER lf_items_no_update BEFORE UPDATE ON lf_items WHEN NOT EXISTS (SELECT 1 FROM privacy_erasing) BEGIN SELECT RAISE(ABORT, 'lf_items is append-only'); END;
DROP TRIGGER lf_reports_no_update;
CREATE TRIGGER lf_reports_no_update BEFORE UPDATE ON lf_reports WHEN NOT EXISTS (SELECT 1 FROM privacy_erasing) BEGIN SELECT RAISE(ABORT, 'lf_reports is append-only'); END;
DROP TRIGGER lf_claims_no_update;
CREATE TRIGGER lf_claims_no_update BEFORE UPDATE ON lf_claims WHEN NOT EXISTS (SELECT 1 FROM privacy_erasing) BEGIN SELECT RAISE(ABORT, 'lf_claims is append-only'); END;
DROP TRIGGER lf_events_no_update;
CREATE TRIGGER lf_events_no_update BEFORE UPDATE ON lf_events WHEN NOT EXISTS (SELECT 1 FROM privacy_erasing) BEGIN SELECT RAISE(ABORT, 'lf_events is append-only'); END;
DROP TRIGGER fee_collections_no_update;
CREATE TRIGGER fee_collections_no_update BEFORE UPDATE ON fee_collections WHEN NOT EXISTS (SELECT 1 FROM privacy_erasing) BEGIN SELECT RAISE(ABORT, 'fee_collections is append-only'); END;
DROP TRIGGER payments_no_update;
CREATE TRIGGER payments_no_update BEFORE UPDATE ON payments WHEN NOT EXISTS (SELECT 1 FROM privacy_erasing) BEGIN SELECT RAISE(ABORT, 'payments is append-only'); END;
DROP TRIGGER visits_no_update;
CREATE TRIGGER visits_no_update BEFORE UPDATE ON visits WHEN NOT (new.name = '' AND new.phone = '' AND new.organisation = '' AND new.id_number = '' AND old.anonymised_at IS NULL AND new.anonymised_at IS NOT NULL AND new.id IS old.id AND new.signed_in_at IS old.signed_in_at AND new.host_id IS old.host_id AND new.host_name IS old.host_name AND new.purpose IS old.purpose AND new.party_size IS old.party_size AND new.registered_by IS old.registered_by AND new.actor_id IS old.actor_id AND new.actor IS old.actor AND new.id_type IS old.id_type AND new.privacy_accepted IS old.privacy_accepted AND new.signout_code IS old.signout_code AND new.expected_id IS old.expected_id AND new.uid IS old.uid AND new.site_id IS old.site_id AND new.terminal_id IS old.terminal_id) AND NOT EXISTS (SELECT 1 FROM privacy_erasing)
BEGIN SELECT RAISE(ABORT, 'visits is append-only (only anonymisation may change a row)'); END;
