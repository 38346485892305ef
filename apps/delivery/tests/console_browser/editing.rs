//! The rest of an operator's work in the browser: fields saved under the EDIT
//! lock, a remark added and edited, a driver assigned to several orders at
//! once, and the live view catching up on what changed while it was away.

use serde_json::{Value, json};

use crate::common::{order_body, status_of};
use crate::helpers::*;

/// Wraps the page's `WebSocket` so the test can cut the live view and keep it
/// from coming back (`__blockLive`: it dials a path with no live view, so the
/// handshake fails as a dropped network would): a gap the page must catch up on.
const CUTTABLE_LIVE_VIEW: &str = "(() => { const Real = window.WebSocket; window.__sockets = []; \
     window.__blockLive = false; \
     window.WebSocket = class extends Real { constructor(url, p) { \
       super(window.__blockLive ? 'ws://' + location.host + '/cut' : url, p); window.__sockets.push(this); } }; })()";

async fn detail(s: &platform::testing::TestServer, token: &str, id: i64) -> Value {
    let r = s.get(&format!("/dashboard/{id}"), Some(token)).await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["data"].clone()
}

async fn lock_held(s: &platform::testing::TestServer, token: &str, id: i64) -> bool {
    let r = s
        .get(&format!("/dashboard/{id}/lock/status"), Some(token))
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    r.body["data"]["is_locked"].as_bool().unwrap()
}

#[tokio::test]
#[ignore = "needs Chromium (CI installs it); ONDOL_BROWSER=/usr/bin/chromium"]
async fn an_operator_edits_remarks_assigns_and_catches_up() {
    let s = demo_server().await;
    let url = s.url("/");
    let shots = screenshots();
    let admin = api_token(&s, "admin").await;
    let waiting = listed(&s, &admin, json!({"status": "WAITING"})).await;
    assert!(waiting.len() >= 4, "the demo month has waiting orders");

    let mut a = browser(&s).await;
    a.call("Page.enable", json!({})).await;
    a.call(
        "Page.addScriptToEvaluateOnNewDocument",
        json!({"source": CUTTABLE_LIVE_VIEW}),
    )
    .await;
    log_in(&mut a, &url, "cs_user").await;

    // Fields: Edit takes the lock, Save writes only what changed and lets it go.
    let id = waiting[0];
    let no = order_no(&s, &admin, id).await;
    let before = detail(&s, &admin, id).await;
    open_order(&mut a, id, &no).await;
    a.click("#edit").await;
    a.wait_for("!document.getElementById('save').hidden").await;
    assert!(lock_held(&s, &admin, id).await, "Edit took the lock");
    a.eval(
        "(() => { const f = document.getElementById('fields-form').elements; \
         f.customer.value = '박서준'; f.driver_name.value = '이기사'; \
         f.driver_contact.value = '010-1111-2222'; return ''; })()",
    )
    .await;
    a.click("#save").await;
    a.wait_for("document.getElementById('save').hidden && document.querySelector('#fields-form input[name=customer]').value === '박서준'")
        .await;
    let after = detail(&s, &admin, id).await;
    assert_eq!(after["customer"], "박서준");
    assert_eq!(after["driver_name"], "이기사");
    assert_eq!(after["driver_contact"], "010-1111-2222");
    assert_eq!(after["address"], before["address"], "untouched fields stay");
    assert_eq!(after["eta"], before["eta"], "untouched fields stay");
    assert!(!lock_held(&s, &admin, id).await, "Save released the lock");
    // The table's row follows.
    a.wait_for(&format!(
        "{r} !== null && {r}.textContent.includes('박서준') && {r}.textContent.includes('이기사')",
        r = row(id)
    ))
    .await;

    // A remark added, then edited by its author.
    let note = "고객 요청: 문 앞에 두기";
    a.type_into("#remark-text", note).await;
    a.click("#remark-add").await;
    let remark_node = format!(
        "[...document.querySelectorAll('#remarks li')].find(li => li.textContent.includes('{note}'))"
    );
    a.wait_for(&format!("{remark_node} !== undefined")).await;
    let remarks = detail(&s, &admin, id).await["remarks"].clone();
    let added = remarks
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["content"] == note)
        .unwrap_or_else(|| panic!("the remark is stored: {remarks}"))
        .clone();
    assert_eq!(added["created_by"], "cs_user");
    a.eval(&format!(
        "{remark_node}.querySelector('button').click(); ''"
    ))
    .await;
    a.wait_for("document.querySelector('#remarks li textarea') !== null")
        .await;
    let edited = "고객 요청: 경비실에 맡기기";
    a.eval(&format!(
        "(() => {{ const li = document.querySelector('#remarks li textarea').closest('li'); \
         li.querySelector('textarea').value = '{edited}'; li.querySelector('button').click(); return ''; }})()"
    ))
    .await;
    a.wait_for(&format!(
        "document.querySelector('#remarks li textarea') === null && document.getElementById('remarks').textContent.includes('{edited}')"
    ))
    .await;
    let remarks = detail(&s, &admin, id).await["remarks"].clone();
    let stored = remarks
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["remark_id"] == added["remark_id"])
        .expect("the remark is still there")
        .clone();
    assert_eq!(stored["content"], edited);
    assert!(!stored["updated_at"].is_null(), "the edit is dated");
    a.screenshot(&shots.join("delivery-console-remarks.png"))
        .await;
    a.click("#d-close").await;

    // Driver assignment for two selected orders at once.
    let (x, y) = (waiting[1], waiting[2]);
    select(&mut a, "f-status", "WAITING").await;
    a.eval("document.getElementById('f-text').value = ''; document.getElementById('f-text').dispatchEvent(new Event('input')); ''")
        .await;
    for (n, pick) in [x, y].into_iter().enumerate() {
        let no = order_no(&s, &admin, pick).await;
        reveal(&mut a, &no).await;
        a.wait_for(&format!("{} !== null", row(pick))).await;
        a.eval(&format!(
            "{}.querySelector('input[type=checkbox]').click(); ''",
            row(pick)
        ))
        .await;
        a.wait_for(&format!(
            "document.getElementById('selected-count').textContent.includes('{}')",
            n + 1
        ))
        .await;
    }
    a.wait_for("!document.getElementById('assign').disabled")
        .await;
    a.click("#assign").await;
    a.wait_for("document.getElementById('assign-dialog').open")
        .await;
    a.type_into("#assign-form input[name=driver_name]", "최배송")
        .await;
    a.type_into("#assign-form input[name=driver_contact]", "010-3333-4444")
        .await;
    a.screenshot(&shots.join("delivery-console-assign.png"))
        .await;
    a.click("#assign-form button[type=submit]").await;
    a.wait_for("!document.getElementById('assign-dialog').open")
        .await;
    for pick in [x, y] {
        let d = detail(&s, &admin, pick).await;
        assert_eq!(d["driver_name"], "최배송", "order {pick}");
        assert_eq!(d["driver_contact"], "010-3333-4444", "order {pick}");
        assert!(!lock_held(&s, &admin, pick).await, "assignment let go");
    }
    a.wait_for(&format!(
        "{r} !== null && {r}.textContent.includes('최배송')",
        r = row(y)
    ))
    .await;

    // The live view is cut and held off; meanwhile an order changes and a
    // new one arrives. Nothing shows until it is back, then both do.
    select(&mut a, "f-status", "ALL").await;
    let z = waiting[3];
    let z_no = order_no(&s, &admin, z).await;
    reveal(&mut a, &z_no).await;
    a.wait_for(&format!(
        "{r} !== null && {r}.querySelector('.badge.s-WAITING') !== null",
        r = row(z)
    ))
    .await;
    a.eval("window.__blockLive = true; window.__sockets.at(-1).close(); ''")
        .await;
    a.wait_for("document.getElementById('live').dataset.state !== 'on'")
        .await;
    let r = s
        .patch(
            &format!("/dashboard/{z}/status"),
            Some(&admin),
            &json!({"status": "CANCEL", "is_admin": true}),
        )
        .await;
    assert_eq!(r.status, 200, "{}", r.body);
    let r = s
        .post("/dashboard", Some(&admin), &order_body("GAP-0001"))
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let created = r.body["data"]["dashboard_id"].as_i64().unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(800)).await;
    assert_eq!(
        a.eval(&format!(
            "{}.querySelector('.badge.s-WAITING') !== null",
            row(z)
        ))
        .await,
        json!(true),
        "no event reached the page while the live view was away"
    );
    a.eval("window.__blockLive = false; ''").await;
    a.wait_for(&format!(
        "document.getElementById('live').dataset.state === 'on' && {r} !== null && {r}.querySelector('.badge.s-CANCEL') !== null",
        r = row(z)
    ))
    .await;
    reveal(&mut a, "GAP-0001").await;
    a.wait_for(&format!("{} !== null", row(created))).await;
    assert_eq!(status_of(&s, &admin, z).await, "CANCEL");

    a.close().await;
    s.stop().await;
}
