//! `ondol-bench seed-reviews`: a deterministic reviews database of any size over
//! the bundled catalogue: readers who review, reviews spread evenly over the
//! contents with a skew towards good ratings, likes (0 to 10 per review, 5 on
//! average), and the contents' aggregates and like counts exactly as the rows
//! say.

use std::collections::HashMap;
use std::time::Instant;

use chrono::{Duration, Utc};
use platform::config::Config;
use platform::{on_pool, on_tx};

use super::{PASSWORD, WRITERS, author};
use crate::bulk::{V, fresh, insert, settle};
use delivery::generate::Rng;

pub struct SeedArgs {
    pub reviews: usize,
    pub users: usize,
    pub seed: u64,
}

/// Half stars, leaning high as review sites do (mean about 3.6 stars).
fn rating_half(rng: &mut Rng) -> i64 {
    match rng.below(100) {
        0..4 => 2,
        4..8 => 3 + rng.below(2) as i64,
        8..20 => 5 + rng.below(2) as i64,
        20..45 => 7,
        45..72 => 8,
        72..90 => 9,
        _ => 10,
    }
}

const TEXTS: [&str; 6] = [
    "연출과 연기가 모두 좋았다. 다시 보고 싶은 작품.",
    "기대만큼은 아니었지만 볼 만했다.",
    "음악이 오래 남는다.",
    "A slow start, but worth it.",
    "중반부터 긴장감이 대단하다.",
    "Great cast, uneven script.",
];

pub async fn run(config: Config, args: SeedArgs) -> anyhow::Result<()> {
    let Some((ctx, hash)) = fresh(&reviews::Reviews, config, PASSWORD).await? else {
        return Ok(());
    };
    let contents: Vec<i64> = on_pool!(ctx.db.reader(), |p| sqlx::query_scalar(
        "SELECT id FROM contents ORDER BY id"
    )
    .fetch_all(p)
    .await)?;
    let c = contents.len() as i64;
    let users = args.users as i64;
    anyhow::ensure!(c > 0, "no contents: the catalogue did not load");
    anyhow::ensure!(
        users >= 20 && (args.reviews as i64) <= c * users,
        "{} reviews need at least {} users over {c} contents",
        args.reviews,
        (args.reviews as i64 + c - 1) / c
    );
    let started = Instant::now();
    let now = Utc::now();

    // Readers, then the writers of the write mix.
    let mut tx = ctx.db.begin().await?;
    let rows: Vec<Vec<V>> = (1..=users + WRITERS)
        .map(|id| {
            let (email, nickname) = if id <= users {
                (format!("user{id}@bench.ondol.dev"), format!("관객 {id}"))
            } else {
                (format!("writer{id}@bench.ondol.dev"), format!("작가 {id}"))
            };
            vec![
                V::I(id),
                V::T(email),
                V::T(hash.clone()),
                V::T(nickname),
                V::At(now - Duration::days(800) + Duration::seconds(id)),
            ]
        })
        .collect();
    insert(
        &mut tx,
        "users",
        &["id", "email", "password_hash", "nickname", "created_at"],
        &rows,
    )
    .await?;
    tx.commit().await?;

    const CHUNK: i64 = 20_000;
    let n = args.reviews as i64;
    let span = Duration::days(730).num_seconds();
    let mut sums: HashMap<i64, (i64, i64)> = HashMap::new();
    let mut likes_total = 0i64;
    for from in (0..n).step_by(CHUNK as usize) {
        let to = (from + CHUNK).min(n);
        let mut reviews = Vec::with_capacity(CHUNK as usize);
        let mut likes = Vec::with_capacity(CHUNK as usize * 5);
        for j in from..to {
            let mut rng = Rng::new(args.seed ^ (j as u64).wrapping_mul(0x9e37_79b9_7f4a_7c15));
            let id = j + 1;
            let content = contents[(j % c) as usize];
            let user = author(j, c, users);
            let half = rating_half(&mut rng);
            let liked = rng.below(11) as i64;
            let at = now - Duration::days(730) + Duration::seconds(j * span / n);
            let entry = sums.entry(content).or_default();
            entry.0 += half;
            entry.1 += 1;
            reviews.push(vec![
                V::I(id),
                V::I(content),
                V::I(user),
                V::I(half),
                V::T(TEXTS[(j % TEXTS.len() as i64) as usize].to_owned()),
                V::B(rng.below(20) == 0),
                V::I(liked),
                V::At(at),
                V::At(at),
            ]);
            for t in 0..liked {
                // Distinct, and never the author (t * 97 + 1 < users).
                let liker = 1 + (user - 1 + 1 + t * 97) % users;
                likes.push(vec![V::I(id), V::I(liker), V::At(at + Duration::hours(1))]);
            }
            likes_total += liked;
        }
        let mut tx = ctx.db.begin().await?;
        insert(
            &mut tx,
            "reviews",
            &[
                "id",
                "content_id",
                "user_id",
                "rating_half",
                "body",
                "spoiler",
                "like_count",
                "created_at",
                "updated_at",
            ],
            &reviews,
        )
        .await?;
        insert(
            &mut tx,
            "review_likes",
            &["review_id", "user_id", "created_at"],
            &likes,
        )
        .await?;
        tx.commit().await?;
        if (to / CHUNK) % 10 == 0 || to == n {
            eprintln!(
                "  reviews: {to}/{n}, likes {likes_total} ({:.0} s)",
                started.elapsed().as_secs_f64()
            );
        }
    }
    let mut tx = ctx.db.begin().await?;
    for (content, (sum, count)) in &sums {
        on_tx!(&mut tx, |c| sqlx::query(
            "UPDATE contents SET rating_sum = $2, review_count = $3 WHERE id = $1"
        )
        .bind(content)
        .bind(sum)
        .bind(count)
        .execute(&mut *c)
        .await
        .map(drop))?;
    }
    tx.commit().await?;
    settle(&ctx.db, &["users", "reviews"]).await?;
    println!(
        "{} users, {n} reviews, {likes_total} likes over {c} contents stored in {:.0} s ({})",
        users + WRITERS,
        started.elapsed().as_secs_f64(),
        ctx.db.engine()
    );
    ctx.db.close().await;
    Ok(())
}
