//! Products: sellers list and change their own, everyone browses the published
//! ones, prices are exact.

mod common;

use common::*;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn a_seller_lists_a_product_with_an_exact_price() {
    let s = server().await;
    let seller = register(&s, "seller").await;
    let r = post_text(
        &s,
        "/v1/products",
        Some(&seller.token),
        r#"{"name": " 무선 키보드 ", "name_en": "Wireless keyboard", "description": "조용한 키감",
            "price": 15.5, "currency": "USD", "stock_quantity": 7}"#,
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let text = String::from_utf8(r.bytes.to_vec()).unwrap();
    assert!(
        text.contains(r#""price":15.50"#),
        "two decimals on the wire: {text}"
    );
    let p = &r.body["data"];
    let mut keys: Vec<&str> = p.as_object().unwrap().keys().map(String::as_str).collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "category_id",
            "created_at",
            "currency",
            "description",
            "id",
            "images",
            "name",
            "name_en",
            "price",
            "seller_id",
            "status",
            "stock_quantity",
            "updated_at"
        ]
    );
    assert_eq!(p["name"], "무선 키보드");
    assert_eq!(p["currency"], "USD");
    assert_eq!(p["status"], "published", "published unless said otherwise");
    assert_eq!(p["seller_id"], seller.id);
    assert_eq!(p["images"], json!([]));
    assert!(p["created_at"].as_str().unwrap().ends_with('Z'));

    let id = p["id"].as_i64().unwrap();
    let got = s.get(&format!("/v1/products/{id}"), None).await;
    assert_eq!(got.status, 200);
    assert!(
        String::from_utf8(got.bytes.to_vec())
            .unwrap()
            .contains(r#""price":15.50"#)
    );

    // KRW: whole won, still written with two decimals; the default currency.
    let won = post_text(
        &s,
        "/v1/products",
        Some(&seller.token),
        r#"{"name": "머그컵", "price": 15000}"#,
    )
    .await;
    assert_eq!(won.status, 201, "{}", won.body);
    assert_eq!(won.body["data"]["currency"], "KRW");
    assert!(
        String::from_utf8(won.bytes.to_vec())
            .unwrap()
            .contains(r#""price":15000.00"#)
    );
}

#[tokio::test]
async fn prices_are_never_rounded_and_bad_products_change_nothing() {
    let s = server().await;
    let seller = register(&s, "seller").await;
    let before = platform::testing::fingerprint(&s.ctx.db).await;
    for (body, field) in [
        (
            r#"{"name": "a", "price": 15.001, "currency": "USD"}"#,
            "price",
        ),
        (
            r#"{"name": "a", "price": 1500.50, "currency": "KRW"}"#,
            "price",
        ),
        (r#"{"name": "a", "price": 1500.5}"#, "price"),
        (r#"{"name": "a", "price": -1}"#, "price"),
        (r#"{"name": "a", "price": 1e3}"#, "price"),
        (r#"{"name": "a", "price": "15.00"}"#, "price"),
        (r#"{"name": "a", "price": 1000000000000000}"#, "price"),
        (
            r#"{"name": "a", "price": 1, "currency": "JPY"}"#,
            "currency",
        ),
        (
            r#"{"name": "a", "price": 1, "stock_quantity": -1}"#,
            "stock_quantity",
        ),
        (
            r#"{"name": "a", "price": 1, "stock_quantity": 1.5}"#,
            "stock_quantity",
        ),
        (
            r#"{"name": "a", "price": 1, "category_id": 999999}"#,
            "category_id",
        ),
        (r#"{"name": "a", "price": 1, "status": "sold"}"#, "status"),
        (
            r#"{"name": "a", "price": 1, "images": ["https://evil.example/x.png"]}"#,
            "images[0]",
        ),
        (r#"{"name": "", "price": 1}"#, "name"),
        (r#"{"price": 1}"#, "name"),
        (r#"{"name": "a"}"#, "price"),
    ] {
        let r = post_text(&s, "/v1/products", Some(&seller.token), body).await;
        assert_error(&r, 422, "VALIDATION_ERROR");
        assert!(
            r.body["error"]["errors"][field].is_array(),
            "{body}: {}",
            r.body
        );
    }
    let long = "가".repeat(501);
    let r = s
        .post(
            "/v1/products",
            Some(&seller.token),
            &json!({"name": long, "price": 1}),
        )
        .await;
    assert_error(&r, 422, "VALIDATION_ERROR");
    let en = in_language(
        &s,
        "en",
        Method::POST,
        "/v1/products",
        Some(&seller.token),
        Some(&json!({"name": "a", "price": 1500.5, "currency": "KRW"})),
    )
    .await;
    assert_eq!(
        en.body["error"]["errors"]["price"][0],
        "KRW amounts are whole won, without decimals"
    );
    assert_eq!(platform::testing::fingerprint(&s.ctx.db).await, before);
}

#[tokio::test]
async fn only_sellers_list_and_only_the_owner_changes() {
    let s = server().await;
    let buyer = register(&s, "buyer").await;
    let seller = register(&s, "seller").await;
    let other = register(&s, "seller").await;
    let admin = admin(&s).await;
    let body = json!({"name": "책상", "price": 120000});
    assert_error(
        &s.post("/v1/products", None, &body).await,
        401,
        "UNAUTHORIZED",
    );
    assert_error(
        &s.post("/v1/products", Some(&buyer.token), &body).await,
        403,
        "FORBIDDEN",
    );

    let p = product(&s, &seller, json!({"name": "책상"})).await;
    let path = format!("/v1/products/{}", p["id"]);
    let change = json!({"price": 99000, "stock_quantity": 3});
    let r = s
        .request(Method::PUT, &path, Some(&other.token), Some(&change))
        .await;
    assert_error(&r, 403, "FORBIDDEN");
    let r = s
        .request(Method::PUT, &path, Some(&seller.token), Some(&change))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["data"]["price"], 99000.0);
    assert_eq!(r.body["data"]["stock_quantity"], 3);
    assert_eq!(r.body["data"]["name"], "책상", "left-out fields stay");
    // null clears an optional field; an admin may change anyone's product.
    let r = s
        .request(
            Method::PUT,
            &path,
            Some(&admin.token),
            Some(&json!({"name_en": "Desk"})),
        )
        .await;
    assert_eq!(r.body["data"]["name_en"], "Desk");
    let r = s
        .request(
            Method::PUT,
            &path,
            Some(&seller.token),
            Some(&json!({"name_en": null})),
        )
        .await;
    assert_eq!(r.body["data"]["name_en"], json!(null));

    // Delete archives: gone from the list and from strangers, kept for the owner.
    assert_error(
        &s.delete(&path, Some(&other.token), None).await,
        403,
        "FORBIDDEN",
    );
    let r = s.delete(&path, Some(&seller.token), None).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["data"]["status"], "archived");
    assert_error(&s.get(&path, None).await, 404, "NOT_FOUND");
    assert_error(&s.get(&path, Some(&buyer.token)).await, 404, "NOT_FOUND");
    assert_eq!(s.get(&path, Some(&seller.token)).await.status, 200);
    assert_eq!(s.get(&path, Some(&admin.token)).await.status, 200);
    let list = s.get("/v1/products", None).await;
    assert_eq!(list.body["meta"]["total"], 0);

    let missing = s.get("/v1/products/999999", None).await;
    assert_error(&missing, 404, "NOT_FOUND");
    let en = in_language(&s, "en", Method::GET, "/v1/products/999999", None, None).await;
    assert_eq!(en.body["message"], "product not found");
    let r = s.get("/v1/products/abc", None).await;
    assert!(
        r.status == 400 || r.status == 422 || r.status == 404,
        "{}",
        r.body
    );
    assert_eq!(r.body["success"], false);
}

#[tokio::test]
async fn the_list_filters_sorts_and_pages() {
    let s = server().await;
    let admin = admin(&s).await;
    let seller = register(&s, "seller").await;
    let electronics = category(&s, &admin, "전자제품", None).await;
    let laptops = category(&s, &admin, "노트북", Some(electronics)).await;
    let kitchen = category(&s, &admin, "주방", None).await;
    product(&s, &seller, json!({"name": "게이밍 노트북", "name_en": "Gaming Laptop", "price": 2000000, "category_id": laptops})).await;
    product(
        &s,
        &seller,
        json!({"name": "태블릿", "name_en": "Tablet", "price": 500000, "category_id": electronics}),
    )
    .await;
    product(&s, &seller, json!({"name": "프라이팬", "name_en": "Frying pan", "price": 35000, "category_id": kitchen})).await;
    product(
        &s,
        &seller,
        json!({"name": "초안 상품", "price": 1000, "status": "draft", "category_id": kitchen}),
    )
    .await;
    product(
        &s,
        &seller,
        json!({"name": "100% 면 행주", "price": 5000, "category_id": kitchen}),
    )
    .await;

    let names = |r: &TestResponse| -> Vec<String> {
        r.body["data"]
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap().to_owned())
            .collect()
    };
    let all = s.get("/v1/products", None).await;
    assert_eq!(all.status, 200);
    assert_eq!(all.body["success"], true);
    assert_eq!(
        all.body["meta"],
        json!({"page": 1, "limit": 20, "total": 4}),
        "drafts are not listed"
    );
    assert_eq!(names(&all)[0], "100% 면 행주", "newest first");

    let r = s
        .get(
            &format!("/v1/products?category_id={electronics}&sort=price_asc"),
            None,
        )
        .await;
    assert_eq!(
        names(&r),
        ["태블릿", "게이밍 노트북"],
        "a category includes the ones under it"
    );
    let r = s
        .get("/v1/products?sort=price_desc&limit=2&page=2", None)
        .await;
    assert_eq!(names(&r), ["프라이팬", "100% 면 행주"]);
    assert_eq!(r.body["meta"], json!({"page": 2, "limit": 2, "total": 4}));
    let r = s
        .get(
            "/v1/products?min_price=5000&max_price=35000.00&sort=name",
            None,
        )
        .await;
    assert_eq!(
        names(&r),
        ["100% 면 행주", "프라이팬"],
        "bounds are inclusive"
    );
    let r = s.get("/v1/products?q=LAPTOP", None).await;
    assert_eq!(names(&r), ["게이밍 노트북"], "name_en, any case");
    let r = s.get("/v1/products?q=%25", None).await;
    assert_eq!(
        names(&r),
        ["100% 면 행주"],
        "% is a character, not a wildcard"
    );
    let r = s.get("/v1/products?category_id=999999", None).await;
    assert_eq!(r.body["meta"]["total"], 0);
    let r = s.get("/v1/products?page=9", None).await;
    assert_eq!(r.body["data"], json!([]));

    for bad in [
        "limit=101",
        "limit=0",
        "page=0",
        "min_price=1.001",
        "max_price=-5",
        "min_price=10&max_price=5",
        "sort=cheapest",
        "category_id=x",
        "limit=ten",
    ] {
        let r = s.get(&format!("/v1/products?{bad}"), None).await;
        assert_error(&r, 422, "VALIDATION_ERROR");
        assert!(r.body["error"]["errors"].is_object(), "{bad}: {}", r.body);
    }
}
