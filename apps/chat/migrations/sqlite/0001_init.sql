-- Couple chat schema (seed 004). Ids are UUIDs (16-byte blobs on SQLite); times are
-- UTC, RFC 3339 text on SQLite.
CREATE TABLE couples (
    id BLOB PRIMARY KEY,
    created_at TEXT NOT NULL,
    closed_at TEXT,
    -- Storage order of the room's messages: the last sequence number handed out and
    -- the last creation time, so that createdAt order equals storage order.
    last_seq INTEGER NOT NULL DEFAULT 0,
    last_message_at TEXT
);

CREATE TABLE users (
    id BLOB PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    name TEXT NOT NULL,
    profile_image TEXT,
    couple_id BLOB REFERENCES couples (id),
    created_at TEXT NOT NULL
);

CREATE TABLE couple_members (
    couple_id BLOB NOT NULL REFERENCES couples (id),
    user_id BLOB NOT NULL REFERENCES users (id),
    joined_at TEXT NOT NULL,
    PRIMARY KEY (couple_id, user_id)
);
CREATE INDEX idx_couple_members_user ON couple_members (user_id);

CREATE TABLE invites (
    code TEXT PRIMARY KEY,
    inviter_id BLOB NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    used_at TEXT,
    used_by BLOB REFERENCES users (id)
);
CREATE INDEX idx_invites_inviter ON invites (inviter_id);

CREATE TABLE messages (
    id BLOB PRIMARY KEY,
    couple_id BLOB NOT NULL REFERENCES couples (id),
    sender_id BLOB NOT NULL REFERENCES users (id),
    content TEXT,
    type TEXT NOT NULL,
    image_url TEXT,
    is_read INTEGER NOT NULL DEFAULT 0,
    read_at TEXT,
    created_at TEXT NOT NULL,
    seq INTEGER NOT NULL,
    temp_id TEXT,
    UNIQUE (couple_id, seq),
    UNIQUE (sender_id, temp_id)
);
CREATE INDEX idx_messages_couple_created ON messages (couple_id, created_at DESC);
CREATE INDEX idx_messages_unread ON messages (couple_id, is_read, created_at);

CREATE TABLE uploads (
    object_key TEXT PRIMARY KEY,
    owner_id BLOB NOT NULL REFERENCES users (id),
    content_type TEXT NOT NULL,
    created_at TEXT NOT NULL
);
