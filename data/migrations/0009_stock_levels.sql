-- Stock on hand as a running balance, kept by a trigger on stock_movements.
-- The movements stay the record (append-only, each with a reason); this table only saves summing
-- a year of them on every sale. `kiosk db check` compares the two.
CREATE TABLE stock_levels (
    product_id INTEGER PRIMARY KEY REFERENCES products(id),
    quantity INTEGER NOT NULL
) STRICT;

INSERT INTO stock_levels (product_id, quantity)
SELECT p.id, COALESCE((SELECT SUM(m.quantity) FROM stock_movements m WHERE m.product_id = p.id), 0) FROM products p;

CREATE TRIGGER stock_levels_follow_movements AFTER INSERT ON stock_movements BEGIN
    INSERT INTO stock_levels (product_id, quantity) VALUES (new.product_id, new.quantity)
    ON CONFLICT(product_id) DO UPDATE SET quantity = quantity + excluded.quantity;
END;

CREATE TRIGGER stock_levels_no_delete BEFORE DELETE ON stock_levels BEGIN
    SELECT RAISE(ABORT, 'stock changes only by new movements');
END;

-- Each sale's payment is read back for its receipt and the day's figures; without this index that
-- read scans every payment ever taken.
CREATE INDEX payments_sale ON payments(sale_id);
-- The same for a visitor's sign-in (expected today?) and the roll call (located?).
CREATE INDEX expected_visitors_day ON expected_visitors(expected_on, phone);
CREATE INDEX rollcall_marks_visit ON rollcall_marks(visit_id);
