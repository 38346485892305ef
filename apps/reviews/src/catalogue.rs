//! The catalogue bundled with the app (`catalogue/contents.tsv`, built by
//! `catalogue/build.py` from a public data set, see `catalogue/NOTICE.md`), and
//! TMDB's genre list: search, genres and popular lists work with no TMDB key.

use chrono::Utc;
use platform::db::Db;
use platform::on_tx;

use crate::model::Kind;

/// TMDB's movie and TV genres (`/genre/movie/list`, `/genre/tv/list`), by id.
pub const GENRES: &[(i64, &str)] = &[
    (28, "Action"),
    (12, "Adventure"),
    (16, "Animation"),
    (35, "Comedy"),
    (80, "Crime"),
    (99, "Documentary"),
    (18, "Drama"),
    (10751, "Family"),
    (14, "Fantasy"),
    (36, "History"),
    (27, "Horror"),
    (10402, "Music"),
    (9648, "Mystery"),
    (10749, "Romance"),
    (878, "Science Fiction"),
    (10770, "TV Movie"),
    (53, "Thriller"),
    (10752, "War"),
    (37, "Western"),
    (10759, "Action & Adventure"),
    (10762, "Kids"),
    (10763, "News"),
    (10764, "Reality"),
    (10765, "Sci-Fi & Fantasy"),
    (10766, "Soap"),
    (10767, "Talk"),
    (10768, "War & Politics"),
];

const CONTENTS: &str = include_str!("../catalogue/contents.tsv");

/// One title of the bundled catalogue.
#[derive(Debug, Clone, PartialEq)]
pub struct Entry {
    pub kind: Kind,
    pub title: &'static str,
    pub original_title: &'static str,
    pub year: i32,
    pub genres: Vec<i64>,
    pub popularity: f64,
}

impl Entry {
    /// Its key among the bundled contents: stable across releases of the file.
    pub fn external_id(&self) -> String {
        format!("{}:{}:{}", self.kind.as_str(), self.year, self.title)
    }
}

/// The bundled titles, in file order.
pub fn entries() -> Vec<Entry> {
    CONTENTS
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|line| {
            let f: Vec<&str> = line.split('\t').collect();
            let field = |i: usize| f.get(i).copied().unwrap_or("");
            Entry {
                kind: field(0).parse().expect("catalogue kinds are movie or tv"),
                title: field(1),
                original_title: field(2),
                year: field(3).parse().expect("catalogue years are numbers"),
                genres: field(4)
                    .split(',')
                    .filter(|g| !g.is_empty())
                    .map(|g| g.parse().expect("catalogue genres are TMDB ids"))
                    .collect(),
                popularity: field(5).parse().unwrap_or(0.0),
            }
        })
        .collect()
}

/// Both titles in lower case, as the search matches them.
pub fn search_text(title: &str, original_title: &str) -> String {
    format!(
        "{}\n{}",
        title.to_lowercase(),
        original_title.to_lowercase()
    )
}

/// Loads the genres and, with `titles`, the bundled titles that are not in the
/// database yet (on every start; several instances starting at once insert each
/// row once).
pub async fn load(db: &Db, titles: bool) -> Result<usize, sqlx::Error> {
    let entries = entries();
    let present: i64 = platform::on_pool!(db.reader(), |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM contents WHERE source = 'bundled'"
    )
    .fetch_one(p)
    .await)?;
    let mut tx = db.begin().await?;
    for (id, name) in GENRES {
        on_tx!(&mut tx, |c| sqlx::query(
            "INSERT INTO genres (id, name) VALUES ($1, $2) ON CONFLICT (id) DO NOTHING"
        )
        .bind(id)
        .bind(name)
        .execute(&mut *c)
        .await
        .map(drop))?;
    }
    if !titles || present as usize >= entries.len() {
        tx.commit().await?;
        return Ok(0);
    }
    let now = Utc::now();
    let mut added = 0;
    for e in &entries {
        let id: Option<i64> = on_tx!(&mut tx, |c| sqlx::query_scalar(
            "INSERT INTO contents
                 (source, external_id, kind, title, original_title, search_text, year,
                  popularity, fetched_at)
             VALUES ('bundled', $1, $2, $3, $4, $5, $6, $7, $8)
             ON CONFLICT (source, external_id) DO NOTHING
             RETURNING id"
        )
        .bind(e.external_id())
        .bind(e.kind.as_str())
        .bind(e.title)
        .bind(e.original_title)
        .bind(search_text(e.title, e.original_title))
        .bind(e.year)
        .bind(e.popularity)
        .bind(now)
        .fetch_optional(&mut *c)
        .await)?;
        let Some(id) = id else { continue };
        added += 1;
        for g in &e.genres {
            on_tx!(&mut tx, |c| sqlx::query(
                "INSERT INTO content_genres (content_id, genre_id) VALUES ($1, $2)"
            )
            .bind(id)
            .bind(g)
            .execute(&mut *c)
            .await
            .map(drop))?;
        }
    }
    tx.commit().await?;
    Ok(added)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_bundled_catalogue_is_a_few_hundred_well_formed_titles() {
        let entries = entries();
        assert!((300..=1000).contains(&entries.len()), "{}", entries.len());
        let known: std::collections::HashSet<i64> = GENRES.iter().map(|g| g.0).collect();
        let mut keys = std::collections::HashSet::new();
        for e in &entries {
            assert!(!e.title.is_empty() && !e.original_title.is_empty(), "{e:?}");
            assert!((1900..=2030).contains(&e.year), "{e:?}");
            assert!(!e.genres.is_empty(), "{e:?}");
            assert!(e.genres.iter().all(|g| known.contains(g)), "{e:?}");
            assert!(keys.insert(e.external_id()), "twice: {e:?}");
        }
        let tv = entries.iter().filter(|e| e.kind == Kind::Tv).count();
        assert!(tv >= 30, "{tv} TV shows");
        let korean = entries
            .iter()
            .filter(|e| e.original_title.chars().any(|c| ('가'..='힣').contains(&c)))
            .count();
        assert!(korean >= 40, "{korean} Korean titles");
    }

    #[test]
    fn titles_are_searched_in_lower_case() {
        assert_eq!(search_text("Parasite", "기생충"), "parasite\n기생충");
        assert_eq!(search_text("Léon", "Léon"), "léon\nléon");
    }
}
