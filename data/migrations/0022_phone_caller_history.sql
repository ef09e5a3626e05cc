-- 0022: the caller-history lookup (kiosk.phone.calllog.caller_history, run before a known caller's
-- name reaches the prompt) searches call_events by number; without this index it scanned the whole
-- call history on every ringing call. Partial: most call events carry no number.
CREATE INDEX call_events_number ON call_events(number, call_id) WHERE number IS NOT NULL;
