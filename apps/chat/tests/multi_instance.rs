//! Two instances sharing PostgreSQL + Redis behave as one: partner A on instance 1,
//! partner B on instance 2. These need both servers: ignored by a plain `cargo test`
//! and run by CI's PostgreSQL pass (`--include-ignored`).

mod common;

use std::time::Duration;

use common::*;
use serde_json::{Value, json};

#[tokio::test]
#[ignore = "needs PostgreSQL + Redis (CI runs it)"]
async fn partners_on_two_instances_chat_both_ways() {
    platform::testing::require_shared_backends();
    let one = server().await;
    let two = one.peer().await;
    let (a, b, room) = couple(&one).await;
    let mut cb = Stomp::joined(&two, &b, &room).await;
    let mut ca = Stomp::joined(&one, &a, &room).await;
    // Presence crosses instances: b (on two) sees a (on one) connect.
    cb.system_event("USER_CONNECTED", &a.id).await;

    let dest = format!("/app/chat/{room}");
    let mut seen_a: Vec<String> = Vec::new();
    let mut seen_b: Vec<String> = Vec::new();
    for i in 0..10 {
        let (c, seen, from) = if i % 2 == 0 {
            (&mut ca, &mut seen_a, "a")
        } else {
            (&mut cb, &mut seen_b, "b")
        };
        let text = format!("{from}{i}");
        c.send_json(
            &dest,
            &json!({"type": "TEXT", "content": text, "tempId": format!("t{i}")}),
        )
        .await;
        // Wait for the echo so that the two senders' order is the test's order.
        loop {
            let m = c.chat_message().await;
            seen.push(m["content"].as_str().unwrap().to_owned());
            if m["content"] == text.as_str() {
                break;
            }
        }
    }
    for (c, seen) in [(&mut ca, &mut seen_a), (&mut cb, &mut seen_b)] {
        while let Some(f) = c.try_frame(Duration::from_millis(500)).await {
            let body: Value = serde_json::from_slice(&f.body).unwrap_or(Value::Null);
            if body["type"] == "TEXT" {
                seen.push(body["content"].as_str().unwrap().to_owned());
            }
        }
    }
    // Each side got every message exactly once, in one order.
    let all = ["a0", "b1", "a2", "b3", "a4", "b5", "a6", "b7", "a8", "b9"];
    assert_eq!(seen_a, all);
    assert_eq!(seen_b, all);

    // History is the same from both instances.
    let h1 = one
        .get(&format!("/chat/rooms/{room}/messages"), Some(&a.token))
        .await;
    let h2 = two
        .get(&format!("/chat/rooms/{room}/messages"), Some(&b.token))
        .await;
    assert_eq!(h1.body, h2.body);
    let contents: Vec<&str> = h1.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(
        contents,
        ["a0", "b1", "a2", "b3", "a4", "b5", "a6", "b7", "a8", "b9"]
    );

    // Read receipt from two reaches one; typing from one reaches two.
    let first = &h2.body["messages"][0];
    cb.send_json(
        &format!("{dest}/read"),
        &json!({"messageIds": [first["id"]]}),
    )
    .await;
    let receipt = ca.chat_message().await;
    assert_eq!(receipt["type"], "READ_RECEIPT");
    assert_eq!(receipt["messageIds"], json!([first["id"]]));
    ca.send_json(&format!("{dest}/typing"), &json!({"typing": true}))
        .await;
    let typing = cb.system_event("TYPING", &a.id).await;
    assert_eq!(typing["typing"], true);

    // A retry of a stored tempId through the other instance stores nothing new.
    let retry = rest_send(
        &two,
        &a,
        &room,
        json!({"type": "TEXT", "content": "a0", "tempId": "t0"}),
    )
    .await;
    assert_eq!(retry.status, 200);
    assert_eq!(retry.body["id"], h1.body["messages"][0]["id"]);

    // Presence is global: a's last connection closes on one, b on two hears it.
    drop(ca);
    cb.system_event("USER_DISCONNECTED", &a.id).await;
}

async fn send_numbered(s: &TestServer, u: &User, room: &str, i: usize) -> TestResponse {
    rest_send(
        s,
        u,
        room,
        json!({"type": "TEXT", "content": format!("c{i}")}),
    )
    .await
}

#[tokio::test]
#[ignore = "needs PostgreSQL + Redis (CI runs it)"]
async fn concurrent_senders_on_two_instances_keep_one_order() {
    platform::testing::require_shared_backends();
    let one = server().await;
    let two = one.peer().await;
    let (a, b, room) = couple(&one).await;
    let mut watch_one = Stomp::joined(&one, &a, &room).await;
    let mut watch_two = Stomp::joined(&two, &b, &room).await;
    let mut futures = Vec::new();
    for i in 0..40 {
        futures.push(if i % 2 == 0 {
            send_numbered(&one, &a, &room, i)
        } else {
            send_numbered(&two, &b, &room, i)
        });
    }
    for r in futures_util::future::join_all(futures).await {
        assert_eq!(r.status, 201, "{}", r.body);
    }
    let history = one
        .get(
            &format!("/chat/rooms/{room}/messages?size=100"),
            Some(&a.token),
        )
        .await;
    let stored: Vec<&str> = history.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(stored.len(), 40);
    for watcher in [&mut watch_one, &mut watch_two] {
        let mut delivered = Vec::new();
        while delivered.len() < 40 {
            let m = watcher.chat_message().await;
            delivered.push(m["id"].as_str().unwrap().to_owned());
        }
        assert_eq!(delivered, stored, "delivery order equals storage order");
    }
}

/// Several processes started at once on a fresh database all come up: schema
/// creation and migrations are serialised, on either engine.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_started_together_on_a_new_database_all_come_up() {
    let servers =
        platform::testing::TestServer::start_together(std::sync::Arc::new(chat::Chat), 4).await;
    for s in &servers {
        assert_eq!(s.get("/ready", None).await.status, 200);
    }
    let a = signup(&servers[1], "together").await;
    assert!(!a.token.is_empty());
}
