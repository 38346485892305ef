//! Payments: the local checkout page with Stripe's test cards, webhooks signed as
//! Stripe signs them and applied once however often they arrive, and the Stripe
//! client against a local server speaking Stripe's wire format.

mod common;

use std::sync::Arc;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::time::Duration;

use axum::http::HeaderMap;
use common::*;
use futures_util::future::join_all;
use platform::external::payments::signature;
use reqwest::Method;
use serde_json::{Value, json};
use shop::Shop;

const WHSEC: &str = "whsec_test_secret";

async fn shop_with_secret() -> TestServer {
    TestServer::start_with(
        Arc::new(Shop),
        &[("ONDOL_SHOP_STRIPE_WEBHOOK_SECRET", WHSEC)],
    )
    .await
}

/// A pending order of a new buyer: (buyer, order id, order number, total minor).
async fn pending_order(s: &TestServer) -> (User, i64, String) {
    let seller = register(s, "seller").await;
    let buyer = register(s, "buyer").await;
    let p = product(
        s,
        &seller,
        json!({"name": "머그", "price": 12000, "currency": "KRW", "stock_quantity": 50}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let r = place(s, &buyer, &[(p, 2)]).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let o = &r.body["data"];
    (
        buyer,
        o["id"].as_i64().unwrap(),
        o["order_number"].as_str().unwrap().to_owned(),
    )
}

async fn order_status(s: &TestServer, buyer: &User, order: i64) -> String {
    let r = s
        .get(&format!("/v1/orders/{order}"), Some(&buyer.token))
        .await;
    r.body["data"]["status"].as_str().unwrap().to_owned()
}

/// Waits until the order is in `status` (webhooks arrive after the commit).
async fn until_status(s: &TestServer, buyer: &User, order: i64, status: &str) {
    for _ in 0..200 {
        if order_status(s, buyer, order).await == status {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!(
        "order {order} is {}, not {status}",
        order_status(s, buyer, order).await
    );
}

/// Confirmation mails of `number` written so far.
fn confirmations(s: &TestServer, number: &str) -> usize {
    let Ok(dir) = std::fs::read_dir(s.ctx.data_dir("outbox")) else {
        return 0;
    };
    dir.filter_map(Result::ok)
        .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
        .filter(|e| {
            let text = std::fs::read_to_string(e.path()).unwrap_or_default();
            text.contains("Message-ID: <shop-outbox-") && decoded(&text).contains(number)
        })
        .count()
}

fn decoded(mail: &str) -> String {
    use base64::Engine;
    let mut out = mail.to_owned();
    for line in mail.lines() {
        if let Ok(b) = base64::engine::general_purpose::STANDARD.decode(line.trim()) {
            out.push_str(&String::from_utf8_lossy(&b));
        }
    }
    for part in mail.split("=?utf-8?b?").skip(1) {
        if let Some(b64) = part.split("?=").next()
            && let Ok(b) = base64::engine::general_purpose::STANDARD.decode(b64)
        {
            out.push_str(&String::from_utf8_lossy(&b));
        }
    }
    out
}

async fn settle_mails(s: &TestServer, number: &str, n: usize) {
    for _ in 0..200 {
        if confirmations(s, number) >= n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    // Anything more would have arrived by now.
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(
        confirmations(s, number),
        n,
        "confirmation mails of {number}"
    );
}

async fn confirm(s: &TestServer, intent: &str, card: &str) -> TestResponse {
    s.post(
        &format!("/checkout/{intent}/confirm"),
        None,
        &json!({"card_number": card, "exp_month": 12, "exp_year": 2099, "cvc": "123"}),
    )
    .await
}

#[tokio::test]
async fn a_buyer_pays_on_the_local_checkout_page_with_test_cards() {
    let s = server().await;
    let (buyer, order, number) = pending_order(&s).await;

    let r = s
        .post(
            "/v1/payments",
            Some(&buyer.token),
            &json!({"order_id": order}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let data = &r.body["data"];
    let intent = data["payment_id"].as_str().unwrap().to_owned();
    assert!(intent.starts_with("pi_local_"), "{intent}");
    assert!(
        data["client_secret"]
            .as_str()
            .unwrap()
            .starts_with(&format!("{intent}_secret_"))
    );
    let url = data["checkout_url"].as_str().unwrap();
    assert_eq!(url, s.url(&format!("/checkout/{intent}")));
    let again = s
        .post(
            "/v1/payments",
            Some(&buyer.token),
            &json!({"order_id": order}),
        )
        .await;
    assert_eq!(
        again.body["data"]["payment_id"],
        intent.as_str(),
        "one intent per order"
    );

    let page = s.client.get(url).send().await.unwrap();
    assert_eq!(page.status(), 200);
    assert!(
        page.headers()["content-type"]
            .to_str()
            .unwrap()
            .starts_with("text/html")
    );
    let html = page.text().await.unwrap();
    assert!(html.contains("₩24,000"), "the amount");
    assert!(html.contains(&number), "the order number");
    for field in ["card_number", "exp_month", "exp_year", "cvc"] {
        assert!(html.contains(&format!("name=\"{field}\"")), "{field}");
    }

    // Declined: 402 with the seed's code, the order becomes payment_failed.
    let r = confirm(&s, &intent, "4000 0000 0000 0002").await;
    assert_error(&r, 402, "CARD_DECLINED");
    until_status(&s, &buyer, order, "payment_failed").await;
    let r = confirm(&s, &intent, "4000000000009995").await;
    assert_error(&r, 402, "INSUFFICIENT_FUNDS");
    let r = confirm(&s, &intent, "4000000000000127").await;
    assert_error(&r, 402, "INCORRECT_CVC");
    let r = s
        .post(
            &format!("/checkout/{intent}/confirm"),
            None,
            &json!({"card_number": "4242424242424242", "exp_month": 1, "exp_year": 2020, "cvc": "123"}),
        )
        .await;
    assert_error(&r, 402, "EXPIRED_CARD");
    let r = s
        .post(
            &format!("/checkout/{intent}/confirm"),
            None,
            &json!({"card_number": "42", "exp_month": 13, "exp_year": 99999, "cvc": "1"}),
        )
        .await;
    assert_error(&r, 422, "VALIDATION_ERROR");
    for f in ["card_number", "exp_month", "exp_year", "cvc"] {
        assert!(r.body["error"]["errors"][f].is_array(), "{f}: {}", r.body);
    }

    // A retry with the success card pays it, once, with one confirmation mail.
    let r = confirm(&s, &intent, "4242 4242 4242 4242").await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["status"], "succeeded");
    until_status(&s, &buyer, order, "paid").await;
    settle_mails(&s, &number, 1).await;
    assert_error(
        &confirm(&s, &intent, "4242424242424242").await,
        409,
        "CONFLICT",
    );
    let r = s
        .post(
            "/v1/payments",
            Some(&buyer.token),
            &json!({"order_id": order}),
        )
        .await;
    assert_error(&r, 409, "CONFLICT");
    assert_eq!(r.body["error"]["status"], "paid");
    assert_error(
        &s.get("/checkout/pi_local_nothing", None).await,
        404,
        "NOT_FOUND",
    );
}

#[tokio::test]
async fn a_card_that_needs_authentication_pays_once_approved() {
    let s = server().await;
    let (buyer, order, _) = pending_order(&s).await;
    let r = s
        .post(
            "/v1/payments",
            Some(&buyer.token),
            &json!({"order_id": order}),
        )
        .await;
    let intent = r.body["data"]["payment_id"].as_str().unwrap().to_owned();
    let r = confirm(&s, &intent, "4000002500003155").await;
    assert_eq!(r.body["status"], "requires_action", "{}", r.body);
    assert_eq!(order_status(&s, &buyer, order).await, "pending");
    let path = format!("/checkout/{intent}/authenticate");
    let r = s.post(&path, None, &json!({"approve": false})).await;
    assert_error(&r, 402, "CARD_DECLINED");
    until_status(&s, &buyer, order, "payment_failed").await;
    assert_error(
        &s.post(&path, None, &json!({"approve": true})).await,
        409,
        "CONFLICT",
    );
    assert_eq!(confirm(&s, &intent, "4000002500003155").await.status, 200);
    let r = s.post(&path, None, &json!({"approve": true})).await;
    assert_eq!(r.body["status"], "succeeded", "{}", r.body);
    until_status(&s, &buyer, order, "paid").await;
}

#[tokio::test]
async fn who_may_start_a_payment() {
    let s = server().await;
    let (buyer, order, _) = pending_order(&s).await;
    let stranger = register(&s, "buyer").await;
    let body = json!({"order_id": order});
    assert_error(
        &s.post("/v1/payments", Some(&stranger.token), &body).await,
        404,
        "NOT_FOUND",
    );
    assert_error(
        &s.post("/v1/payments", None, &body).await,
        401,
        "UNAUTHORIZED",
    );
    let admin = admin(&s).await;
    assert_error(
        &s.post("/v1/payments", Some(&admin.token), &body).await,
        403,
        "FORBIDDEN",
    );
    let r = s.post("/v1/payments", Some(&buyer.token), &json!({})).await;
    assert_error(&r, 422, "VALIDATION_ERROR");
    assert!(r.body["error"]["errors"]["order_id"].is_array());
    let r = s
        .post(
            "/v1/payments",
            Some(&buyer.token),
            &json!({"order_id": "x"}),
        )
        .await;
    assert_error(&r, 422, "VALIDATION_ERROR");
    // A cancelled order is not paid.
    s.post(
        &format!("/v1/orders/{order}/cancel"),
        Some(&buyer.token),
        &json!({}),
    )
    .await;
    let r = s.post("/v1/payments", Some(&buyer.token), &body).await;
    assert_error(&r, 409, "CONFLICT");
    assert_eq!(r.body["error"]["status"], "cancelled");
}

/// A Stripe event for `order`.
fn event(id: &str, kind: &str, order: i64, amount: i64) -> String {
    json!({
        "id": id,
        "object": "event",
        "type": kind,
        "data": {"object": {
            "id": format!("pi_test_{order}"),
            "object": "payment_intent",
            "amount": amount,
            "currency": "krw",
            "metadata": {"order_id": order.to_string(), "order_number": "x"},
            "status": if kind.ends_with("succeeded") { "succeeded" } else { "requires_payment_method" },
            "last_payment_error": null,
        }},
    })
    .to_string()
}

async fn deliver(s: &TestServer, body: &str, signature: Option<String>) -> TestResponse {
    let mut req = s
        .client
        .post(s.url("/v1/payments/callback"))
        .header("content-type", "application/json")
        .body(body.to_owned());
    if let Some(sig) = signature {
        req = req.header("Stripe-Signature", sig);
    }
    TestServer::read(req.send().await.unwrap()).await
}

fn signed(body: &str) -> Option<String> {
    Some(signature::header(
        WHSEC,
        chrono::Utc::now().timestamp(),
        body.as_bytes(),
    ))
}

/// One event delivered five times in a row, then five times at once, to the
/// servers given in turn: paid once, one confirmation.
async fn five_deliveries(servers: &[&TestServer]) {
    let s = servers[0];
    for concurrently in [false, true] {
        let (buyer, order, number) = pending_order(s).await;
        let body = event(
            &format!("evt_{}_{concurrently}", uuid_like()),
            "payment_intent.succeeded",
            order,
            24_000,
        );
        let results = if concurrently {
            join_all((0..5).map(|i| deliver(servers[i % servers.len()], &body, signed(&body))))
                .await
        } else {
            let mut out = Vec::new();
            for i in 0..5 {
                out.push(deliver(servers[i % servers.len()], &body, signed(&body)).await);
            }
            out
        };
        for r in &results {
            assert_eq!(r.status, 200, "{}", r.body);
            assert_eq!(r.body, json!({"success": true}));
        }
        until_status(s, &buyer, order, "paid").await;
        settle_mails(s, &number, 1).await;
    }
}

#[tokio::test]
async fn an_event_delivered_five_times_pays_once() {
    let s = shop_with_secret().await;
    five_deliveries(&[&s]).await;
}

/// More events at once than the server has database connections: each is
/// applied (a handler that held a transaction while waiting for a second
/// connection would stall them all until the request timeout).
#[tokio::test]
async fn a_burst_of_events_larger_than_the_pool_is_applied() {
    let s = TestServer::start_with(
        Arc::new(Shop),
        &[
            ("ONDOL_SHOP_STRIPE_WEBHOOK_SECRET", WHSEC),
            ("ONDOL_DB_POOL_SIZE", "2"),
        ],
    )
    .await;
    let seller = register(&s, "seller").await;
    let buyer = register(&s, "buyer").await;
    let p = product(
        &s,
        &seller,
        json!({"name": "머그", "price": 12000, "currency": "KRW", "stock_quantity": 50}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let mut orders = Vec::new();
    for _ in 0..12 {
        let r = place(&s, &buyer, &[(p, 1)]).await;
        assert_eq!(r.status, 201, "{}", r.body);
        orders.push(r.body["data"]["id"].as_i64().unwrap());
    }
    let run = uuid_like();
    let bodies: Vec<String> = orders
        .iter()
        .map(|o| {
            event(
                &format!("evt_{run}_{o}"),
                "payment_intent.succeeded",
                *o,
                12_000,
            )
        })
        .collect();
    let started = std::time::Instant::now();
    let results = join_all(bodies.iter().map(|b| deliver(&s, b, signed(b)))).await;
    for r in &results {
        assert_eq!(r.status, 200, "{}", r.body);
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "12 events took {:?}",
        started.elapsed()
    );
    for o in orders {
        until_status(&s, &buyer, o, "paid").await;
    }
}

#[tokio::test]
#[ignore = "needs PostgreSQL + Redis (CI runs it)"]
async fn multi_instance_an_event_delivered_to_two_instances_pays_once() {
    platform::testing::require_shared_backends();
    let one = shop_with_secret().await;
    let two = one.peer().await;
    five_deliveries(&[&one, &two]).await;
}

#[tokio::test]
async fn bad_stale_or_missing_signatures_change_nothing() {
    let s = shop_with_secret().await;
    let (buyer, order, number) = pending_order(&s).await;
    let body = event("evt_forged", "payment_intent.succeeded", order, 24_000);
    let now = chrono::Utc::now().timestamp();
    let cases = [
        None,
        Some("garbage".to_owned()),
        Some(signature::header("whsec_other", now, body.as_bytes())),
        Some(signature::header(WHSEC, now - 301, body.as_bytes())),
        Some(signature::header(WHSEC, now, b"{\"id\":\"evt_other\"}")),
    ];
    for sig in cases {
        let r = deliver(&s, &body, sig.clone()).await;
        assert_error(&r, 400, "INVALID_SIGNATURE");
        assert!(r.header("x-request-id").is_some());
    }
    // Signed, but not an event.
    let r = deliver(&s, "[1, 2]", signed("[1, 2]")).await;
    assert_error(&r, 400, "BAD_REQUEST");
    tokio::time::sleep(Duration::from_millis(200)).await;
    assert_eq!(order_status(&s, &buyer, order).await, "pending");
    assert_eq!(confirmations(&s, &number), 0);
    // The same event id, properly signed, was never recorded: it applies now.
    let r = deliver(&s, &body, signed(&body)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    until_status(&s, &buyer, order, "paid").await;
}

#[tokio::test]
async fn failed_then_succeeded_and_what_is_ignored() {
    let s = shop_with_secret().await;
    let (buyer, order, _) = pending_order(&s).await;
    // An amount that is not the order's total moves nothing.
    let wrong = event("evt_wrong_amount", "payment_intent.succeeded", order, 1);
    assert_eq!(deliver(&s, &wrong, signed(&wrong)).await.status, 200);
    let other = event("evt_other_kind", "charge.refunded", order, 24_000);
    assert_eq!(deliver(&s, &other, signed(&other)).await.status, 200);
    let unknown = event("evt_no_order", "payment_intent.succeeded", 999_999, 24_000);
    assert_eq!(deliver(&s, &unknown, signed(&unknown)).await.status, 200);
    assert_eq!(order_status(&s, &buyer, order).await, "pending");

    let failed = event("evt_failed", "payment_intent.payment_failed", order, 24_000);
    assert_eq!(deliver(&s, &failed, signed(&failed)).await.status, 200);
    assert_eq!(order_status(&s, &buyer, order).await, "payment_failed");
    let paid = event("evt_paid", "payment_intent.succeeded", order, 24_000);
    assert_eq!(deliver(&s, &paid, signed(&paid)).await.status, 200);
    assert_eq!(order_status(&s, &buyer, order).await, "paid");
    // A late failure report leaves a paid order paid.
    let late = event(
        "evt_late_failure",
        "payment_intent.payment_failed",
        order,
        24_000,
    );
    assert_eq!(deliver(&s, &late, signed(&late)).await.status, 200);
    assert_eq!(order_status(&s, &buyer, order).await, "paid");
}

#[tokio::test]
async fn the_callback_is_not_counted_against_any_budget() {
    let s = TestServer::start_with(
        Arc::new(Shop),
        &[
            ("ONDOL_RATE_LIMITS", "on"),
            ("ONDOL_SHOP_RATE_LIMIT_WINDOWS", "3/hour"),
            ("ONDOL_SHOP_STRIPE_WEBHOOK_SECRET", WHSEC),
        ],
    )
    .await;
    for i in 0..6 {
        let body = event(&format!("evt_budget_{i}"), "charge.refunded", 1, 1);
        let r = deliver(&s, &body, signed(&body)).await;
        assert_eq!(r.status, 200, "delivery {i}: {}", r.body);
        assert_eq!(header_u64(&r, "x-ratelimit-remaining"), 3);
    }
}

/// What the local Stripe server saw.
#[derive(Default)]
struct Seen {
    calls: AtomicUsize,
    keys: std::sync::Mutex<Vec<String>>,
    forms: std::sync::Mutex<Vec<Vec<(String, String)>>>,
}

/// A server answering as Stripe's `POST /v1/payment_intents` does: it checks the
/// bearer key, the form encoding and the idempotency key, and answers the first
/// `failures` calls with a 500, then a 429, then the intent (or a card error).
async fn stripe_server(seen: Arc<Seen>, card_error: bool) -> String {
    use axum::routing::post;
    let app = axum::Router::new().route(
        "/v1/payment_intents",
        post(move |headers: HeaderMap, body: String| {
            let seen = seen.clone();
            async move {
                let n = seen.calls.fetch_add(1, Ordering::SeqCst);
                let auth = headers["authorization"].to_str().unwrap().to_owned();
                let ct = headers["content-type"].to_str().unwrap().to_owned();
                if auth != "Bearer sk_test_local" || ct != "application/x-www-form-urlencoded" {
                    return (
                        axum::http::StatusCode::UNAUTHORIZED,
                        axum::Json(json!({"error": {"type": "invalid_request_error", "message": "bad key"}})),
                    );
                }
                seen.keys.lock().unwrap().push(
                    headers
                        .get("idempotency-key")
                        .map(|v| v.to_str().unwrap().to_owned())
                        .unwrap_or_default(),
                );
                let form: Vec<(String, String)> = serde_urlencoded::from_str(&body).unwrap();
                seen.forms.lock().unwrap().push(form);
                match n {
                    0 => (
                        axum::http::StatusCode::INTERNAL_SERVER_ERROR,
                        axum::Json(json!({"error": {"type": "api_error", "message": "boom"}})),
                    ),
                    1 => (
                        axum::http::StatusCode::TOO_MANY_REQUESTS,
                        axum::Json(json!({"error": {"type": "rate_limit_error", "message": "slow down"}})),
                    ),
                    _ if card_error => (
                        axum::http::StatusCode::PAYMENT_REQUIRED,
                        axum::Json(json!({"error": {"type": "card_error", "code": "card_declined",
                            "decline_code": "insufficient_funds", "message": "Your card has insufficient funds."}})),
                    ),
                    _ => (
                        axum::http::StatusCode::OK,
                        axum::Json(json!({"id": "pi_3ABC123", "object": "payment_intent",
                            "client_secret": "pi_3ABC123_secret_xyz", "amount": 24000,
                            "currency": "krw", "status": "requires_payment_method"})),
                    ),
                }
            }
        }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    format!("http://{addr}")
}

#[tokio::test]
async fn the_stripe_client_speaks_stripes_wire_format_and_retries() {
    for card_error in [false, true] {
        let seen = Arc::new(Seen::default());
        let base = stripe_server(seen.clone(), card_error).await;
        let s = TestServer::start_with(
            Arc::new(Shop),
            &[
                ("ONDOL_SHOP_STRIPE_SECRET_KEY", "sk_test_local"),
                ("ONDOL_SHOP_STRIPE_API_BASE", &base),
            ],
        )
        .await;
        let (buyer, order, number) = pending_order(&s).await;
        let r = in_language(
            &s,
            "en",
            Method::POST,
            "/v1/payments",
            Some(&buyer.token),
            Some(&json!({"order_id": order})),
        )
        .await;
        assert_eq!(
            seen.calls.load(Ordering::SeqCst),
            3,
            "a 500, a 429, then the answer"
        );
        let keys = seen.keys.lock().unwrap().clone();
        assert_eq!(keys.len(), 3);
        assert!(
            !keys[0].is_empty() && keys.iter().all(|k| *k == keys[0]),
            "{keys:?}"
        );
        let form = seen.forms.lock().unwrap()[2].clone();
        let get = |k: &str| form.iter().find(|(n, _)| n == k).map(|(_, v)| v.as_str());
        assert_eq!(get("amount"), Some("24000"), "minor units: {form:?}");
        assert_eq!(get("currency"), Some("krw"));
        assert_eq!(get("metadata[order_id]"), Some(order.to_string().as_str()));
        assert_eq!(get("metadata[order_number]"), Some(number.as_str()));
        if card_error {
            assert_error(&r, 402, "INSUFFICIENT_FUNDS");
            assert_eq!(r.body["message"], "insufficient funds");
        } else {
            assert_eq!(r.status, 200, "{}", r.body);
            assert_eq!(
                r.body["data"],
                json!({"payment_id": "pi_3ABC123", "client_secret": "pi_3ABC123_secret_xyz",
                       "checkout_url": Value::Null})
            );
            // No local checkout page with Stripe.
            assert_error(&s.get("/checkout/pi_3ABC123", None).await, 404, "NOT_FOUND");
        }
    }
}

fn uuid_like() -> String {
    format!(
        "{}{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}
