//! Orders under real concurrency: never oversold, never two with one number, on
//! one instance and on two sharing PostgreSQL.

mod common;

use std::collections::BTreeSet;

use common::*;
use futures_util::future::join_all;
use serde_json::json;

async fn buyers(s: &TestServer, n: usize) -> Vec<User> {
    let mut out = Vec::with_capacity(n);
    for _ in 0..n {
        let email = quiet_user(s, "buyer").await;
        out.push(login(s, &email).await);
    }
    out
}

/// `servers[i % len]` serves buyer `i`: 100 buyers at once for the last 10 units.
async fn last_ten_units(servers: &[&TestServer]) {
    let s = servers[0];
    let seller = register(s, "seller").await;
    let p = product(s, &seller, json!({"stock_quantity": 10})).await["id"]
        .as_i64()
        .unwrap();
    let buyers = buyers(s, 100).await;
    let results = join_all(
        buyers
            .iter()
            .enumerate()
            .map(|(i, b)| async move { place(servers[i % servers.len()], b, &[(p, 1)]).await }),
    )
    .await;
    let created = results.iter().filter(|r| r.status == 201).count();
    let short = results
        .iter()
        .filter(|r| r.status == 409 && r.body["error"]["code"] == "INSUFFICIENT_STOCK")
        .count();
    assert_eq!((created, short), (10, 90), "statuses: {:?}", {
        let mut other: Vec<_> = results
            .iter()
            .filter(|r| r.status != 201 && r.status != 409)
            .map(|r| r.body.to_string())
            .collect();
        other.truncate(3);
        other
    });
    assert_eq!(stock(s, p).await, 0);
    let sold = s.get("/v1/seller/orders", Some(&seller.token)).await;
    assert_eq!(sold.body["meta"]["total"], 10);
}

/// 50 orders at once: 50 numbers, each day's a run without a gap.
async fn fifty_numbers(servers: &[&TestServer]) {
    let s = servers[0];
    let seller = register(s, "seller").await;
    let p = product(s, &seller, json!({"stock_quantity": 1000})).await["id"]
        .as_i64()
        .unwrap();
    let buyers = buyers(s, 5).await;
    let buyers = &buyers;
    let results = join_all((0..50).map(|i| async move {
        place(
            servers[i % servers.len()],
            &buyers[i % buyers.len()],
            &[(p, 1)],
        )
        .await
    }))
    .await;
    let numbers: Vec<String> = results
        .iter()
        .map(|r| {
            assert_eq!(r.status, 201, "{}", r.body);
            r.body["data"]["order_number"].as_str().unwrap().to_owned()
        })
        .collect();
    let distinct: BTreeSet<&String> = numbers.iter().collect();
    assert_eq!(distinct.len(), 50, "{numbers:?}");
    let mut per_day: std::collections::BTreeMap<&str, Vec<u32>> = Default::default();
    for n in &numbers {
        let (day, seq) = n["ORD-".len()..]
            .split_once('-')
            .expect("ORD-YYYYMMDD-NNNN");
        assert_eq!((day.len(), seq.len()), (8, 4), "{n}");
        per_day.entry(day).or_default().push(seq.parse().unwrap());
    }
    for (day, mut seqs) in per_day {
        seqs.sort_unstable();
        let first = seqs[0];
        assert_eq!(
            seqs,
            (first..first + seqs.len() as u32).collect::<Vec<_>>(),
            "{day}"
        );
    }
    assert_eq!(stock(s, p).await, 950);
}

#[tokio::test]
async fn a_hundred_buyers_for_the_last_ten_units() {
    let s = server().await;
    last_ten_units(&[&s]).await;
}

#[tokio::test]
async fn fifty_orders_at_once_get_fifty_numbers() {
    let s = server().await;
    fifty_numbers(&[&s]).await;
}

#[tokio::test]
#[ignore = "needs PostgreSQL + Redis (CI runs it)"]
async fn multi_instance_the_last_ten_units_and_fifty_numbers() {
    platform::testing::require_shared_backends();
    let one = server().await;
    let two = one.peer().await;
    last_ten_units(&[&one, &two]).await;
    fifty_numbers(&[&one, &two]).await;
}
