//! Orders: placed at the price of the moment in one transaction, seen by their
//! buyer and sellers, cancelled with the stock back, shipped and delivered.

mod common;

use common::*;
use reqwest::Method;
use serde_json::{Value, json};

fn id(v: &Value) -> i64 {
    v["id"].as_i64().expect("an id")
}

#[tokio::test]
async fn a_buyer_orders_at_the_price_of_the_moment() {
    let s = server().await;
    let seller = register(&s, "seller").await;
    let buyer = register(&s, "buyer").await;
    let mug = id(&product(
        &s,
        &seller,
        json!({"name": "머그", "price": 15.5, "currency": "USD", "stock_quantity": 5}),
    )
    .await);
    let tea = id(&product(
        &s,
        &seller,
        json!({"name": "차", "price": 2, "currency": "USD", "stock_quantity": 3}),
    )
    .await);

    let r = place(&s, &buyer, &[(mug, 2), (tea, 1)]).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let text = String::from_utf8(r.bytes.to_vec()).unwrap();
    assert!(text.contains(r#""total":33.00"#), "exact total: {text}");
    assert!(text.contains(r#""unit_price":15.50"#), "{text}");
    let o = r.body["data"].clone();
    let mut keys: Vec<&str> = o.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "buyer_id",
            "cancelled_at",
            "created_at",
            "currency",
            "id",
            "items",
            "order_number",
            "paid_at",
            "shipping_address",
            "status",
            "total",
            "updated_at"
        ]
    );
    let today = chrono::Utc::now().format("%Y%m%d").to_string();
    assert_eq!(o["order_number"], format!("ORD-{today}-0001"));
    assert_eq!(o["status"], "pending");
    assert_eq!(o["currency"], "USD");
    assert_eq!(o["buyer_id"], buyer.id);
    assert_eq!(o["shipping_address"]["line2"], Value::Null);
    assert_eq!(o["shipping_address"]["country"], "KR");
    let items = o["items"].as_array().unwrap();
    assert_eq!(items.len(), 2, "in the order asked");
    assert_eq!(items[0]["product_id"], mug);
    assert_eq!(items[0]["product_name"], "머그");
    assert_eq!(items[0]["quantity"], 2);
    assert_eq!(items[0]["subtotal"], 31.0);
    assert_eq!(items[0]["seller_id"], seller.id);
    assert_eq!(items[1]["product_id"], tea);
    assert_eq!(stock(&s, mug).await, 3);
    assert_eq!(stock(&s, tea).await, 2);

    // A later price change leaves the order as it was bought.
    let r = s
        .request(
            Method::PUT,
            &format!("/v1/products/{mug}"),
            Some(&seller.token),
            Some(&json!({"price": 20})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let order = id(&o);
    let path = format!("/v1/orders/{order}");
    let got = s.get(&path, Some(&buyer.token)).await;
    assert_eq!(got.status, 200, "{}", got.body);
    assert_eq!(got.body["data"]["items"][0]["unit_price"], 15.5);
    assert_eq!(got.body["data"]["total"], 33.0);

    // The seller of a line sees it; nobody else does, and ids reveal nothing.
    assert_eq!(s.get(&path, Some(&seller.token)).await.status, 200);
    let stranger = register(&s, "buyer").await;
    assert_error(&s.get(&path, Some(&stranger.token)).await, 404, "NOT_FOUND");
    let other_seller = register(&s, "seller").await;
    assert_error(
        &s.get(&path, Some(&other_seller.token)).await,
        404,
        "NOT_FOUND",
    );
    assert_error(
        &s.get("/v1/orders/999999", Some(&buyer.token)).await,
        404,
        "NOT_FOUND",
    );
    assert_error(&s.get(&path, None).await, 401, "UNAUTHORIZED");
    assert_error(
        &s.get("/v1/orders/abc", Some(&buyer.token)).await,
        422,
        "VALIDATION_ERROR",
    );

    let list = s.get("/v1/orders", Some(&buyer.token)).await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert_eq!(
        list.body["meta"],
        json!({"page": 1, "limit": 20, "total": 1})
    );
    assert_eq!(list.body["data"][0]["id"], order);
    let none = s.get("/v1/orders", Some(&stranger.token)).await;
    assert_eq!(none.body["meta"]["total"], 0);
    assert_eq!(none.body["data"], json!([]));
    let second = place(&s, &buyer, &[(tea, 1)]).await;
    assert_eq!(
        second.body["data"]["order_number"],
        format!("ORD-{today}-0002")
    );
    let page = s.get("/v1/orders?limit=1&page=2", Some(&buyer.token)).await;
    assert_eq!(
        page.body["meta"],
        json!({"page": 2, "limit": 1, "total": 2})
    );
    assert_eq!(page.body["data"][0]["id"], order, "newest first");
    let pending = s
        .get("/v1/orders?status=cancelled", Some(&buyer.token))
        .await;
    assert_eq!(pending.body["meta"]["total"], 0);
    assert_error(
        &s.get("/v1/orders?limit=101", Some(&buyer.token)).await,
        422,
        "VALIDATION_ERROR",
    );
    assert_error(
        &s.get("/v1/orders?status=lost", Some(&buyer.token)).await,
        422,
        "VALIDATION_ERROR",
    );
}

#[tokio::test]
async fn a_line_short_of_stock_is_409_naming_it_and_nothing_changes() {
    let s = server().await;
    let seller = register(&s, "seller").await;
    let buyer = register(&s, "buyer").await;
    let plenty = id(&product(&s, &seller, json!({"stock_quantity": 5})).await);
    let last = id(&product(&s, &seller, json!({"stock_quantity": 1})).await);

    for lang in ["ko", "en"] {
        let r = in_language(
            &s,
            lang,
            Method::POST,
            "/v1/orders",
            Some(&buyer.token),
            Some(&json!({
                "items": [{"product_id": plenty, "quantity": 2}, {"product_id": last, "quantity": 2}],
                "shipping_address": address(),
            })),
        )
        .await;
        assert_error(&r, 409, "INSUFFICIENT_STOCK");
        assert_eq!(r.body["error"]["product_id"], last);
        assert_eq!(r.body["error"]["requested"], 2);
        assert_eq!(r.body["error"]["available"], 1);
        let message = r.body["message"].as_str().unwrap();
        assert_eq!(message == "not enough stock", lang == "en", "{message}");
    }
    assert_eq!(stock(&s, plenty).await, 5, "rolled back");
    assert_eq!(stock(&s, last).await, 1);
    let list = s.get("/v1/orders", Some(&buyer.token)).await;
    assert_eq!(list.body["meta"]["total"], 0);
    // No number was used up either.
    let r = place(&s, &buyer, &[(last, 1)]).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert!(
        r.body["data"]["order_number"]
            .as_str()
            .unwrap()
            .ends_with("-0001")
    );
    assert_eq!(stock(&s, last).await, 0);
    assert_error(
        &place(&s, &buyer, &[(last, 1)]).await,
        409,
        "INSUFFICIENT_STOCK",
    );
}

#[tokio::test]
async fn bad_orders_are_422_and_change_nothing() {
    let s = server().await;
    let seller = register(&s, "seller").await;
    let buyer = register(&s, "buyer").await;
    let won = id(&product(&s, &seller, json!({"stock_quantity": 5})).await);
    let dollars = id(&product(
        &s,
        &seller,
        json!({"price": 3, "currency": "USD", "stock_quantity": 5}),
    )
    .await);
    let draft = id(&product(&s, &seller, json!({"status": "draft"})).await);
    let line = |p: i64, q: Value| json!({"product_id": p, "quantity": q});
    let with_items = |items: Value| json!({"items": items, "shipping_address": address()});
    let mut bad_address = address();
    bad_address["country"] = json!("Korea");
    let mut no_city = address();
    no_city.as_object_mut().unwrap().remove("city");
    let cases: Vec<(Value, &str)> = vec![
        (json!({"shipping_address": address()}), "items"),
        (with_items(json!([])), "items"),
        (
            with_items(json!([line(won, json!(0))])),
            "items[0].quantity",
        ),
        (
            with_items(json!([line(won, json!(-1))])),
            "items[0].quantity",
        ),
        (
            with_items(json!([line(won, json!(1001))])),
            "items[0].quantity",
        ),
        (
            with_items(json!([line(won, json!(1.5))])),
            "items[0].quantity",
        ),
        (
            with_items(json!([line(won, json!("2"))])),
            "items[0].quantity",
        ),
        (with_items(json!([{"quantity": 1}])), "items[0].product_id"),
        (
            with_items(json!([line(999_999, json!(1))])),
            "items[0].product_id",
        ),
        (
            with_items(json!([line(draft, json!(1))])),
            "items[0].product_id",
        ),
        (
            with_items(json!([line(won, json!(1)), line(won, json!(2))])),
            "items[1].product_id",
        ),
        (
            with_items(json!([line(won, json!(1)), line(dollars, json!(1))])),
            "items",
        ),
        (json!({"items": [line(won, json!(1))]}), "shipping_address"),
        (
            json!({"items": [line(won, json!(1))], "shipping_address": bad_address}),
            "shipping_address.country",
        ),
        (
            json!({"items": [line(won, json!(1))], "shipping_address": no_city}),
            "shipping_address.city",
        ),
        (
            json!({"items": [line(won, json!(1))], "shipping_address": address(), "coupon": "X"}),
            "coupon",
        ),
    ];
    for (body, field) in cases {
        let r = s.post("/v1/orders", Some(&buyer.token), &body).await;
        assert_error(&r, 422, "VALIDATION_ERROR");
        let errors = r.body["error"]["errors"].as_object().unwrap();
        assert!(
            errors.keys().any(|k| k == field),
            "{field} named for {body}: {}",
            r.body
        );
    }
    let r = post_text(&s, "/v1/orders", Some(&buyer.token), "{\"items\": [").await;
    assert_error(&r, 400, "BAD_REQUEST");
    assert_error(&place(&s, &seller, &[(won, 1)]).await, 403, "FORBIDDEN");
    let r = s
        .post(
            "/v1/orders",
            None,
            &with_items(json!([line(won, json!(1))])),
        )
        .await;
    assert_error(&r, 401, "UNAUTHORIZED");
    assert_eq!(stock(&s, won).await, 5);
    assert_eq!(stock(&s, dollars).await, 5);
    let list = s.get("/v1/orders", Some(&buyer.token)).await;
    assert_eq!(list.body["meta"]["total"], 0);
}

#[tokio::test]
async fn cancelling_a_pending_order_returns_its_stock_once() {
    let s = server().await;
    let seller = register(&s, "seller").await;
    let buyer = register(&s, "buyer").await;
    let p = id(&product(&s, &seller, json!({"stock_quantity": 5})).await);
    let order = id(&place(&s, &buyer, &[(p, 2)]).await.body["data"]);
    assert_eq!(stock(&s, p).await, 3);
    let path = format!("/v1/orders/{order}/cancel");

    let stranger = register(&s, "buyer").await;
    assert_error(
        &s.post(&path, Some(&stranger.token), &json!({})).await,
        404,
        "NOT_FOUND",
    );
    assert_error(
        &s.post(&path, Some(&seller.token), &json!({})).await,
        403,
        "FORBIDDEN",
    );
    let r = s.post(&path, Some(&buyer.token), &json!({})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["data"]["status"], "cancelled");
    assert!(
        r.body["data"]["cancelled_at"]
            .as_str()
            .unwrap()
            .ends_with('Z')
    );
    assert_eq!(r.body["data"]["items"][0]["quantity"], 2);
    assert_eq!(stock(&s, p).await, 5);
    let again = s.post(&path, Some(&buyer.token), &json!({})).await;
    assert_error(&again, 409, "CONFLICT");
    assert_eq!(again.body["error"]["status"], "cancelled");
    assert_eq!(stock(&s, p).await, 5, "returned once");

    // Paid orders are not cancelled here.
    let paid = id(&place(&s, &buyer, &[(p, 1)]).await.body["data"]);
    assert!(settle(&s, paid, true).await);
    let r = s
        .post(
            &format!("/v1/orders/{paid}/cancel"),
            Some(&buyer.token),
            &json!({}),
        )
        .await;
    assert_error(&r, 409, "CONFLICT");
    assert_eq!(r.body["error"]["status"], "paid");
    assert_eq!(stock(&s, p).await, 4);
}

#[tokio::test]
async fn a_failed_payment_can_be_retried_and_paid_once() {
    let s = server().await;
    let seller = register(&s, "seller").await;
    let buyer = register(&s, "buyer").await;
    let p = id(&product(&s, &seller, json!({"stock_quantity": 5})).await);
    let order = id(&place(&s, &buyer, &[(p, 1)]).await.body["data"]);
    let path = format!("/v1/orders/{order}");
    assert!(settle(&s, order, false).await);
    let got = s.get(&path, Some(&buyer.token)).await;
    assert_eq!(got.body["data"]["status"], "payment_failed");
    assert_eq!(got.body["data"]["paid_at"], Value::Null);
    assert_error(
        &s.post(&format!("{path}/cancel"), Some(&buyer.token), &json!({}))
            .await,
        409,
        "CONFLICT",
    );
    assert!(settle(&s, order, true).await);
    assert!(!settle(&s, order, true).await, "paid once");
    assert!(
        !settle(&s, order, false).await,
        "a late failure changes nothing"
    );
    let got = s.get(&path, Some(&buyer.token)).await;
    assert_eq!(got.body["data"]["status"], "paid");
    assert!(got.body["data"]["paid_at"].as_str().unwrap().ends_with('Z'));
}

#[tokio::test]
async fn sellers_ship_and_deliver_paid_orders() {
    let s = server().await;
    let seller = register(&s, "seller").await;
    let other = register(&s, "seller").await;
    let buyer = register(&s, "buyer").await;
    let admin = admin(&s).await;
    let mine = id(&product(&s, &seller, json!({"stock_quantity": 5})).await);
    let theirs = id(&product(&s, &other, json!({"stock_quantity": 5})).await);
    let order = id(&place(&s, &buyer, &[(mine, 1)]).await.body["data"]);
    let path = format!("/v1/seller/orders/{order}");
    let ship = json!({"status": "shipped"});

    let r = s.patch(&path, Some(&seller.token), &ship).await;
    assert_error(&r, 409, "CONFLICT");
    assert_eq!(r.body["error"]["status"], "pending");
    assert!(settle(&s, order, true).await);
    assert_error(
        &s.patch(&path, Some(&other.token), &ship).await,
        404,
        "NOT_FOUND",
    );
    assert_error(
        &s.patch(&path, Some(&buyer.token), &ship).await,
        403,
        "FORBIDDEN",
    );
    for bad in [
        json!({"status": "paid"}),
        json!({}),
        json!({"status": "lost"}),
    ] {
        let r = s.patch(&path, Some(&seller.token), &bad).await;
        assert_error(&r, 422, "VALIDATION_ERROR");
        assert!(r.body["error"]["errors"]["status"].is_array(), "{}", r.body);
    }
    let delivered = json!({"status": "delivered"});
    assert_error(
        &s.patch(&path, Some(&seller.token), &delivered).await,
        409,
        "CONFLICT",
    );
    let r = s.patch(&path, Some(&seller.token), &ship).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["data"]["status"], "shipped");
    assert_eq!(r.body["data"]["items"].as_array().unwrap().len(), 1);
    let r = s.patch(&path, Some(&seller.token), &delivered).await;
    assert_eq!(r.body["data"]["status"], "delivered");
    assert_error(
        &s.patch(&path, Some(&seller.token), &delivered).await,
        409,
        "CONFLICT",
    );
    let got = s
        .get(&format!("/v1/orders/{order}"), Some(&buyer.token))
        .await;
    assert_eq!(got.body["data"]["status"], "delivered");

    // An order with another seller's line too: only an admin moves it.
    let mixed = id(&place(&s, &buyer, &[(mine, 1), (theirs, 1)]).await.body["data"]);
    assert!(settle(&s, mixed, true).await);
    let mixed_path = format!("/v1/seller/orders/{mixed}");
    assert_error(
        &s.patch(&mixed_path, Some(&seller.token), &ship).await,
        403,
        "FORBIDDEN",
    );
    let r = s.patch(&mixed_path, Some(&admin.token), &ship).await;
    assert_eq!(r.status, 200, "{}", r.body);

    // The seller lists: orders with a line of theirs.
    let list = s.get("/v1/seller/orders", Some(&seller.token)).await;
    assert_eq!(list.status, 200, "{}", list.body);
    assert_eq!(list.body["meta"]["total"], 2);
    let list = s.get("/v1/seller/orders", Some(&other.token)).await;
    assert_eq!(list.body["meta"]["total"], 1);
    assert_eq!(list.body["data"][0]["id"], mixed);
    let list = s
        .get("/v1/seller/orders?status=delivered", Some(&seller.token))
        .await;
    assert_eq!(list.body["meta"]["total"], 1);
    assert_eq!(list.body["data"][0]["id"], order);
    assert_error(
        &s.get("/v1/seller/orders", Some(&buyer.token)).await,
        403,
        "FORBIDDEN",
    );
    let all = s.get("/v1/seller/orders", Some(&admin.token)).await;
    assert_eq!(all.body["meta"]["total"], 2);
    let all = s.get("/v1/orders", Some(&admin.token)).await;
    assert_eq!(all.body["meta"]["total"], 2, "admins see every order");
}
