//! Accounts over HTTP: register, login, refresh, logout, `/v1/users/me`, in both
//! languages, with the failure cases of the spec.

mod common;

use common::*;
use platform::App;
use reqwest::Method;
use serde_json::json;

#[tokio::test]
async fn register_answers_201_with_the_user_and_never_a_password() {
    let s = server().await;
    let email = unique_email("new");
    let r = s
        .post(
            "/v1/auth/register",
            None,
            &json!({"email": email.to_uppercase(), "password": PASSWORD, "name": "  김지우 "}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["success"], true);
    let user = &r.body["data"];
    let mut keys: Vec<&str> = user
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(keys, ["created_at", "email", "id", "name", "role"]);
    assert_eq!(user["email"], email, "addresses are kept in lower case");
    assert_eq!(user["name"], "김지우");
    assert_eq!(user["role"], "buyer", "buyer by default");
    assert!(user["created_at"].as_str().unwrap().ends_with('Z'));

    let seller = register(&s, "seller").await;
    let me = s.get("/v1/users/me", Some(&seller.token)).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["data"]["role"], "seller");
    assert_eq!(me.body["data"]["email"], seller.email);
}

#[tokio::test]
async fn a_taken_address_is_a_conflict_in_either_case() {
    let s = server().await;
    let u = register(&s, "buyer").await;
    let again = json!({"email": u.email.to_uppercase(), "password": PASSWORD, "name": "다른 사람"});
    let r = s.post("/v1/auth/register", None, &again).await;
    assert_error(&r, 409, "CONFLICT");
    assert_eq!(r.body["message"], "이미 가입된 이메일입니다");
    let r = in_language(
        &s,
        "en-US,en;q=0.9",
        Method::POST,
        "/v1/auth/register",
        None,
        Some(&again),
    )
    .await;
    assert_error(&r, 409, "CONFLICT");
    assert_eq!(
        r.body["message"],
        "this e-mail address is already registered"
    );
}

#[tokio::test]
async fn bad_registrations_name_every_field_and_change_nothing() {
    let s = server().await;
    let before = platform::testing::fingerprint(&s.ctx.db).await;
    let bad =
        json!({"email": "not-an-address", "password": "short1!", "name": "x", "role": "admin"});
    let r = s.post("/v1/auth/register", None, &bad).await;
    assert_error(&r, 422, "VALIDATION_ERROR");
    let errors = &r.body["error"]["errors"];
    for field in ["email", "password", "name", "role"] {
        let list = errors[field]
            .as_array()
            .unwrap_or_else(|| panic!("{field}: {}", r.body));
        assert!(!list.is_empty() && list.iter().all(|m| m.is_string()));
    }
    assert_eq!(r.body["message"], "입력값이 올바르지 않습니다");

    let r = in_language(
        &s,
        "en",
        Method::POST,
        "/v1/auth/register",
        None,
        Some(&bad),
    )
    .await;
    assert_error(&r, 422, "VALIDATION_ERROR");
    assert_eq!(r.body["message"], "invalid input");
    assert_eq!(
        r.body["error"]["errors"]["email"][0],
        "not a valid e-mail address"
    );

    for password in [
        "abcdefgh1",
        "abcdefg!!",
        "12345678!",
        "abc 123!x",
        "비밀번호abc1!",
    ] {
        let body = json!({"email": unique_email("p"), "password": password, "name": "이름"});
        let r = s.post("/v1/auth/register", None, &body).await;
        assert_error(&r, 422, "VALIDATION_ERROR");
        assert!(
            r.body["error"]["errors"]["password"].is_array(),
            "{password}: {}",
            r.body
        );
    }
    let missing = s.post("/v1/auth/register", None, &json!({})).await;
    assert_error(&missing, 422, "VALIDATION_ERROR");
    assert_eq!(
        missing.body["error"]["errors"]["email"][0],
        "필수 항목입니다"
    );

    let malformed = s
        .raw(
            Method::POST,
            "/v1/auth/register",
            None,
            "application/json",
            b"{\"email\":".to_vec(),
        )
        .await;
    assert_error(&malformed, 400, "BAD_REQUEST");
    let unknown =
        json!({"email": unique_email("u"), "password": PASSWORD, "name": "이름", "is_admin": true});
    let r = s.post("/v1/auth/register", None, &unknown).await;
    assert_error(&r, 422, "VALIDATION_ERROR");
    assert_eq!(
        r.body["message"], "입력값이 올바르지 않습니다",
        "the fields are under errors"
    );
    assert!(
        r.body["error"]["errors"]["is_admin"].is_array(),
        "{}",
        r.body
    );
    assert_eq!(platform::testing::fingerprint(&s.ctx.db).await, before);
}

#[tokio::test]
async fn login_gives_a_token_pair_in_the_envelope() {
    let s = server().await;
    let u = register(&s, "buyer").await;
    assert!(!u.token.is_empty() && !u.refresh.is_empty());

    let wrong = json!({"email": u.email, "password": "Wrong-pass1!"});
    let r = s.post("/v1/auth/login", None, &wrong).await;
    assert_error(&r, 401, "UNAUTHORIZED");
    let ko = r.body["message"].as_str().unwrap().to_owned();
    let r = in_language(&s, "en", Method::POST, "/v1/auth/login", None, Some(&wrong)).await;
    assert_error(&r, 401, "UNAUTHORIZED");
    assert_ne!(r.body["message"], ko.as_str(), "worded in English");

    let nobody = json!({"email": unique_email("nobody"), "password": PASSWORD});
    assert_error(
        &s.post("/v1/auth/login", None, &nobody).await,
        401,
        "UNAUTHORIZED",
    );
    let empty = s
        .post(
            "/v1/auth/login",
            None,
            &json!({"email": "", "password": ""}),
        )
        .await;
    assert_error(&empty, 422, "VALIDATION_ERROR");
    assert!(empty.body["error"]["errors"]["password"].is_array());
}

#[tokio::test]
async fn refresh_rotates_and_logout_ends_the_session() {
    // No grace window: a spent refresh token is refused at once.
    let s = TestServer::start_with(
        std::sync::Arc::new(shop::Shop),
        &[("ONDOL_SHOP_REFRESH_GRACE_SECONDS", "0")],
    )
    .await;
    let u = register(&s, "buyer").await;
    let r = s
        .post(
            "/v1/auth/refresh",
            None,
            &json!({"refresh_token": u.refresh}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let access = r.body["data"]["access_token"].as_str().unwrap().to_owned();
    let refresh = r.body["data"]["refresh_token"].as_str().unwrap().to_owned();
    assert_ne!(refresh, u.refresh, "rotated");
    assert_eq!(s.get("/v1/users/me", Some(&access)).await.status, 200);

    // The old refresh token is spent.
    let reuse = s
        .post(
            "/v1/auth/refresh",
            None,
            &json!({"refresh_token": u.refresh}),
        )
        .await;
    assert_error(&reuse, 401, "UNAUTHORIZED");

    let again = login(&s, &u.email).await;
    let out = s
        .post(
            "/v1/auth/logout",
            Some(&again.token),
            &json!({"refresh_token": again.refresh}),
        )
        .await;
    assert_eq!(out.status, 200, "{}", out.body);
    assert_eq!(out.body, json!({"success": true, "data": null}));
    let after = s
        .post(
            "/v1/auth/refresh",
            None,
            &json!({"refresh_token": again.refresh}),
        )
        .await;
    assert_error(&after, 401, "UNAUTHORIZED");
    let garbage = s
        .post("/v1/auth/refresh", None, &json!({"refresh_token": "nope"}))
        .await;
    assert_error(&garbage, 401, "UNAUTHORIZED");
}

#[tokio::test]
async fn me_needs_a_valid_token() {
    let s = server().await;
    assert_error(&s.get("/v1/users/me", None).await, 401, "UNAUTHORIZED");
    assert_error(
        &s.get("/v1/users/me", Some("not.a.token")).await,
        401,
        "UNAUTHORIZED",
    );
    let r = in_language(&s, "en", Method::GET, "/v1/users/me", None, None).await;
    assert_error(&r, 401, "UNAUTHORIZED");
    let ko = s.get("/v1/users/me", None).await;
    assert_ne!(
        r.body["message"], ko.body["message"],
        "each in its language"
    );
}

#[tokio::test]
async fn a_new_role_or_a_disabled_account_ends_the_sessions() {
    let s = server().await;
    let u = register(&s, "buyer").await;
    shop::Shop
        .set_role(&s.ctx, &u.email, "seller")
        .await
        .expect("the role changes");
    assert_error(
        &s.get_until("/v1/users/me", Some(&u.token), 401).await,
        401,
        "UNAUTHORIZED",
    );
    let again = login(&s, &u.email).await;
    let me = s.get("/v1/users/me", Some(&again.token)).await;
    assert_eq!(me.body["data"]["role"], "seller");

    assert!(shop::Shop.set_role(&s.ctx, &u.email, "king").await.is_err());
    assert!(
        shop::Shop
            .set_role(&s.ctx, "nobody@example.com", "buyer")
            .await
            .is_err()
    );

    shop::Shop
        .disable_user(&s.ctx, &u.email)
        .await
        .expect("the account is disabled");
    assert_error(
        &s.get_until("/v1/users/me", Some(&again.token), 401).await,
        401,
        "UNAUTHORIZED",
    );
    let r = s
        .post(
            "/v1/auth/login",
            None,
            &json!({"email": u.email, "password": PASSWORD}),
        )
        .await;
    assert_error(&r, 401, "UNAUTHORIZED");
    let listed = shop::Shop.list_users(&s.ctx).await.unwrap();
    let row = listed.iter().find(|x| x.login == u.email).unwrap();
    assert!(row.disabled);
    assert_eq!(row.role.as_deref(), Some("seller"));
}
