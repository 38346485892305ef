//! GET /dashboard/ws: every change and lock event reaches live views.

mod common;

use common::*;
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
