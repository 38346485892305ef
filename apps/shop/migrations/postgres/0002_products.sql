CREATE TABLE products (
    id BIGSERIAL PRIMARY KEY,
    seller_id BIGINT NOT NULL REFERENCES users (id),
    category_id BIGINT REFERENCES categories (id),
    name TEXT NOT NULL,
    name_en TEXT,
    description TEXT,
    -- Integer minor units of the currency (cents; whole won for KRW).
    price_minor BIGINT NOT NULL CHECK (price_minor >= 0),
    currency TEXT NOT NULL,
    -- The price as written, in hundredths, for filtering and sorting by it.
    price_hundredths BIGINT NOT NULL CHECK (price_hundredths >= 0),
    stock_quantity BIGINT NOT NULL CHECK (stock_quantity >= 0),
    -- A JSON array of image URLs.
    images TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX products_by_price ON products (status, category_id, price_hundredths, id);
CREATE INDEX products_newest ON products (status, category_id, created_at, id);
CREATE INDEX products_newest_all ON products (status, created_at, id);
CREATE INDEX products_by_price_all ON products (status, price_hundredths, id);
CREATE INDEX products_of_seller ON products (seller_id, id);
