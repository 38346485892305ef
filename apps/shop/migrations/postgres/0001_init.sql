CREATE TABLE users (
    id BIGSERIAL PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    name TEXT NOT NULL,
    role TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    disabled_at TIMESTAMPTZ
);

CREATE TABLE categories (
    id BIGSERIAL PRIMARY KEY,
    name TEXT NOT NULL,
    parent_id BIGINT REFERENCES categories (id),
    created_at TIMESTAMPTZ NOT NULL
);
-- One name per parent (a root's parent counts as 0).
CREATE UNIQUE INDEX categories_name_per_parent ON categories (COALESCE(parent_id, 0), name);
