-- Focus rooms schema (seed 000). Times are UTC; the timer's instants are
-- milliseconds since the epoch because the timer computes with them.
CREATE TABLE users (
    id UUID PRIMARY KEY,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    username TEXT NOT NULL,
    bio TEXT,
    created_at TIMESTAMPTZ NOT NULL,
    updated_at TIMESTAMPTZ NOT NULL,
    disabled_at TIMESTAMPTZ
);

CREATE TABLE rooms (
    id UUID PRIMARY KEY,
    name TEXT NOT NULL,
    description TEXT,
    host_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    focus_minutes INTEGER NOT NULL,
    break_minutes INTEGER NOT NULL,
    max_participants INTEGER NOT NULL,
    is_public BOOLEAN NOT NULL,
    created_at TIMESTAMPTZ NOT NULL,
    -- The timer: 'idle', 'focus' or 'break'. Running: `ends_ms` is set; paused:
    -- `remaining_ms` is. `phase_started_ms` is when the phase first began (not
    -- when it resumed), `phase_minutes` its length, `phase_seq` counts phases so
    -- that each is credited once.
    phase TEXT NOT NULL DEFAULT 'idle',
    ends_ms BIGINT,
    remaining_ms BIGINT,
    phase_started_ms BIGINT,
    phase_minutes INTEGER,
    phase_seq BIGINT NOT NULL DEFAULT 0,
    -- Every change of the row adds one: a change is applied only over the version
    -- it was computed from, so two instances never both advance one phase.
    version BIGINT NOT NULL DEFAULT 0
);
CREATE INDEX rooms_due ON rooms (ends_ms) WHERE ends_ms IS NOT NULL;
-- The public list, newest first, read in index order.
CREATE INDEX rooms_public ON rooms (created_at, id) WHERE is_public;

CREATE TABLE room_participants (
    room_id UUID NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    joined_ms BIGINT NOT NULL,
    PRIMARY KEY (room_id, user_id)
);
CREATE INDEX room_participants_of_user ON room_participants (user_id);

CREATE TABLE room_invitations (
    room_id UUID NOT NULL REFERENCES rooms (id) ON DELETE CASCADE,
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    invited_by UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    created_at TIMESTAMPTZ NOT NULL,
    PRIMARY KEY (room_id, user_id)
);

-- One row per participant per completed focus phase.
CREATE TABLE focus_credits (
    id BIGSERIAL PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    room_id UUID REFERENCES rooms (id) ON DELETE SET NULL,
    phase_seq BIGINT NOT NULL,
    minutes INTEGER NOT NULL,
    credited_ms BIGINT NOT NULL
);
CREATE UNIQUE INDEX focus_credits_once ON focus_credits (room_id, phase_seq, user_id);
CREATE INDEX focus_credits_of_user ON focus_credits (user_id);

-- The leaderboard's sums, kept by the statement that credits, in its
-- transaction: minutes per user per local day (the configured time zone, as
-- yyyymmdd), and per user in all.
CREATE TABLE focus_days (
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    day INTEGER NOT NULL,
    minutes BIGINT NOT NULL,
    PRIMARY KEY (user_id, day)
);
CREATE INDEX focus_days_by_day ON focus_days (day, minutes, user_id);

CREATE TABLE focus_totals (
    user_id UUID PRIMARY KEY REFERENCES users (id) ON DELETE CASCADE,
    minutes BIGINT NOT NULL
);
CREATE INDEX focus_totals_top ON focus_totals (minutes);

CREATE TABLE notifications (
    id UUID PRIMARY KEY,
    user_id UUID NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    message TEXT NOT NULL,
    room_id UUID,
    is_read BOOLEAN NOT NULL DEFAULT FALSE,
    created_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX notifications_of_user ON notifications (user_id, created_at DESC);
