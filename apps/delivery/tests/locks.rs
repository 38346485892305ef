//! Pessimistic locks: acquire/renew/release/status, both lock styles on every
//! mutating endpoint, expiry takeover, and real concurrent clients.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicI32, Ordering};

use common::*;
use serde_json::{Value, json};

#[tokio::test]
async fn acquire_renew_status_and_release() {
    let s = server().await;
    let alice = login(&s, "alice").await;
    let bob = login(&s, "bob").await;
    let id = create_order(&s, &alice, "LK-1").await;
    let lock = format!("/dashboard/{id}/lock");
    let r = s
        .post(&lock, Some(&alice), &json!({"lock_type": "EDIT"}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["message"], json!("락을 획득했습니다"));
    assert_eq!(r.body["data"]["dashboard_id"], json!(id));
    assert_eq!(r.body["data"]["locked_by"], json!("alice"));
    assert_eq!(r.body["data"]["lock_type"], json!("EDIT"));
    let first_expiry = r.body["data"]["expires_at"].as_str().unwrap().to_owned();
    let expires =
        chrono::NaiveDateTime::parse_from_str(&first_expiry, "%Y-%m-%dT%H:%M:%S").unwrap();
    let now = chrono::Utc::now()
        .with_timezone(&chrono_tz::Asia::Seoul)
        .naive_local();
    assert!(
        (295..=300).contains(&(expires - now).num_seconds()),
        "300 s lifetime"
    );
    // Taking it again renews it (and may change its type).
    let r = s
        .post(&lock, Some(&alice), &json!({"lock_type": "STATUS"}))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["data"]["lock_type"], json!("STATUS"));
    // Another user: 423 with lock_info.
    let e = assert_error(
        &s.post(&lock, Some(&bob), &json!({"lock_type": "EDIT"}))
            .await,
        423,
        "RESOURCE_LOCKED",
    );
    assert_eq!(e["lock_info"]["locked_by"], json!("alice"));
    assert_eq!(e["lock_info"]["dashboard_id"], json!(id));
    let r = s.get(&format!("{lock}/status"), Some(&bob)).await;
    assert_eq!(r.body["data"]["is_locked"], json!(true));
    assert_eq!(r.body["data"]["is_mine"], json!(false));
    assert_eq!(r.body["data"]["locked_by"], json!("alice"));
    let r = s.get(&format!("{lock}/status"), Some(&alice)).await;
    assert_eq!(r.body["data"]["is_mine"], json!(true));
    // Only the holder (or an admin) releases.
    assert_error(&s.delete(&lock, Some(&bob), None).await, 403, "FORBIDDEN");
    let r = s.delete(&lock, Some(&alice), None).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.body,
        json!({"success": true, "message": "락을 해제했습니다", "data": {"dashboard_id": id}})
    );
    // Releasing nothing is fine.
    assert_eq!(s.delete(&lock, Some(&alice), None).await.status, 200);
    let r = s.get(&format!("{lock}/status"), Some(&bob)).await;
    assert_eq!(
        r.body["data"],
        json!({"dashboard_id": id, "is_locked": false, "locked_by": null, "lock_type": null, "expires_at": null, "is_mine": false})
    );
    // An admin may release anyone's lock.
    s.post(&lock, Some(&bob), &json!({"lock_type": "EDIT"}))
        .await;
    let admin = login(&s, "admin").await;
    assert_eq!(s.delete(&lock, Some(&admin), None).await.status, 200);
    assert_error(
        &s.post(&lock, Some(&bob), &json!({"lock_type": "READ"}))
            .await,
        422,
        "VALIDATION_ERROR",
    );
    assert_error(
        &s.post(&lock, Some(&bob), &json!({})).await,
        422,
        "VALIDATION_ERROR",
    );
    assert_error(
        &s.post(
            "/dashboard/999999/lock",
            Some(&bob),
            &json!({"lock_type": "EDIT"}),
        )
        .await,
        404,
        "NOT_FOUND",
    );
    assert_error(
        &s.get("/dashboard/999999/lock/status", Some(&bob)).await,
        404,
        "NOT_FOUND",
    );
}

#[tokio::test]
async fn expired_locks_are_taken_over() {
    let s = server_with(&[("ONDOL_DELIVERY_LOCK_SECONDS", "1")]).await;
    let alice = login(&s, "alice").await;
    let bob = login(&s, "bob").await;
    let id = create_order(&s, &alice, "EXP-1").await;
    let lock = format!("/dashboard/{id}/lock");
    assert_eq!(
        s.post(&lock, Some(&alice), &json!({"lock_type": "EDIT"}))
            .await
            .status,
        200
    );
    assert_eq!(
        s.post(&lock, Some(&bob), &json!({"lock_type": "EDIT"}))
            .await
            .status,
        423
    );
    tokio::time::sleep(std::time::Duration::from_millis(1200)).await;
    assert_eq!(
        s.get(&format!("{lock}/status"), Some(&bob)).await.body["data"]["is_locked"],
        json!(false)
    );
    let r = s
        .post(&lock, Some(&bob), &json!({"lock_type": "EDIT"}))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["data"]["locked_by"], json!("bob"));
}

/// Every mutating endpoint: with the caller's own lock it works and keeps the lock;
/// with nobody's lock it works and leaves none; with another user's lock it is 423
/// and changes nothing.
#[tokio::test]
async fn both_lock_styles_on_every_mutating_endpoint() {
    let s = server().await;
    let alice = login(&s, "alice").await;
    let bob = login(&s, "bob").await;
    let id = create_order(&s, &alice, "STY-1").await;
    let remark_id = s.get(&format!("/dashboard/{id}"), Some(&alice)).await.body["data"]["remarks"]
        [0]["remark_id"]
        .as_i64()
        .unwrap();
    let calls: Vec<(&str, String, Value)> = vec![
        (
            "PATCH",
            format!("/dashboard/{id}/fields"),
            json!({"customer": "변경"}),
        ),
        (
            "PATCH",
            format!("/dashboard/{id}/status"),
            json!({"status": "WAITING"}),
        ),
        (
            "POST",
            "/dashboard/assign".to_string(),
            json!({"dashboard_ids": [id], "driver_name": "기사"}),
        ),
        (
            "POST",
            format!("/dashboard/{id}/remarks"),
            json!({"content": "메모"}),
        ),
        (
            "PATCH",
            format!("/dashboard/{id}/remarks/{remark_id}"),
            json!({"content": "메모 수정"}),
        ),
    ];
    let lock = format!("/dashboard/{id}/lock");
    for (method, path, body) in &calls {
        let method: reqwest::Method = method.parse().unwrap();
        // Nobody holds it: taken, used, released.
        let r = s
            .request(method.clone(), path, Some(&alice), Some(body))
            .await;
        assert!(r.status == 200 || r.status == 201, "{path}: {}", r.body);
        assert_eq!(
            s.get(&format!("{lock}/status"), Some(&alice)).await.body["data"]["is_locked"],
            json!(false),
            "{path}"
        );
        // The caller holds it: used and kept.
        s.post(&lock, Some(&alice), &json!({"lock_type": "EDIT"}))
            .await;
        let r = s
            .request(method.clone(), path, Some(&alice), Some(body))
            .await;
        assert!(r.status == 200 || r.status == 201, "{path}: {}", r.body);
        let st = s.get(&format!("{lock}/status"), Some(&alice)).await;
        assert_eq!(
            st.body["data"]["is_mine"],
            json!(true),
            "{path} keeps the caller's lock"
        );
        // Another user holds it: 423, lock_info, nothing changed.
        let before = s.get(&format!("/dashboard/{id}"), Some(&alice)).await.body["data"].clone();
        let r = s
            .request(method.clone(), path, Some(&bob), Some(body))
            .await;
        let e = assert_error(&r, 423, "RESOURCE_LOCKED");
        assert_eq!(e["lock_info"]["locked_by"], json!("alice"), "{path}");
        let after = s.get(&format!("/dashboard/{id}"), Some(&alice)).await.body["data"].clone();
        assert_eq!(before, after, "{path} changed nothing");
        s.delete(&lock, Some(&alice), None).await;
    }
}

/// 32 clients race for one lock; then they keep racing for a while, and the holder
/// count observed by the winners never exceeds one.
#[tokio::test]
async fn thirty_two_clients_one_holder() {
    let s = server().await;
    let alice = login(&s, "alice").await;
    let id = create_order(&s, &alice, "RACE-1").await;
    let mut tokens = Vec::new();
    for i in 0..32 {
        let user = format!("racer{i}");
        platform::App::add_user(
            &delivery::Delivery,
            &s.ctx,
            platform::NewUser {
                login: user.clone(),
                password: PASSWORD.into(),
                role: Some("USER".into()),
                department: Some("CS".into()),
                name: None,
            },
        )
        .await
        .unwrap();
        tokens.push(login(&s, &user).await);
    }
    let url = s.url(&format!("/dashboard/{id}/lock"));
    let race = |tokens: Vec<String>| {
        let url = url.clone();
        let client = s.client.clone();
        async move {
            let mut tasks = Vec::new();
            for t in tokens {
                let (url, client) = (url.clone(), client.clone());
                tasks.push(tokio::spawn(async move {
                    client
                        .post(&url)
                        .bearer_auth(&t)
                        .json(&json!({"lock_type": "EDIT"}))
                        .send()
                        .await
                        .unwrap()
                        .status()
                        .as_u16()
                }));
            }
            let mut statuses = Vec::new();
            for t in tasks {
                statuses.push(t.await.unwrap());
            }
            statuses
        }
    };
    let statuses = race(tokens.clone()).await;
    assert_eq!(
        statuses.iter().filter(|s| **s == 200).count(),
        1,
        "{statuses:?}"
    );
    assert_eq!(
        statuses.iter().filter(|s| **s == 423).count(),
        31,
        "{statuses:?}"
    );
    // Holder release + re-race, with a shared counter of current holders.
    let holders = Arc::new(AtomicI32::new(0));
    let max_seen = Arc::new(AtomicI32::new(0));
    let mut tasks = Vec::new();
    for t in tokens {
        let (url, client, holders, max_seen) = (
            url.clone(),
            s.client.clone(),
            holders.clone(),
            max_seen.clone(),
        );
        tasks.push(tokio::spawn(async move {
            let mut wins = 0;
            for _ in 0..6 {
                let r = client
                    .post(&url)
                    .bearer_auth(&t)
                    .json(&json!({"lock_type": "EDIT"}))
                    .send()
                    .await
                    .unwrap();
                if r.status() == 200 {
                    wins += 1;
                    let now = holders.fetch_add(1, Ordering::SeqCst) + 1;
                    max_seen.fetch_max(now, Ordering::SeqCst);
                    tokio::time::sleep(std::time::Duration::from_millis(2)).await;
                    holders.fetch_sub(1, Ordering::SeqCst);
                    let r = client.delete(&url).bearer_auth(&t).send().await.unwrap();
                    assert_eq!(r.status(), 200);
                } else {
                    assert_eq!(r.status(), 423);
                }
            }
            wins
        }));
    }
    let mut wins = 0;
    for t in tasks {
        wins += t.await.unwrap();
    }
    assert!(wins >= 1);
    assert_eq!(
        max_seen.load(Ordering::SeqCst),
        1,
        "never two holders at once"
    );
}

/// Two assignments over overlapping id sets, racing, many times: each succeeds whole
/// or fails whole, and the rows show exactly one driver per round. Reverse id orders
/// must not deadlock.
#[tokio::test]
async fn racing_assignments_are_whole_and_never_deadlock() {
    let s = server().await;
    let alice = login(&s, "alice").await;
    let bob = login(&s, "bob").await;
    let mut ids = Vec::new();
    for i in 0..6 {
        ids.push(create_order(&s, &alice, &format!("AR-{i}")).await);
    }
    let first: Vec<i64> = ids[0..4].to_vec();
    let mut second: Vec<i64> = ids[2..6].to_vec();
    second.reverse();
    for round in 0..15 {
        let (a_name, b_name) = (format!("A{round}"), format!("B{round}"));
        let (body_a, body_b) = (
            json!({"dashboard_ids": first, "driver_name": a_name}),
            json!({"dashboard_ids": second, "driver_name": b_name}),
        );
        let fa = s.post("/dashboard/assign", Some(&alice), &body_a);
        let fb = s.post("/dashboard/assign", Some(&bob), &body_b);
        let (ra, rb) = tokio::time::timeout(std::time::Duration::from_secs(20), async {
            tokio::join!(fa, fb)
        })
        .await
        .expect("no deadlock");
        for r in [&ra, &rb] {
            assert!(
                r.status == 200 || r.status == 423,
                "round {round}: {} {}",
                r.status,
                r.body
            );
        }
        assert!(
            ra.status == 200 || rb.status == 200,
            "at least one wins (round {round})"
        );
        let mut drivers = Vec::new();
        for id in &ids {
            drivers.push(
                s.get(&format!("/dashboard/{id}"), Some(&alice)).await.body["data"]["driver_name"]
                    .clone(),
            );
        }
        if ra.status == 200 {
            assert!(
                drivers[0..2].iter().all(|d| *d == json!(a_name)),
                "A whole: {drivers:?}"
            );
        }
        if rb.status == 200 {
            assert!(
                drivers[4..6].iter().all(|d| *d == json!(b_name)),
                "B whole: {drivers:?}"
            );
        }
        // The overlap belongs entirely to one of them.
        assert_eq!(drivers[2], drivers[3], "overlap is not split: {drivers:?}");
        if ra.status != 200 {
            assert!(
                drivers[0..2].iter().all(|d| *d != json!(a_name)),
                "A changed nothing"
            );
        }
        if rb.status != 200 {
            assert!(
                drivers[4..6].iter().all(|d| *d != json!(b_name)),
                "B changed nothing"
            );
        }
    }
}

#[tokio::test]
async fn the_live_locks_are_listed_for_any_user() {
    let s = server().await;
    let alice = login(&s, "alice").await;
    let hes = login(&s, "hes").await;
    let a = create_order(&s, &alice, "LL-1").await;
    let b = create_order(&s, &alice, "LL-2").await;
    create_order(&s, &alice, "LL-3").await;
    let r = s.get("/dashboard/locks", Some(&hes)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["success"], json!(true));
    assert_eq!(r.body["data"], json!([]));

    for id in [b, a] {
        let r = s
            .post(
                &format!("/dashboard/{id}/lock"),
                Some(&alice),
                &json!({"lock_type": "EDIT"}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
    }
    let r = s.get("/dashboard/locks", Some(&hes)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let locks = r.body["data"].as_array().unwrap();
    let ids: Vec<i64> = locks
        .iter()
        .map(|l| l["dashboard_id"].as_i64().unwrap())
        .collect();
    assert_eq!(ids, vec![a, b], "by order");
    for l in locks {
        assert_eq!(l["locked_by"], json!("alice"));
        assert_eq!(l["lock_type"], json!("EDIT"));
        assert!(l["expires_at"].as_str().is_some());
    }

    // A released lock is gone from the list; no token is 401.
    let r = s
        .delete(&format!("/dashboard/{a}/lock"), Some(&alice), None)
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = s.get("/dashboard/locks", Some(&hes)).await;
    assert_eq!(r.body["data"].as_array().unwrap().len(), 1);
    assert_eq!(r.body["data"][0]["dashboard_id"], json!(b));
    assert_error(&s.get("/dashboard/locks", None).await, 401, "UNAUTHORIZED");
}

/// Many lock requests at once (they share statements on the server): each client
/// gets the answer of its own request, whatever else is in the same batch — taken,
/// held by another (with the holder), no such order, released, not yours — and
/// the lock rows afterwards are exactly what the answers said.
#[tokio::test]
async fn concurrent_lock_requests_each_get_their_own_answer() {
    let s = server().await;
    let alice = login(&s, "alice").await;
    let bob = login(&s, "bob").await;
    let mut ids = Vec::new();
    for i in 0..50 {
        ids.push(create_order(&s, &alice, &format!("BATCH-{i}")).await);
    }
    let missing = ids.iter().max().unwrap() + 1_000;
    // Bob holds 0..10 (alice will be refused) and 40..50 (he releases 40..45,
    // alice tries to release 45..50).
    for &id in ids[..10].iter().chain(&ids[40..]) {
        let r = s
            .post(
                &format!("/dashboard/{id}/lock"),
                Some(&bob),
                &json!({"lock_type": "EDIT"}),
            )
            .await;
        assert_eq!(r.status, 200, "{}", r.body);
    }

    for round in 0..3 {
        // (method, id, token, expected status)
        let mut requests: Vec<(&str, i64, &str, u16)> = Vec::new();
        for &id in &ids[..10] {
            requests.push(("POST", id, &alice, 423));
        }
        for &id in &ids[10..40] {
            requests.push(("POST", id, &alice, 200));
        }
        requests.push(("POST", missing, &alice, 404));
        if round == 0 {
            for &id in &ids[40..45] {
                requests.push(("DELETE", id, &bob, 200));
            }
        }
        for &id in &ids[45..] {
            requests.push(("DELETE", id, &alice, 403));
        }
        let barrier = Arc::new(tokio::sync::Barrier::new(requests.len()));
        let tasks: Vec<_> = requests
            .into_iter()
            .map(|(method, id, token, expected)| {
                let (client, barrier) = (s.client.clone(), barrier.clone());
                let url = s.url(&format!("/dashboard/{id}/lock"));
                let token = token.to_owned();
                tokio::spawn(async move {
                    barrier.wait().await;
                    let r = match method {
                        "POST" => client.post(&url).json(&json!({"lock_type": "EDIT"})),
                        _ => client.delete(&url),
                    }
                    .bearer_auth(&token)
                    .send()
                    .await
                    .unwrap();
                    let status = r.status().as_u16();
                    let body: Value = r.json().await.unwrap();
                    (method, id, expected, status, body)
                })
            })
            .collect();
        for t in tasks {
            let (method, id, expected, status, body) = t.await.unwrap();
            assert_eq!(status, expected, "round {round}: {method} {id}: {body}");
            match status {
                200 if method == "POST" => {
                    assert_eq!(body["data"]["dashboard_id"], json!(id), "{body}");
                    assert_eq!(body["data"]["locked_by"], json!("alice"), "{body}");
                }
                423 => assert_eq!(body["lock_info"]["locked_by"], json!("bob"), "{body}"),
                403 => assert_eq!(body["lock_info"]["locked_by"], json!("bob"), "{body}"),
                _ => {}
            }
        }
        let r = s.get("/dashboard/locks", Some(&alice)).await;
        assert_eq!(r.status, 200, "{}", r.body);
        let held: Vec<(i64, String)> = r.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["dashboard_id"].as_i64().unwrap(),
                    l["locked_by"].as_str().unwrap().to_owned(),
                )
            })
            .collect();
        let mut expected: Vec<(i64, String)> = ids[..10]
            .iter()
            .chain(&ids[45..])
            .map(|&id| (id, "bob".to_owned()))
            .chain(ids[10..40].iter().map(|&id| (id, "alice".to_owned())))
            .collect();
        expected.sort();
        assert_eq!(held, expected, "round {round}");
    }
}
