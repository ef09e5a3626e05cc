-- 0016: times the phone line was not watched (detector unplugged, reconnecting or deaf for more
-- than the alarm threshold). A record table: the call log and the desk figures show each gap.
CREATE TABLE phone_line_gaps (
    id INTEGER PRIMARY KEY,
    started_at TEXT NOT NULL,
    ended_at TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('reconnecting', 'deaf', 'error', 'off')),
    detail TEXT NOT NULL DEFAULT '',
    detector TEXT NOT NULL,
    uid TEXT NOT NULL UNIQUE DEFAULT (kiosk_uuid7()) CHECK (length(uid) = 36),
    site_id TEXT NOT NULL DEFAULT (kiosk_site()),
    terminal_id TEXT NOT NULL DEFAULT (kiosk_terminal()),
    CHECK (ended_at >= started_at)
) STRICT;
CREATE INDEX phone_line_gaps_started ON phone_line_gaps(started_at);
CREATE TRIGGER phone_line_gaps_no_update BEFORE UPDATE ON phone_line_gaps BEGIN SELECT RAISE(ABORT, 'phone_line_gaps is append-only'); END;
CREATE TRIGGER phone_line_gaps_no_delete BEFORE DELETE ON phone_line_gaps BEGIN SELECT RAISE(ABORT, 'phone_line_gaps is append-only'); END;
