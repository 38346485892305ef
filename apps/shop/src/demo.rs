//! `serve --demo`: an admin, two sellers, two buyers and a category tree.

use chrono::{Duration, Utc};
use platform::DemoLogin;
use platform::app::{AppContext, BoxError};
use platform::on_pool;

use crate::model::Role;
use crate::store;

pub const DEMO_PASSWORD: &str = "demo1234!";

/// (email, name, role)
const USERS: [(&str, &str, Role); 5] = [
    ("admin@demo.ondol.dev", "운영자", Role::Admin),
    ("seller1@demo.ondol.dev", "온돌상회", Role::Seller),
    ("seller2@demo.ondol.dev", "Maru Goods", Role::Seller),
    ("buyer1@demo.ondol.dev", "김지우", Role::Buyer),
    ("buyer2@demo.ondol.dev", "Alex Park", Role::Buyer),
];

/// Roots and their children.
const CATEGORIES: [(&str, &[&str]); 3] = [
    ("전자제품", &["노트북", "스마트폰", "액세서리"]),
    ("생활용품", &["주방", "욕실"]),
    ("도서", &["소설", "IT"]),
];

async fn count_users(ctx: &AppContext) -> Result<i64, sqlx::Error> {
    on_pool!(ctx.db.reader(), |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM users"
    )
    .fetch_one(p)
    .await)
}

pub async fn seed(ctx: &AppContext) -> Result<Vec<DemoLogin>, BoxError> {
    let logins = USERS
        .iter()
        .map(|(email, _, role)| DemoLogin {
            login: (*email).into(),
            password: DEMO_PASSWORD.into(),
            role: role.to_string(),
        })
        .collect();
    if count_users(ctx).await? > 0 {
        // Not empty: never touch real data.
        return Ok(logins);
    }
    let hash = ctx.passwords.hash(DEMO_PASSWORD).await?;
    let started = Utc::now() - Duration::days(30);
    for (i, (email, name, role)) in USERS.iter().enumerate() {
        let at = started + Duration::hours(i as i64);
        store::users::insert(&ctx.db, email, &hash, name, *role, at).await?;
    }
    for (root, children) in CATEGORIES {
        let parent = store::categories::insert(&ctx.db, root, None, started).await?;
        for child in children {
            store::categories::insert(&ctx.db, child, Some(parent.id), started).await?;
        }
    }
    Ok(logins)
}
