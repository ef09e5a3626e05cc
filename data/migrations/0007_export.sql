-- Reports and exports: indexes the daily logs and the summary need over a month of calls
-- (notes and callbacks are looked up per call; without these a 31-day export scans them per row).
CREATE INDEX IF NOT EXISTS call_notes_call ON call_notes(call_id);
CREATE INDEX IF NOT EXISTS callbacks_done_note ON callbacks_done(note_id);
