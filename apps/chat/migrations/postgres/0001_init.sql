-- Couple chat schema (seed 004). Times are UTC.
CREATE TABLE couples (
    id UUID PRIMARY KEY,
    created_at TIMESTAMPTZ NOT NULL,
    closed_at TIMESTAMPTZ,
    -- Storage order of the room's messages: the last sequence number handed out and
    -- the last creation time, so that createdAt order equals storage order.
    last_seq BIGINT NOT NULL DEFAULT 0,
    last_message_at TIMESTAMPTZ
);

CREATE TABLE users (
    id UUID PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    name TEXT NOT NULL,
    profile_image TEXT,
    couple_id UUID REFERENCES couples (id),
    created_at TIMESTAMPTZ NOT NULL
);

CREATE TABLE couple_members (
    couple_id UUID NOT NULL REFERENCES couples (id),
    user_id UUID NOT NULL REFERENCES users (id),
    joined_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (couple_id, user_id)
);
CREATE INDEX idx_couple_members_user ON couple_members (user_id);

CREATE TABLE invites (
    code TEXT PRIMARY KEY,
    inviter_id UUID NOT NULL REFERENCES users (id),
    created_at TIMESTAMPTZ NOT NULL,
    expires_at TIMESTAMPTZ NOT NULL,
    used_at TIMESTAMPTZ,
    used_by UUID REFERENCES users (id)
);
CREATE INDEX idx_invites_inviter ON invites (inviter_id);

CREATE TABLE messages (
    id UUID PRIMARY KEY,
    couple_id UUID NOT NULL REFERENCES couples (id),
    sender_id UUID NOT NULL REFERENCES users (id),
    content TEXT,
    type TEXT NOT NULL,
    image_url TEXT,
    is_read BOOLEAN NOT NULL DEFAULT FALSE,
    read_at TIMESTAMPTZ,
    created_at TIMESTAMPTZ NOT NULL,
    seq BIGINT NOT NULL,
    temp_id TEXT,
    UNIQUE (couple_id, seq),
    UNIQUE (sender_id, temp_id)
);
CREATE INDEX idx_messages_couple_created ON messages (couple_id, created_at DESC);
CREATE INDEX idx_messages_unread ON messages (couple_id, is_read, created_at);

CREATE TABLE uploads (
    object_key TEXT PRIMARY KEY,
    owner_id UUID NOT NULL REFERENCES users (id),
    content_type TEXT NOT NULL,
    created_at TIMESTAMPTZ NOT NULL
);
