CREATE TABLE users (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    email TEXT NOT NULL UNIQUE,
    password_hash TEXT NOT NULL,
    nickname TEXT NOT NULL,
    bio TEXT,
    profile_image TEXT,
    created_at TEXT NOT NULL,
    disabled_at TEXT
);

-- A phone or browser that receives pushes; a token belongs to whoever registered
-- it last.
CREATE TABLE devices (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    user_id BIGINT NOT NULL REFERENCES users (id),
    fcm_token TEXT NOT NULL UNIQUE,
    created_at TEXT NOT NULL
);
CREATE INDEX devices_of_user ON devices (user_id);

-- TMDB's genre ids and names (movie and TV lists together).
CREATE TABLE genres (
    id BIGINT PRIMARY KEY,
    name TEXT NOT NULL
);

CREATE TABLE contents (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    -- 'bundled' or 'tmdb', and the content's key there.
    source TEXT NOT NULL,
    external_id TEXT NOT NULL,
    kind TEXT NOT NULL,
    title TEXT NOT NULL,
    original_title TEXT NOT NULL,
    -- Both titles in lower case, for the substring search.
    search_text TEXT NOT NULL,
    year INTEGER,
    overview TEXT,
    poster_url TEXT,
    popularity REAL NOT NULL DEFAULT 0,
    fetched_at TEXT NOT NULL,
    -- Kept by the statements that add, change and remove reviews, in their
    -- transactions: the sum of ratings in half stars, and the count.
    rating_sum BIGINT NOT NULL DEFAULT 0,
    review_count BIGINT NOT NULL DEFAULT 0,
    UNIQUE (source, external_id)
);
CREATE INDEX contents_popular ON contents (review_count DESC, popularity DESC, id);

CREATE TABLE content_genres (
    content_id BIGINT NOT NULL REFERENCES contents (id) ON DELETE CASCADE,
    genre_id BIGINT NOT NULL REFERENCES genres (id),
    PRIMARY KEY (content_id, genre_id)
);
CREATE INDEX content_genres_by_genre ON content_genres (genre_id, content_id);

CREATE TABLE reviews (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    content_id BIGINT NOT NULL REFERENCES contents (id),
    user_id BIGINT NOT NULL REFERENCES users (id),
    -- The rating in half stars: 1 (0.5) to 10 (5.0).
    rating_half INTEGER NOT NULL CHECK (rating_half BETWEEN 1 AND 10),
    body TEXT NOT NULL,
    spoiler INTEGER NOT NULL,
    -- Kept by the statements that add and remove likes, in their transactions.
    like_count BIGINT NOT NULL DEFAULT 0 CHECK (like_count >= 0),
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    UNIQUE (content_id, user_id)
);
CREATE INDEX reviews_latest ON reviews (content_id, created_at DESC, id DESC);
CREATE INDEX reviews_by_likes ON reviews (content_id, like_count DESC, id DESC);
CREATE INDEX reviews_by_rating ON reviews (content_id, rating_half DESC, id DESC);
CREATE INDEX reviews_of_user ON reviews (user_id, created_at DESC, id DESC);

CREATE TABLE review_likes (
    review_id BIGINT NOT NULL REFERENCES reviews (id) ON DELETE CASCADE,
    user_id BIGINT NOT NULL REFERENCES users (id),
    created_at TEXT NOT NULL,
    PRIMARY KEY (review_id, user_id)
);
