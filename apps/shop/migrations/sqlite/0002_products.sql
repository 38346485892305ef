CREATE TABLE products (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    seller_id INTEGER NOT NULL REFERENCES users (id),
    category_id INTEGER REFERENCES categories (id),
    name TEXT NOT NULL,
    name_en TEXT,
    description TEXT,
    -- Integer minor units of the currency (cents; whole won for KRW).
    price_minor INTEGER NOT NULL CHECK (price_minor >= 0),
    currency TEXT NOT NULL,
    -- The price as written, in hundredths, for filtering and sorting by it.
    price_hundredths INTEGER NOT NULL CHECK (price_hundredths >= 0),
    stock_quantity INTEGER NOT NULL CHECK (stock_quantity >= 0),
    -- A JSON array of image URLs.
    images TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL
);
CREATE INDEX products_by_price ON products (status, category_id, price_hundredths, id);
CREATE INDEX products_newest ON products (status, category_id, created_at, id);
CREATE INDEX products_newest_all ON products (status, created_at, id);
CREATE INDEX products_by_price_all ON products (status, price_hundredths, id);
CREATE INDEX products_of_seller ON products (seller_id, id);
