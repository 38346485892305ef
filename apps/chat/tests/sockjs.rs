//! SockJS on /ws/chat at the protocol level (the real sockjs-client runs in
//! tests/interop.rs): the greeting, /info, XHR polling with xhr_send, one receiver
//! at a time, and the session's end once nobody receives.

mod common;

use std::time::Duration;

use common::*;
use reqwest::Method;

async fn post(s: &TestServer, path: &str, body: &str) -> (u16, String) {
    let r = s
        .raw(
            Method::POST,
            path,
            None,
            "text/plain",
            body.as_bytes().to_vec(),
        )
        .await;
    (r.status, String::from_utf8_lossy(&r.bytes).into_owned())
}

#[tokio::test]
async fn greeting_and_info() {
    let s = server().await;
    let r = s.get("/ws/chat", None).await;
    assert_eq!(r.status, 200);
    assert_eq!(&r.bytes[..], b"Welcome to SockJS!\n");
    let info = s.get("/ws/chat/info", None).await;
    assert_eq!(info.body["websocket"], true);
    assert_eq!(info.body["cookie_needed"], false);
    assert_eq!(info.body["origins"], serde_json::json!(["*:*"]));
    assert!(info.body["entropy"].is_u64());
}

#[tokio::test]
async fn xhr_polling_carries_stomp_and_ends_when_nobody_receives() {
    let s = server().await;
    let a = signup(&s, "sockjs").await;
    let base = format!("/ws/chat/000/poll1/xhr?token={}", a.token);
    assert_eq!(post(&s, &base, "").await, (200, "o\n".to_owned()));
    // A poll waits for frames; a second receiver at the same time is refused.
    let waiting = {
        let (url, client) = (s.url(&base), s.client.clone());
        tokio::spawn(async move { client.post(url).send().await.unwrap().text().await.unwrap() })
    };
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(
        post(&s, &base, "").await.1,
        "c[2010,\"Another connection still open\"]\n"
    );
    let connect = serde_json::to_string(&["CONNECT\naccept-version:1.2\n\n\0"]).unwrap();
    let (status, _) = post(&s, "/ws/chat/000/poll1/xhr_send", &connect).await;
    assert_eq!(status, 204);
    let frame = waiting.await.unwrap();
    assert!(frame.starts_with("a[\"CONNECTED\\n"), "{frame}");
    assert!(frame.contains(&format!("user-name:{}", a.id)), "{frame}");
    // Bad bodies are refused; an unknown session is 404.
    assert_eq!(post(&s, "/ws/chat/000/poll1/xhr_send", "").await.0, 400);
    assert_eq!(post(&s, "/ws/chat/000/poll1/xhr_send", "[1]").await.0, 400);
    assert_eq!(
        post(&s, "/ws/chat/000/nobody/xhr_send", "[\"x\"]").await.0,
        404
    );
    assert_eq!(post(&s, "/ws/chat/000/a.b/xhr", "").await.0, 404);
    // Nobody receives for longer than the disconnect delay: the session ends.
    tokio::time::sleep(Duration::from_millis(5600)).await;
    let (_, frame) = post(&s, &base, "").await;
    assert!(frame.starts_with("c["), "{frame}");
}

#[tokio::test]
async fn a_bad_token_in_the_sockjs_url_is_refused() {
    let s = server().await;
    let (status, body) = post(&s, "/ws/chat/000/bad1/xhr?token=garbage", "").await;
    assert_eq!(status, 401, "{body}");
    assert!(body.contains("AUTH_FAILED"), "{body}");
}
