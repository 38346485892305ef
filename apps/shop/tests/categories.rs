//! The category tree: anyone reads it, admins grow it.

mod common;

use common::*;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn admins_build_a_tree_that_everyone_reads() {
    let s = server().await;
    let empty = s.get("/v1/categories", None).await;
    assert_eq!(empty.status, 200);
    assert_eq!(empty.body, json!({"success": true, "data": []}));

    let admin = admin(&s).await;
    let books = s
        .post(
            "/v1/categories",
            Some(&admin.token),
            &json!({"name": "도서"}),
        )
        .await;
    assert_eq!(books.status, 201, "{}", books.body);
    assert_eq!(books.body["data"]["name"], "도서");
    assert_eq!(books.body["data"]["parent_id"], json!(null));
    let books_id = books.body["data"]["id"].as_i64().unwrap();
    for name in ["소설", "IT"] {
        let r = s
            .post(
                "/v1/categories",
                Some(&admin.token),
                &json!({"name": name, "parent_id": books_id}),
            )
            .await;
        assert_eq!(r.status, 201, "{}", r.body);
        assert_eq!(r.body["data"]["parent_id"], books_id);
    }
    let kitchen = s
        .post(
            "/v1/categories",
            Some(&admin.token),
            &json!({"name": "주방", "parent_id": null}),
        )
        .await;
    assert_eq!(kitchen.status, 201);

    let tree = s.get("/v1/categories", None).await;
    assert_eq!(tree.status, 200);
    let roots = tree.body["data"].as_array().unwrap();
    assert_eq!(roots.len(), 2);
    let books = roots.iter().find(|r| r["id"] == books_id).unwrap();
    let children: Vec<&str> = books["children"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["name"].as_str().unwrap())
        .collect();
    assert_eq!(children, ["IT", "소설"], "children by name");
    assert_eq!(books["children"][0]["children"], json!([]));
    let keys: Vec<&String> = books.as_object().unwrap().keys().collect();
    assert_eq!(keys.len(), 3, "id, name, children: {books}");
}

#[tokio::test]
async fn only_admins_add_and_names_are_unique_under_a_parent() {
    let s = server().await;
    let admin = admin(&s).await;
    let seller = register(&s, "seller").await;
    let body = json!({"name": "가전"});
    assert_error(
        &s.post("/v1/categories", None, &body).await,
        401,
        "UNAUTHORIZED",
    );
    let r = s.post("/v1/categories", Some(&seller.token), &body).await;
    assert_error(&r, 403, "FORBIDDEN");
    let en = in_language(
        &s,
        "en",
        Method::POST,
        "/v1/categories",
        Some(&seller.token),
        Some(&body),
    )
    .await;
    assert_error(&en, 403, "FORBIDDEN");
    assert_ne!(en.body["message"], r.body["message"]);

    let root = s.post("/v1/categories", Some(&admin.token), &body).await;
    assert_eq!(root.status, 201);
    let root_id = root.body["data"]["id"].as_i64().unwrap();
    assert_error(
        &s.post("/v1/categories", Some(&admin.token), &body).await,
        409,
        "CONFLICT",
    );
    // The same name under another parent is another category.
    let child = json!({"name": "가전", "parent_id": root_id});
    assert_eq!(
        s.post("/v1/categories", Some(&admin.token), &child)
            .await
            .status,
        201
    );
    assert_error(
        &s.post("/v1/categories", Some(&admin.token), &child).await,
        409,
        "CONFLICT",
    );

    let before = platform::testing::fingerprint(&s.ctx.db).await;
    let orphan = json!({"name": "고아", "parent_id": 999_999});
    let r = s.post("/v1/categories", Some(&admin.token), &orphan).await;
    assert_error(&r, 422, "VALIDATION_ERROR");
    assert!(r.body["error"]["errors"]["parent_id"].is_array());
    let r = s
        .post("/v1/categories", Some(&admin.token), &json!({"name": "  "}))
        .await;
    assert_error(&r, 422, "VALIDATION_ERROR");
    let long = "가".repeat(101);
    let r = s
        .post("/v1/categories", Some(&admin.token), &json!({"name": long}))
        .await;
    assert_error(&r, 422, "VALIDATION_ERROR");
    let r = s
        .post(
            "/v1/categories",
            Some(&admin.token),
            &json!({"name": "x", "parent_id": "one"}),
        )
        .await;
    assert!(r.status == 400 || r.status == 422, "{}", r.body);
    assert_eq!(platform::testing::fingerprint(&s.ctx.db).await, before);
}
