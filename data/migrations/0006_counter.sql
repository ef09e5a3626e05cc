-- The goods counter and the fee counter. Money is INTEGER fen; stock is the sum of its movements.
CREATE TABLE products (
    id INTEGER PRIMARY KEY,
    sku TEXT NOT NULL UNIQUE,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    price_fen INTEGER NOT NULL CHECK (price_fen >= 0),
    barcode TEXT UNIQUE,
    category TEXT NOT NULL,
    reorder_level INTEGER NOT NULL DEFAULT 0 CHECK (reorder_level >= 0),
    active INTEGER NOT NULL DEFAULT 1,
    created_at TEXT NOT NULL
) STRICT;

CREATE TABLE stock_movements (
    id INTEGER PRIMARY KEY,
    product_id INTEGER NOT NULL REFERENCES products(id),
    at TEXT NOT NULL,
    quantity INTEGER NOT NULL,                -- + into stock, - out of it
    kind TEXT NOT NULL CHECK (kind IN ('receipt', 'sale', 'void', 'refund', 'adjustment', 'opening', 'stocktake')),
    ref_table TEXT,
    ref_id INTEGER,
    reason TEXT NOT NULL DEFAULT '',
    actor TEXT NOT NULL
) STRICT;
CREATE INDEX stock_movements_product ON stock_movements(product_id);
CREATE INDEX stock_movements_at ON stock_movements(at);

CREATE TABLE sales (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    receipt_no TEXT NOT NULL UNIQUE,
    total_fen INTEGER NOT NULL CHECK (total_fen >= 0),
    actor_id INTEGER REFERENCES users(id),
    actor TEXT NOT NULL
) STRICT;
CREATE INDEX sales_at ON sales(at);

CREATE TABLE sale_lines (
    id INTEGER PRIMARY KEY,
    sale_id INTEGER NOT NULL REFERENCES sales(id),
    product_id INTEGER NOT NULL REFERENCES products(id),
    name TEXT NOT NULL,                       -- as printed, in the sale's language
    unit_fen INTEGER NOT NULL,
    quantity INTEGER NOT NULL CHECK (quantity > 0),
    total_fen INTEGER NOT NULL
) STRICT;
CREATE INDEX sale_lines_sale ON sale_lines(sale_id);

CREATE TABLE payments (
    id INTEGER PRIMARY KEY,
    sale_id INTEGER NOT NULL REFERENCES sales(id),
    method TEXT NOT NULL CHECK (method IN ('cash', 'card', 'mobile')),
    amount_fen INTEGER NOT NULL,
    tendered_fen INTEGER,                     -- cash only
    change_fen INTEGER,
    reference TEXT NOT NULL DEFAULT ''        -- card terminal / mobile transaction reference
) STRICT;

-- A void (same day, whole sale) or refund (some or all lines); approved with a manager's PIN.
-- What each reversal takes back is in reversal_lines (migration 0008).
CREATE TABLE sale_reversals (
    id INTEGER PRIMARY KEY,
    sale_id INTEGER NOT NULL REFERENCES sales(id),   -- a sale may have several partial refunds
    kind TEXT NOT NULL CHECK (kind IN ('void', 'refund')),
    at TEXT NOT NULL,
    amount_fen INTEGER NOT NULL,
    method TEXT NOT NULL,
    reason TEXT NOT NULL,
    approved_by_id INTEGER REFERENCES users(id),
    approved_by TEXT NOT NULL,
    actor TEXT NOT NULL,
    receipt_no TEXT NOT NULL UNIQUE
) STRICT;
CREATE INDEX sale_reversals_sale ON sale_reversals(sale_id);
CREATE INDEX sale_reversals_at ON sale_reversals(at);

CREATE TABLE fee_types (
    id INTEGER PRIMARY KEY,
    code TEXT NOT NULL UNIQUE,
    name_zh TEXT NOT NULL,
    name_en TEXT NOT NULL,
    default_fen INTEGER NOT NULL CHECK (default_fen >= 0),
    amount_editable INTEGER NOT NULL DEFAULT 1,
    member_required INTEGER NOT NULL DEFAULT 0,
    active INTEGER NOT NULL DEFAULT 1
) STRICT;

CREATE TABLE fee_collections (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    receipt_no TEXT NOT NULL UNIQUE,
    fee_type_id INTEGER NOT NULL REFERENCES fee_types(id),
    payer TEXT NOT NULL,
    member_no TEXT NOT NULL DEFAULT '',
    amount_fen INTEGER NOT NULL CHECK (amount_fen > 0),
    period TEXT NOT NULL DEFAULT '',
    method TEXT NOT NULL CHECK (method IN ('cash', 'card', 'mobile')),
    tendered_fen INTEGER,
    change_fen INTEGER,
    reference TEXT NOT NULL DEFAULT '',
    actor_id INTEGER REFERENCES users(id),
    actor TEXT NOT NULL
) STRICT;
CREATE INDEX fee_collections_at ON fee_collections(at);

CREATE TABLE fee_voids (
    id INTEGER PRIMARY KEY,
    collection_id INTEGER NOT NULL UNIQUE REFERENCES fee_collections(id),
    at TEXT NOT NULL,
    reason TEXT NOT NULL,
    approved_by_id INTEGER REFERENCES users(id),
    approved_by TEXT NOT NULL,
    actor TEXT NOT NULL,
    receipt_no TEXT NOT NULL UNIQUE
) STRICT;

CREATE TRIGGER stock_movements_ro_u BEFORE UPDATE ON stock_movements BEGIN SELECT RAISE(ABORT, 'stock changes only by new movements'); END;
CREATE TRIGGER stock_movements_ro_d BEFORE DELETE ON stock_movements BEGIN SELECT RAISE(ABORT, 'stock changes only by new movements'); END;
CREATE TRIGGER sales_ro_u BEFORE UPDATE ON sales BEGIN SELECT RAISE(ABORT, 'sales are append-only'); END;
CREATE TRIGGER sales_ro_d BEFORE DELETE ON sales BEGIN SELECT RAISE(ABORT, 'sales are append-only'); END;
CREATE TRIGGER sale_lines_ro_u BEFORE UPDATE ON sale_lines BEGIN SELECT RAISE(ABORT, 'sales are append-only'); END;
CREATE TRIGGER sale_lines_ro_d BEFORE DELETE ON sale_lines BEGIN SELECT RAISE(ABORT, 'sales are append-only'); END;
CREATE TRIGGER payments_ro_u BEFORE UPDATE ON payments BEGIN SELECT RAISE(ABORT, 'payments are append-only'); END;
CREATE TRIGGER payments_ro_d BEFORE DELETE ON payments BEGIN SELECT RAISE(ABORT, 'payments are append-only'); END;
CREATE TRIGGER reversals_ro_u BEFORE UPDATE ON sale_reversals BEGIN SELECT RAISE(ABORT, 'reversals are append-only'); END;
CREATE TRIGGER reversals_ro_d BEFORE DELETE ON sale_reversals BEGIN SELECT RAISE(ABORT, 'reversals are append-only'); END;
CREATE TRIGGER fee_collections_ro_u BEFORE UPDATE ON fee_collections BEGIN SELECT RAISE(ABORT, 'fees are append-only'); END;
CREATE TRIGGER fee_collections_ro_d BEFORE DELETE ON fee_collections BEGIN SELECT RAISE(ABORT, 'fees are append-only'); END;
CREATE TRIGGER fee_voids_ro_u BEFORE UPDATE ON fee_voids BEGIN SELECT RAISE(ABORT, 'fee voids are append-only'); END;
CREATE TRIGGER fee_voids_ro_d BEFORE DELETE ON fee_voids BEGIN SELECT RAISE(ABORT, 'fee voids are append-only'); END;
