//! Rooms: creation with defaults, the public list, private rooms, the host's
//! rights, joining, leaving, inviting, and a crowd joining a small room.

mod common;

use common::*;
use serde_json::{Value, json};

#[tokio::test]
async fn a_room_is_created_with_its_host_inside() {
    let s = server().await;
    let host = register(&s, "host").await;
    let r = s
        .post(
            "/api/v1/rooms",
            Some(&host.token),
            &json!({"name": "  Morning deep work  ", "description": "Cameras off"}),
        )
        .await;
    assert_success(&r, 201);
    let room = &r.body["data"];
    let mut keys: Vec<&str> = room
        .as_object()
        .unwrap()
        .keys()
        .map(String::as_str)
        .collect();
    keys.sort_unstable();
    assert_eq!(
        keys,
        [
            "break_minutes",
            "created_at",
            "description",
            "focus_minutes",
            "host_id",
            "id",
            "is_public",
            "max_participants",
            "name",
            "participant_count",
            "participants",
            "timer",
            "version"
        ]
    );
    assert_eq!(room["name"], "Morning deep work");
    assert_eq!(
        (
            &room["focus_minutes"],
            &room["break_minutes"],
            &room["max_participants"]
        ),
        (&json!(25), &json!(5), &json!(10))
    );
    assert_eq!(room["is_public"], true);
    assert_eq!(room["host_id"], host.id.as_str());
    assert_eq!(room["participant_count"], 1);
    assert_eq!(
        room["participants"],
        json!([{"user_id": host.id, "username": "host"}])
    );
    assert_eq!(
        room["timer"],
        json!({"phase": "idle", "is_running": false, "ends_at": null, "remaining_seconds": 0})
    );
}

#[tokio::test]
async fn bad_rooms_are_refused_and_change_nothing() {
    let s = server().await;
    let host = register(&s, "host").await;
    let before = platform::testing::fingerprint(&s.ctx.db).await;
    for (body, f) in [
        (json!({}), "name"),
        (json!({"name": ""}), "name"),
        (json!({"name": "x".repeat(101)}), "name"),
        (json!({"name": "a", "focus_minutes": 0}), "focus_minutes"),
        (json!({"name": "a", "focus_minutes": 241}), "focus_minutes"),
        (json!({"name": "a", "focus_minutes": 2.5}), "focus_minutes"),
        (json!({"name": "a", "break_minutes": -1}), "break_minutes"),
        (
            json!({"name": "a", "max_participants": 0}),
            "max_participants",
        ),
        (
            json!({"name": "a", "max_participants": 101}),
            "max_participants",
        ),
        (json!({"name": "a", "is_public": "yes"}), "is_public"),
        (json!({"name": "a", "host_id": host.id}), "host_id"),
    ] {
        let r = s.post("/api/v1/rooms", Some(&host.token), &body).await;
        assert_error(&r, 422, "VALIDATION_ERROR");
        assert_eq!(field(&r), f, "{body}");
    }
    assert_eq!(platform::testing::fingerprint(&s.ctx.db).await, before);
}

#[tokio::test]
async fn the_list_shows_public_rooms_with_their_counts() {
    let s = server().await;
    let a = register(&s, "a").await;
    let b = register(&s, "b").await;
    let open = room(&s, &a, json!({"name": "Open"})).await;
    let hidden = room(&s, &a, json!({"name": "Hidden", "is_public": false})).await;
    let r = s
        .post(
            &format!("/api/v1/rooms/{}/join", id(&open)),
            Some(&b.token),
            &json!({}),
        )
        .await;
    assert_success(&r, 200);
    let r = s.get("/api/v1/rooms", Some(&b.token)).await;
    assert_success(&r, 200);
    let list = r.body["data"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{}", r.body);
    assert_eq!(list[0]["id"], id(&open).as_str());
    assert_eq!(list[0]["participant_count"], 2);
    // Private rooms are the participants' and invitees' business only.
    let r = s
        .get(&format!("/api/v1/rooms/{}", id(&hidden)), Some(&b.token))
        .await;
    assert_error(&r, 404, "NOT_FOUND");
    let r = s
        .post(
            &format!("/api/v1/rooms/{}/join", id(&hidden)),
            Some(&b.token),
            &json!({}),
        )
        .await;
    assert_error(&r, 404, "NOT_FOUND");
    let r = s
        .post(
            &format!("/api/v1/rooms/{}/leave", id(&hidden)),
            Some(&b.token),
            &json!({}),
        )
        .await;
    assert_error(&r, 404, "NOT_FOUND");
    let mine = s.get("/api/v1/rooms/mine", Some(&a.token)).await;
    assert_eq!(mine.body["data"].as_array().unwrap().len(), 2);
    for q in ["limit=0", "limit=101", "offset=-1", "limit=x"] {
        let r = s.get(&format!("/api/v1/rooms?{q}"), Some(&a.token)).await;
        assert_error(&r, 422, "VALIDATION_ERROR");
    }
    let r = s
        .get("/api/v1/rooms?limit=1&offset=0", Some(&a.token))
        .await;
    assert_eq!(r.body["data"].as_array().unwrap().len(), 1);
}

#[tokio::test]
async fn an_invitation_opens_a_private_room_and_notifies_once() {
    let s = server().await;
    let host = register(&s, "host").await;
    let guest = register(&s, "guest").await;
    let outsider = register(&s, "outsider").await;
    let hidden = room(&s, &host, json!({"is_public": false})).await;
    let path = format!("/api/v1/rooms/{}/invite", id(&hidden));
    let r = s
        .post(&path, Some(&outsider.token), &json!({"user_id": guest.id}))
        .await;
    assert_error(&r, 403, "FORBIDDEN");
    let r = s
        .post(&path, Some(&host.token), &json!({"user_id": guest.id}))
        .await;
    assert_success(&r, 201);
    assert_eq!(
        r.body["data"],
        json!({"room_id": id(&hidden), "user_id": guest.id})
    );
    let again = s
        .post(&path, Some(&host.token), &json!({"user_id": guest.id}))
        .await;
    assert_success(&again, 200);
    let r = s
        .post(&path, Some(&host.token), &json!({"user_id": host.id}))
        .await;
    assert_error(&r, 422, "VALIDATION_ERROR");
    let r = s
        .post(
            &path,
            Some(&host.token),
            &json!({"user_id": "00000000-0000-7000-8000-000000000000"}),
        )
        .await;
    assert_error(&r, 404, "NOT_FOUND");
    let r = s
        .post(&path, Some(&host.token), &json!({"user_id": 5}))
        .await;
    assert_error(&r, 422, "VALIDATION_ERROR");

    let inbox = s.get("/api/v1/notifications", Some(&guest.token)).await;
    let list = inbox.body["data"].as_array().unwrap();
    assert_eq!(list.len(), 1, "{}", inbox.body);
    assert_eq!(list[0]["type"], "room_invitation");
    assert_eq!(list[0]["room_id"], id(&hidden).as_str());
    let r = s
        .get(
            &format!("/api/v1/rooms/{}", id(&hidden)),
            Some(&guest.token),
        )
        .await;
    assert_success(&r, 200);
    let r = s
        .post(
            &format!("/api/v1/rooms/{}/join", id(&hidden)),
            Some(&guest.token),
            &json!({}),
        )
        .await;
    assert_success(&r, 200);
    assert_eq!(r.body["data"]["participant_count"], 2);
    let r = s
        .post(&path, Some(&host.token), &json!({"user_id": guest.id}))
        .await;
    assert_error(&r, 409, "CONFLICT");
    // The host hears who joined.
    let inbox = s.get("/api/v1/notifications", Some(&host.token)).await;
    assert_eq!(inbox.body["data"][0]["type"], "room_joined");
}

#[tokio::test]
async fn only_the_host_edits_deletes_and_runs_the_timer() {
    let s = server().await;
    let host = register(&s, "host").await;
    let guest = register(&s, "guest").await;
    let r0 = room(&s, &host, json!({})).await;
    let base = format!("/api/v1/rooms/{}", id(&r0));
    s.post(&format!("{base}/join"), Some(&guest.token), &json!({}))
        .await;
    let before = platform::testing::fingerprint(&s.ctx.db).await;
    let r = s
        .patch(&base, Some(&guest.token), &json!({"name": "Mine"}))
        .await;
    assert_error(&r, 403, "FORBIDDEN");
    let r = s.delete(&base, Some(&guest.token), None).await;
    assert_error(&r, 403, "FORBIDDEN");
    for action in ["start", "pause", "reset"] {
        let r = s
            .post(
                &format!("{base}/timer/{action}"),
                Some(&guest.token),
                &json!({}),
            )
            .await;
        assert_error(&r, 403, "FORBIDDEN");
    }
    let r = s
        .patch(&base, Some(&host.token), &json!({"max_participants": 1}))
        .await;
    assert_error(&r, 422, "VALIDATION_ERROR");
    assert_eq!(field(&r), "max_participants");
    let r = s.patch(&base, Some(&host.token), &json!({})).await;
    assert_error(&r, 422, "VALIDATION_ERROR");
    assert_eq!(platform::testing::fingerprint(&s.ctx.db).await, before);

    let r = s
        .patch(
            &base,
            Some(&host.token),
            &json!({"name": "Renamed", "description": null, "focus_minutes": 50}),
        )
        .await;
    assert_success(&r, 200);
    assert_eq!(r.body["data"]["name"], "Renamed");
    assert_eq!(r.body["data"]["focus_minutes"], 50);
    assert_eq!(r.body["data"]["description"], Value::Null);

    let r = s.delete(&base, Some(&host.token), None).await;
    assert_success(&r, 200);
    let r = s.get(&base, Some(&host.token)).await;
    assert_error(&r, 404, "NOT_FOUND");
    let inbox = s.get("/api/v1/notifications", Some(&guest.token)).await;
    assert_eq!(inbox.body["data"][0]["type"], "room_closed");
    let r = s.get("/api/v1/rooms/not-a-uuid", Some(&host.token)).await;
    assert_error(&r, 422, "VALIDATION_ERROR");
}

#[tokio::test]
async fn leaving_hands_the_room_on_and_the_last_one_out_closes_it() {
    let s = server().await;
    let host = register(&s, "host").await;
    let second = register(&s, "second").await;
    let third = register(&s, "third").await;
    let r0 = room(&s, &host, json!({})).await;
    let base = format!("/api/v1/rooms/{}", id(&r0));
    for u in [&second, &third] {
        let r = s
            .post(&format!("{base}/join"), Some(&u.token), &json!({}))
            .await;
        assert_success(&r, 200);
    }
    // Joining twice changes nothing.
    let again = s
        .post(&format!("{base}/join"), Some(&second.token), &json!({}))
        .await;
    assert_eq!(again.body["data"]["participant_count"], 3);

    let r = s
        .post(&format!("{base}/leave"), Some(&host.token), &json!({}))
        .await;
    assert_success(&r, 200);
    assert_eq!(r.body["data"]["host_id"], second.id.as_str());
    assert_eq!(r.body["data"]["participant_count"], 2);
    let twice = s
        .post(&format!("{base}/leave"), Some(&host.token), &json!({}))
        .await;
    assert_success(&twice, 200);
    assert_eq!(twice.body["data"]["participant_count"], 2);
    s.post(&format!("{base}/leave"), Some(&second.token), &json!({}))
        .await;
    let r = s
        .post(&format!("{base}/leave"), Some(&third.token), &json!({}))
        .await;
    assert_success(&r, 200);
    assert_eq!(r.body["data"], Value::Null);
    let r = s.get(&base, Some(&third.token)).await;
    assert_error(&r, 404, "NOT_FOUND");
}

#[tokio::test]
async fn fifty_people_joining_a_room_of_ten_at_once_make_ten() {
    let s = server().await;
    let host = register(&s, "host").await;
    let r0 = room(&s, &host, json!({"max_participants": 10})).await;
    let path = format!("/api/v1/rooms/{}/join", id(&r0));
    let mut people = Vec::new();
    for i in 0..50 {
        people.push(register(&s, &format!("p{i}")).await);
    }
    let empty = json!({});
    let answers = futures_util::future::join_all(
        people.iter().map(|u| s.post(&path, Some(&u.token), &empty)),
    )
    .await;
    let joined = answers.iter().filter(|r| r.status == 200).count();
    for r in answers.iter().filter(|r| r.status != 200) {
        assert_error(r, 400, "ROOM_FULL");
    }
    assert_eq!(joined, 9, "the host holds one of the ten places");
    let count = scalar_i64(
        &s,
        "SELECT COUNT(*) FROM room_participants WHERE room_id = (SELECT id FROM rooms LIMIT 1)",
    )
    .await;
    assert_eq!(count, 10);
    let r = s
        .get(&format!("/api/v1/rooms/{}", id(&r0)), Some(&host.token))
        .await;
    assert_eq!(r.body["data"]["participant_count"], 10);
}
