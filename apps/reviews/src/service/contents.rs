//! Finding contents: search with filters, popular lists, one content's detail.

use platform::ApiError;
use platform::texts::Language;
use platform::validate::FieldErrors;

use super::{Service, paging};
use crate::i18n;
use crate::model::{ContentId, ContentRow, ContentView, Kind, Page};
use crate::store;
use crate::store::contents::Filter;

/// A search as the client asked for it.
#[derive(Debug, Default)]
pub struct Search {
    pub query: Option<String>,
    pub kind: Option<Kind>,
    pub genre: Option<String>,
    pub year: Option<i32>,
    pub page: Option<i64>,
    pub size: Option<i64>,
}

impl Service {
    /// Contents matching every filter given, most reviewed and popular first. An
    /// unknown genre matches nothing (a search, not a mistake).
    pub async fn search(&self, lang: Language, s: Search) -> Result<Page<ContentView>, ApiError> {
        let mut errors = FieldErrors::new(i18n::field_messages(lang));
        let text = errors
            .optional("query", s.query.as_deref(), 200)
            .map(|q| q.to_lowercase());
        if s.year.is_some_and(|y| !(1800..=2200).contains(&y)) {
            errors.add("year", i18n::YEAR_RANGE.in_(lang));
        }
        let genre_name = errors.optional("genre", s.genre.as_deref(), 100);
        let paging = paging(lang, &mut errors, s.page, s.size);
        errors.finish()?;
        if let (Some(tmdb), Some(q)) = (&self.tmdb, &text) {
            tmdb.search(&self.db, q, s.kind).await;
        }
        let genre = match genre_name {
            Some(name) => match store::contents::genre_named(&self.db, &name).await? {
                Some(id) => Some(id),
                None => {
                    return Ok(Page {
                        items: Vec::new(),
                        page: paging.page,
                        size: paging.size,
                        total: 0,
                    });
                }
            },
            None => None,
        };
        let filter = Filter {
            text,
            kind: s.kind,
            genre,
            year: s.year,
        };
        let (rows, total) =
            store::contents::search(&self.db, &filter, paging.size, paging.offset()).await?;
        Ok(Page {
            items: self.views(rows).await?,
            page: paging.page,
            size: paging.size,
            total,
        })
    }

    /// Every content, most reviewed and popular first.
    pub async fn popular(
        &self,
        lang: Language,
        page: Option<i64>,
        size: Option<i64>,
    ) -> Result<Page<ContentView>, ApiError> {
        if let Some(tmdb) = &self.tmdb {
            tmdb.popular(&self.db).await;
        }
        self.search(
            lang,
            Search {
                page,
                size,
                ..Search::default()
            },
        )
        .await
    }

    pub async fn content(&self, lang: Language, id: ContentId) -> Result<ContentView, ApiError> {
        let not_found = || ApiError::not_found(i18n::CONTENT_NOT_FOUND.in_(lang));
        let mut row = store::contents::by_id(&self.db, id)
            .await?
            .ok_or_else(not_found)?;
        if let Some(tmdb) = &self.tmdb
            && tmdb.stale(&row)
            && tmdb.refresh(&self.db, &row).await
        {
            row = store::contents::by_id(&self.db, id)
                .await?
                .ok_or_else(not_found)?;
        }
        Ok(self.views(vec![row]).await?.remove(0))
    }

    /// Every genre, TMDB's list first brought in when it is configured.
    pub async fn genres(&self) -> Result<Vec<crate::model::Genre>, ApiError> {
        if let Some(tmdb) = &self.tmdb {
            tmdb.genres(&self.db).await;
        }
        Ok(store::contents::genres(&self.db).await?)
    }

    async fn views(&self, rows: Vec<ContentRow>) -> Result<Vec<ContentView>, ApiError> {
        let ids: Vec<ContentId> = rows.iter().map(|r| r.id).collect();
        let mut genres = store::contents::genres_of(&self.db, &ids).await?;
        Ok(rows
            .into_iter()
            .map(|r| {
                let g = genres.remove(&r.id).unwrap_or_default();
                ContentView::new(r, g)
            })
            .collect())
    }
}
