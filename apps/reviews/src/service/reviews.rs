//! Writing reviews: one per user per content, edited and deleted by their author
//! only, each change moving the content's aggregates in its own transaction.

use chrono::Utc;
use platform::ApiError;
use platform::db::is_unique_violation;
use platform::texts::Language;
use platform::validate::FieldErrors;

use super::{Service, paging};
use crate::i18n;
use crate::model::{
    ContentId, Page, Rating, RatingError, ReviewId, ReviewSort, ReviewView, UserId,
};
use crate::store;

/// The longest review, in characters.
pub const MAX_LENGTH: usize = 2000;

/// A review's fields as the client sent them; `None`: not given.
#[derive(Debug, Default)]
pub struct ReviewInput {
    pub rating: Option<f64>,
    pub content: Option<String>,
    pub spoiler: Option<bool>,
}

struct Checked {
    rating: Option<Rating>,
    body: Option<String>,
}

fn check(lang: Language, input: &ReviewInput, creating: bool) -> Result<Checked, ApiError> {
    let messages = i18n::field_messages(lang);
    let mut errors = FieldErrors::new(messages);
    let rating = match input.rating.map(Rating::from_stars) {
        Some(Ok(r)) => Some(r),
        Some(Err(RatingError::OutOfRange)) => {
            errors.add("rating", i18n::RATING_RANGE.in_(lang));
            None
        }
        Some(Err(RatingError::NotAHalfStep)) => {
            errors.add("rating", i18n::RATING_STEP.in_(lang));
            None
        }
        None if creating => {
            errors.add("rating", messages.required);
            None
        }
        None => None,
    };
    let body = match &input.content {
        Some(text) => Some(errors.text("content", text, MAX_LENGTH)),
        None if creating => {
            errors.add("content", messages.required);
            None
        }
        None => None,
    };
    if !creating && input.rating.is_none() && input.content.is_none() && input.spoiler.is_none() {
        errors.add("body", i18n::NOTHING_TO_CHANGE.in_(lang));
    }
    errors.finish()?;
    Ok(Checked { rating, body })
}

impl Service {
    pub async fn create_review(
        &self,
        lang: Language,
        user: UserId,
        content: ContentId,
        input: ReviewInput,
    ) -> Result<ReviewView, ApiError> {
        let checked = check(lang, &input, true)?;
        if !store::contents::exists(&self.db, content).await? {
            return Err(ApiError::not_found(i18n::CONTENT_NOT_FOUND.in_(lang)));
        }
        let new = store::reviews::NewReview {
            content,
            user,
            rating_half: checked.rating.map(Rating::halves).unwrap_or_default(),
            body: checked.body.as_deref().unwrap_or_default(),
            spoiler: input.spoiler.unwrap_or(false),
        };
        let mut tx = self.db.begin().await?;
        let id = match store::reviews::insert(&mut tx, &new, Utc::now()).await {
            Ok(id) => id,
            Err(e) if is_unique_violation(&e) => {
                tx.rollback().await?;
                return Err(ApiError::conflict(i18n::ALREADY_REVIEWED.in_(lang)));
            }
            Err(e) => return Err(e.into()),
        };
        tx.commit().await?;
        self.review(lang, id, Some(user)).await
    }

    pub async fn review(
        &self,
        lang: Language,
        id: ReviewId,
        viewer: Option<UserId>,
    ) -> Result<ReviewView, ApiError> {
        let row = store::reviews::by_id(&self.db, id, viewer)
            .await?
            .ok_or_else(|| ApiError::not_found(i18n::REVIEW_NOT_FOUND.in_(lang)))?;
        Ok(row.into())
    }

    pub async fn edit_review(
        &self,
        lang: Language,
        user: UserId,
        id: ReviewId,
        input: ReviewInput,
    ) -> Result<ReviewView, ApiError> {
        let checked = check(lang, &input, false)?;
        let mut tx = self.db.begin().await?;
        let (author, content, old_half) = store::reviews::lock(&mut tx, id)
            .await?
            .ok_or_else(|| ApiError::not_found(i18n::REVIEW_NOT_FOUND.in_(lang)))?;
        if author != user {
            return Err(ApiError::forbidden(i18n::NOT_THE_AUTHOR.in_(lang)));
        }
        let change = store::reviews::Change {
            rating_half: checked.rating.map(Rating::halves),
            body: checked.body.as_deref(),
            spoiler: input.spoiler,
        };
        store::reviews::update(&mut tx, id, content, old_half, &change, Utc::now()).await?;
        tx.commit().await?;
        self.review(lang, id, Some(user)).await
    }

    pub async fn delete_review(
        &self,
        lang: Language,
        user: UserId,
        id: ReviewId,
    ) -> Result<(), ApiError> {
        let mut tx = self.db.begin().await?;
        let (author, content, old_half) = store::reviews::lock(&mut tx, id)
            .await?
            .ok_or_else(|| ApiError::not_found(i18n::REVIEW_NOT_FOUND.in_(lang)))?;
        if author != user {
            return Err(ApiError::forbidden(i18n::NOT_THE_AUTHOR.in_(lang)));
        }
        store::reviews::delete(&mut tx, id, content, old_half).await?;
        tx.commit().await?;
        Ok(())
    }

    /// A page of a content's reviews in `sort` order (default newest first).
    #[allow(clippy::too_many_arguments)]
    pub async fn reviews_of_content(
        &self,
        lang: Language,
        content: ContentId,
        sort: Option<ReviewSort>,
        viewer: Option<UserId>,
        page: Option<i64>,
        size: Option<i64>,
    ) -> Result<Page<ReviewView>, ApiError> {
        let mut errors = FieldErrors::new(i18n::field_messages(lang));
        let paging = paging(lang, &mut errors, page, size);
        errors.finish()?;
        // The content's own count is its reviews' total: one row read, not a COUNT.
        let total = store::contents::by_id(&self.db, content)
            .await?
            .ok_or_else(|| ApiError::not_found(i18n::CONTENT_NOT_FOUND.in_(lang)))?
            .review_count;
        let rows = store::reviews::of_content(
            &self.db,
            content,
            sort.unwrap_or(ReviewSort::Latest),
            viewer,
            paging.size,
            paging.offset(),
        )
        .await?;
        Ok(Page {
            items: rows.into_iter().map(ReviewView::from).collect(),
            page: paging.page,
            size: paging.size,
            total,
        })
    }

    /// A page of a user's reviews, newest first.
    pub async fn reviews_of_user(
        &self,
        lang: Language,
        user: UserId,
        viewer: Option<UserId>,
        page: Option<i64>,
        size: Option<i64>,
    ) -> Result<Page<ReviewView>, ApiError> {
        let mut errors = FieldErrors::new(i18n::field_messages(lang));
        let paging = paging(lang, &mut errors, page, size);
        errors.finish()?;
        if store::users::by_id(&self.db, user).await?.is_none() {
            return Err(ApiError::not_found(i18n::USER_NOT_FOUND.in_(lang)));
        }
        let (rows, total) =
            store::reviews::of_user(&self.db, user, viewer, paging.size, paging.offset()).await?;
        Ok(Page {
            items: rows.into_iter().map(ReviewView::from).collect(),
            page: paging.page,
            size: paging.size,
            total,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use platform::texts::EN;

    fn input(rating: Option<f64>, content: Option<&str>) -> ReviewInput {
        ReviewInput {
            rating,
            content: content.map(str::to_owned),
            spoiler: None,
        }
    }

    #[test]
    fn a_new_review_needs_a_half_star_rating_and_a_text_of_at_most_2000() {
        assert!(check(EN, &input(Some(4.5), Some("좋아요")), true).is_ok());
        assert!(check(EN, &input(Some(5.0), Some(&"가".repeat(2000))), true).is_ok());
        for (rating, text, field) in [
            (Some(0.0), Some("x"), "rating"),
            (Some(5.5), Some("x"), "rating"),
            (Some(3.3), Some("x"), "rating"),
            (None, Some("x"), "rating"),
            (Some(3.0), None, "content"),
            (Some(3.0), Some("  "), "content"),
        ] {
            let err = check(EN, &input(rating, text), true)
                .err()
                .expect("refused");
            assert_eq!(err.details()[0].field, field, "{rating:?} {text:?}");
        }
        let err = check(EN, &input(Some(3.0), Some(&"a".repeat(2001))), true)
            .err()
            .expect("too long");
        assert_eq!(err.details()[0].field, "content");
    }

    #[test]
    fn an_edit_changes_something() {
        assert!(check(EN, &input(None, None), false).is_err());
        assert!(check(EN, &input(Some(1.0), None), false).is_ok());
    }
}
