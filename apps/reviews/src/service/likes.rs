//! Likes: idempotent both ways, never on your own review, and a push to every
//! device of the review's author when a like is new, queued in the like's
//! transaction and sent by the outbox worker after it commits.

use std::collections::BTreeMap;

use chrono::Utc;
use platform::ApiError;
use platform::external::push::Push;
use platform::texts::Language;

use super::Service;
use crate::i18n;
use crate::model::{LikeState, ReviewId, UserId};
use crate::store;

impl Service {
    /// Likes `review` as `user`; liking again changes nothing.
    pub async fn like(
        &self,
        lang: Language,
        user: UserId,
        review: ReviewId,
    ) -> Result<LikeState, ApiError> {
        let mut tx = self.db.begin().await?;
        let (author, count) = store::likes::lock_review(&mut tx, review)
            .await?
            .ok_or_else(|| ApiError::not_found(i18n::REVIEW_NOT_FOUND.in_(lang)))?;
        if author == user {
            return Err(ApiError::forbidden(i18n::OWN_REVIEW.in_(lang)));
        }
        let added = store::likes::like(&mut tx, review, user, Utc::now()).await?;
        if added.is_some() {
            let tokens = store::devices::tokens_of(&mut tx, author).await?;
            if !tokens.is_empty() {
                let (liker, title) = store::likes::push_context(&mut tx, review, user).await?;
                for fcm_token in tokens {
                    let push = liked_push(fcm_token, review, &liker, &title);
                    self.pusher.queue(&mut tx, &push).await?;
                }
            }
        }
        tx.commit().await?;
        Ok(LikeState {
            review_id: review,
            liked: true,
            like_count: added.unwrap_or(count),
        })
    }

    /// Takes `user`'s like off `review`; unliking again changes nothing.
    pub async fn unlike(
        &self,
        lang: Language,
        user: UserId,
        review: ReviewId,
    ) -> Result<LikeState, ApiError> {
        let mut tx = self.db.begin().await?;
        let (author, count) = store::likes::lock_review(&mut tx, review)
            .await?
            .ok_or_else(|| ApiError::not_found(i18n::REVIEW_NOT_FOUND.in_(lang)))?;
        if author == user {
            return Err(ApiError::forbidden(i18n::OWN_REVIEW.in_(lang)));
        }
        let removed = store::likes::unlike(&mut tx, review, user).await?;
        tx.commit().await?;
        Ok(LikeState {
            review_id: review,
            liked: false,
            like_count: removed.unwrap_or(count),
        })
    }
}

/// The author's notification, in the app's language (Korean): the author is not
/// the one asking, so the request's language says nothing about theirs.
fn liked_push(fcm_token: String, review: ReviewId, liker: &str, title: &str) -> Push {
    Push {
        fcm_token,
        title: i18n::LIKED_TITLE.ko.to_owned(),
        body: format!("{liker}님이 《{title}》 리뷰를 좋아합니다"),
        data: BTreeMap::from([
            ("type".to_owned(), "review_liked".to_owned()),
            ("review_id".to_owned(), review.to_string()),
        ]),
    }
}
