//! Product images: a presigned PUT (seed §5), images only, then the file URL in a
//! product's `images`.

mod common;

use common::*;
use serde_json::json;

const PNG: &[u8] = b"\x89PNG\r\n\x1a\n\x00\x00\x00\rIHDR";

#[tokio::test]
async fn a_seller_uploads_an_image_and_shows_it_on_a_product() {
    let s = server().await;
    let seller = register(&s, "seller").await;
    let r = s
        .post(
            "/v1/upload/presigned-url",
            Some(&seller.token),
            &json!({"file_name": "../../etc/내 사진.png", "file_type": "image/png"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let data = &r.body["data"];
    let upload = data["upload_url"].as_str().unwrap();
    let file = data["file_url"].as_str().unwrap().to_owned();
    assert!(data["expires_at"].as_str().unwrap().ends_with('Z'));
    let key = file
        .split("/files/")
        .nth(1)
        .expect("a file URL of this server");
    let parts: Vec<&str> = key.split('/').collect();
    assert_eq!(parts.len(), 3, "products/{{uuid}}/{{file_name}}: {key}");
    assert_eq!(parts[0], "products");
    assert_eq!(parts[1].len(), 36, "a uuid: {key}");
    assert!(!key.contains(".."), "the file name is made safe: {key}");

    // Not uploaded yet: not an image of a product.
    let early = s
        .post(
            "/v1/products",
            Some(&seller.token),
            &json!({"name": "사진", "price": 1000, "images": [file]}),
        )
        .await;
    assert_error(&early, 422, "VALIDATION_ERROR");
    let too_big = s
        .client
        .put(upload)
        .header("content-type", "image/png")
        .body(vec![0u8; (10 << 20) + 1])
        .send()
        .await
        .unwrap();
    assert_eq!(too_big.status(), 413, "10 MiB at most");
    let put = s
        .client
        .put(upload)
        .header("content-type", "image/png")
        .body(PNG.to_vec())
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 200);
    let got = s.client.get(&file).send().await.unwrap();
    assert_eq!(got.status(), 200, "file_url is public");
    assert_eq!(got.headers()["content-type"], "image/png");

    let p = product(&s, &seller, json!({"images": [file]})).await;
    assert_eq!(p["images"], json!([file]));
}

#[tokio::test]
async fn only_images_and_only_sellers() {
    let s = server().await;
    let seller = register(&s, "seller").await;
    let buyer = register(&s, "buyer").await;
    let ok = json!({"file_name": "a.png", "file_type": "image/png"});
    assert_error(
        &s.post("/v1/upload/presigned-url", None, &ok).await,
        401,
        "UNAUTHORIZED",
    );
    assert_error(
        &s.post("/v1/upload/presigned-url", Some(&buyer.token), &ok)
            .await,
        403,
        "FORBIDDEN",
    );
    let before = platform::testing::fingerprint(&s.ctx.db).await;
    for (body, field) in [
        (
            json!({"file_name": "a.svg", "file_type": "image/svg+xml"}),
            "file_type",
        ),
        (
            json!({"file_name": "a.exe", "file_type": "application/octet-stream"}),
            "file_type",
        ),
        (json!({"file_name": "a.png", "file_type": ""}), "file_type"),
        (
            json!({"file_name": "", "file_type": "image/png"}),
            "file_name",
        ),
        (
            json!({"file_name": "a".repeat(256), "file_type": "image/png"}),
            "file_name",
        ),
    ] {
        let r = s
            .post("/v1/upload/presigned-url", Some(&seller.token), &body)
            .await;
        assert_error(&r, 422, "VALIDATION_ERROR");
        assert!(
            r.body["error"]["errors"][field].is_array(),
            "{body}: {}",
            r.body
        );
    }
    assert_eq!(platform::testing::fingerprint(&s.ctx.db).await, before);
    for t in ["image/jpeg", "image/webp", "image/gif", "IMAGE/PNG"] {
        let r = s
            .post(
                "/v1/upload/presigned-url",
                Some(&seller.token),
                &json!({"file_name": "a", "file_type": t}),
            )
            .await;
        assert_eq!(r.status, 200, "{t}: {}", r.body);
    }
}
