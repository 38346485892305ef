//! The REST contract: accounts, couples, rooms, history, the offline send, image
//! uploads, and errors in the chat envelope.

mod common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn signup_login_me_and_profile() {
    let s = server().await;
    let r = s
        .post(
            "/auth/signup",
            None,
            &json!({"email": " Kim@Example.com ", "password": PASSWORD, "name": "김"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let user = &r.body["user"];
    assert_eq!(user["email"], "kim@example.com");
    assert_eq!(user["name"], "김");
    assert!(user["profileImage"].is_null());
    assert!(uuid_like(user["id"].as_str().unwrap()));
    let again = s
        .post(
            "/auth/signup",
            None,
            &json!({"email": "kim@example.com", "password": PASSWORD, "name": "x"}),
        )
        .await;
    assert_error(&again, 409, "EMAIL_ALREADY_EXISTS");
    let bad = s
        .post(
            "/auth/signup",
            None,
            &json!({"email": "nope", "password": "short", "name": ""}),
        )
        .await;
    assert_error(&bad, 422, "VALIDATION_ERROR");
    let fields: Vec<&str> = bad.body["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert_eq!(fields, ["email", "password", "name"]);

    let login = s
        .post(
            "/auth/login",
            None,
            &json!({"email": "KIM@example.com", "password": PASSWORD}),
        )
        .await;
    assert_eq!(login.status, 200, "{}", login.body);
    for key in ["accessToken", "refreshToken"] {
        assert!(login.body[key].as_str().is_some_and(|t| !t.is_empty()));
    }
    assert_eq!(login.body["user"]["id"], user["id"]);
    for key in ["id", "email", "name", "profileImage"] {
        assert!(login.body["user"].get(key).is_some(), "{key}");
    }
    let wrong = s
        .post(
            "/auth/login",
            None,
            &json!({"email": "kim@example.com", "password": "wrong-password"}),
        )
        .await;
    assert_error(&wrong, 401, "AUTH_FAILED");
    let token = login.body["accessToken"].as_str().unwrap();

    let me = s.get("/users/me", Some(token)).await;
    assert_eq!(me.status, 200);
    assert_eq!(me.body["email"], "kim@example.com");
    assert!(me.body["coupleId"].is_null());
    let patched = s
        .patch(
            "/users/me",
            Some(token),
            &json!({"name": "김철수", "profileImage": "https://img.example.com/me.png"}),
        )
        .await;
    assert_eq!(patched.status, 200, "{}", patched.body);
    assert_eq!(patched.body["name"], "김철수");
    assert_eq!(
        patched.body["profileImage"],
        "https://img.example.com/me.png"
    );
    let cleared = s
        .patch("/users/me", Some(token), &json!({"profileImage": null}))
        .await;
    assert!(cleared.body["profileImage"].is_null());
    assert_eq!(cleared.body["name"], "김철수");
    let bad = s
        .patch(
            "/users/me",
            Some(token),
            &json!({"name": " ", "profileImage": "javascript:x"}),
        )
        .await;
    assert_error(&bad, 422, "VALIDATION_ERROR");
    assert_error(&s.get("/users/me", None).await, 401, "AUTH_FAILED");
    assert_error(
        &s.get("/users/me", Some("garbage")).await,
        401,
        "AUTH_FAILED",
    );
}

fn uuid_like(s: &str) -> bool {
    s.len() == 36 && s.chars().filter(|c| *c == '-').count() == 4
}

#[tokio::test]
async fn refresh_rotates_and_logout_revokes() {
    let s = server().await;
    let u = signup(&s, "r").await;
    let r = s
        .post("/auth/refresh", None, &json!({"refreshToken": u.refresh}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let next = r.body["refreshToken"].as_str().unwrap().to_owned();
    assert_ne!(next, u.refresh);
    assert!(r.body["accessToken"].as_str().is_some());
    let out = s
        .post(
            "/auth/logout",
            Some(&u.token),
            &json!({"refreshToken": next}),
        )
        .await;
    assert_eq!(out.status, 204);
    let after = s
        .post("/auth/refresh", None, &json!({"refreshToken": next}))
        .await;
    assert_error(&after, 401, "AUTH_FAILED");
}

#[tokio::test]
async fn invite_join_room_and_leave() {
    let s = server().await;
    let a = signup(&s, "a").await;
    let b = signup(&s, "b").await;
    let c = signup(&s, "c").await;
    assert_error(
        &s.get("/chat/room", Some(&a.token)).await,
        404,
        "NOT_IN_COUPLE",
    );
    let invite = s.post("/couples/invite", Some(&a.token), &json!({})).await;
    assert_eq!(invite.status, 201);
    let code = invite.body["inviteCode"].as_str().unwrap().to_owned();
    assert_eq!(code.len(), 8);
    assert_eq!(invite.body["expiresAt"].as_str().unwrap().len(), 19);
    assert_error(
        &s.post(
            "/couples/join",
            Some(&a.token),
            &json!({"inviteCode": code}),
        )
        .await,
        422,
        "VALIDATION_ERROR",
    );
    assert_error(
        &s.post(
            "/couples/join",
            Some(&b.token),
            &json!({"inviteCode": "ZZZZZZZZ"}),
        )
        .await,
        404,
        "INVITE_NOT_FOUND",
    );
    let joined = s
        .post(
            "/couples/join",
            Some(&b.token),
            &json!({"inviteCode": code.to_lowercase()}),
        )
        .await;
    assert_eq!(joined.status, 200, "{}", joined.body);
    let room = joined.body["coupleId"].as_str().unwrap().to_owned();
    let members: Vec<&str> = joined.body["members"]
        .as_array()
        .unwrap()
        .iter()
        .map(|m| m["id"].as_str().unwrap())
        .collect();
    assert_eq!(members.len(), 2);
    assert!(members.contains(&a.id.as_str()) && members.contains(&b.id.as_str()));
    // Single use; one couple per user.
    assert_error(
        &s.post(
            "/couples/join",
            Some(&c.token),
            &json!({"inviteCode": code}),
        )
        .await,
        409,
        "INVITE_USED",
    );
    assert_error(
        &s.post("/couples/invite", Some(&a.token), &json!({})).await,
        409,
        "ALREADY_IN_COUPLE",
    );

    let r = s.get("/chat/room", Some(&a.token)).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["roomId"], room.as_str());
    assert_eq!(r.body["partner"]["id"], b.id.as_str());
    assert_eq!(r.body["unreadCount"], 0);
    assert!(r.body["lastMessage"].is_null());
    rest_send(&s, &b, &room, json!({"type": "TEXT", "content": "hello"})).await;
    let r = s.get("/chat/room", Some(&a.token)).await;
    assert_eq!(r.body["unreadCount"], 1);
    assert_eq!(r.body["lastMessage"]["content"], "hello");

    // Leaving closes the room to new messages; history stays readable.
    assert_eq!(
        s.delete("/couples/me", Some(&a.token), None).await.status,
        204
    );
    assert_error(
        &s.get("/chat/room", Some(&b.token)).await,
        404,
        "NOT_IN_COUPLE",
    );
    assert_error(
        &rest_send(&s, &b, &room, json!({"type": "TEXT", "content": "x"})).await,
        409,
        "ROOM_CLOSED",
    );
    let h = s
        .get(&format!("/chat/rooms/{room}/messages"), Some(&a.token))
        .await;
    assert_eq!(h.body["messages"].as_array().unwrap().len(), 1);
    // Both are free again.
    let again = join(&s, &b, &c).await;
    assert_ne!(again, room);
}

#[tokio::test]
async fn concurrent_joins_of_one_invite_form_one_couple() {
    let s = server().await;
    let a = signup(&s, "a").await;
    let invite = s.post("/couples/invite", Some(&a.token), &json!({})).await;
    let code = invite.body["inviteCode"].as_str().unwrap().to_owned();
    let mut joiners = Vec::new();
    for i in 0..8 {
        joiners.push(signup(&s, &format!("j{i}")).await);
    }
    let body = json!({"inviteCode": code});
    let results = futures_util::future::join_all(
        joiners
            .iter()
            .map(|j| s.post("/couples/join", Some(&j.token), &body)),
    )
    .await;
    let ok = results.iter().filter(|r| r.status == 200).count();
    assert_eq!(
        ok,
        1,
        "{:?}",
        results.iter().map(|r| r.status).collect::<Vec<_>>()
    );
    assert!(results.iter().all(|r| r.status == 200 || r.status == 409));
}

#[tokio::test]
async fn history_cursors_before_and_after() {
    let s = server().await;
    let (a, b, room) = couple(&s).await;
    let mut ids = Vec::new();
    for i in 0..7 {
        let r = rest_send(
            &s,
            if i % 2 == 0 { &a } else { &b },
            &room,
            json!({"type": "TEXT", "content": format!("m{i}")}),
        )
        .await;
        assert_eq!(r.status, 201, "{}", r.body);
        ids.push(r.body["id"].as_str().unwrap().to_owned());
    }
    let page = |q: String| {
        let s = &s;
        let token = a.token.clone();
        let room = room.clone();
        async move {
            let r = s
                .get(&format!("/chat/rooms/{room}/messages?{q}"), Some(&token))
                .await;
            assert_eq!(r.status, 200, "{}", r.body);
            let contents: Vec<String> = r.body["messages"]
                .as_array()
                .unwrap()
                .iter()
                .map(|m| m["content"].as_str().unwrap().to_owned())
                .collect();
            (contents, r.body["hasMore"].as_bool().unwrap())
        }
    };
    assert_eq!(
        page("size=3".into()).await,
        (vec!["m4".into(), "m5".into(), "m6".into()], true)
    );
    assert_eq!(
        page(format!("before={}&size=3", ids[4])).await,
        (vec!["m1".into(), "m2".into(), "m3".into()], true)
    );
    assert_eq!(
        page(format!("before={}&size=3", ids[2])).await,
        (vec!["m0".into(), "m1".into()], false)
    );
    assert_eq!(
        page(format!("after={}&size=3", ids[1])).await,
        (vec!["m2".into(), "m3".into(), "m4".into()], true)
    );
    assert_eq!(
        page(format!("after={}", ids[4])).await,
        (vec!["m5".into(), "m6".into()], false)
    );
    assert_eq!(
        page(format!("after={}&before={}", ids[1], ids[4])).await,
        (vec!["m2".into(), "m3".into()], false)
    );
    for q in ["size=0", "size=101", "before=not-a-uuid"] {
        let r = s
            .get(&format!("/chat/rooms/{room}/messages?{q}"), Some(&a.token))
            .await;
        assert!(r.status == 400 || r.status == 422, "{q}: {}", r.body);
    }
    let (c, _, other_room) = couple(&s).await;
    let other = rest_send(
        &s,
        &c,
        &other_room,
        json!({"type": "TEXT", "content": "elsewhere"}),
    )
    .await;
    let r = s
        .get(
            &format!(
                "/chat/rooms/{room}/messages?after={}",
                other.body["id"].as_str().unwrap()
            ),
            Some(&a.token),
        )
        .await;
    assert_error(&r, 422, "VALIDATION_ERROR");
    // Not a member: 403 for reading and writing.
    assert_error(
        &s.get(&format!("/chat/rooms/{room}/messages"), Some(&c.token))
            .await,
        403,
        "UNAUTHORIZED",
    );
    assert_error(
        &rest_send(&s, &c, &room, json!({"type": "TEXT", "content": "x"})).await,
        403,
        "UNAUTHORIZED",
    );
}

#[tokio::test]
async fn rest_send_is_idempotent_and_broadcast() {
    let s = server().await;
    let (a, b, room) = couple(&s).await;
    let mut cb = Stomp::joined(&s, &b, &room).await;
    let body = json!({"type": "TEXT", "content": "offline", "tempId": "rest-1"});
    let first = rest_send(&s, &a, &room, body.clone()).await;
    assert_eq!(first.status, 201, "{}", first.body);
    let pushed = cb.chat_message().await;
    assert_eq!(pushed, first.body);
    let second = rest_send(&s, &a, &room, body).await;
    assert_eq!(second.status, 200);
    assert_eq!(second.body["id"], first.body["id"]);
    let bad = rest_send(&s, &a, &room, json!({"type": "TEXT", "content": ""})).await;
    assert_error(&bad, 422, "VALIDATION_ERROR");
    assert_eq!(bad.body["details"][0]["field"], "content");
    let h = s
        .get(&format!("/chat/rooms/{room}/messages"), Some(&a.token))
        .await;
    assert_eq!(h.body["messages"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn concurrent_retries_of_one_temp_id_store_one_message() {
    let s = server().await;
    let (a, _b, room) = couple(&s).await;
    let body = json!({"type": "TEXT", "content": "race", "tempId": "same"});
    let results =
        futures_util::future::join_all((0..10).map(|_| rest_send(&s, &a, &room, body.clone())))
            .await;
    let ids: std::collections::HashSet<&str> = results
        .iter()
        .map(|r| r.body["id"].as_str().unwrap())
        .collect();
    assert_eq!(ids.len(), 1);
    assert_eq!(results.iter().filter(|r| r.status == 201).count(), 1);
    let h = s
        .get(&format!("/chat/rooms/{room}/messages"), Some(&a.token))
        .await;
    assert_eq!(h.body["messages"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn presigned_image_upload_then_image_message() {
    let s = server().await;
    let (a, _b, room) = couple(&s).await;
    let r = s
        .post(
            "/chat/images/presigned-url",
            Some(&a.token),
            &json!({"fileName": "cat.png", "contentType": "image/png"}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let upload = r.body["uploadUrl"].as_str().unwrap();
    let file = r.body["fileUrl"].as_str().unwrap().to_owned();
    assert!(file.starts_with(&s.base), "{file}");
    assert_eq!(r.body["expiresAt"].as_str().unwrap().len(), 19);
    // Not uploaded yet: an IMAGE message is refused.
    let early = rest_send(&s, &a, &room, json!({"type": "IMAGE", "imageUrl": file})).await;
    assert_error(&early, 422, "VALIDATION_ERROR");
    let png = b"\x89PNG\r\n\x1a\nnot really".to_vec();
    let wrong_type = s
        .client
        .put(upload)
        .header("content-type", "image/jpeg")
        .body(png.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(wrong_type.status(), 415);
    let tampered = s
        .client
        .put(upload.replace("maxBytes=", "maxBytes=9"))
        .header("content-type", "image/png")
        .body(png.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(tampered.status(), 403);
    let put = s
        .client
        .put(upload)
        .header("content-type", "image/png")
        .body(png.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(put.status(), 200);
    let got = s.client.get(&file).send().await.unwrap();
    assert_eq!(got.headers()["content-type"], "image/png");
    assert_eq!(got.bytes().await.unwrap().as_ref(), png.as_slice());
    let sent = rest_send(
        &s,
        &a,
        &room,
        json!({"type": "IMAGE", "imageUrl": file, "tempId": "img"}),
    )
    .await;
    assert_eq!(sent.status, 201, "{}", sent.body);
    assert_eq!(sent.body["imageUrl"], file.as_str());
    let bad = s
        .post(
            "/chat/images/presigned-url",
            Some(&a.token),
            &json!({"fileName": "x.exe", "contentType": "application/x-msdownload"}),
        )
        .await;
    assert_error(&bad, 422, "VALIDATION_ERROR");
}

#[tokio::test]
async fn envelope_for_platform_errors() {
    let s = server_with(&[("ONDOL_CHAT_BODY_LIMIT_BYTES", "1024")]).await;
    let u = signup(&s, "e").await;
    assert_error(&s.get("/no/such/path", None).await, 404, "NOT_FOUND");
    assert_error(
        &s.delete("/chat/room", Some(&u.token), None).await,
        405,
        "METHOD_NOT_ALLOWED",
    );
    let malformed = s
        .raw(
            reqwest::Method::POST,
            "/auth/login",
            None,
            "application/json",
            b"{nope".to_vec(),
        )
        .await;
    assert_error(&malformed, 400, "BAD_REQUEST");
    let big = s
        .raw(
            reqwest::Method::POST,
            "/auth/login",
            None,
            "application/json",
            vec![b' '; 4096],
        )
        .await;
    assert_error(&big, 413, "PAYLOAD_TOO_LARGE");
    let wrong_type = s
        .raw(
            reqwest::Method::POST,
            "/auth/login",
            None,
            "text/plain",
            b"{}".to_vec(),
        )
        .await;
    assert_error(&wrong_type, 415, "UNSUPPORTED_MEDIA_TYPE");
}

async fn boom() -> &'static str {
    panic!("boom")
}

#[tokio::test]
async fn a_panic_is_a_500_in_the_chat_envelope() {
    use axum::routing::get;
    let s = TestServer::start_full(
        std::sync::Arc::new(chat::Chat),
        &[],
        axum::Router::new().route("/boom", get(boom)),
    )
    .await;
    let r = s.get("/boom", None).await;
    assert_error(&r, 500, "INTERNAL_ERROR");
    assert!(!r.body["message"].as_str().unwrap().contains("boom"));
}

#[tokio::test]
async fn openapi_describes_every_endpoint_and_the_docs_work_offline() {
    let s = server().await;
    let doc = s
        .check_openapi(&[
            ("POST", "/auth/signup"),
            ("POST", "/auth/login"),
            ("POST", "/auth/refresh"),
            ("POST", "/auth/logout"),
            ("GET", "/users/me"),
            ("PATCH", "/users/me"),
            ("POST", "/couples/invite"),
            ("POST", "/couples/join"),
            ("DELETE", "/couples/me"),
            ("GET", "/chat/room"),
            ("GET", "/chat/rooms/{room_id}/messages"),
            ("POST", "/chat/rooms/{room_id}/messages"),
            ("POST", "/chat/images/presigned-url"),
            ("GET", "/ws/chat"),
            ("GET", "/ws/chat/info"),
            ("GET", "/ws/chat/{server}/{session}/websocket"),
            ("POST", "/ws/chat/{server}/{session}/xhr"),
            ("POST", "/ws/chat/{server}/{session}/xhr_streaming"),
            ("POST", "/ws/chat/{server}/{session}/xhr_send"),
            ("PUT", "/files/{key}"),
            ("GET", "/files/{key}"),
        ])
        .await;
    let schemas = &doc["components"]["schemas"];
    assert_eq!(
        schemas["Error"]["required"],
        json!(["code", "message", "timestamp"])
    );
    assert_eq!(
        schemas["MessageView"]["properties"]["type"]["$ref"],
        "#/components/schemas/MessageType"
    );
    assert_eq!(
        schemas["MessageType"]["enum"],
        json!(["TEXT", "IMAGE", "STICKER"])
    );
    let (a, _, _) = couple(&s).await;
    s.check_documented_rejections(&doc, &a.token).await;
    s.check_docs_offline().await;
}

/// With one secret shared by every app (the README's scale-out recipe), a token
/// another app issued for the same subject is refused: tokens name their app.
#[tokio::test]
async fn a_token_issued_by_another_app_is_refused() {
    let s = server().await;
    let a = signup(&s, "aud").await;
    let foreign = platform::auth::JwtKeys::new(
        &s.ctx.signing_secret(),
        std::time::Duration::from_secs(600),
        "delivery",
    );
    let (token, _) = foreign
        .issue(&a.id, platform::auth::NoClaims {})
        .expect("a token is issued");
    let r = s.get("/users/me", Some(&token)).await;
    assert_eq!(r.status, 401, "{}", r.body);
    assert_eq!(r.body["code"], "AUTH_FAILED");
    assert_eq!(s.get("/users/me", Some(&a.token)).await.status, 200);
}

/// The platform's bad-input sweep over every operation: no 5xx, every refusal in
/// the envelope, the database unchanged.
#[tokio::test]
async fn hostile_input_on_every_operation_changes_nothing() {
    let s = server().await;
    let (a, _, _) = couple(&s).await;
    let doc = s.get("/openapi.json", None).await.body;
    s.check_bad_input(&doc, &a.token, &[]).await;
}
