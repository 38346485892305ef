use std::collections::HashMap;

use chrono::{DateTime, Utc};
use platform::db::{Db, like_escape, placeholders};
use platform::external::tmdb::Title;
use platform::{on_pool, on_tx};

use crate::model::{ContentId, ContentRow, Genre, Kind};

const COLUMNS: &str = "c.id, c.kind, c.title, c.original_title, c.year, c.overview, \
                       c.poster_url, c.rating_sum, c.review_count, c.source, c.external_id, \
                       c.fetched_at";

/// Most reviewed first, then the most popular elsewhere (TMDB's popularity, the
/// bundled titles' vote counts).
const POPULAR: &str = "c.review_count DESC, c.popularity DESC, c.id";

/// What a search narrows to; `None` matches everything.
#[derive(Debug, Default)]
pub struct Filter {
    /// Lower case; matched as a substring of either title.
    pub text: Option<String>,
    pub kind: Option<Kind>,
    pub genre: Option<i64>,
    pub year: Option<i32>,
}

enum Arg {
    Text(String),
    Int(i64),
}

impl Filter {
    /// `WHERE ...` with `$1..$n`, and the values in order.
    fn sql(&self) -> (String, Vec<Arg>) {
        let mut clauses = Vec::new();
        let mut args = Vec::new();
        if let Some(text) = &self.text {
            args.push(Arg::Text(format!("%{}%", like_escape(text))));
            clauses.push(format!("c.search_text LIKE ${} ESCAPE '\\'", args.len()));
        }
        if let Some(kind) = self.kind {
            args.push(Arg::Text(kind.as_str().to_owned()));
            clauses.push(format!("c.kind = ${}", args.len()));
        }
        if let Some(year) = self.year {
            args.push(Arg::Int(i64::from(year)));
            clauses.push(format!("c.year = ${}", args.len()));
        }
        if let Some(genre) = self.genre {
            args.push(Arg::Int(genre));
            clauses.push(format!(
                "EXISTS (SELECT 1 FROM content_genres g WHERE g.content_id = c.id AND g.genre_id = ${})",
                args.len()
            ));
        }
        let sql = if clauses.is_empty() {
            String::new()
        } else {
            format!("WHERE {}", clauses.join(" AND "))
        };
        (sql, args)
    }
}

macro_rules! bind_all {
    ($q:expr, $args:expr) => {{
        let mut q = $q;
        for a in $args {
            q = match a {
                Arg::Text(s) => q.bind(s.clone()),
                Arg::Int(i) => q.bind(*i),
            };
        }
        q
    }};
}

/// One page of the contents `filter` matches, popular first, and their total.
pub async fn search(
    db: &Db,
    filter: &Filter,
    limit: i64,
    offset: i64,
) -> Result<(Vec<ContentRow>, i64), sqlx::Error> {
    let (cond, args) = filter.sql();
    let n = args.len();
    let sql = format!(
        "SELECT {COLUMNS} FROM contents c {cond} ORDER BY {POPULAR} LIMIT ${} OFFSET ${}",
        n + 1,
        n + 2
    );
    let count_sql = format!("SELECT COUNT(*) FROM contents c {cond}");
    let rows: Vec<ContentRow> = on_pool!(db.reader(), |p| bind_all!(sqlx::query_as(&sql), &args)
        .bind(limit)
        .bind(offset)
        .fetch_all(p)
        .await)?;
    let total: i64 = on_pool!(db.reader(), |p| bind_all!(
        sqlx::query_scalar(&count_sql),
        &args
    )
    .fetch_one(p)
    .await)?;
    Ok((rows, total))
}

pub async fn by_id(db: &Db, id: ContentId) -> Result<Option<ContentRow>, sqlx::Error> {
    let sql = format!("SELECT {COLUMNS} FROM contents c WHERE c.id = $1");
    on_pool!(db.reader(), |p| sqlx::query_as(&sql)
        .bind(id)
        .fetch_optional(p)
        .await)
}

pub async fn exists(db: &Db, id: ContentId) -> Result<bool, sqlx::Error> {
    let found: Option<i32> = on_pool!(db.reader(), |p| sqlx::query_scalar(
        "SELECT 1 FROM contents WHERE id = $1"
    )
    .bind(id)
    .fetch_optional(p)
    .await)?;
    Ok(found.is_some())
}

/// The genres of each of `ids`, by name (sorted here, as [`genres`]).
pub async fn genres_of(
    db: &Db,
    ids: &[ContentId],
) -> Result<HashMap<ContentId, Vec<Genre>>, sqlx::Error> {
    if ids.is_empty() {
        return Ok(HashMap::new());
    }
    let sql = format!(
        "SELECT cg.content_id, g.id, g.name FROM content_genres cg
         JOIN genres g ON g.id = cg.genre_id
         WHERE cg.content_id IN ({})",
        placeholders(1, ids.len())
    );
    let rows: Vec<(ContentId, i64, String)> = on_pool!(db.reader(), |p| {
        let mut q = sqlx::query_as(&sql);
        for id in ids {
            q = q.bind(*id);
        }
        q.fetch_all(p).await
    })?;
    let mut map: HashMap<ContentId, Vec<Genre>> = HashMap::new();
    for (content, id, name) in rows {
        map.entry(content).or_default().push(Genre { id, name });
    }
    for genres in map.values_mut() {
        genres.sort_by(|a, b| a.name.cmp(&b.name));
    }
    Ok(map)
}

/// Every genre, by name (sorted here: the engines' collations disagree on
/// punctuation).
pub async fn genres(db: &Db) -> Result<Vec<Genre>, sqlx::Error> {
    let mut all: Vec<Genre> = on_pool!(db.reader(), |p| sqlx::query_as(
        "SELECT id, name FROM genres"
    )
    .fetch_all(p)
    .await)?;
    all.sort_by(|a, b| a.name.cmp(&b.name));
    Ok(all)
}

/// The genre a client names, by id or by name (any case).
pub async fn genre_named(db: &Db, name: &str) -> Result<Option<i64>, sqlx::Error> {
    if let Ok(id) = name.trim().parse::<i64>() {
        return Ok(Some(id));
    }
    on_pool!(db.reader(), |p| sqlx::query_scalar(
        "SELECT id FROM genres WHERE LOWER(name) = $1"
    )
    .bind(name.trim().to_lowercase())
    .fetch_optional(p)
    .await)
}

/// Stores what TMDB says of `titles` (new ones added, known ones brought up to
/// date, their genres replaced by TMDB's), in one transaction.
pub async fn upsert_tmdb(db: &Db, titles: &[Title], now: DateTime<Utc>) -> Result<(), sqlx::Error> {
    if titles.is_empty() {
        return Ok(());
    }
    let mut tx = db.begin().await?;
    for t in titles {
        let id: ContentId = on_tx!(&mut tx, |c| sqlx::query_scalar(
            "INSERT INTO contents
                 (source, external_id, kind, title, original_title, search_text, year,
                  overview, poster_url, popularity, fetched_at)
             VALUES ('tmdb', $1, $2, $3, $4, $5, $6, $7, $8, $9, $10)
             ON CONFLICT (source, external_id) DO UPDATE SET
                 title = excluded.title, original_title = excluded.original_title,
                 search_text = excluded.search_text, year = excluded.year,
                 overview = excluded.overview, poster_url = excluded.poster_url,
                 popularity = excluded.popularity, fetched_at = excluded.fetched_at
             RETURNING id"
        )
        .bind(format!("{}:{}", t.media.as_str(), t.id))
        .bind(t.media.as_str())
        .bind(&t.title)
        .bind(&t.original_title)
        .bind(crate::catalogue::search_text(&t.title, &t.original_title))
        .bind(t.year)
        .bind(&t.overview)
        .bind(&t.poster_url)
        .bind(t.popularity)
        .bind(now)
        .fetch_one(&mut *c)
        .await)?;
        on_tx!(&mut tx, |c| {
            sqlx::query("DELETE FROM content_genres WHERE content_id = $1")
                .bind(id)
                .execute(&mut *c)
                .await?;
            for g in &t.genre_ids {
                // Only genres the list knows (TMDB adds few, and rarely).
                sqlx::query(
                    "INSERT INTO content_genres (content_id, genre_id)
                     SELECT $1, id FROM genres WHERE id = $2",
                )
                .bind(id)
                .bind(g)
                .execute(&mut *c)
                .await?;
            }
        });
    }
    tx.commit().await
}

/// Adds genres TMDB lists and renames known ones as TMDB names them.
pub async fn upsert_genres(db: &Db, genres: &[(i64, String)]) -> Result<(), sqlx::Error> {
    let mut tx = db.begin().await?;
    for (id, name) in genres {
        on_tx!(&mut tx, |c| sqlx::query(
            "INSERT INTO genres (id, name) VALUES ($1, $2)
             ON CONFLICT (id) DO UPDATE SET name = excluded.name"
        )
        .bind(id)
        .bind(name)
        .execute(&mut *c)
        .await
        .map(drop))?;
    }
    tx.commit().await
}
