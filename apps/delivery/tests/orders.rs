//! /dashboard: list, detail, create, fields, status, assign, search, remarks, delete,
//! with every row of the error table that applies.

mod common;

use common::*;
use serde_json::{Value, json};

#[tokio::test]
async fn create_fills_place_and_initial_remark() {
    let s = server().await;
    let token = login(&s, "alice").await;
    let mut body = order_body("ORD-1");
    body["remark"] = json!("문 앞에 놓아 주세요");
    let r = s.post("/dashboard", Some(&token), &body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    let d = &r.body["data"];
    assert_eq!(d["status"], json!("WAITING"));
    assert_eq!(d["city"], json!("서울특별시"));
    assert_eq!(d["county"], json!("강남구"));
    assert_eq!(d["district"], json!("역삼동"));
    assert_eq!(d["region"], json!("서울특별시 강남구 역삼동"));
    assert_eq!(d["distance"], json!(15));
    assert_eq!(d["duration_time"], json!(40));
    assert_eq!(d["created_by"], json!("alice"));
    assert_eq!(d["eta"], json!(format!("{}T14:30:00", day(0))));
    assert_eq!(d["depart_time"], Value::Null);
    assert_eq!(d["remarks"].as_array().unwrap().len(), 1);
    assert_eq!(d["remarks"][0]["content"], json!("문 앞에 놓아 주세요"));
    assert_eq!(d["remarks"][0]["created_by"], json!("alice"));
    // Without a remark, the initial remark is empty.
    let id = create_order(&s, &token, "ORD-2").await;
    let r = s.get(&format!("/dashboard/{id}"), Some(&token)).await;
    assert_eq!(r.body["data"]["remarks"][0]["content"], json!(""));
}

#[tokio::test]
async fn create_pads_four_digit_codes_and_rejects_unknown_ones() {
    let s = server().await;
    let token = login(&s, "alice").await;
    let mut body = order_body("ORD-PAD");
    body["postal_code"] = json!("6234");
    let r = s.post("/dashboard", Some(&token), &body).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["data"]["postal_code"], json!("06234"));
    for bad in ["99999", "123", "abcde", "123456"] {
        body["postal_code"] = json!(bad);
        body["order_no"] = json!(format!("ORD-{bad}"));
        let e = assert_error(
            &s.post("/dashboard", Some(&token), &body).await,
            422,
            "VALIDATION_ERROR",
        );
        assert_eq!(e["details"][0]["field"], json!("postal_code"), "{bad}");
    }
}

#[tokio::test]
async fn create_validation_errors_name_the_fields_and_store_nothing() {
    let s = server().await;
    let token = login(&s, "alice").await;
    let mut body = order_body("");
    body["eta"] = json!("tomorrow");
    body["customer"] = json!("  ");
    let e = assert_error(
        &s.post("/dashboard", Some(&token), &body).await,
        422,
        "VALIDATION_ERROR",
    );
    let fields: Vec<&str> = e["details"]
        .as_array()
        .unwrap()
        .iter()
        .map(|d| d["field"].as_str().unwrap())
        .collect();
    assert!(
        fields.contains(&"order_no") && fields.contains(&"eta") && fields.contains(&"customer"),
        "{fields:?}"
    );
    // Wrong type, unknown enum, missing field, unknown field.
    let mut wrong = order_body("X1");
    wrong["sla"] = json!(5);
    assert_eq!(
        assert_error(
            &s.post("/dashboard", Some(&token), &wrong).await,
            422,
            "VALIDATION_ERROR"
        )["details"][0]["field"],
        json!("sla")
    );
    let mut wrong = order_body("X2");
    wrong["warehouse"] = json!("JEJU");
    assert_eq!(
        assert_error(
            &s.post("/dashboard", Some(&token), &wrong).await,
            422,
            "VALIDATION_ERROR"
        )["details"][0]["field"],
        json!("warehouse")
    );
    let mut wrong = order_body("X3");
    wrong.as_object_mut().unwrap().remove("customer");
    assert_eq!(
        assert_error(
            &s.post("/dashboard", Some(&token), &wrong).await,
            422,
            "VALIDATION_ERROR"
        )["details"][0]["field"],
        json!("customer")
    );
    let mut wrong = order_body("X4");
    wrong["status"] = json!("COMPLETE");
    assert_eq!(
        assert_error(
            &s.post("/dashboard", Some(&token), &wrong).await,
            422,
            "VALIDATION_ERROR"
        )["details"][0]["field"],
        json!("status")
    );
    let r = s
        .raw(
            reqwest::Method::POST,
            "/dashboard",
            Some(&token),
            "application/json",
            b"{\"order_no\": \"X\",}".to_vec(),
        )
        .await;
    assert_error(&r, 400, "VALIDATION_ERROR");
    let r = s
        .raw(
            reqwest::Method::POST,
            "/dashboard",
            Some(&token),
            "text/plain",
            order_body("X5").to_string().into_bytes(),
        )
        .await;
    assert_eq!(r.status, 415);
    assert_eq!(r.body["success"], json!(false));
    // Nothing was stored.
    let r = s.get("/dashboard/search?order_no=X", Some(&token)).await;
    assert_eq!(r.body["data"]["items"], json!([]));
}

#[tokio::test]
async fn duplicate_order_numbers_conflict_per_type_and_department() {
    let s = server().await;
    let token = login(&s, "alice").await;
    create_order(&s, &token, "DUP-1").await;
    assert_error(
        &s.post("/dashboard", Some(&token), &order_body("DUP-1"))
            .await,
        409,
        "INTEGRITY_ERROR",
    );
    let mut other = order_body("DUP-1");
    other["type"] = json!("RETURN");
    assert_eq!(s.post("/dashboard", Some(&token), &other).await.status, 201);
    let mut other = order_body("DUP-1");
    other["department"] = json!("HES");
    assert_eq!(s.post("/dashboard", Some(&token), &other).await.status, 201);
}

#[tokio::test]
async fn detail_has_every_field_and_lock_state_twice() {
    let s = server().await;
    let token = login(&s, "alice").await;
    let id = create_order(&s, &token, "DET-1").await;
    let r = s.get(&format!("/dashboard/{id}"), Some(&token)).await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["message"], json!("상세 정보를 조회했습니다"));
    assert_eq!(r.body["is_locked"], json!(false));
    assert_eq!(r.body["lock_info"], Value::Null);
    let d = r.body["data"].as_object().unwrap();
    for field in [
        "dashboard_id",
        "order_no",
        "type",
        "status",
        "department",
        "warehouse",
        "sla",
        "eta",
        "create_time",
        "depart_time",
        "complete_time",
        "postal_code",
        "city",
        "county",
        "district",
        "region",
        "distance",
        "duration_time",
        "address",
        "customer",
        "contact",
        "driver_name",
        "driver_contact",
        "created_by",
        "remarks",
        "is_locked",
    ] {
        assert!(d.contains_key(field), "missing {field}");
    }
    s.post(
        &format!("/dashboard/{id}/lock"),
        Some(&token),
        &json!({"lock_type": "EDIT"}),
    )
    .await;
    let bob = login(&s, "bob").await;
    let r = s.get(&format!("/dashboard/{id}"), Some(&bob)).await;
    assert_eq!(r.body["is_locked"], json!(true));
    assert_eq!(r.body["lock_info"]["locked_by"], json!("alice"));
    assert_eq!(r.body["lock_info"]["lock_type"], json!("EDIT"));
    assert_eq!(r.body["data"]["is_locked"], json!(true));
    assert_error(
        &s.get("/dashboard/999999", Some(&token)).await,
        404,
        "NOT_FOUND",
    );
    let e = assert_error(
        &s.get("/dashboard/abc", Some(&token)).await,
        422,
        "VALIDATION_ERROR",
    );
    assert_eq!(e["details"][0]["field"], json!("dashboard_id"));
    assert_error(
        &s.get(&format!("/dashboard/{id}"), None).await,
        401,
        "UNAUTHORIZED",
    );
}

#[tokio::test]
async fn list_selects_by_local_eta_days_with_filters_and_date_range() {
    let s = server().await;
    let token = login(&s, "alice").await;
    let mut ids = Vec::new();
    for (i, (offset, wh, t)) in [
        (0, "SEOUL", "DELIVERY"),
        (0, "BUSAN", "RETURN"),
        (-3, "SEOUL", "DELIVERY"),
        (5, "SEOUL", "DELIVERY"),
    ]
    .iter()
    .enumerate()
    {
        let mut b = order_body(&format!("L-{i}"));
        b["eta"] = json!(format!("{}T00:10:00", day(*offset)));
        b["warehouse"] = json!(wh);
        b["type"] = json!(t);
        b["postal_code"] = json!(if *wh == "BUSAN" { "48060" } else { "06234" });
        let r = s.post("/dashboard", Some(&token), &b).await;
        assert_eq!(r.status, 201, "{}", r.body);
        ids.push(r.body["data"]["dashboard_id"].as_i64().unwrap());
    }
    let list = |body: Value| {
        let s = &s;
        let token = token.clone();
        async move { s.post("/dashboard/list", Some(&token), &body).await }
    };
    let r = list(json!({"start_date": day(0), "end_date": day(0)})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["message"], json!("데이터를 조회했습니다"));
    let items = r.body["data"]["items"].as_array().unwrap();
    assert_eq!(items.len(), 2);
    let keys: Vec<&String> = items[0].as_object().unwrap().keys().collect();
    assert_eq!(
        keys,
        [
            "dashboard_id",
            "order_no",
            "type",
            "status",
            "department",
            "warehouse",
            "eta",
            "customer",
            "region",
            "driver_name"
        ]
    );
    assert_eq!(
        r.body["data"]["date_range"],
        json!({"oldest_date": day(-3), "latest_date": day(5)})
    );
    let r = list(json!({"start_date": day(-3), "end_date": day(5)})).await;
    assert_eq!(r.body["data"]["items"].as_array().unwrap().len(), 4);
    let r = list(json!({"start_date": day(-3), "end_date": day(5), "warehouse": "BUSAN"})).await;
    assert_eq!(r.body["data"]["items"].as_array().unwrap().len(), 1);
    let r = list(json!({"start_date": day(-3), "end_date": day(5), "type": "DELIVERY", "department": "CS", "status": "WAITING", "warehouse": "ALL"})).await;
    assert_eq!(r.body["data"]["items"].as_array().unwrap().len(), 3);
    let r = list(json!({"start_date": day(-3), "end_date": day(5), "status": "COMPLETE"})).await;
    assert_eq!(r.body["data"]["items"], json!([]));
    // The table's 400s and 422s.
    assert_error(
        &list(json!({"start_date": day(1), "end_date": day(0)})).await,
        400,
        "VALIDATION_ERROR",
    );
    assert_error(
        &list(json!({"start_date": "2024-02-30", "end_date": day(0)})).await,
        400,
        "VALIDATION_ERROR",
    );
    assert_error(
        &list(json!({"start_date": "yesterday", "end_date": day(0)})).await,
        400,
        "VALIDATION_ERROR",
    );
    assert_error(
        &list(json!({"start_date": day(-100), "end_date": day(0)})).await,
        400,
        "VALIDATION_ERROR",
    );
    assert_eq!(
        list(json!({"start_date": day(-91), "end_date": day(0)}))
            .await
            .status,
        200
    );
    let e = assert_error(
        &list(json!({"start_date": day(0), "end_date": day(0), "status": "LOST"})).await,
        422,
        "VALIDATION_ERROR",
    );
    assert_eq!(e["details"][0]["field"], json!("status"));
    assert_error(
        &list(json!({"start_date": day(0)})).await,
        422,
        "VALIDATION_ERROR",
    );
    assert_error(
        &list(json!({"start_date": 20240101, "end_date": day(0)})).await,
        422,
        "VALIDATION_ERROR",
    );
}

#[tokio::test]
async fn fields_edit_relooks_up_postal_codes_and_respects_final_statuses() {
    let s = server().await;
    let alice = login(&s, "alice").await;
    let admin = login(&s, "admin").await;
    let id = create_order(&s, &alice, "F-1").await;
    let path = format!("/dashboard/{id}/fields");
    let r = s
        .patch(&path, Some(&alice), &json!({"postal_code": "48060", "driver_name": "김기사", "contact": null, "eta": format!("{}T18:00:00", day(1))}))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let d = &r.body["data"];
    assert_eq!(d["region"], json!("부산광역시 해운대구 우동"));
    assert_eq!(d["warehouse"], json!("SEOUL"));
    assert!(
        d["distance"].as_i64().unwrap() > 300,
        "distance from the Seoul warehouse"
    );
    assert_eq!(d["driver_name"], json!("김기사"));
    assert_eq!(d["contact"], Value::Null);
    assert_eq!(d["eta"], json!(format!("{}T18:00:00", day(1))));
    let e = assert_error(
        &s.patch(&path, Some(&alice), &json!({"postal_code": "00000"}))
            .await,
        422,
        "VALIDATION_ERROR",
    );
    assert_eq!(e["details"][0]["field"], json!("postal_code"));
    assert_error(
        &s.patch(&path, Some(&alice), &json!({"status": "COMPLETE"}))
            .await,
        422,
        "VALIDATION_ERROR",
    );
    assert_error(
        &s.patch(&path, Some(&alice), &json!({})).await,
        422,
        "VALIDATION_ERROR",
    );
    assert_error(
        &s.patch(&path, Some(&alice), &json!({"eta": "soon"})).await,
        422,
        "VALIDATION_ERROR",
    );
    assert_error(
        &s.patch(
            "/dashboard/424242/fields",
            Some(&alice),
            &json!({"customer": "x"}),
        )
        .await,
        404,
        "NOT_FOUND",
    );
    // Nothing of the failed edits stuck.
    let r = s.get(&format!("/dashboard/{id}"), Some(&alice)).await;
    assert_eq!(r.body["data"]["postal_code"], json!("48060"));
    // Final statuses lock edits for users, not for admins.
    s.patch(
        &format!("/dashboard/{id}/status"),
        Some(&alice),
        &json!({"status": "CANCEL"}),
    )
    .await;
    assert_error(
        &s.patch(&path, Some(&alice), &json!({"customer": "누구"}))
            .await,
        400,
        "DASHBOARD_STATUS_LOCKED",
    );
    let r = s
        .patch(&path, Some(&admin), &json!({"customer": "관리자 수정"}))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["data"]["customer"], json!("관리자 수정"));
}

/// Every (from, to) pair for a USER, then for an ADMIN: allowed or
/// INVALID_STATUS_TRANSITION, with the automatic times.
#[tokio::test]
async fn the_transition_table_row_by_row() {
    let s = server().await;
    let alice = login(&s, "alice").await;
    let admin = login(&s, "admin").await;
    let statuses = ["WAITING", "IN_PROGRESS", "COMPLETE", "ISSUE", "CANCEL"];
    let user_allowed = [
        ("WAITING", "IN_PROGRESS"),
        ("WAITING", "CANCEL"),
        ("IN_PROGRESS", "COMPLETE"),
        ("IN_PROGRESS", "ISSUE"),
        ("IN_PROGRESS", "CANCEL"),
    ];
    let mut n = 0;
    for from in statuses {
        for to in statuses {
            n += 1;
            let id = create_order(&s, &alice, &format!("T-{n}")).await;
            let set = s
                .patch(
                    &format!("/dashboard/{id}/status"),
                    Some(&admin),
                    &json!({"status": from, "is_admin": true}),
                )
                .await;
            assert_eq!(set.status, 200, "{}", set.body);
            let r = s
                .patch(
                    &format!("/dashboard/{id}/status"),
                    Some(&alice),
                    &json!({"status": to, "is_admin": false}),
                )
                .await;
            if from == to || user_allowed.contains(&(from, to)) {
                assert_eq!(r.status, 200, "USER {from} -> {to}: {}", r.body);
                assert_eq!(r.body["data"]["status"], json!(to));
                assert_eq!(r.body["data"]["dashboard_id"], json!(id));
            } else {
                assert_error(&r, 400, "INVALID_STATUS_TRANSITION");
                assert_eq!(
                    status_of(&s, &alice, id).await,
                    from,
                    "a refused transition changes nothing"
                );
            }
            // A USER claiming is_admin changes nothing.
            let r = s
                .patch(
                    &format!("/dashboard/{id}/status"),
                    Some(&alice),
                    &json!({"status": "WAITING", "is_admin": true}),
                )
                .await;
            let now = status_of(&s, &alice, id).await;
            if now != "WAITING" {
                assert_error(&r, 400, "INVALID_STATUS_TRANSITION");
            }
            // An ADMIN may do anything.
            for target in statuses {
                let r = s
                    .patch(
                        &format!("/dashboard/{id}/status"),
                        Some(&admin),
                        &json!({"status": target, "is_admin": true}),
                    )
                    .await;
                assert_eq!(r.status, 200, "ADMIN -> {target}: {}", r.body);
            }
        }
    }
}

#[tokio::test]
async fn automatic_times_follow_the_workflow() {
    let s = server().await;
    let alice = login(&s, "alice").await;
    let admin = login(&s, "admin").await;
    let id = create_order(&s, &alice, "TIME-1").await;
    let path = format!("/dashboard/{id}/status");
    let r = s
        .patch(&path, Some(&alice), &json!({"status": "IN_PROGRESS"}))
        .await;
    assert!(r.body["data"]["depart_time"].is_string());
    assert_eq!(r.body["data"]["complete_time"], Value::Null);
    let depart = r.body["data"]["depart_time"].clone();
    let r = s
        .patch(&path, Some(&alice), &json!({"status": "COMPLETE"}))
        .await;
    assert_eq!(r.body["data"]["depart_time"], depart);
    assert!(r.body["data"]["complete_time"].is_string());
    // Admin back to IN_PROGRESS clears completion, keeps departure.
    let r = s
        .patch(
            &path,
            Some(&admin),
            &json!({"status": "IN_PROGRESS", "is_admin": true}),
        )
        .await;
    assert_eq!(r.body["data"]["depart_time"], depart);
    assert_eq!(r.body["data"]["complete_time"], Value::Null);
    // An ADMIN without is_admin follows the user table.
    let r = s
        .patch(
            &path,
            Some(&admin),
            &json!({"status": "WAITING", "is_admin": false}),
        )
        .await;
    assert_error(&r, 400, "INVALID_STATUS_TRANSITION");
    let r = s
        .patch(
            &path,
            Some(&admin),
            &json!({"status": "WAITING", "is_admin": true}),
        )
        .await;
    assert_eq!(r.body["data"]["depart_time"], Value::Null);
    assert_eq!(r.body["data"]["complete_time"], Value::Null);
    assert_error(
        &s.patch(&path, Some(&alice), &json!({"status": "DONE"}))
            .await,
        422,
        "VALIDATION_ERROR",
    );
    assert_error(
        &s.patch(
            "/dashboard/777777/status",
            Some(&alice),
            &json!({"status": "CANCEL"}),
        )
        .await,
        404,
        "NOT_FOUND",
    );
}

#[tokio::test]
async fn assignment_is_all_or_nothing() {
    let s = server().await;
    let alice = login(&s, "alice").await;
    let bob = login(&s, "bob").await;
    let a = create_order(&s, &alice, "AS-1").await;
    let b = create_order(&s, &alice, "AS-2").await;
    let c = create_order(&s, &alice, "AS-3").await;
    let r = s.post("/dashboard/assign", Some(&alice), &json!({"dashboard_ids": [b, a], "driver_name": "이기사", "driver_contact": "010-9999-0000"})).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.body["data"],
        json!({"updated_count": 2, "dashboard_ids": [a, b]})
    );
    let r = s.get(&format!("/dashboard/{a}"), Some(&alice)).await;
    assert_eq!(r.body["data"]["driver_name"], json!("이기사"));
    assert_eq!(r.body["data"]["driver_contact"], json!("010-9999-0000"));
    // A final status anywhere fails the whole batch.
    s.patch(
        &format!("/dashboard/{c}/status"),
        Some(&alice),
        &json!({"status": "CANCEL"}),
    )
    .await;
    let e = assert_error(
        &s.post(
            "/dashboard/assign",
            Some(&alice),
            &json!({"dashboard_ids": [a, c], "driver_name": "박기사"}),
        )
        .await,
        400,
        "DASHBOARD_STATUS_LOCKED",
    );
    assert_eq!(e["dashboard_ids"], json!([c]));
    // A lock of another user anywhere fails the whole batch.
    s.post(
        &format!("/dashboard/{b}/lock"),
        Some(&bob),
        &json!({"lock_type": "EDIT"}),
    )
    .await;
    let e = assert_error(
        &s.post(
            "/dashboard/assign",
            Some(&alice),
            &json!({"dashboard_ids": [a, b], "driver_name": "박기사"}),
        )
        .await,
        423,
        "RESOURCE_LOCKED",
    );
    assert_eq!(e["lock_info"]["locked_by"], json!("bob"));
    // An unknown id fails the whole batch and is named.
    let e = assert_error(
        &s.post(
            "/dashboard/assign",
            Some(&alice),
            &json!({"dashboard_ids": [a, 999999], "driver_name": "박기사"}),
        )
        .await,
        404,
        "NOT_FOUND",
    );
    assert_eq!(e["dashboard_ids"], json!([999999]));
    assert_eq!(
        s.get(&format!("/dashboard/{a}"), Some(&alice)).await.body["data"]["driver_name"],
        json!("이기사")
    );
    // No automatic lock is left behind by the failures.
    let r = s
        .get(&format!("/dashboard/{a}/lock/status"), Some(&alice))
        .await;
    assert_eq!(r.body["data"]["is_locked"], json!(false));
    assert_error(
        &s.post(
            "/dashboard/assign",
            Some(&alice),
            &json!({"dashboard_ids": [], "driver_name": "x"}),
        )
        .await,
        422,
        "VALIDATION_ERROR",
    );
    assert_error(
        &s.post(
            "/dashboard/assign",
            Some(&alice),
            &json!({"dashboard_ids": [a], "driver_name": " "}),
        )
        .await,
        422,
        "VALIDATION_ERROR",
    );
    assert_error(
        &s.post(
            "/dashboard/assign",
            Some(&alice),
            &json!({"dashboard_ids": "1", "driver_name": "x"}),
        )
        .await,
        422,
        "VALIDATION_ERROR",
    );
}

#[tokio::test]
async fn search_puts_exact_matches_first_then_newest_eta() {
    let s = server().await;
    let t = login(&s, "alice").await;
    for (no, offset) in [("AB-100", 0), ("XAB-1001", 2), ("AB-1002", 1), ("ZZ-1", 3)] {
        let mut b = order_body(no);
        b["eta"] = json!(format!("{}T09:00:00", day(offset)));
        assert_eq!(s.post("/dashboard", Some(&t), &b).await.status, 201);
    }
    let r = s.get("/dashboard/search?order_no=AB-100", Some(&t)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let found: Vec<&str> = r.body["data"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["order_no"].as_str().unwrap())
        .collect();
    assert_eq!(found, ["AB-100", "XAB-1001", "AB-1002"]);
    let r = s.get("/dashboard/search?order_no=%25", Some(&t)).await;
    assert_eq!(
        r.body["data"]["items"],
        json!([]),
        "LIKE wildcards are literal"
    );
    assert_error(
        &s.get("/dashboard/search", Some(&t)).await,
        422,
        "VALIDATION_ERROR",
    );
    assert_error(
        &s.get("/dashboard/search?order_no=", Some(&t)).await,
        422,
        "VALIDATION_ERROR",
    );
}

#[tokio::test]
async fn remarks_are_added_and_edited_by_author_or_admin() {
    let s = server().await;
    let alice = login(&s, "alice").await;
    let bob = login(&s, "bob").await;
    let admin = login(&s, "admin").await;
    let id = create_order(&s, &alice, "R-1").await;
    let r = s
        .post(
            &format!("/dashboard/{id}/remarks"),
            Some(&alice),
            &json!({"content": "첫 메모"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let remark_id = r.body["data"]["remark_id"].as_i64().unwrap();
    assert_eq!(r.body["data"]["created_by"], json!("alice"));
    let path = format!("/dashboard/{id}/remarks/{remark_id}");
    assert_error(
        &s.patch(&path, Some(&bob), &json!({"content": "남의 메모"}))
            .await,
        403,
        "FORBIDDEN",
    );
    let r = s
        .patch(&path, Some(&alice), &json!({"content": "고친 메모"}))
        .await;
    assert_eq!(r.status, 200);
    assert_eq!(r.body["data"]["content"], json!("고친 메모"));
    assert!(r.body["data"]["updated_at"].is_string());
    let edited = s
        .patch(&path, Some(&admin), &json!({"content": "관리자"}))
        .await;
    assert_eq!(edited.status, 200);
    let second = s
        .post(
            &format!("/dashboard/{id}/remarks"),
            Some(&bob),
            &json!({"content": "두 번째 메모"}),
        )
        .await;
    assert_eq!(second.status, 201);
    // The detail shows every remark (the order's initial one first) in id order,
    // field for field as the remark endpoints returned them.
    let d = s.get(&format!("/dashboard/{id}"), Some(&bob)).await;
    let remarks = d.body["data"]["remarks"].as_array().unwrap().clone();
    assert_eq!(remarks.len(), 3, "{}", d.body);
    assert_eq!(remarks[1], edited.body["data"]);
    assert_eq!(remarks[2], second.body["data"]);
    assert!(remarks[2]["updated_at"].is_null());
    assert_error(
        &s.patch(
            &format!("/dashboard/{id}/remarks/999999"),
            Some(&alice),
            &json!({"content": "x"}),
        )
        .await,
        404,
        "NOT_FOUND",
    );
    let other = create_order(&s, &alice, "R-2").await;
    assert_error(
        &s.patch(
            &format!("/dashboard/{other}/remarks/{remark_id}"),
            Some(&alice),
            &json!({"content": "x"}),
        )
        .await,
        404,
        "NOT_FOUND",
    );
    assert_error(
        &s.post(
            &format!("/dashboard/{id}/remarks"),
            Some(&alice),
            &json!({"content": "  "}),
        )
        .await,
        422,
        "VALIDATION_ERROR",
    );
    assert_error(
        &s.post(
            "/dashboard/999999/remarks",
            Some(&alice),
            &json!({"content": "x"}),
        )
        .await,
        404,
        "NOT_FOUND",
    );
    let r = s.get(&format!("/dashboard/{id}"), Some(&alice)).await;
    let contents: Vec<&str> = r.body["data"]["remarks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["content"].as_str().unwrap())
        .collect();
    assert_eq!(contents, ["", "관리자", "두 번째 메모"]);
}

#[tokio::test]
async fn delete_is_admin_only_and_takes_remarks_and_locks_along() {
    let s = server().await;
    let alice = login(&s, "alice").await;
    let admin = login(&s, "admin").await;
    let a = create_order(&s, &alice, "D-1").await;
    let b = create_order(&s, &alice, "D-2").await;
    s.post(
        &format!("/dashboard/{a}/lock"),
        Some(&alice),
        &json!({"lock_type": "EDIT"}),
    )
    .await;
    assert_error(
        &s.delete(
            "/dashboard",
            Some(&alice),
            Some(&json!({"dashboard_ids": [a]})),
        )
        .await,
        403,
        "FORBIDDEN",
    );
    let r = s
        .delete(
            "/dashboard",
            Some(&admin),
            Some(&json!({"dashboard_ids": [a, b, 999999]})),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(r.body["data"], json!({"deleted_count": 2}));
    assert_error(
        &s.get(&format!("/dashboard/{a}"), Some(&alice)).await,
        404,
        "NOT_FOUND",
    );
    assert_error(
        &s.delete(
            "/dashboard",
            Some(&admin),
            Some(&json!({"dashboard_ids": []})),
        )
        .await,
        422,
        "VALIDATION_ERROR",
    );
    // The order number is free again.
    create_order(&s, &alice, "D-1").await;
}

/// The list reply is cached; every change must show on the writer's next list.
#[tokio::test]
async fn list_reflects_every_change_at_once() {
    let s = server().await;
    let t = login(&s, "alice").await;
    let range = json!({"start_date": day(0), "end_date": day(0)});
    let id = create_order(&s, &t, "C-1").await;
    let first = s.post("/dashboard/list", Some(&t), &range).await;
    assert_eq!(first.body["data"]["items"][0]["status"], json!("WAITING"));
    // Same request again: served from the cache, identical.
    assert_eq!(
        s.post("/dashboard/list", Some(&t), &range).await.body,
        first.body
    );
    s.patch(
        &format!("/dashboard/{id}/status"),
        Some(&t),
        &json!({"status": "IN_PROGRESS"}),
    )
    .await;
    // The writer's own next read sees its write: local writes invalidate at once.
    let r = s.post("/dashboard/list", Some(&t), &range).await;
    assert_eq!(r.body["data"]["items"][0]["status"], json!("IN_PROGRESS"));
    create_order(&s, &t, "C-2").await;
    let r = s.post("/dashboard/list", Some(&t), &range).await;
    assert_eq!(r.body["data"]["items"].as_array().unwrap().len(), 2);
    s.post(
        &format!("/dashboard/{id}/remarks"),
        Some(&t),
        &json!({"content": "x"}),
    )
    .await;
    let admin = login(&s, "admin").await;
    s.delete(
        "/dashboard",
        Some(&admin),
        Some(&json!({"dashboard_ids": [id]})),
    )
    .await;
    let r = s.post("/dashboard/list", Some(&t), &range).await;
    assert_eq!(r.body["data"]["items"].as_array().unwrap().len(), 1);
}

/// Control characters are refused on the field that carries them, before login
/// too, in bodies, query strings and path segments; nothing is stored, on either
/// engine (PostgreSQL cannot store NUL at all and used to answer 500).
#[tokio::test]
async fn control_characters_are_refused_where_they_come_in() {
    let s = server().await;
    let r = s
        .post(
            "/auth/login",
            None,
            &json!({"user_id": "ad\u{0}min", "password": PASSWORD}),
        )
        .await;
    let body = assert_error(&r, 422, "VALIDATION_ERROR");
    assert_eq!(body["details"][0]["field"], json!("user_id"));
    let alice = login(&s, "alice").await;
    create_order(&s, &alice, "NUL-1").await;
    let r = s.get("/dashboard/search?order_no=%00", Some(&alice)).await;
    let body = assert_error(&r, 422, "VALIDATION_ERROR");
    assert_eq!(body["details"][0]["field"], json!("order_no"));
    let mut order = order_body("NUL-2");
    order["customer"] = json!("Kim\u{1b}[2J");
    let r = s.post("/dashboard", Some(&alice), &order).await;
    let body = assert_error(&r, 422, "VALIDATION_ERROR");
    assert_eq!(body["details"][0]["field"], json!("customer"));
    let r = s
        .get("/dashboard/search?order_no=NUL-2", Some(&alice))
        .await;
    assert_eq!(
        r.body["data"]["total"],
        json!(0),
        "nothing was stored: {}",
        r.body
    );
    // Zero-width characters alone are blank.
    let mut order = order_body("NUL-3");
    order["customer"] = json!("\u{200b}\u{feff}");
    let r = s.post("/dashboard", Some(&alice), &order).await;
    let body = assert_error(&r, 422, "VALIDATION_ERROR");
    assert_eq!(body["details"][0]["field"], json!("customer"));
}

/// An ETA outside 2000 .. ten years ahead is refused (such an order would fall
/// out of every list), on create and on edit.
#[tokio::test]
async fn absurd_etas_are_refused() {
    let s = server().await;
    let alice = login(&s, "alice").await;
    for eta in [
        "9999-12-31T23:59:59",
        "0001-01-01T00:00:00",
        "1999-12-31T23:59:59",
    ] {
        let mut order = order_body("ETA-1");
        order["eta"] = json!(eta);
        let r = s.post("/dashboard", Some(&alice), &order).await;
        let body = assert_error(&r, 422, "VALIDATION_ERROR");
        assert_eq!(body["details"][0]["field"], json!("eta"), "{eta}");
    }
    let id = create_order(&s, &alice, "ETA-2").await;
    let r = s
        .patch(
            &format!("/dashboard/{id}/fields"),
            Some(&alice),
            &json!({"eta": "9999-12-31T23:59:59"}),
        )
        .await;
    assert_error(&r, 422, "VALIDATION_ERROR");
    let d = s.get(&format!("/dashboard/{id}"), Some(&alice)).await;
    assert_ne!(d.body["data"]["eta"], json!("9999-12-31T23:59:59"));
}

/// `GET /postal-codes?q=`: real codes of the four warehouse cities, found by part
/// of a code, city, county or district, with every warehouse's distance.
#[tokio::test]
async fn postal_codes_are_found_by_any_part() {
    let s = server().await;
    let token = login(&s, "alice").await;
    let r = s.get("/postal-codes?q=역삼동", Some(&token)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let codes = r.body["data"].as_array().unwrap();
    assert!(!codes.is_empty());
    for c in codes {
        assert_eq!(c["district"], json!("역삼동"), "{c}");
        for wh in ["SEOUL", "BUSAN", "GWANGJU", "DAEJEON"] {
            assert!(c["distances"][wh]["distance"].as_i64().unwrap() > 0, "{c}");
        }
    }
    let r = s
        .get("/postal-codes?q=%EB%B6%80%EC%82%B0&limit=50", Some(&token))
        .await;
    let codes = r.body["data"].as_array().unwrap();
    assert_eq!(codes.len(), 50, "Busan has far more than 50 codes");
    assert!(codes.iter().all(|c| c["city"] == json!("부산광역시")));
    // A code found here is one an order can use.
    let code = codes[7]["postal_code"].as_str().unwrap().to_owned();
    let mut order = order_body("POSTAL-1");
    order["postal_code"] = json!(code);
    order["warehouse"] = json!("BUSAN");
    let r = s.post("/dashboard", Some(&token), &order).await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert_eq!(r.body["data"]["city"], json!("부산광역시"));
    // The table holds thousands of codes over the four cities.
    let mut total = 0;
    for city in ["서울특별시", "부산광역시", "광주광역시", "대전광역시"] {
        let n = s
            .get(&format!("/postal-codes?q={city}&limit=50"), Some(&token))
            .await
            .body["data"]
            .as_array()
            .unwrap()
            .len();
        assert_eq!(n, 50, "{city}");
        total += n;
    }
    assert_eq!(total, 200);
    for bad in [
        "/postal-codes",
        "/postal-codes?q=",
        "/postal-codes?q=a&limit=51",
        "/postal-codes?q=a&limit=0",
    ] {
        let r = s.get(bad, Some(&token)).await;
        assert_error(&r, 422, "VALIDATION_ERROR");
    }
    let r = s.get("/postal-codes?q=%25", Some(&token)).await;
    assert_eq!(r.body["data"], json!([]), "a % is literal");
    assert_eq!(s.get("/postal-codes?q=a", None).await.status, 401);
}

/// More field edits at once than the server has database connections: each looks
/// its postal code up inside its own transaction, so none waits for a second
/// connection (which, with every connection held, lasted until the timeout).
#[tokio::test]
async fn a_burst_of_field_edits_larger_than_the_pool_is_applied() {
    let s = server_with(&[("ONDOL_DB_POOL_SIZE", "2")]).await;
    let alice = login(&s, "alice").await;
    let mut ids = Vec::new();
    for i in 0..8 {
        ids.push(create_order(&s, &alice, &format!("BURST-{i}")).await);
    }
    let paths: Vec<String> = ids
        .iter()
        .map(|id| format!("/dashboard/{id}/fields"))
        .collect();
    let body = json!({"postal_code": "48060"});
    let started = std::time::Instant::now();
    let results =
        futures_util::future::join_all(paths.iter().map(|p| s.patch(p, Some(&alice), &body))).await;
    for r in &results {
        assert_eq!(r.status, 200, "{}", r.body);
        assert_eq!(r.body["data"]["region"], json!("부산광역시 해운대구 우동"));
    }
    assert!(
        started.elapsed() < std::time::Duration::from_secs(5),
        "8 edits took {:?}",
        started.elapsed()
    );
}
