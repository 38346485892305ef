//! The WebSocket of seed §3: ping/pong, room states and notifications to every
//! connection of a user, catching up on connect, and bad input on the socket.

mod common;

use std::time::Duration;

use common::*;
use futures_util::SinkExt;
use platform::testing::tokio_tungstenite::tungstenite::Message;
use serde_json::json;

const WAIT: Duration = Duration::from_secs(5);

#[tokio::test]
async fn ping_gets_pong() {
    let s = server().await;
    let u = register(&s, "u").await;
    let mut ws = live(&s, &u).await;
    send(&mut ws, r#"{"type": "ping", "data": {}}"#).await;
    assert_eq!(
        next(&mut ws, WAIT).await,
        Some(json!({"type": "pong", "data": {}}))
    );
    send(&mut ws, r#"{"type": "ping"}"#).await;
    assert_eq!(
        next(&mut ws, WAIT).await,
        Some(json!({"type": "pong", "data": {}}))
    );
}

#[tokio::test]
async fn every_connection_of_a_participant_sees_the_room_change() {
    let s = server().await;
    let host = register(&s, "host").await;
    let guest = register(&s, "guest").await;
    let room = id(&room(&s, &host, json!({})).await);
    let mut tab1 = live(&s, &host).await;
    let mut tab2 = live(&s, &host).await;
    // On connect, the state of each room the user is in.
    for tab in [&mut tab1, &mut tab2] {
        let first = next_of(tab, "room_state", WAIT, |d| d["id"] == room.as_str()).await;
        assert_eq!(first["data"]["participant_count"], 1);
    }
    s.post(
        &format!("/api/v1/rooms/{room}/join"),
        Some(&guest.token),
        &json!({}),
    )
    .await;
    for tab in [&mut tab1, &mut tab2] {
        let n = next_of(tab, "notification", WAIT, |_| true).await;
        let d = &n["data"];
        assert_eq!(d["type"], "room_joined");
        assert_eq!(d["notification_id"], d["id"]);
        assert!(d["title"].is_string() && d["message"].as_str().unwrap().contains("guest"));
        let st = next_of(tab, "room_state", WAIT, |d| d["participant_count"] == 2).await;
        assert_eq!(st["data"]["id"], room.as_str());
    }
    // The notification was stored before it was sent.
    let inbox = s.get("/api/v1/notifications", Some(&host.token)).await;
    assert_eq!(inbox.body["data"][0]["type"], "room_joined");

    let mut guest_ws = live(&s, &guest).await;
    next_of(&mut guest_ws, "room_state", WAIT, |d| {
        d["id"] == room.as_str()
    })
    .await;
    let started = s
        .post(
            &format!("/api/v1/rooms/{room}/timer/start"),
            Some(&host.token),
            &json!({}),
        )
        .await;
    let ends_at = started.body["data"]["timer"]["ends_at"].clone();
    for ws in [&mut tab1, &mut guest_ws] {
        let st = next_of(ws, "room_state", WAIT, |d| d["timer"]["is_running"] == true).await;
        assert_eq!(st["data"]["timer"]["ends_at"], ends_at);
    }
    // The one who leaves hears it too.
    s.post(
        &format!("/api/v1/rooms/{room}/leave"),
        Some(&guest.token),
        &json!({}),
    )
    .await;
    let st = next_of(&mut guest_ws, "room_state", WAIT, |d| {
        d["participant_count"] == 1
    })
    .await;
    assert_eq!(st["data"]["id"], room.as_str());
}

#[tokio::test]
async fn an_invitation_reaches_the_invitee_live() {
    let s = server().await;
    let host = register(&s, "host").await;
    let friend = register(&s, "friend").await;
    let room = id(&room(&s, &host, json!({"is_public": false})).await);
    let mut ws = live(&s, &friend).await;
    let r = s
        .post(
            &format!("/api/v1/rooms/{room}/invite"),
            Some(&host.token),
            &json!({"user_id": friend.id}),
        )
        .await;
    assert_success(&r, 201);
    let n = next_of(&mut ws, "notification", WAIT, |_| true).await;
    assert_eq!(n["data"]["type"], "room_invitation");
    assert_eq!(n["data"]["room_id"], room.as_str());
    assert_eq!(n["data"]["is_read"], false);
}

#[tokio::test]
async fn a_bad_token_closes_with_4401() {
    let s = server().await;
    for q in ["", "?token=", "?token=nonsense", "?other=1"] {
        let mut ws = s
            .ws(&format!("/api/v1/notifications/ws{q}"))
            .await
            .expect("the upgrade is accepted, then closed");
        assert_eq!(close_code(&mut ws, WAIT).await, Some(4401), "{q:?}");
    }
}

#[tokio::test]
async fn bad_frames_get_an_error_or_a_clean_close_and_change_nothing() {
    let s = server().await;
    let u = register(&s, "u").await;
    let before = platform::testing::fingerprint(&s.ctx.db).await;
    let mut ws = live(&s, &u).await;
    for text in [
        "not json",
        "{",
        "[]",
        "42",
        r#"{"type": "subscribe", "data": {}}"#,
        r#"{"data": {}}"#,
    ] {
        send(&mut ws, text).await;
        let m = next(&mut ws, WAIT).await.expect("an answer");
        assert_eq!(m["type"], "error", "{text}: {m}");
        assert!(m["data"]["code"].is_string() && m["data"]["message"].is_string());
    }
    // Still open.
    send(&mut ws, r#"{"type": "ping", "data": {}}"#).await;
    assert_eq!(next(&mut ws, WAIT).await.unwrap()["type"], "pong");

    ws.send(Message::Binary(vec![1, 2, 3].into()))
        .await
        .unwrap();
    assert_eq!(close_code(&mut ws, WAIT).await, Some(1003));

    let mut ws = live(&s, &u).await;
    let huge = format!(r#"{{"type": "ping", "data": "{}"}}"#, "x".repeat(100_000));
    let _ = ws.send(Message::Text(huge.into())).await;
    assert_eq!(close_code(&mut ws, WAIT).await, Some(1009));
    assert_eq!(platform::testing::fingerprint(&s.ctx.db).await, before);
    // The server is fine.
    let r = s.get("/api/v1/users/me", Some(&u.token)).await;
    assert_success(&r, 200);
}
