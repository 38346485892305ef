//! The STOMP session over a real WebSocket: connect and auth, subscriptions,
//! destinations, receipts, heart-beats, errors.

mod common;

use std::time::Duration;

use common::*;
use serde_json::json;
use stomp::{Command, Frame};

#[tokio::test]
async fn connect_with_query_token_negotiates_version_and_heart_beat() {
    let s = server().await;
    let a = signup(&s, "a").await;
    let mut c = Stomp::open(&s, Some(&a.token)).await;
    c.send(
        Frame::new(Command::Connect)
            .with("accept-version", "1.0,1.1,1.2")
            .with("heart-beat", "20000,5000"),
    )
    .await;
    let f = c.frame().await;
    assert_eq!(f.command, Command::Connected);
    assert_eq!(f.header("version"), Some("1.2"));
    assert_eq!(f.header("heart-beat"), Some("10000,10000"));
    assert_eq!(f.header("user-name"), Some(a.id.as_str()));
    assert!(f.header("server").unwrap().starts_with("ondol/"));
}

#[tokio::test]
async fn bad_token_on_the_upgrade_is_401_before_upgrading() {
    let s = server().await;
    let err = s.ws("/ws/chat?token=not-a-jwt").await.unwrap_err();
    match err {
        platform::testing::tokio_tungstenite::tungstenite::Error::Http(r) => {
            assert_eq!(r.status(), 401);
            let body: serde_json::Value =
                serde_json::from_slice(r.body().as_ref().unwrap()).unwrap();
            assert_eq!(body["code"], "AUTH_FAILED");
        }
        other => panic!("expected an HTTP refusal, got {other:?}"),
    }
}

#[tokio::test]
async fn token_in_the_connect_frame_and_failures() {
    let s = server().await;
    let a = signup(&s, "a").await;
    for header in ["Authorization", "token"] {
        let mut c = Stomp::open(&s, None).await;
        let value = if header == "Authorization" {
            format!("Bearer {}", a.token)
        } else {
            a.token.clone()
        };
        c.send(
            Frame::new(Command::Connect)
                .with("accept-version", "1.2")
                .with(header, value),
        )
        .await;
        let f = c.frame().await;
        assert_eq!(f.command, Command::Connected, "{header}");
        assert_eq!(f.header("user-name"), Some(a.id.as_str()));
    }
    // Missing or bad token on CONNECT: ERROR message:AUTH_FAILED, then close.
    for token in [None, Some("garbage")] {
        let mut c = Stomp::open(&s, None).await;
        let mut connect = Frame::new(Command::Connect).with("accept-version", "1.2");
        if let Some(t) = token {
            connect = connect.with("Authorization", format!("Bearer {t}"));
        }
        c.send(connect).await;
        let f = c.frame().await;
        assert_eq!(f.command, Command::Error);
        assert_eq!(f.header("message"), Some("AUTH_FAILED"));
        let body: serde_json::Value = serde_json::from_slice(&f.body).unwrap();
        assert_eq!(body["type"], "ERROR");
        assert_eq!(body["code"], "AUTH_FAILED");
        assert!(c.closed().await.is_some());
    }
}

#[tokio::test]
async fn stomp_subprotocol_is_selected() {
    let s = server().await;
    let a = signup(&s, "a").await;
    use platform::testing::tokio_tungstenite::tungstenite::client::IntoClientRequest;
    let mut req = s
        .ws_url(&format!("/ws/chat?token={}", a.token))
        .into_client_request()
        .unwrap();
    req.headers_mut().insert(
        "Sec-WebSocket-Protocol",
        "v10.stomp, v11.stomp, v12.stomp".parse().unwrap(),
    );
    let (_ws, resp) = platform::testing::tokio_tungstenite::connect_async(req)
        .await
        .unwrap();
    assert_eq!(
        resp.headers().get("sec-websocket-protocol").unwrap(),
        "v12.stomp"
    );
}

#[tokio::test]
async fn messages_reach_both_partners_in_order_with_message_headers() {
    let s = server().await;
    let (a, b, room) = couple(&s).await;
    let mut ca = Stomp::joined(&s, &a, &room).await;
    let mut cb = Stomp::joined(&s, &b, &room).await;
    let dest = format!("/app/chat/{room}");
    for i in 0..20 {
        ca.send_json(
            &dest,
            &json!({"type": "TEXT", "content": format!("m{i}"), "tempId": format!("t{i}")}),
        )
        .await;
    }
    for c in [&mut ca, &mut cb] {
        for i in 0..20 {
            let (f, body) = c.non_system_message().await;
            assert_eq!(f.header("subscription"), Some("room"));
            assert_eq!(
                f.header("destination"),
                Some(format!("/topic/couple/{room}").as_str())
            );
            assert!(f.header("message-id").is_some());
            assert_eq!(f.header("content-type"), Some("application/json"));
            assert_eq!(
                f.header("content-length")
                    .map(|l| l.parse::<usize>().unwrap()),
                Some(f.body.len())
            );
            assert_eq!(body["content"], format!("m{i}"));
            assert_eq!(body["tempId"], format!("t{i}"));
            assert_eq!(body["senderId"], a.id.as_str());
            assert_eq!(body["type"], "TEXT");
            assert_eq!(body["isRead"], false);
            assert!(body["readAt"].is_null());
            assert_eq!(body["createdAt"].as_str().unwrap().len(), 19);
            for key in ["id", "senderName", "senderProfileImage", "imageUrl"] {
                assert!(body.get(key).is_some(), "{key} in {body}");
            }
        }
    }
    // Storage order equals delivery order, and createdAt order agrees.
    let h = s
        .get(
            &format!("/chat/rooms/{room}/messages?size=100"),
            Some(&b.token),
        )
        .await;
    let contents: Vec<&str> = h.body["messages"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    assert_eq!(
        contents,
        (0..20).map(|i| format!("m{i}")).collect::<Vec<_>>()
    );
}

#[tokio::test]
async fn invalid_message_is_send_failed_with_temp_id_and_nothing_stored() {
    let s = server().await;
    let (a, _b, room) = couple(&s).await;
    let mut c = Stomp::joined(&s, &a, &room).await;
    let dest = format!("/app/chat/{room}");
    let cases = [
        json!({"type": "TEXT", "content": "   ", "tempId": "blank"}),
        json!({"type": "TEXT", "content": "x".repeat(5001), "tempId": "long"}),
        json!({"type": "VIDEO", "content": "x", "tempId": "kind"}),
        json!({"type": "IMAGE", "imageUrl": "https://evil.example.com/x.png", "tempId": "foreign"}),
        json!({"type": "STICKER", "tempId": "sticker"}),
        json!({"type": "TEXT", "content": "hi\u{0}there", "tempId": "nul"}),
        json!({"type": "TEXT", "content": "\u{1b}[2J", "tempId": "escape"}),
        json!({"type": "TEXT", "content": "\u{200b}\u{feff}", "tempId": "zero-width"}),
    ];
    for body in &cases {
        c.send_json(&dest, body).await;
        let err = c.message_on("errors").await;
        assert_eq!(err["type"], "ERROR", "{err}");
        assert_eq!(err["code"], "SEND_FAILED", "{err}");
        assert_eq!(err["tempId"], body["tempId"], "{err}");
    }
    // A body that is not JSON at all.
    c.send(
        Frame::new(Command::Send)
            .with("destination", dest.as_str())
            .with_body(&b"{not json"[..]),
    )
    .await;
    let err = c.message_on("errors").await;
    assert_eq!(err["code"], "SEND_FAILED");
    assert!(err["tempId"].is_null());
    let h = s
        .get(&format!("/chat/rooms/{room}/messages"), Some(&a.token))
        .await;
    assert_eq!(h.body["messages"], json!([]), "nothing stored");
}

#[tokio::test]
async fn same_temp_id_is_stored_once_and_redelivered() {
    let s = server().await;
    let (a, _b, room) = couple(&s).await;
    let mut c = Stomp::joined(&s, &a, &room).await;
    let dest = format!("/app/chat/{room}");
    let body = json!({"type": "TEXT", "content": "once", "tempId": "retry-1"});
    c.send_json(&dest, &body).await;
    let first = c.chat_message().await;
    c.send_json(&dest, &body).await;
    let second = c.chat_message().await;
    assert_eq!(first["id"], second["id"]);
    let h = s
        .get(&format!("/chat/rooms/{room}/messages"), Some(&a.token))
        .await;
    assert_eq!(h.body["messages"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn non_member_subscribe_is_error_unauthorized_then_close() {
    let s = server().await;
    let (_a, _b, room) = couple(&s).await;
    let outsider = signup(&s, "c").await;
    let mut c = Stomp::connect(&s, &outsider).await;
    c.send(
        Frame::new(Command::Subscribe)
            .with("id", "x")
            .with("destination", format!("/topic/couple/{room}")),
    )
    .await;
    let f = c.frame().await;
    assert_eq!(f.command, Command::Error);
    assert_eq!(f.header("message"), Some("UNAUTHORIZED"));
    let body: serde_json::Value = serde_json::from_slice(&f.body).unwrap();
    assert_eq!(body["code"], "UNAUTHORIZED");
    assert!(c.closed().await.is_some());
}

#[tokio::test]
async fn non_member_send_is_unauthorized_on_the_error_queue() {
    let s = server().await;
    let (_a, _b, room) = couple(&s).await;
    let outsider = signup(&s, "c").await;
    let mut c = Stomp::connect(&s, &outsider).await;
    c.subscribe_sync("errors", "/user/queue/errors").await;
    c.send_json(
        &format!("/app/chat/{room}"),
        &json!({"type": "TEXT", "content": "hi", "tempId": "t"}),
    )
    .await;
    let err = c.message_on("errors").await;
    assert_eq!(err["code"], "UNAUTHORIZED");
    assert_eq!(err["tempId"], "t");
}

#[tokio::test]
async fn read_receipts_mark_only_the_partners_unread_messages() {
    let s = server().await;
    let (a, b, room) = couple(&s).await;
    let mut ca = Stomp::joined(&s, &a, &room).await;
    let mut cb = Stomp::joined(&s, &b, &room).await;
    ca.send_json(
        &format!("/app/chat/{room}"),
        &json!({"type": "TEXT", "content": "from a"}),
    )
    .await;
    let from_a = cb.chat_message().await;
    ca.chat_message().await;
    cb.send_json(
        &format!("/app/chat/{room}"),
        &json!({"type": "TEXT", "content": "from b"}),
    )
    .await;
    let from_b = ca.chat_message().await;
    cb.chat_message().await;
    // b marks both; only a's message is b's partner's.
    cb.send_json(
        &format!("/app/chat/{room}/read"),
        &json!({"messageIds": [from_a["id"], from_b["id"]]}),
    )
    .await;
    let receipt = ca.chat_message().await;
    assert_eq!(receipt["type"], "READ_RECEIPT");
    assert_eq!(receipt["messageIds"], json!([from_a["id"]]));
    assert_eq!(receipt["readerId"], b.id.as_str());
    assert_eq!(receipt["readAt"].as_str().unwrap().len(), 19);
    assert_eq!(cb.chat_message().await, receipt);
    // Again: already read, so no new receipt and readAt unchanged.
    cb.send_json(
        &format!("/app/chat/{room}/read"),
        &json!({"messageIds": [from_a["id"]]}),
    )
    .await;
    cb.send_json(
        &format!("/app/chat/{room}"),
        &json!({"type": "TEXT", "content": "marker"}),
    )
    .await;
    assert_eq!(ca.chat_message().await["content"], "marker");
    let h = s
        .get(&format!("/chat/rooms/{room}/messages"), Some(&a.token))
        .await;
    let msgs = h.body["messages"].as_array().unwrap();
    assert_eq!(msgs[0]["isRead"], true);
    assert_eq!(msgs[0]["readAt"], receipt["readAt"]);
    assert_eq!(msgs[1]["isRead"], false);
}

#[tokio::test]
async fn typing_is_broadcast_not_stored() {
    let s = server().await;
    let (a, b, room) = couple(&s).await;
    let mut ca = Stomp::joined(&s, &a, &room).await;
    let mut cb = Stomp::joined(&s, &b, &room).await;
    ca.send_json(
        &format!("/app/chat/{room}/typing"),
        &json!({"typing": true}),
    )
    .await;
    let ev = loop {
        let m = cb.message_on("room").await;
        if m["event"] == "TYPING" {
            break m;
        }
    };
    assert_eq!(ev["type"], "SYSTEM");
    assert_eq!(ev["userId"], a.id.as_str());
    assert_eq!(ev["typing"], true);
    assert_eq!(ev["timestamp"].as_str().unwrap().len(), 19);
    let h = s
        .get(&format!("/chat/rooms/{room}/messages"), Some(&a.token))
        .await;
    assert_eq!(h.body["messages"], json!([]));
}

#[tokio::test]
async fn presence_first_connect_and_last_disconnect_across_devices() {
    let s = server().await;
    let (a, b, room) = couple(&s).await;
    let mut cb = Stomp::joined(&s, &b, &room).await;
    let phone = Stomp::connect(&s, &a).await;
    let ev = cb.system_event("USER_CONNECTED", &a.id).await;
    assert_eq!(ev["type"], "SYSTEM");
    assert_eq!(ev["timestamp"].as_str().unwrap().len(), 19);
    let laptop = Stomp::connect(&s, &a).await;
    let r = s.get("/chat/room", Some(&b.token)).await;
    assert_eq!(r.body["partnerOnline"], true);
    drop(phone);
    // The second device keeps a online: the next event b sees is the disconnect of
    // the laptop, not of the phone.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let r = s.get("/chat/room", Some(&b.token)).await;
    assert_eq!(r.body["partnerOnline"], true, "the laptop keeps a online");
    drop(laptop);
    cb.system_event("USER_DISCONNECTED", &a.id).await;
    let r = s.get("/chat/room", Some(&b.token)).await;
    assert_eq!(r.body["partnerOnline"], false);
}

#[tokio::test]
async fn receipts_for_any_frame_and_disconnect() {
    let s = server().await;
    let (a, _b, room) = couple(&s).await;
    let mut c = Stomp::joined(&s, &a, &room).await;
    c.send(
        Frame::new(Command::Send)
            .with("destination", format!("/app/chat/{room}/typing"))
            .with("receipt", "r-send")
            .with_body(&br#"{"typing":false}"#[..]),
    )
    .await;
    assert_eq!(c.receipt().await, "r-send");
    c.send(
        Frame::new(Command::Ack)
            .with("id", "1")
            .with("receipt", "r-ack"),
    )
    .await;
    assert_eq!(c.receipt().await, "r-ack");
    c.send(
        Frame::new(Command::Unsubscribe)
            .with("id", "room")
            .with("receipt", "r-unsub"),
    )
    .await;
    assert_eq!(c.receipt().await, "r-unsub");
    c.send(Frame::new(Command::Disconnect).with("receipt", "bye"))
        .await;
    let f = c.frame().await;
    assert_eq!(f.command, Command::Receipt);
    assert_eq!(f.header("receipt-id"), Some("bye"));
    assert_eq!(c.closed().await, Some(1000));
}

#[tokio::test]
async fn malformed_and_oversized_frames_are_errors_then_close() {
    let s = server_with(&[("ONDOL_CHAT_MAX_FRAME_BYTES", "2048")]).await;
    let a = signup(&s, "a").await;
    let mut c = Stomp::connect(&s, &a).await;
    c.send_raw("BOGUS\n\n\0").await;
    let f = c.frame().await;
    assert_eq!(f.command, Command::Error);
    assert!(f.header("message").is_some());
    assert!(c.closed().await.is_some());

    let mut c = Stomp::connect(&s, &a).await;
    let body = "x".repeat(4096);
    c.send_raw(&format!("SEND\ndestination:/app/chat/x\n\n{body}\0"))
        .await;
    let f = c.frame().await;
    assert_eq!(f.command, Command::Error);
    assert!(f.header("message").unwrap().contains("larger"), "{f:?}");
    assert!(c.closed().await.is_some());

    // A frame before CONNECT.
    let mut c = Stomp::open(&s, Some(&a.token)).await;
    c.send(
        Frame::new(Command::Subscribe)
            .with("id", "1")
            .with("destination", "/user/queue/errors"),
    )
    .await;
    assert_eq!(c.frame().await.command, Command::Error);
    assert!(c.closed().await.is_some());
}

#[tokio::test]
async fn heart_beats_are_sent_and_a_silent_client_is_dropped() {
    let s = server_with(&[("ONDOL_CHAT_HEARTBEAT_MS", "200")]).await;
    let a = signup(&s, "a").await;
    let mut c = Stomp::open(&s, Some(&a.token)).await;
    c.send(
        Frame::new(Command::Connect)
            .with("accept-version", "1.2")
            .with("heart-beat", "100,100"),
    )
    .await;
    let f = c.frame().await;
    assert_eq!(f.header("heart-beat"), Some("200,200"));
    // The server sends EOLs about every 200 ms; the client sends nothing and is
    // dropped after twice the negotiated 200 ms.
    use futures_util::StreamExt;
    use platform::testing::tokio_tungstenite::tungstenite::Message;
    let started = std::time::Instant::now();
    let mut beats = 0;
    loop {
        match tokio::time::timeout(Duration::from_secs(5), c.ws.next()).await {
            Ok(Some(Ok(Message::Text(t)))) if t.as_str() == "\n" => beats += 1,
            Ok(Some(Ok(_))) => {}
            Ok(_) => break,
            Err(_) => panic!("a silent client must be dropped"),
        }
    }
    assert!(beats >= 1, "server heart-beats seen: {beats}");
    assert!(started.elapsed() < Duration::from_secs(3));
}

#[tokio::test]
async fn stomp_1_0_client_without_subscription_id() {
    let s = server().await;
    let (a, _b, room) = couple(&s).await;
    let mut c = Stomp::open(&s, Some(&a.token)).await;
    c.send(Frame::new(Command::Connect)).await;
    let f = c.frame().await;
    assert_eq!(f.command, Command::Connected);
    assert_eq!(f.header("version"), None, "1.0 CONNECTED has no version");
    c.version = stomp::Version::V1_0;
    let dest = format!("/topic/couple/{room}");
    c.send(
        Frame::new(Command::Subscribe)
            .with("destination", dest.as_str())
            .with("receipt", "s"),
    )
    .await;
    assert_eq!(c.frame().await.command, Command::Receipt);
    c.send_json(
        &format!("/app/chat/{room}"),
        &json!({"type": "STICKER", "content": "heart"}),
    )
    .await;
    let (f, body) = c.non_system_message().await;
    assert_eq!(f.header("subscription"), Some(dest.as_str()));
    assert_eq!(body["type"], "STICKER");
}
