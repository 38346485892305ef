//! /visualization: counts by status and department, hourly counts, every key present.

mod common;

use common::*;
use serde_json::json;

#[tokio::test]
async fn delivery_status_counts_every_key() {
    let s = server().await;
    let alice = login(&s, "alice").await;
    let a = create_order(&s, &alice, "ST-1").await;
    create_order(&s, &alice, "ST-2").await;
    let mut hes = order_body("ST-3");
    hes["department"] = json!("HES");
    s.post("/dashboard", Some(&alice), &hes).await;
    s.patch(
        &format!("/dashboard/{a}/status"),
        Some(&alice),
        &json!({"status": "IN_PROGRESS"}),
    )
    .await;
    let r = s
        .post(
            "/visualization/delivery_status",
            Some(&alice),
            &json!({"start_date": day(0), "end_date": day(0)}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let d = &r.body["data"];
    assert_eq!(d["total"], json!(3));
    assert_eq!(
        d["by_status"],
        json!({"CANCEL": 0, "COMPLETE": 0, "IN_PROGRESS": 1, "ISSUE": 0, "WAITING": 2})
    );
    assert_eq!(d["by_department"]["CS"]["total"], json!(2));
    assert_eq!(d["by_department"]["HES"]["by_status"]["WAITING"], json!(1));
    assert_eq!(
        d["by_department"]["LENOVO"],
        json!({"total": 0, "by_status": {"CANCEL": 0, "COMPLETE": 0, "IN_PROGRESS": 0, "ISSUE": 0, "WAITING": 0}})
    );
    let r = s
        .post(
            "/visualization/delivery_status",
            Some(&alice),
            &json!({"start_date": day(-5), "end_date": day(-1)}),
        )
        .await;
    assert_eq!(r.body["data"]["total"], json!(0));
    assert_error(
        &s.post(
            "/visualization/delivery_status",
            Some(&alice),
            &json!({"start_date": day(0), "end_date": day(-1)}),
        )
        .await,
        400,
        "VALIDATION_ERROR",
    );
}

#[tokio::test]
async fn hourly_orders_buckets_by_local_hour() {
    let s = server().await;
    let alice = login(&s, "alice").await;
    create_order(&s, &alice, "H-1").await;
    create_order(&s, &alice, "H-2").await;
    let r = s
        .post(
            "/visualization/hourly_orders",
            Some(&alice),
            &json!({"start_date": day(0), "end_date": day(0)}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let d = &r.body["data"];
    assert_eq!(d["total"], json!(2));
    let hours = d["hours"].as_array().unwrap();
    assert_eq!(hours.len(), 24);
    let hour =
        chrono::Timelike::hour(&chrono::Utc::now().with_timezone(&chrono_tz::Asia::Seoul)) as usize;
    // Created just now: this local hour (or the previous one at an hour boundary).
    let here = hours[hour].as_i64().unwrap()
        + if hour > 0 {
            hours[hour - 1].as_i64().unwrap()
        } else {
            0
        };
    assert_eq!(here, 2);
    for dep in ["CS", "HES", "LENOVO"] {
        assert_eq!(d["by_department"][dep].as_array().unwrap().len(), 24);
    }
    assert_error(
        &s.post(
            "/visualization/hourly_orders",
            Some(&alice),
            &json!({"start_date": "x", "end_date": day(0)}),
        )
        .await,
        400,
        "VALIDATION_ERROR",
    );
}
