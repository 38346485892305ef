//! `serve --demo`: five users, three public rooms (one with its timer running)
//! and two weeks of focus history, so that every leaderboard period has entries.
//! The spread is fixed (no randomness): every start of a demo shows the same site.

use chrono::{Duration, Utc};
use platform::DemoLogin;
use platform::app::{AppContext, BoxError};

use crate::model::{Command, UserId};
use crate::service::rooms::RoomInput;
use crate::service::{Service, users};
use crate::store;

pub const DEMO_PASSWORD: &str = "demo1234!";

/// (email, username, bio)
const USERS: [(&str, &str, Option<&str>); 5] = [
    (
        "jiwoo@demo.ondol.dev",
        "jiwoo",
        Some("Thesis, one pomodoro at a time"),
    ),
    ("minseo@demo.ondol.dev", "minseo", Some("Early bird")),
    ("daniel@demo.ondol.dev", "daniel", None),
    (
        "sora@demo.ondol.dev",
        "sora",
        Some("Coding interviews prep"),
    ),
    ("hyun@demo.ondol.dev", "hyun", None),
];

/// (name, description, focus, break, host index, members, timer running)
type DemoRoom = (
    &'static str,
    &'static str,
    i64,
    i64,
    usize,
    &'static [usize],
    bool,
);
const ROOMS: [DemoRoom; 3] = [
    (
        "Morning deep work",
        "Cameras off, notifications off.",
        25,
        5,
        0,
        &[1, 2],
        true,
    ),
    (
        "Thesis writing club",
        "Chapters, not tabs.",
        50,
        10,
        1,
        &[3],
        false,
    ),
    ("Study with me", "", 25, 5, 3, &[], false),
];

pub async fn seed(ctx: &AppContext, svc: &Service) -> Result<Vec<DemoLogin>, BoxError> {
    let mut ids: Vec<UserId> = Vec::new();
    for (email, username, bio) in USERS {
        let user = users::register(&ctx.db, &ctx.passwords, email, DEMO_PASSWORD, username)
            .await
            .map_err(|e| format!("demo user {email}: {}", e.for_operator()))?;
        if let Some(bio) = bio {
            let input = users::ProfileInput {
                bio: Some(Some(bio.to_owned())),
                ..Default::default()
            };
            svc.update_profile(user.id, user.id, input, false)
                .await
                .map_err(|e| e.for_operator())?;
        }
        ids.push(user.id);
    }
    for (name, description, focus, brk, host, members, running) in ROOMS {
        let input = RoomInput {
            name: Some(name.to_owned()),
            description: Some(Some(description.to_owned())),
            focus_minutes: Some(focus),
            break_minutes: Some(brk),
            ..Default::default()
        };
        let room = svc
            .create_room(ids[host], input)
            .await
            .map_err(|e| e.for_operator())?;
        for &m in members {
            svc.join(ids[m], room.id)
                .await
                .map_err(|e| e.for_operator())?;
        }
        if running {
            svc.timer(ids[host], room.id, Command::Start)
                .await
                .map_err(|e| e.for_operator())?;
        }
    }
    // Two weeks of finished pomodoros: user i focused (5 - i) sessions a day, on
    // alternate days for the odd ones, so the periods rank differently.
    let now = Utc::now();
    let mut tx = ctx.db.begin().await?;
    for (i, id) in ids.iter().enumerate() {
        for day in 0..14i64 {
            if i % 2 == 1 && day % 2 == 0 {
                continue;
            }
            for session in 0..(5 - i as i64) {
                let at = now - Duration::days(day) - Duration::minutes(30 * (session + 1));
                let at = at.timestamp_millis();
                let day = crate::service::leaderboard::local_day(at, ctx.tz());
                store::credits::import(&mut tx, *id, 25, at, day).await?;
            }
        }
    }
    tx.commit().await?;
    Ok(USERS
        .iter()
        .map(|(email, _, _)| DemoLogin {
            login: (*email).to_owned(),
            password: DEMO_PASSWORD.to_owned(),
            role: "user".to_owned(),
        })
        .collect())
}
