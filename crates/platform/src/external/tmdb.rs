//! TMDB's v3 API over reqwest: search, popular lists, details and genre lists,
//! in TMDB's JSON shapes (`title`/`name`, `release_date`/`first_air_date`, ...)
//! read into one [`Title`]. Every call has a timeout and answers are cached for
//! `tmdb_cache_seconds`, in Redis when configured (so instances share them) and in
//! process otherwise. A failure (timeout, 429, 5xx, a bad key) is an error the
//! caller degrades on: an app answers from what it stored, never with a 500.
//!
//! The local default is no client at all: an app without a key keeps its own
//! catalogue.

use std::time::Duration;

use serde::Deserialize;
use serde_json::Value;

use crate::cache::ExpiringCache;
use crate::config::Secret;
use crate::redis_conn::RedisConn;
use crate::settings::PlatformSettings;

/// TMDB's poster URLs: this prefix and a result's `poster_path`.
pub const IMAGE_BASE: &str = "https://image.tmdb.org/t/p/w500";

/// Answers kept in process at most; the oldest go first.
const MEMORY_ENTRIES: usize = 1_000;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Media {
    Movie,
    Tv,
}

impl Media {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Movie => "movie",
            Self::Tv => "tv",
        }
    }
}

/// A movie or TV show as TMDB describes it.
#[derive(Debug, Clone, PartialEq)]
pub struct Title {
    pub media: Media,
    pub id: i64,
    pub title: String,
    pub original_title: String,
    pub year: Option<i32>,
    pub overview: Option<String>,
    /// Full URL ([`IMAGE_BASE`] + `poster_path`).
    pub poster_url: Option<String>,
    pub genre_ids: Vec<i64>,
    pub popularity: f64,
}

#[derive(Debug, thiserror::Error)]
pub enum TmdbError {
    #[error("TMDB did not answer in time")]
    Timeout,
    #[error("TMDB refused: too many requests")]
    RateLimited,
    #[error("TMDB answered {status}: {message}")]
    Status { status: u16, message: String },
    #[error("TMDB unreachable: {0}")]
    Transport(String),
    #[error("TMDB answered something unreadable: {0}")]
    Body(String),
}

/// One result of a list, search or details answer: movies have `title`,
/// `original_title` and `release_date`; TV shows `name`, `original_name` and
/// `first_air_date`; details list `genres` where lists give `genre_ids`.
#[derive(Deserialize)]
struct Raw {
    id: i64,
    media_type: Option<String>,
    title: Option<String>,
    name: Option<String>,
    original_title: Option<String>,
    original_name: Option<String>,
    release_date: Option<String>,
    first_air_date: Option<String>,
    overview: Option<String>,
    poster_path: Option<String>,
    #[serde(default)]
    genre_ids: Vec<i64>,
    #[serde(default)]
    genres: Vec<Genre>,
    popularity: Option<f64>,
}

#[derive(Deserialize)]
struct Genre {
    id: i64,
    name: String,
}

#[derive(Deserialize)]
struct Results {
    results: Vec<Raw>,
}

#[derive(Deserialize)]
struct Genres {
    genres: Vec<Genre>,
}

/// TMDB's error body: `{"status_code": 7, "status_message": "...", "success": false}`.
#[derive(Deserialize)]
struct ErrorBody {
    status_message: Option<String>,
}

impl Raw {
    /// `None` for what is neither a movie nor a TV show (a person in a search).
    fn into_title(self, media: Option<Media>) -> Option<Title> {
        let media = match (media, self.media_type.as_deref()) {
            (Some(m), _) => m,
            (None, Some("movie")) => Media::Movie,
            (None, Some("tv")) => Media::Tv,
            _ => return None,
        };
        let title = self.title.or(self.name)?;
        let original_title = self
            .original_title
            .or(self.original_name)
            .unwrap_or_else(|| title.clone());
        let date = self.release_date.or(self.first_air_date);
        let year = date
            .as_deref()
            .and_then(|d| d.get(..4))
            .and_then(|y| y.parse().ok());
        let genre_ids = if self.genres.is_empty() {
            self.genre_ids
        } else {
            self.genres.iter().map(|g| g.id).collect()
        };
        Some(Title {
            media,
            id: self.id,
            title,
            original_title,
            year,
            overview: self.overview.filter(|o| !o.trim().is_empty()),
            poster_url: self.poster_path.map(|p| format!("{IMAGE_BASE}{p}")),
            genre_ids,
            popularity: self.popularity.unwrap_or(0.0),
        })
    }
}

/// A TMDB client for one app.
pub struct Tmdb {
    http: reqwest::Client,
    base: String,
    key: Secret,
    language: String,
    cache: ExpiringCache,
}

impl Tmdb {
    /// The client of an app's settings, if it has a key.
    pub fn from_settings(p: &PlatformSettings, redis: Option<RedisConn>) -> Option<Self> {
        let key = p.tmdb_api_key.clone()?;
        crate::external::tls_ready();
        Some(Self {
            http: reqwest::Client::builder()
                .timeout(Duration::from_millis(p.tmdb_timeout_ms.max(1)))
                .build()
                .expect("an HTTP client with a timeout builds"),
            base: p.tmdb_api_base.trim_end_matches('/').to_owned(),
            key,
            language: p.tmdb_language.clone(),
            cache: ExpiringCache::new(
                redis,
                Duration::from_secs(p.tmdb_cache_seconds),
                MEMORY_ENTRIES,
            ),
        })
    }

    /// `/search/multi` (or `/search/movie`, `/search/tv`): movies and TV shows
    /// whose titles match `query`.
    pub async fn search(
        &self,
        query: &str,
        media: Option<Media>,
        page: u32,
    ) -> Result<Vec<Title>, TmdbError> {
        let path = match media {
            None => "/search/multi".to_owned(),
            Some(m) => format!("/search/{}", m.as_str()),
        };
        let page = page.to_string();
        let body = self
            .get(&path, &[("query", query), ("page", &page)])
            .await?;
        titles(body, media)
    }

    /// `/movie/popular` or `/tv/popular`.
    pub async fn popular(&self, media: Media, page: u32) -> Result<Vec<Title>, TmdbError> {
        let page = page.to_string();
        let body = self
            .get(&format!("/{}/popular", media.as_str()), &[("page", &page)])
            .await?;
        titles(body, Some(media))
    }

    /// `/movie/{id}` or `/tv/{id}`; `None` if TMDB does not know it.
    pub async fn details(&self, media: Media, id: i64) -> Result<Option<Title>, TmdbError> {
        match self.get(&format!("/{}/{id}", media.as_str()), &[]).await {
            Ok(body) => {
                let raw: Raw =
                    serde_json::from_value(body).map_err(|e| TmdbError::Body(e.to_string()))?;
                Ok(raw.into_title(Some(media)))
            }
            Err(TmdbError::Status { status: 404, .. }) => Ok(None),
            Err(e) => Err(e),
        }
    }

    /// `/genre/movie/list` or `/genre/tv/list`: `(id, name)`.
    pub async fn genres(&self, media: Media) -> Result<Vec<(i64, String)>, TmdbError> {
        let body = self
            .get(&format!("/genre/{}/list", media.as_str()), &[])
            .await?;
        let g: Genres = serde_json::from_value(body).map_err(|e| TmdbError::Body(e.to_string()))?;
        Ok(g.genres.into_iter().map(|g| (g.id, g.name)).collect())
    }

    /// One GET, from the cache when it has it.
    async fn get(&self, path: &str, query: &[(&str, &str)]) -> Result<Value, TmdbError> {
        let mut key = format!("tmdb:{}:{path}", self.language);
        for (k, v) in query {
            key.push_str(&format!("&{k}={v}"));
        }
        if let Some(hit) = self.cached(&key).await {
            return Ok(hit);
        }
        let params = [
            ("api_key", self.key.expose()),
            ("language", self.language.as_str()),
        ];
        let url = reqwest::Url::parse_with_params(
            &format!("{}{path}", self.base),
            params.iter().chain(query.iter()),
        )
        .map_err(|e| TmdbError::Transport(e.to_string()))?;
        let response = self.http.get(url).send().await.map_err(|e| {
            if e.is_timeout() {
                TmdbError::Timeout
            } else {
                TmdbError::Transport(e.without_url().to_string())
            }
        })?;
        let status = response.status().as_u16();
        let bytes = response.bytes().await.map_err(|e| {
            if e.is_timeout() {
                TmdbError::Timeout
            } else {
                TmdbError::Transport(e.without_url().to_string())
            }
        })?;
        if status == 429 {
            return Err(TmdbError::RateLimited);
        }
        if !(200..300).contains(&status) {
            let message = serde_json::from_slice::<ErrorBody>(&bytes)
                .ok()
                .and_then(|e| e.status_message)
                .unwrap_or_default();
            return Err(TmdbError::Status { status, message });
        }
        let body: Value =
            serde_json::from_slice(&bytes).map_err(|e| TmdbError::Body(e.to_string()))?;
        self.store(key, &body).await;
        Ok(body)
    }

    async fn cached(&self, key: &str) -> Option<Value> {
        serde_json::from_str(&self.cache.get(key).await?).ok()
    }

    async fn store(&self, key: String, body: &Value) {
        self.cache.put(&key, &body.to_string()).await;
    }
}

fn titles(body: Value, media: Option<Media>) -> Result<Vec<Title>, TmdbError> {
    let r: Results = serde_json::from_value(body).map_err(|e| TmdbError::Body(e.to_string()))?;
    Ok(r.results
        .into_iter()
        .filter_map(|raw| raw.into_title(media))
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn movies_and_shows_read_into_one_shape() {
        let body = json!({"page": 1, "results": [
            {"id": 496243, "media_type": "movie", "title": "기생충", "original_title": "기생충",
             "release_date": "2019-05-30", "overview": "전원백수 가족", "poster_path": "/p.jpg",
             "genre_ids": [35, 53, 18], "popularity": 33.2},
            {"id": 93405, "media_type": "tv", "name": "오징어 게임", "original_name": "오징어 게임",
             "first_air_date": "2021-09-17", "overview": "", "poster_path": null,
             "genre_ids": [10759, 9648, 18], "popularity": 120.5},
            {"id": 1, "media_type": "person", "name": "Bong Joon-ho", "known_for": []}
        ], "total_pages": 1, "total_results": 3});
        let t = titles(body, None).unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(t[0].media, Media::Movie);
        assert_eq!(t[0].year, Some(2019));
        assert_eq!(
            t[0].poster_url.as_deref(),
            Some("https://image.tmdb.org/t/p/w500/p.jpg")
        );
        assert_eq!(t[1].media, Media::Tv);
        assert_eq!(t[1].title, "오징어 게임");
        assert_eq!(t[1].overview, None);
        assert_eq!(t[1].genre_ids, [10759, 9648, 18]);
    }

    #[test]
    fn details_list_genres_by_object() {
        let raw: Raw = serde_json::from_value(json!({
            "id": 496243, "title": "Parasite", "original_title": "기생충",
            "release_date": "", "genres": [{"id": 35, "name": "Comedy"}], "popularity": 1.0
        }))
        .unwrap();
        let t = raw.into_title(Some(Media::Movie)).unwrap();
        assert_eq!(t.genre_ids, [35]);
        assert_eq!(t.year, None);
    }
}
