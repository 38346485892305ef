//! The JSON shapes the API answers with (the spec's "Decisions").

use chrono::{DateTime, Utc};
use serde::Serialize;

use super::rating::average;
use super::{ContentId, ContentRow, Kind, Rating, ReviewId, ReviewRow, UserId, UserRow};

/// `{items, page, size, total}`.
#[derive(Debug, Serialize, utoipa::ToSchema)]
pub struct Page<T: Serialize> {
    pub items: Vec<T>,
    pub page: i64,
    pub size: i64,
    pub total: i64,
}

/// The caller, with their e-mail address.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct UserView {
    pub id: UserId,
    #[schema(example = "minji@example.com")]
    pub email: String,
    pub nickname: String,
    pub bio: Option<String>,
    pub profile_image: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<&UserRow> for UserView {
    fn from(u: &UserRow) -> Self {
        Self {
            id: u.id,
            email: u.email.clone(),
            nickname: u.nickname.clone(),
            bio: u.bio.clone(),
            profile_image: u.profile_image.clone(),
            created_at: u.created_at,
        }
    }
}

/// Anyone's profile: no e-mail address.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct PublicUser {
    pub id: UserId,
    pub nickname: String,
    pub bio: Option<String>,
    pub profile_image: Option<String>,
    pub created_at: DateTime<Utc>,
}

impl From<&UserRow> for PublicUser {
    fn from(u: &UserRow) -> Self {
        Self {
            id: u.id,
            nickname: u.nickname.clone(),
            bio: u.bio.clone(),
            profile_image: u.profile_image.clone(),
            created_at: u.created_at,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, utoipa::ToSchema, sqlx::FromRow)]
pub struct Genre {
    #[schema(example = 18)]
    pub id: i64,
    #[schema(example = "Drama")]
    pub name: String,
}

/// A movie or TV show with its genres and its reviews' aggregates.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ContentView {
    pub id: ContentId,
    #[serde(rename = "type")]
    #[schema(rename = "type")]
    pub kind: Kind,
    #[schema(example = "Parasite")]
    pub title: String,
    #[schema(example = "기생충")]
    pub original_title: String,
    #[schema(example = 2019)]
    pub year: Option<i32>,
    pub genres: Vec<Genre>,
    pub overview: Option<String>,
    pub poster_url: Option<String>,
    /// The mean rating in stars, two decimals; `null` without reviews.
    #[schema(example = 4.25)]
    pub average_rating: Option<f64>,
    pub review_count: i64,
}

impl ContentView {
    pub fn new(c: ContentRow, genres: Vec<Genre>) -> Self {
        Self {
            id: c.id,
            kind: c.kind,
            average_rating: average(c.rating_sum, c.review_count),
            review_count: c.review_count,
            title: c.title,
            original_title: c.original_title,
            year: c.year,
            genres,
            overview: c.overview,
            poster_url: c.poster_url,
        }
    }
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReviewAuthor {
    pub id: UserId,
    pub nickname: String,
    pub profile_image: Option<String>,
}

#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct ReviewView {
    pub id: ReviewId,
    pub content_id: ContentId,
    pub user: ReviewAuthor,
    /// Stars, 0.5 to 5.0 in halves.
    #[schema(value_type = f64, example = 4.5)]
    pub rating: Rating,
    pub content: String,
    pub spoiler: bool,
    pub like_count: i64,
    /// Whether the caller likes it (`false` without a token).
    pub liked_by_me: bool,
    pub created_at: DateTime<Utc>,
    pub updated_at: DateTime<Utc>,
}

impl From<ReviewRow> for ReviewView {
    fn from(r: ReviewRow) -> Self {
        Self {
            id: r.id,
            content_id: r.content_id,
            user: ReviewAuthor {
                id: r.user_id,
                nickname: r.nickname,
                profile_image: r.profile_image,
            },
            rating: Rating::from_halves(i64::from(r.rating_half))
                .expect("the table's check keeps ratings between 1 and 10 half stars"),
            content: r.body,
            spoiler: r.spoiler,
            like_count: r.like_count,
            liked_by_me: r.liked_by_me,
            created_at: r.created_at,
            updated_at: r.updated_at,
        }
    }
}

/// A like's outcome: whether the caller likes the review now, and its count.
#[derive(Debug, Clone, Serialize, utoipa::ToSchema)]
pub struct LikeState {
    pub review_id: ReviewId,
    pub liked: bool,
    pub like_count: i64,
}
