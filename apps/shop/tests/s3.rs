//! Images in an S3-compatible store: presigned PUT and GET through s3s-fs, a
//! server that checks SigV4.

mod common;

use std::sync::Arc;
use std::time::Duration;

use common::*;
use serde_json::json;
use shop::Shop;

#[tokio::test]
#[ignore = "needs s3s-fs (ONDOL_S3S_FS; CI installs it)"]
async fn images_go_to_an_s3_store_through_presigned_urls() {
    let bin = std::env::var("ONDOL_S3S_FS").expect("ONDOL_S3S_FS names an s3s-fs binary");
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port();
    let root = std::env::temp_dir().join(format!("ondol-s3-{port}-{}", std::process::id()));
    std::fs::create_dir_all(root.join("shop-images")).unwrap();
    let mut child = tokio::process::Command::new(bin)
        .args(["--host", "127.0.0.1", "--port", &port.to_string()])
        .args(["--access-key", "AKTEST", "--secret-key", "SKTEST"])
        .arg(&root)
        .kill_on_drop(true)
        .spawn()
        .expect("s3s-fs starts");
    for _ in 0..100 {
        if tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .is_ok()
        {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    let endpoint = format!("http://127.0.0.1:{port}");
    let s = TestServer::start_with(
        Arc::new(Shop),
        &[
            ("ONDOL_SHOP_S3_BUCKET", "shop-images"),
            ("ONDOL_SHOP_S3_ENDPOINT", &endpoint),
            ("ONDOL_SHOP_S3_ACCESS_KEY_ID", "AKTEST"),
            ("ONDOL_SHOP_S3_SECRET_ACCESS_KEY", "SKTEST"),
            ("ONDOL_SHOP_IMAGE_MAX_BYTES", "1000"),
        ],
    )
    .await;
    let seller = register(&s, "seller").await;
    let r = s
        .post(
            "/v1/upload/presigned-url",
            Some(&seller.token),
            &json!({"file_name": "my photo.png", "file_type": "image/png"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let upload = r.body["data"]["upload_url"].as_str().unwrap().to_owned();
    let file = r.body["data"]["file_url"].as_str().unwrap().to_owned();
    assert!(
        upload.starts_with(&format!("{endpoint}/shop-images/products/")),
        "{upload}"
    );
    assert!(upload.contains("X-Amz-Signature="), "{upload}");
    assert!(file.ends_with("/my_photo.png"), "{file}");
    let http = reqwest::Client::new();
    let bytes = b"\x89PNG not really, but bytes".to_vec();
    let put = |ct: &'static str, url: String, body: Vec<u8>| {
        let http = http.clone();
        async move {
            http.put(url)
                .header("content-type", ct)
                .body(body)
                .send()
                .await
                .unwrap()
                .status()
        }
    };
    // Not uploaded yet: refused on a product.
    let p = s
        .post(
            "/v1/products",
            Some(&seller.token),
            &json!({"name": "x", "price": 1000, "images": [file]}),
        )
        .await;
    assert_error(&p, 422, "VALIDATION_ERROR");
    assert_eq!(
        put("image/gif", upload.clone(), bytes.clone()).await,
        403,
        "another type"
    );
    let forged = upload.replace("my_photo.png", "other.png");
    assert_eq!(
        put("image/png", forged, bytes.clone()).await,
        403,
        "another key"
    );
    assert_eq!(put("image/png", upload.clone(), bytes.clone()).await, 200);
    let store = platform::external::s3::S3Store::new(
        &endpoint,
        "shop-images",
        "us-east-1",
        rusty_s3::Credentials::new("AKTEST", "SKTEST"),
        None,
        false,
    )
    .unwrap();
    let key = store.key_of_url(&file).unwrap().to_owned();
    let got = http
        .get(store.presign_get(&key, Duration::from_secs(60)))
        .send()
        .await
        .unwrap();
    assert_eq!(got.status(), 200);
    assert_eq!(got.bytes().await.unwrap().to_vec(), bytes);
    let p = s
        .post(
            "/v1/products",
            Some(&seller.token),
            &json!({"name": "x", "price": 1000, "images": [file]}),
        )
        .await;
    assert_eq!(p.status, 201, "{}", p.body);
    let _ = child.kill().await;
    let _ = std::fs::remove_dir_all(root);
}
