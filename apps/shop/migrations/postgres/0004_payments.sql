-- One payment (one PaymentIntent) per order: retries after a failure confirm
-- the same intent again, as Stripe allows.
CREATE TABLE payments (
    id BIGSERIAL PRIMARY KEY,
    order_id BIGINT NOT NULL UNIQUE REFERENCES orders (id),
    intent_id TEXT NOT NULL UNIQUE,
    client_secret TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL
);

-- Every webhook event applied, so that a redelivery is applied once.
CREATE TABLE payment_events (
    event_id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    received_at TIMESTAMPTZ NOT NULL
);
