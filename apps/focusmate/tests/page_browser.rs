//! The focus-room page in real headless Chromium: two people log in in two
//! browsers, one creates a room and the other joins it from the list, the host
//! starts the timer, and both pages show the same phase and time within a
//! second. Screenshots go to `target/screenshots/`.

mod common;

use std::path::PathBuf;
use std::time::{Duration, Instant};

use common::*;
use platform::testing::browser::Browser;

fn screenshots() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../target/screenshots")
}

async fn log_in(b: &mut Browser, url: &str, user: &User) {
    b.open(url).await;
    b.wait_for("!document.getElementById('login-view').hidden")
        .await;
    b.type_into("#email", &user.email).await;
    b.type_into("#password", PASSWORD).await;
    b.click("#login-submit").await;
    b.wait_for("!document.getElementById('app-view').hidden && document.getElementById('live').textContent === 'live'")
        .await;
}

fn text(id: &str) -> String {
    format!("document.getElementById('{id}').textContent")
}

fn seconds(mmss: &str) -> i64 {
    let (m, s) = mmss.split_once(':').expect("mm:ss");
    m.parse::<i64>().unwrap() * 60 + s.parse::<i64>().unwrap()
}

#[tokio::test]
#[ignore = "needs Chromium (CI installs it); ONDOL_BROWSER=/usr/bin/chromium"]
async fn two_people_follow_one_timer_in_their_browsers() {
    let executable = std::env::var("ONDOL_BROWSER").expect("ONDOL_BROWSER names a Chromium");
    let s = server().await;
    let host = register(&s, "jiwoo").await;
    let guest = register(&s, "minseo").await;
    // Some history, so the leaderboard has lines.
    let now = chrono::Utc::now().timestamp_millis();
    insert_credit(&s, &host.id, 75, now - 3_600_000).await;
    insert_credit(&s, &guest.id, 50, now - 7_200_000).await;
    let url = s.url("/");

    let mut a = Browser::start(&executable, &s.ctx.config.data_dir, 1360, 860).await;
    a.open(&url).await;
    a.wait_for("!document.getElementById('login-view').hidden")
        .await;
    a.screenshot(&screenshots().join("focusmate-login.png"))
        .await;
    log_in(&mut a, &url, &host).await;
    a.type_into("#room-name", "Morning deep work").await;
    a.click("#create-submit").await;
    a.wait_for(&format!(
        "{} === 'Morning deep work'",
        text("room-name-view")
    ))
    .await;

    let mut b = Browser::start(&executable, &s.ctx.config.data_dir, 1360, 860).await;
    log_in(&mut b, &url, &guest).await;
    b.wait_for("document.querySelector('#room-list button[data-join]') !== null")
        .await;
    b.click("#room-list button[data-join]").await;
    b.wait_for(&format!(
        "{} === 'Morning deep work'",
        text("room-name-view")
    ))
    .await;
    // The guest cannot run the timer; the host sees them arrive, live.
    assert_eq!(
        b.eval("document.getElementById('start').disabled").await,
        true
    );
    a.wait_for("document.querySelectorAll('#participants li').length === 2")
        .await;
    a.wait_for("document.getElementById('unread').textContent === '1'")
        .await;

    let clicked = Instant::now();
    a.click("#start").await;
    b.wait_for(&format!("{} === 'Focus'", text("phase"))).await;
    let seen_after = clicked.elapsed();
    assert!(
        seen_after < Duration::from_secs(1),
        "the guest saw it after {seen_after:?}"
    );
    a.wait_for(&format!("{} === 'Focus'", text("phase"))).await;
    let ta = a.eval(&text("remaining")).await;
    let tb = b.eval(&text("remaining")).await;
    let (ta, tb) = (seconds(ta.as_str().unwrap()), seconds(tb.as_str().unwrap()));
    assert!((ta - tb).abs() <= 1, "host {ta} s, guest {tb} s");
    assert!((1497..=1500).contains(&ta), "{ta}");
    tokio::time::sleep(Duration::from_millis(1200)).await;
    a.screenshot(&screenshots().join("focusmate-host.png"))
        .await;
    b.screenshot(&screenshots().join("focusmate-guest.png"))
        .await;

    // The host pauses: both pages stop at the same time.
    a.click("#pause").await;
    b.wait_for(&format!("{} === 'Focus · paused'", text("phase")))
        .await;
    let pa = a.eval(&text("remaining")).await;
    b.wait_for(&format!("{} === {}", text("remaining"), pa))
        .await;

    // A token the server no longer accepts sends the page back to the login.
    s.ctx.end_sessions(&guest.id).await.expect("sessions end");
    tokio::time::sleep(Duration::from_millis(1500)).await;
    b.click("#refresh-rooms").await;
    b.wait_for("!document.getElementById('login-view').hidden")
        .await;
    a.close().await;
    b.close().await;
}
