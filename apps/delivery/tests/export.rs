//! POST /download/excel and the date ranges: the workbook is read back with a real
//! xlsx reader.

mod common;

use std::io::Cursor;

use calamine::{Data, Reader, Xlsx};
use common::*;
use serde_json::json;

#[tokio::test]
async fn excel_matches_the_list_and_has_real_dates() {
    let s = server().await;
    let alice = login(&s, "alice").await;
    let admin = login(&s, "admin").await;
    for i in 0..25 {
        let mut b = order_body(&format!("XL-{i:02}"));
        b["eta"] = json!(format!("{}T{:02}:15:00", day(-(i % 3)), 8 + i % 10));
        assert_eq!(s.post("/dashboard", Some(&alice), &b).await.status, 201);
    }
    let mut outside = order_body("XL-OUT");
    outside["eta"] = json!(format!("{}T10:00:00", day(-10)));
    s.post("/dashboard", Some(&alice), &outside).await;
    let range = json!({"start_date": day(-2), "end_date": day(0)});
    let r = s.post("/download/excel", Some(&admin), &range).await;
    assert_eq!(r.status, 200, "{}", r.body);
    assert_eq!(
        r.header("content-type"),
        Some("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet")
    );
    let expected_name = format!(
        "dashboard_{}_{}.xlsx",
        day(-2).replace('-', ""),
        day(0).replace('-', "")
    );
    assert_eq!(
        r.header("content-disposition"),
        Some(format!("attachment; filename=\"{expected_name}\"").as_str())
    );
    // The API description names the file as the server does.
    let doc = s.get("/openapi.json", None).await.body;
    let op = &doc["paths"]["/download/excel"]["post"];
    let documented = format!(
        "{} {}",
        op["description"].as_str().unwrap_or_default(),
        op["responses"]["200"]["headers"]["Content-Disposition"]["description"]
    );
    assert!(
        documented.contains("dashboard_YYYYMMDD_YYYYMMDD.xlsx")
            || documented.contains("dashboard_{YYYYMMDD}_{YYYYMMDD}.xlsx"),
        "{documented}"
    );
    assert!(!documented.contains("delivery_orders"), "{documented}");
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(r.bytes.to_vec())).expect("a valid xlsx");
    let sheet = book.worksheet_range("대시보드").expect("the sheet");
    let rows: Vec<_> = sheet.rows().collect();
    assert_eq!(rows.len(), 26, "header + one row per order in range");
    assert_eq!(rows[0][0], Data::String("대시보드 ID".into()));
    assert_eq!(rows[0][1], Data::String("주문번호".into()));
    assert_eq!(rows[0][7], Data::String("ETA".into()));
    assert_eq!(rows[0].len(), 24);
    match &rows[1][7] {
        Data::DateTime(dt) => {
            let naive = dt.as_datetime().expect("a date");
            let text = naive.format("%Y-%m-%dT%H:%M:%S").to_string();
            assert!(text.starts_with(&day(-2)), "{text}");
        }
        other => panic!("ETA is a date cell, got {other:?}"),
    }
    assert!(
        matches!(rows[1][8], Data::DateTime(_)),
        "create_time is a date cell"
    );
    // Same selection and order as the list.
    let list = s.post("/dashboard/list", Some(&admin), &range).await;
    let listed: Vec<String> = list.body["data"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["order_no"].as_str().unwrap().to_owned())
        .collect();
    let exported: Vec<String> = rows[1..].iter().map(|r| r[1].to_string()).collect();
    assert_eq!(listed, exported);
    // Filters narrow it the same way.
    let r = s
        .post(
            "/download/excel",
            Some(&admin),
            &json!({"start_date": day(-2), "end_date": day(0), "status": "COMPLETE"}),
        )
        .await;
    let mut book: Xlsx<_> = Xlsx::new(Cursor::new(r.bytes.to_vec())).unwrap();
    assert_eq!(book.worksheet_range("대시보드").unwrap().rows().count(), 1);
}

#[tokio::test]
async fn excel_is_admin_only_and_validates_its_range() {
    let s = server().await;
    let alice = login(&s, "alice").await;
    let admin = login(&s, "admin").await;
    assert_error(
        &s.post(
            "/download/excel",
            Some(&alice),
            &json!({"start_date": day(0), "end_date": day(0)}),
        )
        .await,
        403,
        "FORBIDDEN",
    );
    assert_error(
        &s.post(
            "/download/excel",
            None,
            &json!({"start_date": day(0), "end_date": day(0)}),
        )
        .await,
        401,
        "UNAUTHORIZED",
    );
    assert_error(
        &s.post(
            "/download/excel",
            Some(&admin),
            &json!({"start_date": day(0), "end_date": day(-1)}),
        )
        .await,
        400,
        "VALIDATION_ERROR",
    );
    assert_error(
        &s.post(
            "/download/excel",
            Some(&admin),
            &json!({"start_date": "2024-13-01", "end_date": day(0)}),
        )
        .await,
        400,
        "VALIDATION_ERROR",
    );
}

#[tokio::test]
async fn date_ranges_come_from_eta_and_creation_time() {
    let s = server().await;
    let alice = login(&s, "alice").await;
    let r = s.get("/download/date-range", Some(&alice)).await;
    assert_eq!(r.status, 200);
    assert_eq!(
        r.body["data"],
        json!({"oldest_date": null, "latest_date": null})
    );
    let mut b = order_body("DR-1");
    b["eta"] = json!(format!("{}T10:00:00", day(-4)));
    s.post("/dashboard", Some(&alice), &b).await;
    let mut b = order_body("DR-2");
    b["eta"] = json!(format!("{}T10:00:00", day(3)));
    s.post("/dashboard", Some(&alice), &b).await;
    let r = s.get("/download/date-range", Some(&alice)).await;
    assert_eq!(
        r.body["data"],
        json!({"oldest_date": day(-4), "latest_date": day(3)})
    );
    let r = s.get("/visualization/date_range", Some(&alice)).await;
    assert_eq!(
        r.body["data"],
        json!({"oldest_date": day(0), "latest_date": day(0)})
    );
}
