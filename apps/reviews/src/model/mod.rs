//! The app's types: ids, kinds, ratings and the JSON shapes of the spec.

mod rating;
mod views;

use chrono::{DateTime, Utc};
use serde::{Deserialize, Serialize};

pub use rating::{Rating, RatingError};
pub use views::{
    ContentView, Genre, LikeState, Page, PublicUser, ReviewAuthor, ReviewView, UserView,
};

platform::id!(
    /// A user (the token's `sub`).
    UserId(i64)
);
platform::id!(
    /// A movie or TV show.
    ContentId(i64)
);
platform::id!(
    /// A review.
    ReviewId(i64)
);
platform::id!(
    /// A registered device.
    DeviceId(i64)
);

platform::text_enum! {
    /// What a content is.
    pub enum Kind { Movie = "movie", Tv = "tv" }
}

platform::text_enum! {
    /// The order of a content's reviews: newest, most liked or highest rated first.
    pub enum ReviewSort { Latest = "latest", Likes = "likes", Rating = "rating" }
}

/// Access-token claims besides `sub`: none (every user has the same rights).
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct UserClaims {}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: UserId,
    pub email: String,
    pub password_hash: String,
    pub nickname: String,
    pub bio: Option<String>,
    pub profile_image: Option<String>,
    pub created_at: DateTime<Utc>,
    pub disabled_at: Option<DateTime<Utc>>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ContentRow {
    pub id: ContentId,
    #[sqlx(try_from = "String")]
    pub kind: Kind,
    pub title: String,
    pub original_title: String,
    pub year: Option<i32>,
    pub overview: Option<String>,
    pub poster_url: Option<String>,
    pub rating_sum: i64,
    pub review_count: i64,
    /// `bundled` or `tmdb`, and the content's key there (`movie:496243`).
    pub source: String,
    pub external_id: String,
    pub fetched_at: DateTime<Utc>,
}

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct ReviewRow {
    pub id: ReviewId,
    pub content_id: ContentId,
    pub user_id: UserId,
    pub nickname: String,
    pub profile_image: Option<String>,
    pub rating_half: i32,
    pub body: String,
    pub spoiler: bool,
    pub like_count: i64,
    pub liked_by_me: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}
