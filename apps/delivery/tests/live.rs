//! GET /dashboard/ws: every change and lock event reaches live views.

mod common;

use std::time::Duration;

use common::*;
use futures_util::StreamExt;
use platform::testing::tokio_tungstenite::tungstenite::Message;
use serde_json::json;

#[tokio::test]
async fn live_view_sees_changes_and_locks() {
    let s = server().await;
    let alice = login(&s, "alice").await;
    let bob = login(&s, "bob").await;
    let mut ws = s
        .ws(&format!("/dashboard/ws?token={bob}"))
        .await
        .expect("upgrade");
    let id = create_order(&s, &alice, "WS-1").await;
    let e = next_event(&mut ws).await;
    assert_eq!(e["type"], json!("dashboard.created"));
    assert_eq!(e["data"]["dashboard_id"], json!(id));
    s.post(
        &format!("/dashboard/{id}/lock"),
        Some(&alice),
        &json!({"lock_type": "STATUS"}),
    )
    .await;
    let e = next_event(&mut ws).await;
    assert_eq!(e["type"], json!("lock.acquired"));
    assert_eq!(e["data"]["locked_by"], json!("alice"));
    s.patch(
        &format!("/dashboard/{id}/status"),
        Some(&alice),
        &json!({"status": "IN_PROGRESS"}),
    )
    .await;
    let e = next_event(&mut ws).await;
    assert_eq!(e["type"], json!("dashboard.updated"));
    assert_eq!(e["data"]["status"], json!("IN_PROGRESS"));
    s.delete(&format!("/dashboard/{id}/lock"), Some(&alice), None)
        .await;
    let e = next_event(&mut ws).await;
    assert_eq!(e["type"], json!("lock.released"));
    assert_eq!(e["data"]["dashboard_id"], json!(id));
    let admin = login(&s, "admin").await;
    s.delete(
        "/dashboard",
        Some(&admin),
        Some(&json!({"dashboard_ids": [id]})),
    )
    .await;
    let e = next_event(&mut ws).await;
    assert_eq!(e["type"], json!("dashboard.deleted"));
    assert_eq!(e["data"]["dashboard_ids"], json!([id]));
}

#[tokio::test]
async fn live_view_refuses_bad_tokens_before_upgrading() {
    let s = server().await;
    for path in ["/dashboard/ws", "/dashboard/ws?token=garbage"] {
        match s.ws(path).await {
            Err(platform::testing::tokio_tungstenite::tungstenite::Error::Http(resp)) => {
                assert_eq!(resp.status(), 401, "{path}");
            }
            other => panic!("{path}: expected HTTP 401, got {other:?}"),
        }
    }
}

/// Reads until the server closes; returns the close code and the pings seen.
async fn until_closed(
    ws: &mut platform::testing::WsStream,
    within: Duration,
) -> (Option<u16>, u32) {
    let mut pings = 0;
    loop {
        match tokio::time::timeout(within, ws.next()).await {
            Ok(Some(Ok(Message::Ping(_)))) => pings += 1,
            Ok(Some(Ok(Message::Close(frame)))) => {
                return (frame.map(|f| u16::from(f.code)), pings);
            }
            Ok(Some(Ok(_))) => {}
            Ok(Some(Err(_)) | None) => return (None, pings),
            Err(_) => panic!("the server did not close the socket within {within:?}"),
        }
    }
}

#[tokio::test]
async fn live_view_pings_and_closes_a_peer_that_stops_answering() {
    let s = server_with(&[("ONDOL_DELIVERY_WS_PING_SECONDS", "1")]).await;
    let token = login(&s, "bob").await;
    let mut alive = s.ws(&format!("/dashboard/ws?token={token}")).await.unwrap();
    let mut silent = s.ws(&format!("/dashboard/ws?token={token}")).await.unwrap();
    // A reader answers every ping (the client library sends the pong as it reads)
    // and stays connected well past twice the interval.
    let started = std::time::Instant::now();
    let mut pings = 0;
    while started.elapsed() < Duration::from_millis(3500) {
        if let Ok(Some(Ok(Message::Ping(_)))) =
            tokio::time::timeout(Duration::from_millis(200), alive.next()).await
        {
            pings += 1;
        }
    }
    assert!(pings >= 2, "pings seen: {pings}");
    // The other one read nothing, so answered nothing: it gets a close frame.
    let (code, _) = until_closed(&mut silent, Duration::from_secs(5)).await;
    assert_eq!(
        code,
        Some(1001),
        "a silent peer is closed with a close frame"
    );
    // The reader is still served.
    let alice = login(&s, "alice").await;
    create_order(&s, &alice, "WS-PING").await;
    assert_eq!(
        next_event(&mut alive).await["type"],
        json!("dashboard.created")
    );
}

#[tokio::test]
async fn live_view_closes_a_client_that_cannot_keep_up_with_1013() {
    let s = server().await;
    let token = login(&s, "bob").await;
    let mut ws = s.ws(&format!("/dashboard/ws?token={token}")).await.unwrap();
    // Far more than the socket buffers hold, while the client reads nothing: the
    // session's queue fills and the server gives up on the client.
    let big = "x".repeat(64 * 1024);
    for i in 0..600 {
        s.ctx
            .hub
            .publish(
                delivery::LIVE_TOPIC,
                format!("{{\"n\":{i},\"pad\":\"{big}\"}}"),
            )
            .await
            .unwrap();
    }
    let (code, _) = until_closed(&mut ws, Duration::from_secs(10)).await;
    assert_eq!(code, Some(1013));
}
