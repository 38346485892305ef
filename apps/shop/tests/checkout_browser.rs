//! The local checkout page in real headless Chromium: a buyer types a declined
//! test card, sees why, retries with the success card, and the order is paid
//! with its confirmation mail. Screenshots go to `target/screenshots/`.

mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::*;
use platform::testing::browser::Browser;
use serde_json::json;

fn screenshots() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots")
}

async fn status_becomes(s: &TestServer, buyer: &User, order: i64, status: &str) {
    for _ in 0..200 {
        let r = s
            .get(&format!("/v1/orders/{order}"), Some(&buyer.token))
            .await;
        if r.body["data"]["status"] == status {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("order {order} never became {status}");
}

#[tokio::test]
#[ignore = "needs Chromium (CI installs it); ONDOL_BROWSER=/usr/bin/chromium"]
async fn a_buyer_pays_in_the_browser_after_a_decline() {
    let executable = std::env::var("ONDOL_BROWSER").expect("ONDOL_BROWSER names a Chromium");
    let s = server().await;
    let seller = register(&s, "seller").await;
    let buyer = register(&s, "buyer").await;
    let p = product(
        &s,
        &seller,
        json!({"name": "무선 키보드", "price": 89000, "currency": "KRW", "stock_quantity": 3}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let order = place(&s, &buyer, &[(p, 1)]).await.body["data"].clone();
    let id = order["id"].as_i64().unwrap();
    let number = order["order_number"].as_str().unwrap().to_owned();
    let r = s
        .post("/v1/payments", Some(&buyer.token), &json!({"order_id": id}))
        .await;
    let url = r.body["data"]["checkout_url"].as_str().unwrap().to_owned();

    let mut b = Browser::start(&executable, &s.ctx.config.data_dir, 1200, 820).await;
    b.open(&url).await;
    assert_eq!(
        b.eval("document.getElementById('amount').textContent")
            .await,
        "₩89,000"
    );
    assert_eq!(
        b.eval("document.getElementById('submit').textContent")
            .await,
        "Pay ₩89,000"
    );
    b.screenshot(&screenshots().join("shop-checkout.png")).await;

    b.type_into("#card_number", "4000000000000002").await;
    assert_eq!(
        b.eval("document.getElementById('card_number').value").await,
        "4000 0000 0000 0002",
        "grouped as typed"
    );
    b.type_into("#exp_month", "12").await;
    b.type_into("#exp_year", "34").await;
    b.type_into("#cvc", "123").await;
    b.click("#submit").await;
    b.wait_for("document.getElementById('message').className === 'message error'")
        .await;
    assert_eq!(
        b.eval("document.getElementById('message').textContent")
            .await,
        "the card was declined"
    );
    status_becomes(&s, &buyer, id, "payment_failed").await;
    b.screenshot(&screenshots().join("shop-checkout-declined.png"))
        .await;

    b.eval("document.getElementById('card_number').value = ''; ''")
        .await;
    b.type_into("#card_number", "4242424242424242").await;
    b.click("#submit").await;
    b.wait_for("!document.getElementById('done').hidden").await;
    status_becomes(&s, &buyer, id, "paid").await;
    b.screenshot(&screenshots().join("shop-checkout-paid.png"))
        .await;
    b.close().await;

    // The confirmation mail is in the outbox, beside the two welcome mails.
    let dir = s.ctx.data_dir("outbox");
    let count = || {
        std::fs::read_dir(&dir)
            .into_iter()
            .flatten()
            .flatten()
            .filter(|e| e.path().extension().is_some_and(|x| x == "eml"))
            .count()
    };
    for _ in 0..200 {
        if count() == 3 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("{} mails in the outbox, not 3 (order {number})", count());
}
