//! What every console test does: a server, a browser, a login, and reading
//! the table back.

use std::path::PathBuf;
use std::sync::Arc;

use delivery::Delivery;
use platform::App;
use platform::testing::TestServer;
use platform::testing::browser::Browser;
use serde_json::{Value, json};

use crate::common::day;

pub const DEMO_PASSWORD: &str = "demo1234!";

pub fn screenshots() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots")
}

pub async fn demo_server() -> TestServer {
    let s = TestServer::start_with(Arc::new(Delivery), &[]).await;
    Delivery
        .seed_demo(&s.ctx)
        .await
        .expect("the demo data is seeded");
    s
}

pub async fn browser(s: &TestServer) -> Browser {
    let executable = std::env::var("ONDOL_BROWSER").expect("ONDOL_BROWSER names a Chromium");
    Browser::start(&executable, &s.ctx.config.data_dir, 1440, 900).await
}

/// Logs in through the form as a demo user and waits for the live table.
pub async fn log_in(b: &mut Browser, url: &str, user: &str) {
    log_in_with(b, url, user, DEMO_PASSWORD).await;
}

/// Logs in through the form and waits for the live table.
pub async fn log_in_with(b: &mut Browser, url: &str, user: &str, password: &str) {
    b.open(url).await;
    b.wait_for("!document.getElementById('login-view').hidden")
        .await;
    b.type_into("#login-user", user).await;
    b.type_into("#login-password", password).await;
    b.click("#login-submit").await;
    b.wait_for(
        "document.body.dataset.loaded && document.getElementById('live').dataset.state === 'on'",
    )
    .await;
}

/// The script that finds an order's row in the table (or `null`).
pub fn row(id: i64) -> String {
    format!("document.querySelector('#grid-rows .row[data-id=\"{id}\"]')")
}

/// Finds an order with the find box and opens its detail.
pub async fn open_order(b: &mut Browser, id: i64, order_no: &str) {
    reveal(b, order_no).await;
    b.wait_for(&format!("{} !== null", row(id))).await;
    b.eval(&format!("{}.click(); ''", row(id))).await;
    b.wait_for(&format!(
        "!document.getElementById('detail').hidden && document.getElementById('d-title').textContent === '{order_no}'"
    ))
    .await;
}

/// An order's number, from the API.
pub async fn order_no(s: &TestServer, token: &str, id: i64) -> String {
    let d = s.get(&format!("/dashboard/{id}"), Some(token)).await;
    assert_eq!(d.status, 200, "{}", d.body);
    d.body["data"]["order_no"].as_str().unwrap().to_owned()
}

pub async fn api_token(s: &TestServer, user: &str) -> String {
    let r = s
        .post(
            "/auth/login",
            None,
            &json!({"user_id": user, "password": DEMO_PASSWORD}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["token"]["access_token"].as_str().unwrap().to_owned()
}

/// The range the page shows by default: 23 days back to 7 ahead.
pub fn page_range() -> (String, String) {
    (day(-23), day(7))
}

pub async fn listed(s: &TestServer, token: &str, filters: Value) -> Vec<i64> {
    let (start, end) = page_range();
    let mut body = json!({"start_date": start, "end_date": end});
    body.as_object_mut()
        .unwrap()
        .extend(filters.as_object().unwrap().clone());
    let r = s.post("/dashboard/list", Some(token), &body).await;
    assert_eq!(r.status, 200, "{}", r.body);
    let mut ids: Vec<i64> = r.body["data"]["items"]
        .as_array()
        .unwrap()
        .iter()
        .map(|i| i["dashboard_id"].as_i64().unwrap())
        .collect();
    ids.sort_unstable();
    ids
}

/// The number of orders the page says it shows: the last number of the count
/// ("30,000건" or, with the find box, "30,000건 중 315건 표시").
pub async fn page_count(b: &mut Browser) -> usize {
    let text = b.eval("document.getElementById('count').textContent").await;
    let text = text.as_str().expect("the count is text").replace(',', "");
    text.split(|c: char| !c.is_ascii_digit())
        .rfind(|n| !n.is_empty())
        .and_then(|n| n.parse().ok())
        .unwrap_or_else(|| panic!("a count in {text:?}"))
}

/// The ids of the rows drawn, from the top of the table to its end: only what
/// is in view is in the page, so the table is scrolled through.
pub async fn page_ids(b: &mut Browser) -> Vec<i64> {
    let v = b
        .eval(
            "(async () => { const body = document.getElementById('grid-body'); const ids = new Set(); \
             for (let top = 0; ; top += body.clientHeight) { body.scrollTop = top; \
               await new Promise(r => requestAnimationFrame(() => requestAnimationFrame(r))); \
               for (const r of document.querySelectorAll('#grid-rows .row')) ids.add(Number(r.dataset.id)); \
               if (top + body.clientHeight >= body.scrollHeight) break; } \
             body.scrollTop = 0; return [...ids]; })()",
        )
        .await;
    let mut ids: Vec<i64> = serde_json::from_value(v).expect("ids");
    ids.sort_unstable();
    ids
}

/// Finds an order by its number in the page's find box, so its row is drawn.
pub async fn reveal(b: &mut Browser, order_no: &str) {
    b.eval("document.getElementById('f-text').value = ''; ''")
        .await;
    b.type_into("#f-text", order_no).await;
}

pub async fn select(b: &mut Browser, id: &str, value: &str) {
    b.eval(&format!(
        "(() => {{ const s = document.getElementById('{id}'); s.value = '{value}'; \
         document.body.dataset.loaded = ''; s.dispatchEvent(new Event('change')); return ''; }})()"
    ))
    .await;
    b.wait_for("document.body.dataset.loaded").await;
}
