-- Shifts and the day: opening float and count, cash handovers to finance, the close with its
-- counted cash and stored end-of-day report, stock counts (opening and month-end stocktake), and
-- the lines each void or refund took back.
CREATE TABLE shifts (
    id INTEGER PRIMARY KEY,
    terminal_id TEXT NOT NULL,
    opened_at TEXT NOT NULL,
    float_fen INTEGER NOT NULL CHECK (float_fen >= 0),
    opened_by_id INTEGER REFERENCES users(id),
    opened_by TEXT NOT NULL
) STRICT;

CREATE TABLE shift_closes (
    id INTEGER PRIMARY KEY,
    shift_id INTEGER NOT NULL UNIQUE REFERENCES shifts(id),
    at TEXT NOT NULL,
    expected_fen INTEGER NOT NULL,
    counted_fen INTEGER NOT NULL CHECK (counted_fen >= 0),
    variance_fen INTEGER NOT NULL,            -- counted − expected
    report_no TEXT NOT NULL UNIQUE,
    report TEXT NOT NULL,                     -- the end-of-day report as JSON, as printed
    closed_by_id INTEGER REFERENCES users(id),
    closed_by TEXT NOT NULL
) STRICT;

CREATE TABLE cash_handovers (
    id INTEGER PRIMARY KEY,
    shift_id INTEGER NOT NULL REFERENCES shifts(id),
    at TEXT NOT NULL,
    amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
    handed_by TEXT NOT NULL,
    received_by TEXT NOT NULL,
    note TEXT NOT NULL DEFAULT '',
    actor TEXT NOT NULL
) STRICT;
CREATE INDEX cash_handovers_at ON cash_handovers(at);

CREATE TABLE stock_counts (
    id INTEGER PRIMARY KEY,
    kind TEXT NOT NULL CHECK (kind IN ('opening', 'stocktake')),
    at TEXT NOT NULL,
    shift_id INTEGER REFERENCES shifts(id),
    report_no TEXT,                           -- stocktake summaries are numbered
    actor TEXT NOT NULL
) STRICT;

CREATE TABLE stock_count_lines (
    id INTEGER PRIMARY KEY,
    count_id INTEGER NOT NULL REFERENCES stock_counts(id),
    product_id INTEGER NOT NULL REFERENCES products(id),
    expected INTEGER NOT NULL,
    counted INTEGER NOT NULL CHECK (counted >= 0),
    adjusted INTEGER NOT NULL CHECK (adjusted IN (0, 1)),  -- the difference became a stock movement
    reason TEXT NOT NULL DEFAULT ''
) STRICT;
CREATE INDEX stock_count_lines_count ON stock_count_lines(count_id);

-- What a void or refund took back, line by line (a void takes everything).
CREATE TABLE reversal_lines (
    id INTEGER PRIMARY KEY,
    reversal_id INTEGER NOT NULL REFERENCES sale_reversals(id),
    sale_line_id INTEGER NOT NULL REFERENCES sale_lines(id),
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    total_fen INTEGER NOT NULL CHECK (total_fen >= 0)
) STRICT;
CREATE INDEX reversal_lines_reversal ON reversal_lines(reversal_id);
CREATE INDEX reversal_lines_sale_line ON reversal_lines(sale_line_id);

CREATE TRIGGER reversal_lines_ro_u BEFORE UPDATE ON reversal_lines BEGIN SELECT RAISE(ABORT, 'reversals are append-only'); END;
CREATE TRIGGER reversal_lines_ro_d BEFORE DELETE ON reversal_lines BEGIN SELECT RAISE(ABORT, 'reversals are append-only'); END;
CREATE TRIGGER shifts_ro_u BEFORE UPDATE ON shifts BEGIN SELECT RAISE(ABORT, 'shifts are append-only'); END;
CREATE TRIGGER shifts_ro_d BEFORE DELETE ON shifts BEGIN SELECT RAISE(ABORT, 'shifts are append-only'); END;
CREATE TRIGGER shift_closes_ro_u BEFORE UPDATE ON shift_closes BEGIN SELECT RAISE(ABORT, 'closes are append-only'); END;
CREATE TRIGGER shift_closes_ro_d BEFORE DELETE ON shift_closes BEGIN SELECT RAISE(ABORT, 'closes are append-only'); END;
CREATE TRIGGER cash_handovers_ro_u BEFORE UPDATE ON cash_handovers BEGIN SELECT RAISE(ABORT, 'handovers are append-only'); END;
CREATE TRIGGER cash_handovers_ro_d BEFORE DELETE ON cash_handovers BEGIN SELECT RAISE(ABORT, 'handovers are append-only'); END;
CREATE TRIGGER stock_counts_ro_u BEFORE UPDATE ON stock_counts BEGIN SELECT RAISE(ABORT, 'counts are append-only'); END;
CREATE TRIGGER stock_counts_ro_d BEFORE DELETE ON stock_counts BEGIN SELECT RAISE(ABORT, 'counts are append-only'); END;
CREATE TRIGGER stock_count_lines_ro_u BEFORE UPDATE ON stock_count_lines BEGIN SELECT RAISE(ABORT, 'counts are append-only'); END;
CREATE TRIGGER stock_count_lines_ro_d BEFORE DELETE ON stock_count_lines BEGIN SELECT RAISE(ABORT, 'counts are append-only'); END;
