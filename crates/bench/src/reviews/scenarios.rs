//! The reviews benchmarks of docs/benchmarks.md, against a running server, each
//! beside a bare axum server measured in the same run.

use std::sync::Arc;
use std::time::Duration;

use bytes::Bytes;
use hyper::Method;
use platform::config::Config;
use platform::{on_pool, server};
use reviews::model::UserClaims;

use super::WRITERS;
use crate::harness::{Run, ratio};
use crate::load::{self, Plan, Target};

pub struct Options {
    pub run: Run,
    pub only: Vec<String>,
}

/// What the scenarios need from the database, read once before the load.
struct Setup {
    contents: Vec<i64>,
    /// Contents with at least 50 pages of 20 reviews.
    deep: Vec<i64>,
    /// Generated reviews are 1..=max_review (the writers' own come after).
    max_review: i64,
    readers: i64,
    writers: Vec<String>,
    /// Per writer, the contents it has not reviewed yet.
    unreviewed: Vec<Vec<i64>>,
}

async fn setup(config: &Config) -> anyhow::Result<Setup> {
    let ctx = server::open(
        &reviews::Reviews,
        Arc::new(config.clone()),
        platform::app::ShutdownToken::new(),
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let contents: Vec<i64> = on_pool!(ctx.db.reader(), |p| sqlx::query_scalar(
        "SELECT id FROM contents ORDER BY id"
    )
    .fetch_all(p)
    .await)?;
    let deep: Vec<i64> = on_pool!(ctx.db.reader(), |p| sqlx::query_scalar(
        "SELECT id FROM contents WHERE review_count >= 1000 ORDER BY id"
    )
    .fetch_all(p)
    .await)?;
    let max_review: i64 = on_pool!(ctx.db.reader(), |p| sqlx::query_scalar(
        "SELECT CAST(COALESCE(MAX(r.id), 0) AS BIGINT) FROM reviews r
         JOIN users u ON u.id = r.user_id WHERE u.email NOT LIKE 'writer%'"
    )
    .fetch_one(p)
    .await)?;
    let writer_ids: Vec<i64> = on_pool!(ctx.db.reader(), |p| sqlx::query_scalar(
        "SELECT id FROM users WHERE email LIKE 'writer%' ORDER BY id"
    )
    .fetch_all(p)
    .await)?;
    let reviewed: Vec<(i64, i64)> = on_pool!(ctx.db.reader(), |p| sqlx::query_as(
        "SELECT r.user_id, r.content_id FROM reviews r
         JOIN users u ON u.id = r.user_id WHERE u.email LIKE 'writer%'"
    )
    .fetch_all(p)
    .await)?;
    ctx.db.close().await;
    let unreviewed = writer_ids
        .iter()
        .enumerate()
        .map(|(w, id)| {
            let done: std::collections::HashSet<i64> = reviewed
                .iter()
                .filter(|(u, _)| u == id)
                .map(|(_, c)| *c)
                .collect();
            // Each writer starts at a different content.
            let mut left: Vec<i64> = contents
                .iter()
                .copied()
                .filter(|c| !done.contains(c))
                .collect();
            let n = left.len().max(1);
            left.rotate_left((w * 5) % n);
            left
        })
        .collect();
    anyhow::ensure!(
        !deep.is_empty() && writer_ids.len() == WRITERS as usize,
        "the reviews database is not seeded; run `ondol-bench seed-reviews` first"
    );
    let keys = crate::harness::signing_keys(config, "reviews", Duration::from_secs(3600))?;
    let writers = writer_ids
        .iter()
        .map(|id| {
            keys.issue(&id.to_string(), UserClaims {})
                .map(|(t, _)| t)
                .map_err(|e| anyhow::anyhow!("{}", e.message))
        })
        .collect::<Result<_, _>>()?;
    Ok(Setup {
        readers: writer_ids[0] - 1,
        contents,
        deep,
        max_review,
        writers,
        unreviewed,
    })
}

/// Whether every content's aggregates, and the like count of every review the
/// writers liked, are what the rows say; the mismatches found.
async fn check_exact(config: &Config, readers: i64) -> anyhow::Result<(i64, i64)> {
    let ctx = server::open(
        &reviews::Reviews,
        Arc::new(config.clone()),
        platform::app::ShutdownToken::new(),
    )
    .await
    .map_err(|e| anyhow::anyhow!("{e}"))?;
    let contents: i64 = on_pool!(ctx.db.reader(), |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM contents c LEFT JOIN
             (SELECT content_id, SUM(rating_half) AS s, COUNT(*) AS n FROM reviews
              GROUP BY content_id) r ON r.content_id = c.id
         WHERE c.rating_sum <> COALESCE(r.s, 0) OR c.review_count <> COALESCE(r.n, 0)"
    )
    .fetch_one(p)
    .await)?;
    let likes: i64 = on_pool!(ctx.db.reader(), |p| sqlx::query_scalar(
        "SELECT COUNT(*) FROM reviews r
         WHERE r.id IN (SELECT review_id FROM review_likes WHERE user_id > $1)
           AND r.like_count <> (SELECT COUNT(*) FROM review_likes l WHERE l.review_id = r.id)"
    )
    .bind(readers)
    .fetch_one(p)
    .await)?;
    ctx.db.close().await;
    Ok((contents, likes))
}

pub async fn run(config: &Config, opts: &Options) -> anyhow::Result<()> {
    let o = &opts.run;
    o.ensure_loopback()?;
    let s = setup(config).await?;
    let wants = |name: &str| opts.only.is_empty() || opts.only.iter().any(|x| x == name);
    let base = o.start(wants("baseline")).await?;
    let addr = o.addr;
    let get = move |path: String| crate::harness::target(addr, Method::GET, path, None);

    if wants("detail") {
        let contents = Arc::new(s.contents.clone());
        let make: load::MakeRequest = Arc::new(move |c, i| {
            let id = contents[(c * 7_919 + i * 104_729) % contents.len()];
            get(format!("/contents/{id}"))
        });
        o.closed_and_paced(make, "content detail", base).await?;
        o.report_rss("after detail");
    }

    if wants("reviews") {
        for page in [1, 50] {
            let deep = Arc::new(s.deep.clone());
            let make: load::MakeRequest = Arc::new(move |c, i| {
                let id = deep[(c * 31 + i * 7) % deep.len()];
                get(format!("/contents/{id}/reviews?sort=likes&page={page}"))
            });
            o.closed_and_paced(make, &format!("reviews by likes p{page}"), base)
                .await?;
        }
        o.report_rss("after reviews");
    }

    if wants("search") {
        const TERMS: [&str; 8] = [
            "the",
            "love",
            "man",
            "star",
            "night",
            "%EA%B8%B0",
            "war",
            "dark",
        ];
        let make: load::MakeRequest =
            Arc::new(move |c, i| get(format!("/contents?query={}", TERMS[(c + i) % TERMS.len()])));
        o.closed_and_paced(make, "search", base).await?;
        o.report_rss("after search");
    }

    if wants("write") {
        // Each connection a writer of its own: likes on random generated reviews
        // and reviews of contents the writer has not reviewed, one of each in
        // turn (only likes once a writer has reviewed everything).
        let unreviewed = Arc::new(s.unreviewed.clone());
        let writers = Arc::new(s.writers.clone());
        let max_review = s.max_review.max(1) as usize;
        let make: load::MakeRequest = Arc::new(move |c, i| {
            let token = Some(writers[c].as_str());
            let left = &unreviewed[c];
            if i % 2 == 0 || i / 2 >= left.len() {
                let review = 1 + (c * 7_919 + i * 104_729) % max_review;
                crate::harness::target(addr, Method::POST, format!("/reviews/{review}/like"), token)
            } else {
                let content = left[i / 2];
                Target {
                    body: Some(Bytes::from(format!(
                        r#"{{"rating": {}, "content": "벤치마크 리뷰 {c}-{i}", "spoiler": false}}"#,
                        0.5 * (1 + (c + i) % 10) as f64
                    ))),
                    ..crate::harness::target(
                        addr,
                        Method::POST,
                        format!("/contents/{content}/reviews"),
                        token,
                    )
                }
            }
        });
        let p = Plan {
            also_ok: &[409],
            ..o.plan(64)
        };
        let summary = load::run(make, &p).await?;
        summary.print("write mix (like, review) c=64");
        ratio(&summary, base, "write");
        println!(
            "{:<28} {} likes, {} reviews, {} refused (409)",
            "",
            summary.count(200),
            summary.count(201),
            summary.count(409)
        );
        o.report_rss("after writes");
        let (contents, likes) = check_exact(config, s.readers).await?;
        println!(
            "{:<28} aggregates: {contents} contents and {likes} liked reviews differ from their rows",
            ""
        );
        anyhow::ensure!(
            contents == 0 && likes == 0,
            "aggregates differ from the rows"
        );
    }
    Ok(())
}
