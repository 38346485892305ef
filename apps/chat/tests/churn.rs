//! No loss under churn: a client that drops mid-stream and reconnects with
//! `after=<last id>` gets every message exactly once.

mod common;

use std::collections::HashSet;

use common::*;
use serde_json::{Value, json};

#[tokio::test]
async fn reconnect_with_after_gets_every_message_exactly_once() {
    let s = server().await;
    let (a, b, room) = couple(&s).await;
    const TOTAL: usize = 300;
    let sender = {
        let base = s.base.clone();
        let client = s.client.clone();
        let token = a.token.clone();
        let room = room.clone();
        tokio::spawn(async move {
            for i in 0..TOTAL {
                let r = client
                    .post(format!("{base}/chat/rooms/{room}/messages"))
                    .bearer_auth(&token)
                    .json(&json!({"type": "TEXT", "content": format!("n{i}"), "tempId": format!("n{i}")}))
                    .send()
                    .await
                    .unwrap();
                assert_eq!(r.status(), 201);
                if i % 25 == 0 {
                    tokio::task::yield_now().await;
                }
            }
        })
    };
    let mut received: Vec<Value> = Vec::new();
    let mut last_id: Option<String> = None;
    let mut rounds = 0;
    while received.len() < TOTAL {
        rounds += 1;
        let mut c = Stomp::joined(&s, &b, &room).await;
        // Catch up on what was missed while disconnected.
        loop {
            let path = match &last_id {
                Some(id) => format!("/chat/rooms/{room}/messages?after={id}&size=100"),
                None => format!("/chat/rooms/{room}/messages?size=100"),
            };
            let page = s.get(&path, Some(&b.token)).await;
            assert_eq!(page.status, 200, "{}", page.body);
            let msgs = page.body["messages"].as_array().unwrap().clone();
            // Without a cursor the latest page is returned; only use it on a first
            // connect when nothing has been sent yet.
            if last_id.is_none() && page.body["hasMore"] == true {
                panic!("first page should hold everything sent so far");
            }
            for m in msgs {
                last_id = Some(m["id"].as_str().unwrap().to_owned());
                received.push(m);
            }
            if page.body["hasMore"] != true {
                break;
            }
        }
        // Then live, until the connection is dropped after a few messages.
        let live_budget = 40;
        let mut live = 0;
        while live < live_budget && received.len() < TOTAL {
            let Some(f) = c.try_frame(std::time::Duration::from_secs(5)).await else {
                break;
            };
            let body: Value = serde_json::from_slice(&f.body).unwrap_or(Value::Null);
            if body["type"] != "TEXT" {
                continue;
            }
            let id = body["id"].as_str().unwrap().to_owned();
            // Live messages that the catch-up page already returned are skipped by id.
            if received.iter().any(|m| m["id"] == body["id"]) {
                continue;
            }
            last_id = Some(id);
            received.push(body);
            live += 1;
        }
        drop(c);
    }
    sender.await.unwrap();
    let contents: Vec<&str> = received
        .iter()
        .map(|m| m["content"].as_str().unwrap())
        .collect();
    let expected: Vec<String> = (0..TOTAL).map(|i| format!("n{i}")).collect();
    assert_eq!(contents, expected, "every message once, in order");
    let unique: HashSet<&str> = received.iter().map(|m| m["id"].as_str().unwrap()).collect();
    assert_eq!(unique.len(), TOTAL);
    assert!(rounds > 1, "the client reconnected at least once");
}
