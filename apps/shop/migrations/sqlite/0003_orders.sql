-- The last order number given out on each day (UTC), so that numbers stay
-- unique and gap-free across instances: taken inside the order's transaction.
CREATE TABLE order_days (
    day TEXT PRIMARY KEY,
    last_number INTEGER NOT NULL
);

CREATE TABLE orders (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_number TEXT NOT NULL UNIQUE,
    buyer_id INTEGER NOT NULL REFERENCES users (id),
    status TEXT NOT NULL,
    currency TEXT NOT NULL,
    -- Integer minor units of `currency`.
    total_minor INTEGER NOT NULL CHECK (total_minor >= 0),
    -- The shipping address object, as JSON text.
    shipping_address TEXT NOT NULL,
    -- The buyer's language when ordering (`ko`, `en`), for the mails about it.
    language TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    paid_at TEXT,
    cancelled_at TEXT
);
CREATE INDEX orders_of_buyer ON orders (buyer_id, id);

CREATE TABLE order_items (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    order_id INTEGER NOT NULL REFERENCES orders (id),
    product_id INTEGER NOT NULL REFERENCES products (id),
    seller_id INTEGER NOT NULL REFERENCES users (id),
    -- The product as it was bought.
    product_name TEXT NOT NULL,
    unit_price_minor INTEGER NOT NULL CHECK (unit_price_minor >= 0),
    quantity INTEGER NOT NULL CHECK (quantity > 0)
);
CREATE INDEX order_items_of_order ON order_items (order_id, id);
CREATE INDEX order_items_of_seller ON order_items (seller_id, order_id);
