//! `ondol-bench seed-focusmate`: users, rooms of ten with idle timers, and a
//! history of focus credits spread over the last 60 days, deterministic.

use std::collections::HashMap;
use std::time::Instant;

use chrono::{Duration, Utc};
use platform::config::Config;

use super::{PASSWORD, PER_ROOM, members, room_id, user_id};
use crate::bulk::{V, fresh, insert, settle};
use delivery::generate::Rng;

pub struct SeedArgs {
    pub users: usize,
    pub rooms: usize,
    pub credits: usize,
    pub seed: u64,
}

pub async fn run(config: Config, args: SeedArgs) -> anyhow::Result<()> {
    anyhow::ensure!(
        args.rooms * PER_ROOM <= args.users,
        "{} rooms of {PER_ROOM} need {} users",
        args.rooms,
        args.rooms * PER_ROOM
    );
    let Some((ctx, hash)) = fresh(&focusmate::Focusmate, config, PASSWORD).await? else {
        return Ok(());
    };
    let started = Instant::now();
    let now = Utc::now();

    let mut tx = ctx.db.begin().await?;
    let rows: Vec<Vec<V>> = (1..=args.users)
        .map(|i| {
            let at = now - Duration::days(90) + Duration::seconds(i as i64);
            vec![
                V::U(user_id(i)),
                V::T(format!("user{i}@bench.ondol.dev")),
                V::T(hash.clone()),
                V::T(format!("user{i}")),
                V::At(at),
                V::At(at),
            ]
        })
        .collect();
    insert(
        &mut tx,
        "users",
        &[
            "id",
            "email",
            "password_hash",
            "username",
            "created_at",
            "updated_at",
        ],
        &rows,
    )
    .await?;
    // One-minute phases: with a short timer minute the fan-out runs often.
    let rooms: Vec<Vec<V>> = (0..args.rooms)
        .map(|r| {
            vec![
                V::U(room_id(r)),
                V::T(format!("Room {r}")),
                V::U(user_id(r * PER_ROOM + 1)),
                V::I(1),
                V::I(1),
                V::I(PER_ROOM as i64),
                V::B(true),
                V::At(now - Duration::days(1) + Duration::seconds(r as i64)),
            ]
        })
        .collect();
    insert(
        &mut tx,
        "rooms",
        &[
            "id",
            "name",
            "host_id",
            "focus_minutes",
            "break_minutes",
            "max_participants",
            "is_public",
            "created_at",
        ],
        &rooms,
    )
    .await?;
    let joined = (now - Duration::hours(1)).timestamp_millis();
    let people: Vec<Vec<V>> = (0..args.rooms)
        .flat_map(|r| {
            members(r).map(move |u| vec![V::U(room_id(r)), V::U(user_id(u)), V::I(joined)])
        })
        .collect();
    insert(
        &mut tx,
        "room_participants",
        &["room_id", "user_id", "joined_ms"],
        &people,
    )
    .await?;
    tx.commit().await?;

    // Credits: a pomodoro of 25 minutes (sometimes 50) at a moment of the last 60
    // days, by a user drawn with a skew, so that the top is contested.
    const CHUNK: usize = 50_000;
    let span_ms = Duration::days(60).num_milliseconds();
    let mut rng = Rng::new(args.seed);
    let tz = ctx.tz();
    // The leaderboard's sums, as the app keeps them when it credits.
    let mut days: HashMap<(usize, i32), i64> = HashMap::new();
    let mut totals: Vec<i64> = vec![0; args.users + 1];
    for from in (0..args.credits).step_by(CHUNK) {
        let to = (from + CHUNK).min(args.credits);
        let rows: Vec<Vec<V>> = (from..to)
            .map(|_| {
                // The minimum of two draws leans towards the first users.
                let a = rng.below(args.users as u64);
                let b = rng.below(args.users as u64);
                let user = 1 + a.min(b) as usize;
                let minutes = if rng.below(5) == 0 { 50 } else { 25 };
                let at = now.timestamp_millis() - rng.below(span_ms as u64) as i64;
                *days
                    .entry((user, focusmate::local_day(at, tz)))
                    .or_default() += minutes;
                totals[user] += minutes;
                vec![
                    V::U(user_id(user)),
                    V::OptU(None),
                    V::I(0),
                    V::I(minutes),
                    V::I(at),
                ]
            })
            .collect();
        let mut tx = ctx.db.begin().await?;
        insert(
            &mut tx,
            "focus_credits",
            &["user_id", "room_id", "phase_seq", "minutes", "credited_ms"],
            &rows,
        )
        .await?;
        tx.commit().await?;
        if (to / CHUNK).is_multiple_of(5) || to == args.credits {
            eprintln!(
                "  credits: {to}/{} ({:.0} s)",
                args.credits,
                started.elapsed().as_secs_f64()
            );
        }
    }
    let mut tx = ctx.db.begin().await?;
    let rows: Vec<Vec<V>> = days
        .iter()
        .map(|((user, day), minutes)| {
            vec![V::U(user_id(*user)), V::I(i64::from(*day)), V::I(*minutes)]
        })
        .collect();
    insert(&mut tx, "focus_days", &["user_id", "day", "minutes"], &rows).await?;
    let rows: Vec<Vec<V>> = (1..=args.users)
        .filter(|u| totals[*u] > 0)
        .map(|u| vec![V::U(user_id(u)), V::I(totals[u])])
        .collect();
    insert(&mut tx, "focus_totals", &["user_id", "minutes"], &rows).await?;
    tx.commit().await?;
    settle(&ctx.db, &[]).await?;
    println!(
        "{} users, {} rooms of {PER_ROOM}, {} credits stored in {:.0} s ({})",
        args.users,
        args.rooms,
        args.credits,
        started.elapsed().as_secs_f64(),
        ctx.db.engine()
    );
    ctx.db.close().await;
    Ok(())
}
