-- Lost and found: the register of items handed in, their custody chain, claims, handovers, disposals.
CREATE TABLE lf_items (
    id INTEGER PRIMARY KEY,
    ref TEXT NOT NULL UNIQUE,                 -- LF-2026-0042: a gapless series per year
    category TEXT NOT NULL,
    description TEXT NOT NULL,
    features TEXT NOT NULL DEFAULT '',
    colour TEXT NOT NULL DEFAULT '',
    brand TEXT NOT NULL DEFAULT '',
    quantity INTEGER NOT NULL CHECK (quantity BETWEEN 1 AND 999),
    value_fen INTEGER NOT NULL DEFAULT 0 CHECK (value_fen >= 0),
    high_value INTEGER NOT NULL DEFAULT 0,
    found_at TEXT NOT NULL,                   -- UTC
    found_place TEXT NOT NULL,
    handed_in_kind TEXT NOT NULL CHECK (handed_in_kind IN ('customer', 'staff')),
    handed_in_name TEXT NOT NULL,
    handed_in_contact TEXT NOT NULL DEFAULT '',
    received_by_id INTEGER REFERENCES users(id),
    received_by TEXT NOT NULL,
    storage TEXT NOT NULL,
    created_at TEXT NOT NULL
) STRICT;
CREATE INDEX lf_items_created ON lf_items(created_at);

-- Every status change is a new row: held, claimed, handed_over, disposed.
CREATE TABLE lf_events (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES lf_items(id),
    at TEXT NOT NULL,
    status TEXT NOT NULL CHECK (status IN ('held', 'claimed', 'handed_over', 'disposed')),
    actor_id INTEGER REFERENCES users(id),
    actor TEXT NOT NULL,
    detail TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX lf_events_item ON lf_events(item_id, id);

CREATE TABLE lf_reports (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    category TEXT NOT NULL,
    description TEXT NOT NULL,
    features TEXT NOT NULL DEFAULT '',
    colour TEXT NOT NULL DEFAULT '',
    brand TEXT NOT NULL DEFAULT '',
    lost_on TEXT NOT NULL,                    -- local date YYYY-MM-DD
    lost_place TEXT NOT NULL DEFAULT '',
    owner_name TEXT NOT NULL,
    contact TEXT NOT NULL,
    actor TEXT NOT NULL
) STRICT;

CREATE TABLE lf_claims (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES lf_items(id),
    at TEXT NOT NULL,
    claimant_name TEXT NOT NULL,
    contact TEXT NOT NULL,
    id_type TEXT NOT NULL,
    id_number TEXT NOT NULL,                  -- masked (first 6 + last 4) unless the site opts in
    described_features TEXT NOT NULL,
    described_quantity INTEGER NOT NULL,
    register_features TEXT NOT NULL,          -- what the register said, kept next to the description
    register_quantity INTEGER NOT NULL,
    identity_checked INTEGER NOT NULL CHECK (identity_checked = 1),
    signature_png BLOB NOT NULL,
    signature_sha256 TEXT NOT NULL,
    actor_id INTEGER REFERENCES users(id),
    actor TEXT NOT NULL,
    receipt_no TEXT NOT NULL
) STRICT;

CREATE TABLE lf_handovers (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    handed_by_id INTEGER REFERENCES users(id),
    handed_by TEXT NOT NULL,
    received_by TEXT NOT NULL,                -- the admin department's person
    note TEXT NOT NULL DEFAULT '',
    receipt_no TEXT NOT NULL
) STRICT;
CREATE TABLE lf_handover_items (
    handover_id INTEGER NOT NULL REFERENCES lf_handovers(id),
    item_id INTEGER NOT NULL REFERENCES lf_items(id),
    PRIMARY KEY (handover_id, item_id)
) STRICT;

CREATE TABLE lf_disposals (
    id INTEGER PRIMARY KEY,
    item_id INTEGER NOT NULL REFERENCES lf_items(id),
    at TEXT NOT NULL,
    method TEXT NOT NULL CHECK (method IN ('returned_to_finder', 'donated', 'destroyed')),
    authorised_by TEXT NOT NULL,
    actor_id INTEGER REFERENCES users(id),
    actor TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT ''
) STRICT;

CREATE TRIGGER lf_items_no_update BEFORE UPDATE ON lf_items BEGIN SELECT RAISE(ABORT, 'the register is append-only'); END;
CREATE TRIGGER lf_items_no_delete BEFORE DELETE ON lf_items BEGIN SELECT RAISE(ABORT, 'the register is append-only'); END;
CREATE TRIGGER lf_events_no_update BEFORE UPDATE ON lf_events BEGIN SELECT RAISE(ABORT, 'custody history is append-only'); END;
CREATE TRIGGER lf_events_no_delete BEFORE DELETE ON lf_events BEGIN SELECT RAISE(ABORT, 'custody history is append-only'); END;
CREATE TRIGGER lf_claims_no_update BEFORE UPDATE ON lf_claims BEGIN SELECT RAISE(ABORT, 'claims are append-only'); END;
CREATE TRIGGER lf_claims_no_delete BEFORE DELETE ON lf_claims BEGIN SELECT RAISE(ABORT, 'claims are append-only'); END;
CREATE TRIGGER lf_handovers_no_delete BEFORE DELETE ON lf_handovers BEGIN SELECT RAISE(ABORT, 'handovers are append-only'); END;
CREATE TRIGGER lf_disposals_no_delete BEFORE DELETE ON lf_disposals BEGIN SELECT RAISE(ABORT, 'disposals are append-only'); END;
