//! `serve --demo`: users in every department and ~3,000 orders over the last 60 days
//! and the next 7, so a newcomer sees a living control room at once.

use chrono::{Duration, Utc};
use platform::app::{AppContext, BoxError};
use platform::{DemoLogin, on_pool};

use crate::generate::{self, BUNDLED_POSTAL_CODES, Spec};
use crate::model::{Department, Role};
use crate::store;

pub const DEMO_PASSWORD: &str = "demo1234!";
const DEMO_USERS: [(&str, Department, Role); 4] = [
    ("admin", Department::Cs, Role::Admin),
    ("cs_user", Department::Cs, Role::User),
    ("hes_user", Department::Hes, Role::User),
    ("lenovo_user", Department::Lenovo, Role::User),
];

pub async fn seed(ctx: &AppContext) -> Result<Vec<DemoLogin>, BoxError> {
    let logins = DEMO_USERS
        .iter()
        .map(|(id, _, role)| DemoLogin {
            login: (*id).into(),
            password: DEMO_PASSWORD.into(),
            role: role.as_str().into(),
        })
        .collect();
    if store::users::count(&ctx.db).await? > 0 || store::orders::count(&ctx.db).await? > 0 {
        // Not empty: never touch real data.
        return Ok(logins);
    }
    let hash = ctx.passwords.hash(DEMO_PASSWORD).await?;
    for (id, department, role) in DEMO_USERS {
        store::users::insert(&ctx.db, id, &hash, department, role).await?;
    }
    let postal = generate::parse_postal_csv(BUNDLED_POSTAL_CODES)?;
    let now = Utc::now();
    let orders = generate::orders(&Spec {
        count: 3_000,
        start: now - Duration::days(60),
        end: now + Duration::days(7),
        now,
        seed: 20_230_315,
        postal: &postal,
        prefix: "ORD",
        created_by: "admin",
    });
    generate::store(&ctx.db, &orders).await?;
    // Every order has its initial remark, as if created through the API; some say more.
    on_pool!(ctx.db.writer(), |p| {
        sqlx::query(
            "INSERT INTO dashboard_remarks (dashboard_id, content, created_at, created_by)
             SELECT dashboard_id,
                    CASE WHEN dashboard_id % 7 = 0 THEN '고객 요청: 부재 시 경비실에 맡겨 주세요'
                         WHEN dashboard_id % 11 = 0 THEN '엘리베이터 없음, 3층'
                         ELSE '' END,
                    create_time, 'admin'
             FROM dashboards ORDER BY dashboard_id",
        )
        .execute(p)
        .await
        .map(drop)
    })?;
    tracing::info!(orders = orders.len(), "demo data loaded");
    Ok(logins)
}
