//! The shared timer: commands, phases that alternate with nobody connected,
//! credits given once, a restart in the middle of a phase, racing host tabs, and
//! two instances sharing PostgreSQL + Redis.

mod common;

use std::time::{Duration, Instant};

use common::*;
use serde_json::{Value, json};

async fn start(s: &TestServer, host: &User, room: &str) -> Value {
    let r = s
        .post(
            &format!("/api/v1/rooms/{room}/timer/start"),
            Some(&host.token),
            &json!({}),
        )
        .await;
    assert_success(&r, 200);
    r.body["data"].clone()
}

/// Waits until the room has begun `seq` phases (read from the row).
async fn wait_for_seq(s: &TestServer, seq: i64, within: Duration) {
    let deadline = Instant::now() + within;
    loop {
        let now = scalar_i64(s, "SELECT COALESCE(MAX(phase_seq), 0) FROM rooms").await;
        if now >= seq {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "phase {seq} not begun within {within:?} (at {now})"
        );
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
}

#[tokio::test]
async fn commands_move_the_timer_as_the_host_says() {
    let s = server().await;
    let host = register(&s, "host").await;
    let room = id(&room(&s, &host, json!({"focus_minutes": 25})).await);
    let base = format!("/api/v1/rooms/{room}/timer");
    let r = s
        .post(&format!("{base}/pause"), Some(&host.token), &json!({}))
        .await;
    assert_error(&r, 400, "TIMER_NOT_RUNNING");

    let started = start(&s, &host, &room).await;
    let t = &started["timer"];
    assert_eq!(
        (&t["phase"], &t["is_running"]),
        (&json!("focus"), &json!(true))
    );
    assert!(
        (1499..=1500).contains(&t["remaining_seconds"].as_i64().unwrap()),
        "{t}"
    );
    let ends = chrono::DateTime::parse_from_rfc3339(t["ends_at"].as_str().unwrap()).unwrap();
    let left = ends.timestamp_millis() - chrono::Utc::now().timestamp_millis();
    assert!((1_490_000..=1_500_000).contains(&left), "{left}");
    // Start while running: nothing changes.
    let again = start(&s, &host, &room).await;
    assert_eq!(again["timer"]["ends_at"], t["ends_at"]);
    assert_eq!(again["version"], started["version"]);

    tokio::time::sleep(Duration::from_millis(1100)).await;
    let r = s
        .post(&format!("{base}/pause"), Some(&host.token), &json!({}))
        .await;
    assert_success(&r, 200);
    let paused = &r.body["data"]["timer"];
    assert_eq!(
        (&paused["is_running"], &paused["ends_at"]),
        (&json!(false), &Value::Null)
    );
    let frozen = paused["remaining_seconds"].as_i64().unwrap();
    assert!((1498..=1499).contains(&frozen), "{paused}");
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let r = s
        .get(&format!("/api/v1/rooms/{room}"), Some(&host.token))
        .await;
    assert_eq!(
        r.body["data"]["timer"]["remaining_seconds"], frozen,
        "paused time stands still"
    );

    let resumed = start(&s, &host, &room).await;
    assert_eq!(resumed["timer"]["phase"], "focus");
    assert_eq!(resumed["timer"]["remaining_seconds"], frozen);

    let r = s
        .post(&format!("{base}/reset"), Some(&host.token), &json!({}))
        .await;
    assert_success(&r, 200);
    assert_eq!(
        r.body["data"]["timer"],
        json!({"phase": "idle", "is_running": false, "ends_at": null, "remaining_seconds": 0})
    );
    let r = s
        .post(&format!("{base}/reset"), Some(&host.token), &json!({}))
        .await;
    assert_success(&r, 200);
    let r = s
        .post(
            "/api/v1/rooms/00000000-0000-7000-8000-000000000000/timer/start",
            Some(&host.token),
            &json!({}),
        )
        .await;
    assert_error(&r, 404, "NOT_FOUND");
}

#[tokio::test]
async fn phases_alternate_and_credit_once_with_nobody_connected() {
    // One timer minute = 150 ms: focus 2 (300 ms), break 1 (150 ms).
    let s = fast_server(150).await;
    let host = register(&s, "host").await;
    let guest = register(&s, "guest").await;
    let late = register(&s, "late").await;
    let room = id(&room(&s, &host, json!({"focus_minutes": 2, "break_minutes": 1})).await);
    s.post(
        &format!("/api/v1/rooms/{room}/join"),
        Some(&guest.token),
        &json!({}),
    )
    .await;
    start(&s, &host, &room).await;
    // Someone who joins during the first focus phase was not there when it began.
    s.post(
        &format!("/api/v1/rooms/{room}/join"),
        Some(&late.token),
        &json!({}),
    )
    .await;
    // focus 1, break 2, focus 3, break 4, focus 5: two focus phases completed.
    wait_for_seq(&s, 5, Duration::from_secs(10)).await;
    // Stopped here: phases 1..seq-1 completed, the odd ones focus.
    let r = s
        .post(
            &format!("/api/v1/rooms/{room}/timer/reset"),
            Some(&host.token),
            &json!({}),
        )
        .await;
    assert_success(&r, 200);
    let seq = scalar_i64(&s, "SELECT phase_seq FROM rooms").await;
    let focus_done = seq / 2;
    let credits = |who: &User| {
        format!(
            "SELECT COALESCE(SUM(minutes), 0) FROM focus_credits WHERE user_id = {}",
            sql_uuid(&s, &who.id)
        )
    };
    assert_eq!(scalar_i64(&s, &credits(&host)).await, 2 * focus_done);
    assert_eq!(scalar_i64(&s, &credits(&guest)).await, 2 * focus_done);
    assert_eq!(
        scalar_i64(&s, &credits(&late)).await,
        2 * (focus_done - 1),
        "not the first focus phase"
    );
    let dupes = scalar_i64(
        &s,
        "SELECT COUNT(*) FROM (SELECT room_id, phase_seq, user_id FROM focus_credits
         GROUP BY room_id, phase_seq, user_id HAVING COUNT(*) > 1) d",
    )
    .await;
    assert_eq!(dupes, 0);
    // Every participant was told phases ended: once per step of the timer (a
    // step that completes two phases, being late, tells once), never twice.
    let ended = scalar_i64(
        &s,
        &format!(
            "SELECT COUNT(*) FROM notifications WHERE kind = 'phase_ended' AND user_id = {}",
            sql_uuid(&s, &host.id)
        ),
    )
    .await;
    assert!(
        (1..seq).contains(&ended),
        "{ended} notifications for {seq} phases"
    );
    let r = s
        .get("/api/v1/leaderboard?period=all", Some(&host.token))
        .await;
    assert_success(&r, 200);
    let board = r.body["data"].as_array().unwrap();
    assert!(
        board.iter().any(|e| e["user_id"] == host.id.as_str()),
        "{}",
        r.body
    );
}

/// A uuid literal for `s`'s engine (a blob on SQLite).
fn sql_uuid(s: &TestServer, id: &str) -> String {
    if s.ctx.db.engine() == "sqlite" {
        format!("X'{}'", id.replace('-', ""))
    } else {
        format!("'{id}'")
    }
}

#[tokio::test]
async fn a_phase_ends_on_time_across_a_restart_and_is_credited_once() {
    // One timer minute = 1 s: the focus phase ends 2 s after the start.
    let mut first = fast_server(1000).await;
    let host = register(&first, "host").await;
    let guest = register(&first, "guest").await;
    let room = id(&room(
        &first,
        &host,
        json!({"focus_minutes": 2, "break_minutes": 5}),
    )
    .await);
    first
        .post(
            &format!("/api/v1/rooms/{room}/join"),
            Some(&guest.token),
            &json!({}),
        )
        .await;
    let started = start(&first, &host, &room).await;
    let ends = chrono::DateTime::parse_from_rfc3339(started["timer"]["ends_at"].as_str().unwrap())
        .unwrap()
        .timestamp_millis();
    tokio::time::sleep(Duration::from_millis(500)).await;
    // The process goes away in the middle of the phase; a new one starts.
    let stopping = first.begin_stop();
    let second = first.peer().await;
    stopping
        .await
        .expect("the first instance stopped")
        .expect("cleanly");
    drop(first);
    let mut ws = live(&second, &guest).await;
    let state = next_of(&mut ws, "room_state", Duration::from_secs(5), |d| {
        d["timer"]["phase"] == "break"
    })
    .await;
    let late = chrono::Utc::now().timestamp_millis() - ends;
    assert!(
        (0..1000).contains(&late),
        "the phase ended {late} ms after its time"
    );
    assert_eq!(state["data"]["timer"]["is_running"], true);
    let credited = scalar_i64(&second, "SELECT COUNT(*) FROM focus_credits").await;
    assert_eq!(credited, 2, "host and guest, once each");
    let minutes = scalar_i64(&second, "SELECT SUM(minutes) FROM focus_credits").await;
    assert_eq!(minutes, 4);
}

#[tokio::test]
async fn two_tabs_of_the_host_racing_leave_one_consistent_timer() {
    let s = server().await;
    let host = register(&s, "host").await;
    let room = id(&room(&s, &host, json!({})).await);
    let base = format!("/api/v1/rooms/{room}/timer");
    let empty = json!({});
    for round in 0..5 {
        for action in ["start", "pause", "start", "reset"] {
            let path = format!("{base}/{action}");
            let (a, b) = tokio::join!(
                s.post(&path, Some(&host.token), &empty),
                s.post(&path, Some(&host.token), &empty)
            );
            assert_success(&a, 200);
            assert_success(&b, 200);
            assert_eq!(
                a.body["data"]["timer"]["phase"], b.body["data"]["timer"]["phase"],
                "round {round} {action}"
            );
            assert_eq!(
                a.body["data"]["timer"]["ends_at"],
                b.body["data"]["timer"]["ends_at"]
            );
        }
    }
    // Mixed commands at once: the row is one of the states the commands make.
    let paths: Vec<String> = ["start", "pause", "reset", "start", "pause"]
        .iter()
        .map(|a| format!("{base}/{a}"))
        .collect();
    let answers =
        futures_util::future::join_all(paths.iter().map(|p| s.post(p, Some(&host.token), &empty)))
            .await;
    for r in &answers {
        assert!(r.status == 200 || r.status == 400, "{}", r.body);
    }
    let r = s
        .get(&format!("/api/v1/rooms/{room}"), Some(&host.token))
        .await;
    let t = &r.body["data"]["timer"];
    match t["phase"].as_str().unwrap() {
        "idle" => assert_eq!(
            (&t["is_running"], &t["ends_at"]),
            (&json!(false), &Value::Null)
        ),
        "focus" => assert!(t["is_running"] == true || t["ends_at"].is_null(), "{t}"),
        other => panic!("phase {other}"),
    }
}

#[tokio::test]
#[ignore = "needs PostgreSQL + Redis (CI runs it)"]
async fn two_instances_change_each_phase_once_and_both_tell_their_clients() {
    platform::testing::require_shared_backends();
    // One timer minute = 200 ms: focus 1, break 1.
    let a = fast_server(200).await;
    let b = a.peer().await;
    let host = register(&a, "host").await;
    let guest = register(&b, "guest").await;
    let room = id(&room(&a, &host, json!({"focus_minutes": 1, "break_minutes": 1})).await);
    b.post(
        &format!("/api/v1/rooms/{room}/join"),
        Some(&guest.token),
        &json!({}),
    )
    .await;
    let mut on_a = live(&a, &host).await;
    let mut on_b = live(&b, &guest).await;
    start(&b, &host, &room).await;
    // Six phase changes: seq 2..=7.
    for ws in [&mut on_a, &mut on_b] {
        let mut seen = Vec::new();
        while seen.len() < 6 {
            let m = next_of(ws, "room_state", Duration::from_secs(10), |_| true).await;
            let v = m["data"]["version"].as_i64().unwrap();
            if m["data"]["timer"]["phase"] != "idle" && !seen.contains(&v) {
                seen.push(v);
            }
        }
    }
    wait_for_seq(&a, 7, Duration::from_secs(10)).await;
    let _ = a
        .post(
            &format!("/api/v1/rooms/{room}/timer/reset"),
            Some(&host.token),
            &json!({}),
        )
        .await;
    let focus_done = scalar_i64(
        &a,
        "SELECT COUNT(DISTINCT phase_seq) FROM focus_credits WHERE room_id IS NOT NULL",
    )
    .await;
    let credits = scalar_i64(&a, "SELECT COUNT(*) FROM focus_credits").await;
    assert_eq!(
        credits,
        focus_done * 2,
        "each focus phase credited once to each"
    );
    let seq = scalar_i64(&a, "SELECT phase_seq FROM rooms").await;
    for user in [&host, &guest] {
        let ended = scalar_i64(
            &a,
            &format!(
                "SELECT COUNT(*) FROM notifications WHERE kind = 'phase_ended' AND user_id = '{}'",
                user.id
            ),
        )
        .await;
        assert!(
            (1..seq).contains(&ended),
            "{ended} notifications for {seq} phases"
        );
    }
}

#[tokio::test]
async fn the_leaderboard_equals_a_recount_after_concurrent_credits() {
    // One timer minute = 100 ms; no leaderboard cache, so it reads the sums.
    let s = server_with(&[
        ("ONDOL_FOCUSMATE_MINUTE_SECONDS", "0.1"),
        ("ONDOL_FOCUSMATE_LEADERBOARD_CACHE_SECONDS", "0"),
    ])
    .await;
    let mut people = Vec::new();
    for i in 0..12 {
        people.push(register(&s, &format!("p{i}")).await);
    }
    // Eight rooms of four; everyone is in two or three rooms at once, so credits
    // of different rooms land on the same people's sums concurrently.
    let mut rooms = Vec::new();
    for r in 0..8 {
        let host = &people[r];
        let room = id(&room(&s, host, json!({"focus_minutes": 1, "break_minutes": 1})).await);
        for k in 1..4 {
            let u = &people[(r + k * 3) % 12];
            s.post(
                &format!("/api/v1/rooms/{room}/join"),
                Some(&u.token),
                &json!({}),
            )
            .await;
        }
        rooms.push((room, host.clone()));
    }
    let empty = json!({});
    let starts: Vec<String> = rooms
        .iter()
        .map(|(room, _)| format!("/api/v1/rooms/{room}/timer/start"))
        .collect();
    futures_util::future::join_all(
        rooms
            .iter()
            .zip(&starts)
            .map(|((_, host), path)| s.post(path, Some(&host.token), &empty)),
    )
    .await;
    tokio::time::sleep(Duration::from_millis(1500)).await;
    for (room, host) in &rooms {
        s.post(
            &format!("/api/v1/rooms/{room}/timer/reset"),
            Some(&host.token),
            &empty,
        )
        .await;
    }
    let recount: Vec<(uuid::Uuid, i64)> = platform::on_pool!(s.ctx.db.reader(), |p| {
        sqlx::query_as(
            "SELECT user_id, CAST(SUM(minutes) AS BIGINT) FROM focus_credits GROUP BY user_id",
        )
        .fetch_all(p)
        .await
    })
    .unwrap();
    assert!(
        recount.len() >= 10,
        "most people were credited: {recount:?}"
    );
    let recount: std::collections::HashMap<String, i64> = recount
        .into_iter()
        .map(|(u, m)| (u.to_string(), m))
        .collect();
    for period in ["all", "daily", "weekly"] {
        let r = s
            .get(
                &format!("/api/v1/leaderboard?period={period}"),
                Some(&people[0].token),
            )
            .await;
        let board: std::collections::HashMap<String, i64> = r.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                (
                    e["user_id"].as_str().unwrap().to_owned(),
                    e["focus_minutes"].as_i64().unwrap(),
                )
            })
            .collect();
        assert_eq!(board, recount, "{period}");
    }
}
