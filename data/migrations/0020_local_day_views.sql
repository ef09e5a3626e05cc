-- Local-day views for sqlite-utils and Datasette users (issue 19). Times are stored in UTC; "which day"
-- is the site's local day. SQLite has no time-zone database, so local_offsets holds the site zone's UTC
-- offset as intervals of UTC time [utc_from, utc_to), rewritten by the app from Python's zoneinfo
-- whenever the configured zone changes (kiosk.core.localday.sync, called when the box opens its
-- database). It starts with China's one offset (+08:00, unchanged since 1991), the shipped default zone,
-- so the views work at once. Strings compare in time order: every bound is written as utc_iso writes.
CREATE TABLE local_offsets (
    utc_from TEXT NOT NULL PRIMARY KEY,
    utc_to TEXT NOT NULL,
    offset_minutes INTEGER NOT NULL CHECK (offset_minutes BETWEEN -1440 AND 1440),
    tz TEXT NOT NULL,
    CHECK (utc_from < utc_to)
) STRICT;
INSERT INTO local_offsets (utc_from, utc_to, offset_minutes, tz)
VALUES ('0000-01-01T00:00:00.000000+00:00', '9999-12-31T23:59:59.999999+00:00', 480, 'Asia/Shanghai');

-- One row per visit: arrival in local time and local day, sign-out if any. No names, phones or
-- document numbers: those stay in visits, under the privacy rules.
CREATE VIEW visits_local AS
SELECT v.id, v.signed_in_at,
       datetime(v.signed_in_at, o.offset_minutes || ' minutes') AS signed_in_local,
       date(v.signed_in_at, o.offset_minutes || ' minutes') AS local_day,
       (SELECT datetime(MIN(s.at), o.offset_minutes || ' minutes') FROM visit_signouts s WHERE s.visit_id = v.id)
        AS signed_out_local,
       v.purpose, v.party_size, v.registered_by, v.host_name
FROM visits v LEFT JOIN local_offsets o ON v.signed_in_at >= o.utc_from AND v.signed_in_at < o.utc_to;

CREATE VIEW visits_by_local_day AS
SELECT local_day, COUNT(*) AS visits, SUM(party_size) AS people,
       SUM(registered_by = 'self') AS self_sign_ins, SUM(registered_by = 'staff') AS staff_sign_ins
FROM visits_local GROUP BY local_day;

-- One row per call: start in local time and day, its outcome (the newest ended or confirmed event).
CREATE VIEW calls_local AS
SELECT c.id, c.started_at,
       datetime(c.started_at, o.offset_minutes || ' minutes') AS started_local,
       date(c.started_at, o.offset_minutes || ' minutes') AS local_day,
       c.detector,
       (SELECT COALESCE(MAX(e.rings), 0) FROM call_events e WHERE e.call_id = c.id) AS rings,
       (SELECT e.outcome FROM call_events e WHERE e.call_id = c.id AND e.kind IN ('ended', 'confirmed')
        ORDER BY e.id DESC LIMIT 1) AS outcome
FROM calls c LEFT JOIN local_offsets o ON c.started_at >= o.utc_from AND c.started_at < o.utc_to;

CREATE VIEW calls_by_local_day AS
SELECT local_day, COUNT(*) AS calls, SUM(outcome = 'answered') AS answered, SUM(outcome = 'missed') AS missed,
       SUM(outcome IS NULL OR outcome = 'unknown') AS not_known
FROM calls_local GROUP BY local_day;

-- One row per sale with its payment method; money in fen (integers), as everywhere in the database.
CREATE VIEW sales_local AS
SELECT s.id, s.at, datetime(s.at, o.offset_minutes || ' minutes') AS at_local,
       date(s.at, o.offset_minutes || ' minutes') AS local_day, s.receipt_no, s.total_fen,
       (SELECT p.method FROM payments p WHERE p.sale_id = s.id ORDER BY p.id LIMIT 1) AS method
FROM sales s LEFT JOIN local_offsets o ON s.at >= o.utc_from AND s.at < o.utc_to;

CREATE VIEW sales_by_local_day AS
SELECT local_day, COUNT(*) AS sales, SUM(total_fen) AS total_fen,
       SUM(CASE WHEN method = 'cash' THEN total_fen ELSE 0 END) AS cash_fen,
       SUM(CASE WHEN method = 'card' THEN total_fen ELSE 0 END) AS card_fen,
       SUM(CASE WHEN method = 'mobile' THEN total_fen ELSE 0 END) AS mobile_fen
FROM sales_local GROUP BY local_day;
