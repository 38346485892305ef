//! Two instances sharing PostgreSQL + Redis behave as one. Most of these need both servers:
//! they are ignored by a plain `cargo test` and run by CI's PostgreSQL pass
//! (`--run-ignored all` with ONDOL_TEST_DATABASE_URL and ONDOL_TEST_REDIS_URL).

mod common;

use common::*;
use serde_json::json;

#[tokio::test]
#[ignore = "needs PostgreSQL + Redis (CI runs it)"]
async fn multi_instance_events_reach_the_other_instances_live_view() {
    platform::testing::require_shared_backends();
    let one = server().await;
    let two = one.peer().await;
    let alice = login(&one, "alice").await;
    let bob = login(&two, "bob").await;
    let mut ws = two.ws(&format!("/dashboard/ws?token={bob}")).await.unwrap();
    let id = create_order(&one, &alice, "MI-1").await;
    let e = next_event(&mut ws).await;
    assert_eq!(e["type"], json!("dashboard.created"));
    let r = one
        .patch(
            &format!("/dashboard/{id}/status"),
            Some(&alice),
            &json!({"status": "IN_PROGRESS"}),
        )
        .await;
    assert_eq!(r.status, 200);
    let e = next_event(&mut ws).await;
    assert_eq!(e["type"], json!("dashboard.updated"));
    assert_eq!(e["data"]["status"], json!("IN_PROGRESS"));
    // And the other way round.
    let mut ws_one = one
        .ws(&format!("/dashboard/ws?token={alice}"))
        .await
        .unwrap();
    two.post(
        &format!("/dashboard/{id}/remarks"),
        Some(&bob),
        &json!({"content": "2번 인스턴스"}),
    )
    .await;
    let e = next_event(&mut ws_one).await;
    assert_eq!(e["type"], json!("dashboard.updated"));
}

#[tokio::test]
#[ignore = "needs PostgreSQL + Redis (CI runs it)"]
async fn multi_instance_a_lock_on_one_is_respected_on_the_other() {
    platform::testing::require_shared_backends();
    let one = server().await;
    let two = one.peer().await;
    let alice = login(&one, "alice").await;
    let bob = login(&two, "bob").await;
    let id = create_order(&one, &alice, "MI-2").await;
    assert_eq!(
        one.post(
            &format!("/dashboard/{id}/lock"),
            Some(&alice),
            &json!({"lock_type": "EDIT"})
        )
        .await
        .status,
        200
    );
    let e = assert_error(
        &two.post(
            &format!("/dashboard/{id}/lock"),
            Some(&bob),
            &json!({"lock_type": "EDIT"}),
        )
        .await,
        423,
        "RESOURCE_LOCKED",
    );
    assert_eq!(e["lock_info"]["locked_by"], json!("alice"));
    assert_error(
        &two.patch(
            &format!("/dashboard/{id}/fields"),
            Some(&bob),
            &json!({"customer": "x"}),
        )
        .await,
        423,
        "RESOURCE_LOCKED",
    );
    one.delete(&format!("/dashboard/{id}/lock"), Some(&alice), None)
        .await;
    assert_eq!(
        two.patch(
            &format!("/dashboard/{id}/fields"),
            Some(&bob),
            &json!({"customer": "x"})
        )
        .await
        .status,
        200
    );
}

#[tokio::test]
#[ignore = "needs PostgreSQL + Redis (CI runs it)"]
async fn multi_instance_a_rate_limit_holds_across_instances() {
    platform::testing::require_shared_backends();
    let one = server_with(&[
        ("ONDOL_RATE_LIMITS", "on"),
        ("ONDOL_DELIVERY_RATE_LIMIT_PER_MINUTE", "6"),
    ])
    .await;
    let two = one.peer().await;
    // Stay inside one fixed one-minute window.
    let second = chrono::Timelike::second(&chrono::Utc::now());
    if second > 50 {
        tokio::time::sleep(std::time::Duration::from_secs(61 - second as u64)).await;
    }
    // Six requests split over both instances use up the shared budget...
    for i in 0..6 {
        let s = if i % 2 == 0 { &one } else { &two };
        assert_eq!(s.get("/health", None).await.status, 200, "request {i}");
    }
    // ...so the seventh is refused on either.
    assert_error(&one.get("/health", None).await, 429, "RATE_LIMITED");
    assert_error(&two.get("/health", None).await, 429, "RATE_LIMITED");
}

#[tokio::test]
#[ignore = "needs PostgreSQL + Redis (CI runs it)"]
async fn multi_instance_a_change_on_one_invalidates_the_others_list() {
    platform::testing::require_shared_backends();
    let one = server().await;
    let two = one.peer().await;
    let alice = login(&one, "alice").await;
    let id = create_order(&one, &alice, "MI-3").await;
    let range = json!({"start_date": day(0), "end_date": day(0)});
    let before = two.post("/dashboard/list", Some(&alice), &range).await;
    assert_eq!(before.body["data"]["items"][0]["status"], json!("WAITING"));
    one.patch(
        &format!("/dashboard/{id}/status"),
        Some(&alice),
        &json!({"status": "CANCEL"}),
    )
    .await;
    let mut seen = String::new();
    for _ in 0..100 {
        seen = two.post("/dashboard/list", Some(&alice), &range).await.body["data"]["items"][0]["status"]
            .as_str()
            .unwrap()
            .to_owned();
        if seen == "CANCEL" {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(10)).await;
    }
    assert_eq!(
        seen, "CANCEL",
        "instance two's cached list was invalidated through Redis"
    );
}

/// The README's scale-out recipe on a fresh database: several processes started at
/// once all come up (schema creation and migrations are serialised), on either
/// engine.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn instances_started_together_on_a_new_database_all_come_up() {
    let servers = TestServer::start_together(std::sync::Arc::new(delivery::Delivery), 4).await;
    for s in &servers {
        assert_eq!(s.get("/ready", None).await.status, 200);
    }
    add_users(&servers[0]).await;
    login(&servers[3], "alice").await;
}

/// A role change made through one instance (or the CLI, another process) ends
/// the user's sessions on every instance within seconds.
#[tokio::test]
#[ignore = "needs PostgreSQL + Redis (CI runs it)"]
async fn multi_instance_a_role_change_reaches_every_instance() {
    use platform::App;
    platform::testing::require_shared_backends();
    let one = server().await;
    let two = one.peer().await;
    let token = login(&one, "admin").await;
    assert_eq!(
        two.get("/auth/check-session", Some(&token)).await.status,
        200
    );
    delivery::Delivery
        .set_role(&one.ctx, "admin", "USER")
        .await
        .expect("the role changes");
    let started = std::time::Instant::now();
    while two.get("/auth/check-session", Some(&token)).await.status != 401 {
        assert!(
            started.elapsed() < std::time::Duration::from_secs(5),
            "the other instance still accepts the old token"
        );
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
}
