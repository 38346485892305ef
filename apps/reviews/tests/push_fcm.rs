//! Pushes through FCM's HTTP v1 API: the real client against a local server
//! playing Google's OAuth2 token endpoint (the JWT assertion verified with the
//! test key) and FCM's `messages:send` (an `UNREGISTERED` device, a 503 that is
//! retried).

mod common;

use std::collections::HashMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use axum::extract::{Form, Path, State};
use axum::http::{HeaderMap, StatusCode};
use axum::response::{IntoResponse, Response};
use axum::routing::post;
use axum::{Json, Router};
use common::*;
use jsonwebtoken::{Algorithm, DecodingKey, Validation};
use serde_json::{Value, json};

const KEY_PEM: &str = include_str!("fixtures/fcm-test-key.pem");
const PROJECT: &str = "ondol-reviews-test";
const CLIENT: &str = "push@ondol-reviews-test.iam.gserviceaccount.com";

#[derive(Default)]
struct Google {
    token_uri: Mutex<String>,
    tokens_issued: AtomicUsize,
    sent: Mutex<Vec<Value>>,
    /// How many times each device was tried.
    tries: Mutex<HashMap<String, usize>>,
    /// 500 for every send while set.
    down: std::sync::atomic::AtomicBool,
}

fn public_key() -> DecodingKey {
    use rsa::pkcs1::EncodeRsaPublicKey;
    use rsa::pkcs8::DecodePrivateKey;
    let private = rsa::RsaPrivateKey::from_pkcs8_pem(KEY_PEM).expect("the test key reads");
    let der = private
        .to_public_key()
        .to_pkcs1_der()
        .expect("a public key encodes");
    DecodingKey::from_rsa_der(der.as_bytes())
}

/// Google's token endpoint: a JWT-bearer grant whose assertion the service
/// account's key signed.
async fn token(
    State(g): State<Arc<Google>>,
    Form(form): Form<HashMap<String, String>>,
) -> Response {
    if form.get("grant_type").map(String::as_str)
        != Some("urn:ietf:params:oauth:grant-type:jwt-bearer")
    {
        return (
            StatusCode::BAD_REQUEST,
            Json(json!({"error": "unsupported_grant_type"})),
        )
            .into_response();
    }
    let assertion = form.get("assertion").cloned().unwrap_or_default();
    let mut v = Validation::new(Algorithm::RS256);
    v.set_audience(&[g.token_uri.lock().unwrap().clone()]);
    v.set_issuer(&[CLIENT]);
    let claims = match jsonwebtoken::decode::<Value>(&assertion, &public_key(), &v) {
        Ok(data) => {
            assert_eq!(data.header.kid.as_deref(), Some("test-key-1"));
            data.claims
        }
        Err(e) => {
            return (
                StatusCode::BAD_REQUEST,
                Json(json!({"error": "invalid_grant", "error_description": e.to_string()})),
            )
                .into_response();
        }
    };
    assert_eq!(
        claims["scope"],
        "https://www.googleapis.com/auth/firebase.messaging"
    );
    assert_eq!(
        claims["exp"].as_i64().unwrap() - claims["iat"].as_i64().unwrap(),
        3600
    );
    let n = g.tokens_issued.fetch_add(1, Ordering::SeqCst);
    Json(json!({"access_token": format!("ya29.test-{n}"), "expires_in": 3599, "token_type": "Bearer"}))
        .into_response()
}

fn fcm_error(status: StatusCode, code: &str, message: &str, fcm: Option<&str>) -> Response {
    let details = fcm
        .map(|c| json!([{"@type": "type.googleapis.com/google.firebase.fcm.v1.FcmError", "errorCode": c}]))
        .unwrap_or(json!([]));
    (
        status,
        Json(json!({"error": {"code": status.as_u16(), "message": message, "status": code, "details": details}})),
    )
        .into_response()
}

/// FCM's `messages:send`.
async fn send(
    State(g): State<Arc<Google>>,
    Path((project, method)): Path<(String, String)>,
    headers: HeaderMap,
    Json(body): Json<Value>,
) -> Response {
    assert_eq!(
        (project.as_str(), method.as_str()),
        (PROJECT, "messages:send")
    );
    let auth = headers
        .get("authorization")
        .and_then(|v| v.to_str().ok())
        .unwrap_or("");
    if !auth.starts_with("Bearer ya29.test-") {
        return fcm_error(
            StatusCode::UNAUTHORIZED,
            "UNAUTHENTICATED",
            "no valid token",
            None,
        );
    }
    if g.down.load(Ordering::SeqCst) {
        return fcm_error(
            StatusCode::INTERNAL_SERVER_ERROR,
            "INTERNAL",
            "internal",
            None,
        );
    }
    let device = body["message"]["token"].as_str().unwrap_or("").to_owned();
    let tries = {
        let mut t = g.tries.lock().unwrap();
        let n = t.entry(device.clone()).or_default();
        *n += 1;
        *n
    };
    match device.as_str() {
        "gone-device" => fcm_error(
            StatusCode::NOT_FOUND,
            "NOT_FOUND",
            "Requested entity was not found.",
            Some("UNREGISTERED"),
        ),
        "flaky-device" if tries == 1 => fcm_error(
            StatusCode::SERVICE_UNAVAILABLE,
            "UNAVAILABLE",
            "The service is currently unavailable.",
            Some("UNAVAILABLE"),
        ),
        _ => {
            g.sent.lock().unwrap().push(body);
            Json(json!({"name": format!("projects/{PROJECT}/messages/0:{tries}")})).into_response()
        }
    }
}

/// A local Google; the service-account file's path and FCM's base URL.
async fn local_google(g: Arc<Google>, dir: &std::path::Path) -> (String, String) {
    let app = Router::new()
        .route("/token", post(token))
        .route("/v1/projects/{project}/{method}", post(send))
        .with_state(g.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap();
    tokio::spawn(async move { axum::serve(listener, app).await });
    let token_uri = format!("http://{addr}/token");
    *g.token_uri.lock().unwrap() = token_uri.clone();
    let account = json!({
        "type": "service_account",
        "project_id": PROJECT,
        "private_key_id": "test-key-1",
        "private_key": KEY_PEM,
        "client_email": CLIENT,
        "client_id": "1",
        "auth_uri": "https://accounts.google.com/o/oauth2/auth",
        "token_uri": token_uri,
    });
    std::fs::create_dir_all(dir).unwrap();
    let path = dir.join("service-account.json");
    std::fs::write(&path, account.to_string()).unwrap();
    (path.display().to_string(), format!("http://{addr}"))
}

async fn with_fcm(g: Arc<Google>) -> TestServer {
    let dir = std::env::temp_dir().join(format!("ondol-fcm-{}", uuid_like()));
    let (account, base) = local_google(g, &dir).await;
    let s = server_with(&[
        ("ONDOL_REVIEWS_FCM_SERVICE_ACCOUNT", account.as_str()),
        ("ONDOL_REVIEWS_FCM_API_BASE", base.as_str()),
        ("ONDOL_REVIEWS_OUTBOX_RETRY_MS", "50"),
        ("ONDOL_REVIEWS_OUTBOX_POLL_MS", "50"),
    ])
    .await;
    // The server read the account when it started; the file is not needed again.
    std::fs::remove_dir_all(&dir).expect("the account's directory is removed");
    s
}

fn uuid_like() -> String {
    format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_nanos()
    )
}

async fn devices_of(s: &TestServer, user: i64) -> Vec<String> {
    platform::on_pool!(s.ctx.db.reader(), |p| sqlx::query_scalar(
        "SELECT fcm_token FROM devices WHERE user_id = $1 ORDER BY fcm_token"
    )
    .bind(user)
    .fetch_all(p)
    .await)
    .unwrap()
}

async fn register(s: &TestServer, u: &User, device: &str) {
    let r = s
        .post(
            "/users/me/devices",
            Some(&u.token),
            &json!({"fcm_token": device}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
}

/// Waits up to 10 s for `check`.
async fn eventually(mut check: impl FnMut() -> bool) {
    for _ in 0..200 {
        if check() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(check(), "not within 10 s");
}

#[tokio::test]
async fn likes_reach_fcm_with_one_access_token_and_gone_devices_are_removed() {
    let g = Arc::new(Google::default());
    let s = with_fcm(g.clone()).await;
    let author = signup(&s, "민지").await;
    let fans: Vec<User> = futures_util::future::join_all((0..3).map(|n| {
        let s = &s;
        async move { signup(s, &format!("팬{n}")).await }
    }))
    .await;
    register(&s, &author, "author-phone").await;
    register(&s, &author, "gone-device").await;
    register(&s, &fans[0], "fan-phone").await;
    let c = content_id(&s, "Parasite").await;
    let review = review(&s, &author, c, 5.0).await;
    for fan in &fans {
        let r = s
            .post(
                &format!("/reviews/{review}/like"),
                Some(&fan.token),
                &json!({}),
            )
            .await;
        assert_eq!(r.status, 200);
    }
    eventually(|| g.sent.lock().unwrap().len() == 3).await;
    let sent = g.sent.lock().unwrap().clone();
    for m in &sent {
        let message = &m["message"];
        assert_eq!(message["token"], "author-phone", "never the liker's device");
        assert_eq!(message["notification"]["title"], "새 좋아요");
        assert_eq!(message["data"]["review_id"], review.to_string());
    }
    // The device FCM no longer knows is gone; the author's other one stays.
    let mut left = Vec::new();
    for _ in 0..100 {
        left = devices_of(&s, author.id).await;
        if left.len() == 1 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert_eq!(left, ["author-phone"]);
    assert_eq!(
        g.tokens_issued.load(Ordering::SeqCst),
        1,
        "the access token is reused"
    );
}

#[tokio::test]
async fn an_unavailable_fcm_is_retried_and_never_fails_the_like() {
    let g = Arc::new(Google::default());
    let s = with_fcm(g.clone()).await;
    let author = signup(&s, "민지").await;
    let fan = signup(&s, "준호").await;
    register(&s, &author, "flaky-device").await;
    let c = content_id(&s, "Oldboy").await;
    let review = review(&s, &author, c, 4.0).await;
    let r = s
        .post(
            &format!("/reviews/{review}/like"),
            Some(&fan.token),
            &json!({}),
        )
        .await;
    assert_eq!(r.status, 200);
    eventually(|| g.sent.lock().unwrap().len() == 1).await;
    assert_eq!(
        g.tries.lock().unwrap()["flaky-device"],
        2,
        "a 503, then the retry"
    );
    // FCM down altogether: the like still answers at once.
    g.down.store(true, Ordering::SeqCst);
    let other = signup(&s, "서연").await;
    let started = std::time::Instant::now();
    let r = s
        .post(
            &format!("/reviews/{review}/like"),
            Some(&other.token),
            &json!({}),
        )
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["like_count"], 2);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "{:?}",
        started.elapsed()
    );
}
