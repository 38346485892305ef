//! `ondol-bench seed-delivery`: a deterministic delivery database of any size, from
//! the app's own generator, stored by it (so it is exactly what the server reads).

use std::sync::Arc;
use std::time::Instant;

use chrono::{Duration, Utc};
use delivery::generate::{self, BUNDLED_POSTAL_CODES, Spec};
use platform::app::ShutdownToken;
use platform::config::Config;
use platform::{App, on_pool, server};

pub const BENCH_USER: &str = "bench";
pub const BENCH_PASSWORD: &str = "bench-password";

pub struct SeedArgs {
    pub orders: usize,
    pub recent: usize,
    pub seed: u64,
}

pub async fn run(config: Config, args: SeedArgs) -> anyhow::Result<()> {
    let config = Arc::new(config);
    let app = delivery::Delivery;
    let ctx = server::open(&app, config.clone(), ShutdownToken::new())
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    let users = app
        .list_users(&ctx)
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    if !users.iter().any(|u| u.login == BENCH_USER) {
        app.add_user(
            &ctx,
            platform::NewUser {
                login: BENCH_USER.into(),
                password: BENCH_PASSWORD.into(),
                role: Some("ADMIN".into()),
                department: Some("CS".into()),
                name: None,
            },
        )
        .await
        .map_err(|e| anyhow::anyhow!("{e}"))?;
    }
    let existing = count_orders(&ctx.db).await?;
    if existing > 0 {
        println!("{existing} orders already stored; nothing generated");
        return Ok(());
    }
    let postal = generate::parse_postal_csv(BUNDLED_POSTAL_CODES)?;
    let now = Utc::now();
    let old = args.orders.saturating_sub(args.recent);
    // `recent` orders with an ETA in the last 31 days, the rest over the 3 years before.
    let parts = [
        (
            old,
            now - Duration::days(31 + 3 * 365),
            now - Duration::days(31),
            "B",
        ),
        (args.recent, now - Duration::days(31), now, "R"),
    ];
    let started = Instant::now();
    for (count, start, end, prefix) in parts {
        const CHUNK: usize = 50_000;
        let mut done = 0;
        while done < count {
            let n = CHUNK.min(count - done);
            let orders = generate::orders(&Spec {
                count: n,
                start,
                end,
                now,
                seed: args.seed ^ (done as u64) ^ u64::from(prefix.as_bytes()[0]),
                postal: &postal,
                prefix: &format!("{prefix}{done:07}-"),
                created_by: BENCH_USER,
            });
            generate::store(&ctx.db, &orders).await?;
            done += n;
            eprintln!(
                "  {prefix}: {done}/{count} ({:.0} s)",
                started.elapsed().as_secs_f64()
            );
        }
    }
    // Fresh statistics, so the planner's choices do not depend on autovacuum timing.
    if let platform::db::Db::Postgres { pool, .. } = &ctx.db {
        let mut conn = pool.get().await?;
        sqlx::query("ANALYZE").execute(&mut *conn).await?;
        conn.finish(true);
    }
    println!(
        "{} orders stored in {:.0} s ({})",
        count_orders(&ctx.db).await?,
        started.elapsed().as_secs_f64(),
        ctx.db.engine()
    );
    ctx.db.close().await;
    Ok(())
}

async fn count_orders(db: &platform::db::Db) -> Result<i64, sqlx::Error> {
    on_pool!(db.reader(), |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM dashboards"
    )
    .fetch_one(p)
    .await)
}
