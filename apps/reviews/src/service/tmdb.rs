//! Contents from TMDB, when a key is configured: what a search, a popular list or
//! the genre list asks for is fetched and stored before the app answers from its
//! database, and a content's details are fetched again once older than the
//! content TTL. Every failure is logged and the answer comes from what is stored.

use std::sync::Arc;
use std::time::Duration;

use chrono::Utc;
use platform::db::Db;
use platform::external::tmdb::{Media, Tmdb, TmdbError};

use crate::model::{ContentRow, Kind};
use crate::store;

#[derive(Clone)]
pub struct TmdbSync {
    pub tmdb: Arc<Tmdb>,
    /// A stored content older than this is fetched again when it is read.
    pub ttl: Duration,
}

fn media(kind: Kind) -> Media {
    match kind {
        Kind::Movie => Media::Movie,
        Kind::Tv => Media::Tv,
    }
}

fn degraded(what: &str, e: &dyn std::fmt::Display) {
    tracing::warn!(error = %e, "TMDB {what} failed; answering from stored contents");
}

impl TmdbSync {
    /// Stores TMDB's first page for `query`.
    pub async fn search(&self, db: &Db, query: &str, kind: Option<Kind>) {
        match self.tmdb.search(query, kind.map(media), 1).await {
            Ok(titles) => {
                if let Err(e) = store::contents::upsert_tmdb(db, &titles, Utc::now()).await {
                    degraded("search", &e);
                }
            }
            Err(e) => degraded("search", &e),
        }
    }

    /// Stores TMDB's popular movies and shows (first pages), with their
    /// popularity.
    pub async fn popular(&self, db: &Db) {
        for m in [Media::Movie, Media::Tv] {
            match self.tmdb.popular(m, 1).await {
                Ok(titles) => {
                    if let Err(e) = store::contents::upsert_tmdb(db, &titles, Utc::now()).await {
                        degraded("popular", &e);
                    }
                }
                Err(e) => degraded("popular", &e),
            }
        }
    }

    /// Stores TMDB's genre lists.
    pub async fn genres(&self, db: &Db) {
        for m in [Media::Movie, Media::Tv] {
            match self.tmdb.genres(m).await {
                Ok(genres) => {
                    if let Err(e) = store::contents::upsert_genres(db, &genres).await {
                        degraded("genres", &e);
                    }
                }
                Err(e) => degraded("genres", &e),
            }
        }
    }

    /// Whether `row` came from TMDB longer than the TTL ago: fetch it again.
    pub fn stale(&self, row: &ContentRow) -> bool {
        row.source == "tmdb"
            && Utc::now()
                .signed_duration_since(row.fetched_at)
                .to_std()
                .unwrap_or_default()
                > self.ttl
    }

    /// Brings `row` up to date from TMDB's details; `true` if it was.
    pub async fn refresh(&self, db: &Db, row: &ContentRow) -> bool {
        let Some(id) = row
            .external_id
            .split_once(':')
            .and_then(|(_, id)| id.parse::<i64>().ok())
        else {
            return false;
        };
        let fetched: Result<_, TmdbError> = self.tmdb.details(media(row.kind), id).await;
        match fetched {
            Ok(Some(title)) => match store::contents::upsert_tmdb(db, &[title], Utc::now()).await {
                Ok(()) => true,
                Err(e) => {
                    degraded("details", &e);
                    false
                }
            },
            // TMDB no longer knows it: keep what reviews refer to.
            Ok(None) => false,
            Err(e) => {
                degraded("details", &e);
                false
            }
        }
    }
}
