//! The published API document, its documented rejections, the bad-input sweep and
//! the demo data.

mod common;

use common::*;
use platform::App;
use serde_json::json;

#[tokio::test]
async fn the_document_lists_every_route_and_its_rejections_happen() {
    let s = server().await;
    let doc = s
        .check_openapi(&[
            ("POST", "/v1/auth/register"),
            ("POST", "/v1/auth/login"),
            ("POST", "/v1/auth/refresh"),
            ("POST", "/v1/auth/logout"),
            ("GET", "/v1/users/me"),
            ("GET", "/v1/categories"),
            ("POST", "/v1/categories"),
            ("GET", "/v1/products"),
            ("POST", "/v1/products"),
            ("GET", "/v1/products/{product_id}"),
            ("PUT", "/v1/products/{product_id}"),
            ("DELETE", "/v1/products/{product_id}"),
            ("POST", "/v1/upload/presigned-url"),
            ("PUT", "/files/{key}"),
            ("GET", "/files/{key}"),
            ("POST", "/v1/orders"),
            ("GET", "/v1/orders"),
            ("GET", "/v1/orders/{order_id}"),
            ("POST", "/v1/orders/{order_id}/cancel"),
            ("GET", "/v1/seller/orders"),
            ("PATCH", "/v1/seller/orders/{order_id}"),
            ("POST", "/v1/payments"),
            ("POST", "/v1/payments/callback"),
            ("GET", "/checkout/{intent_id}"),
            ("POST", "/checkout/{intent_id}/confirm"),
            ("POST", "/checkout/{intent_id}/authenticate"),
        ])
        .await;
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["Error"]["required"],
        json!(["success", "message", "error"])
    );
    assert_eq!(schemas["Role"]["enum"], json!(["buyer", "seller", "admin"]));
    assert_eq!(schemas["Currency"]["enum"], json!(["KRW", "USD", "EUR"]));
    assert_eq!(
        schemas["ProductStatus"]["enum"],
        json!(["draft", "published", "archived"])
    );
    assert_eq!(
        schemas["OrderStatus"]["enum"],
        json!([
            "pending",
            "paid",
            "shipped",
            "delivered",
            "cancelled",
            "payment_failed"
        ])
    );
    let u = register(&s, "buyer").await;
    s.check_documented_rejections(&doc, &u.token).await;
    s.check_docs_offline().await;
}

#[tokio::test]
async fn bad_input_anywhere_is_refused_in_the_envelope() {
    let s = server().await;
    let admin = admin(&s).await;
    let doc = s.get("/openapi.json", None).await.body;
    s.check_bad_input(&doc, &admin.token, &[]).await;
}

#[tokio::test]
async fn the_demo_has_every_role_and_a_category_tree() {
    let s = server().await;
    let logins = shop::Shop.seed_demo(&s.ctx).await.expect("the demo seeds");
    let roles: Vec<&str> = logins.iter().map(|l| l.role.as_str()).collect();
    assert_eq!(roles, ["admin", "seller", "seller", "buyer", "buyer"]);
    for l in &logins {
        let r = s
            .post(
                "/v1/auth/login",
                None,
                &json!({"email": l.login, "password": l.password}),
            )
            .await;
        assert_eq!(r.status, 200, "{}: {}", l.login, r.body);
    }
    let tree = s.get("/v1/categories", None).await;
    let roots = tree.body["data"].as_array().unwrap();
    assert_eq!(roots.len(), 3);
    assert!(
        roots
            .iter()
            .all(|r| !r["children"].as_array().unwrap().is_empty())
    );
    let products = s.get("/v1/products?limit=100", None).await;
    assert_eq!(
        products.body["meta"]["total"], 57,
        "63 products, 6 of them drafts"
    );
    let listed = products.body["data"].as_array().unwrap();
    assert!(listed.iter().any(|p| p["currency"] == "USD"));
    assert!(listed.iter().all(|p| p["category_id"].is_i64()));
    // Every product has a picture, served by the object store.
    for p in listed {
        let images = p["images"].as_array().unwrap();
        assert_eq!(images.len(), 1, "{p}");
        let url = images[0].as_str().unwrap();
        let path = &url[url.find("/files/").expect("a file URL")..];
        let r = s.client.get(s.url(path)).send().await.unwrap();
        assert_eq!(r.status(), 200, "{url}");
        assert_eq!(r.headers()["content-type"], "image/png");
        assert!(r.bytes().await.unwrap().starts_with(b"\x89PNG"));
    }
    // Orders in every state, by both buyers.
    let admin = login_with(&s, "admin@demo.ondol.dev", "demo1234!").await;
    let orders = s.get("/v1/orders?limit=100", Some(&admin.token)).await;
    let statuses: std::collections::BTreeSet<&str> = orders.body["data"]
        .as_array()
        .unwrap()
        .iter()
        .map(|o| o["status"].as_str().unwrap())
        .collect();
    assert_eq!(
        statuses.into_iter().collect::<Vec<_>>(),
        [
            "cancelled",
            "delivered",
            "paid",
            "payment_failed",
            "pending",
            "shipped"
        ]
    );
    let buyer = login_with(&s, "buyer1@demo.ondol.dev", "demo1234!").await;
    let mine = s.get("/v1/orders", Some(&buyer.token)).await;
    assert_eq!(mine.body["meta"]["total"], 4);
    // Seeding again never touches what is there.
    let again = shop::Shop.seed_demo(&s.ctx).await.unwrap();
    assert_eq!(again.len(), logins.len());
    assert_eq!(s.get("/v1/categories", None).await.body, tree.body);
}
