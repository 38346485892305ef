//! `serve --demo`: six users and a few hundred reviews and likes over the bundled
//! catalogue, so that popular lists, averages and like counts look alive. The
//! spread is fixed (no randomness): every start of a demo shows the same site.

use chrono::{Duration, Utc};
use platform::DemoLogin;
use platform::app::{AppContext, BoxError};
use platform::on_pool;

use crate::model::{ContentId, ReviewId, UserId};
use crate::service::users;
use crate::store;

pub const DEMO_PASSWORD: &str = "demo1234!";

/// (email, nickname, bio)
const USERS: [(&str, &str, Option<&str>); 6] = [
    ("minji@demo.ondol.dev", "민지", Some("주말마다 영화 두 편")),
    ("junho@demo.ondol.dev", "준호", Some("스릴러와 다큐멘터리")),
    ("seoyeon@demo.ondol.dev", "서연", None),
    ("alex@demo.ondol.dev", "Alex", Some("K-drama convert")),
    ("hana@demo.ondol.dev", "하나", Some("애니메이션, 가족 영화")),
    ("taeyang@demo.ondol.dev", "태양", None),
];

const TEXTS: [&str; 12] = [
    "마지막 장면이 오래 남는다. 다시 보고 싶다.",
    "배우들의 연기가 모든 것을 설득한다.",
    "중반부가 조금 늘어지지만 결말이 훌륭하다.",
    "음악과 촬영이 압도적이다. 극장에서 봐야 할 영화.",
    "기대보다 평범했다. 그래도 한 번은 볼 만하다.",
    "각본이 치밀하다. 복선이 하나도 버려지지 않는다.",
    "가족과 함께 보기 좋았다.",
    "Slow start, but the last hour is unforgettable.",
    "Great performances, uneven script.",
    "두 번째 볼 때 더 좋았다.",
    "너무 길다. 20분만 줄였어도.",
    "A quiet film that stays with you for days.",
];

/// Users, then reviews: each user reviews every few titles of the most popular
/// 120 (about 330 reviews), and each review gets likes from some of the others.
pub async fn seed(ctx: &AppContext) -> Result<Vec<DemoLogin>, BoxError> {
    let mut ids: Vec<UserId> = Vec::new();
    for (email, nickname, bio) in USERS {
        let user = users::signup(
            &ctx.db,
            &ctx.passwords,
            platform::texts::KO,
            email,
            DEMO_PASSWORD,
            nickname,
        )
        .await
        .map_err(|e| format!("demo user {email}: {}", e.message))?;
        if let Some(bio) = bio {
            let input = users::ProfileInput {
                bio: Some(Some(bio.to_owned())),
                ..Default::default()
            };
            users::update_profile(&ctx.db, platform::texts::KO, user.id, input)
                .await
                .map_err(|e| format!("demo bio: {}", e.message))?;
        }
        ids.push(user.id);
    }
    let contents: Vec<ContentId> = on_pool!(ctx.db.reader(), |p| sqlx::query_scalar(
        "SELECT id FROM contents ORDER BY popularity DESC, id LIMIT 120"
    )
    .fetch_all(p)
    .await)?;
    let now = Utc::now();
    let mut reviews: Vec<(ReviewId, usize)> = Vec::new();
    let mut tx = ctx.db.begin().await?;
    for (u, user) in ids.iter().enumerate() {
        for (c, content) in contents.iter().enumerate() {
            // Each user skips a different ~55% of the titles.
            if (c * 7 + u * 3) % 20 >= 9 {
                continue;
            }
            // Popular titles rate higher; each user leans a little differently.
            let base = if c < 40 { 8 } else { 6 };
            let halves = (base + (c * 3 + u * 5) % 5) as i64 - 1;
            let new = store::reviews::NewReview {
                content: *content,
                user: *user,
                rating_half: halves.clamp(1, 10),
                body: TEXTS[(c + u * 5) % TEXTS.len()],
                spoiler: (c + u) % 11 == 0,
            };
            let at = now - Duration::minutes(((c * 97 + u * 31) % 20_000) as i64);
            let id = store::reviews::insert(&mut tx, &new, at).await?;
            reviews.push((id, u));
        }
    }
    for (i, (review, author)) in reviews.iter().enumerate() {
        for (u, user) in ids.iter().enumerate() {
            if u != *author && (i * 5 + u * 7) % 9 < 3 {
                store::likes::like(&mut tx, *review, *user, now).await?;
            }
        }
    }
    tx.commit().await?;
    tracing::info!(reviews = reviews.len(), "demo data loaded");
    Ok(USERS
        .iter()
        .map(|(email, nickname, _)| DemoLogin {
            login: (*email).to_owned(),
            password: DEMO_PASSWORD.to_owned(),
            role: (*nickname).to_owned(),
        })
        .collect())
}
