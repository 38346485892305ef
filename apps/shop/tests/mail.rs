//! Mail from the durable outbox: the welcome mail on registration and the order
//! confirmation on payment, as `.eml` files by default and through a real SMTP
//! server (aiosmtpd) when configured, including the server being down for a while.

mod common;

use std::path::{Path, PathBuf};
use std::sync::Arc;
use std::time::Duration;

use common::*;
use futures_util::future::join_all;
use reqwest::Method;
use serde_json::json;
use shop::Shop;

fn outbox_dir(s: &TestServer) -> PathBuf {
    s.ctx.data_dir("outbox")
}

/// The `.eml` files written so far, as text.
fn mails(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    let mut files: Vec<PathBuf> = entries
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|e| e == "eml"))
        .collect();
    files.sort();
    files
        .iter()
        .map(|p| std::fs::read_to_string(p).expect("a mail file is text"))
        .collect()
}

/// Waits until `dir` holds mails for which `done` holds.
async fn mails_until(dir: &Path, done: impl Fn(&[String]) -> bool) -> Vec<String> {
    for _ in 0..200 {
        let got = mails(dir);
        if done(&got) {
            return got;
        }
        tokio::time::sleep(Duration::from_millis(25)).await;
    }
    panic!("mails did not arrive: {:?}", mails(dir));
}

fn to(mail: &str, email: &str) -> bool {
    mail.lines()
        .any(|l| l.starts_with("To: ") && l.contains(email))
}

/// Decodes what lettre encoded (base64 or quoted-printable parts, encoded-word
/// subjects) well enough to search it: the raw text is searched as is, and each
/// base64 line is also decoded.
fn readable(mail: &str) -> String {
    use base64::Engine;
    let mut out = mail.to_owned();
    for line in mail.lines() {
        if let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(line.trim())
            && let Ok(text) = String::from_utf8(bytes)
        {
            out.push_str(&text);
        }
    }
    // Encoded-word subjects: =?utf-8?b?...?=
    for part in mail.split("=?utf-8?b?").skip(1) {
        if let Some(b64) = part.split("?=").next()
            && let Ok(bytes) = base64::engine::general_purpose::STANDARD.decode(b64)
        {
            out.push_str(&String::from_utf8_lossy(&bytes));
        }
    }
    out
}

#[tokio::test]
async fn a_registration_is_welcomed_once_in_its_language() {
    let s = server().await;
    let dir = outbox_dir(&s);
    let email = unique_email("welcome");
    let r = in_language(
        &s,
        "en",
        Method::POST,
        "/v1/auth/register",
        None,
        Some(&json!({"email": email, "password": PASSWORD, "name": "Kim <b>", "role": "buyer"})),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let got = mails_until(&dir, |m| m.iter().any(|m| to(m, &email))).await;
    let mail = got.iter().find(|m| to(m, &email)).unwrap();
    assert!(mail.contains("multipart/alternative"), "{mail}");
    assert!(mail.contains("text/plain") && mail.contains("text/html"));
    assert!(mail.contains("Message-ID: <shop-outbox-"), "{mail}");
    let text = readable(mail);
    assert!(text.contains("Welcome to ondol shop"), "{text}");
    assert!(text.contains("Kim &lt;b&gt;"), "escaped in HTML: {text}");

    // Korean by default; a refused registration sends nothing.
    let ko = unique_email("환영");
    let r = s
        .post(
            "/v1/auth/register",
            None,
            &json!({"email": ko, "password": PASSWORD, "name": "김민준"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let again = s
        .post(
            "/v1/auth/register",
            None,
            &json!({"email": ko, "password": PASSWORD, "name": "김민준"}),
        )
        .await;
    assert_error(&again, 409, "CONFLICT");
    let got = mails_until(&dir, |m| m.iter().any(|m| to(m, &ko))).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    let got_after = mails(&dir);
    assert_eq!(got.len(), got_after.len(), "nothing more was sent");
    assert_eq!(got_after.iter().filter(|m| to(m, &ko)).count(), 1);
    let mail = got_after.iter().find(|m| to(m, &ko)).unwrap();
    assert!(readable(mail).contains("환영합니다"), "{}", readable(mail));
}

#[tokio::test]
async fn a_paid_order_is_confirmed_once_however_often_it_is_reported() {
    let s = server().await;
    let dir = outbox_dir(&s);
    let seller = register(&s, "seller").await;
    let buyer = register(&s, "buyer").await;
    let p = product(
        &s,
        &seller,
        json!({"name": "머그", "price": 15.5, "currency": "USD", "stock_quantity": 5}),
    )
    .await["id"]
        .as_i64()
        .unwrap();
    let r = in_language(
        &s,
        "en",
        Method::POST,
        "/v1/orders",
        Some(&buyer.token),
        Some(&json!({"items": [{"product_id": p, "quantity": 2}], "shipping_address": address()})),
    )
    .await;
    assert_eq!(r.status, 201, "{}", r.body);
    let order = r.body["data"]["id"].as_i64().unwrap();
    let number = r.body["data"]["order_number"].as_str().unwrap().to_owned();
    // Placing the order sends nothing; the payment does.
    tokio::time::sleep(Duration::from_millis(300)).await;
    let confirmations = |m: &[String]| m.iter().filter(|m| readable(m).contains(&number)).count();
    assert_eq!(confirmations(&mails(&dir)), 0);

    // Reported five times at once, as a provider retrying would.
    let moved = join_all((0..5).map(|_| settle(&s, order, true))).await;
    assert_eq!(moved.iter().filter(|m| **m).count(), 1, "paid once");
    let got = mails_until(&dir, |m| confirmations(m) == 1).await;
    tokio::time::sleep(Duration::from_millis(300)).await;
    assert_eq!(confirmations(&mails(&dir)), 1, "one confirmation");
    let mail = got.iter().find(|m| readable(m).contains(&number)).unwrap();
    assert!(to(mail, &buyer.email));
    let text = readable(mail);
    assert!(
        text.contains(&format!("Order Confirmation - {number}")),
        "{text}"
    );
    assert!(text.contains("31.00 USD"), "{text}");
}

/// A free port on loopback (bound, then released for the server to take).
fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .expect("bind a free port")
        .local_addr()
        .expect("a bound address")
        .port()
}

/// aiosmtpd, writing what it receives into a maildir.
struct SmtpServer {
    child: tokio::process::Child,
}

impl SmtpServer {
    async fn start(port: u16, maildir: &Path) -> Self {
        let python = std::env::var("ONDOL_INTEROP_PYTHON")
            .expect("ONDOL_INTEROP_PYTHON names a Python with aiosmtpd (see .ci/run)");
        let child = tokio::process::Command::new(python)
            .args(["-m", "aiosmtpd", "-n", "-l"])
            .arg(format!("127.0.0.1:{port}"))
            .args(["-c", "aiosmtpd.handlers.Mailbox"])
            .arg(maildir)
            .kill_on_drop(true)
            .spawn()
            .expect("aiosmtpd starts");
        for _ in 0..100 {
            if tokio::net::TcpStream::connect(("127.0.0.1", port))
                .await
                .is_ok()
            {
                return Self { child };
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("aiosmtpd did not listen on {port}");
    }

    async fn stop(mut self) {
        let _ = self.child.kill().await;
    }
}

fn maildir_messages(maildir: &Path) -> Vec<String> {
    mails_in(&maildir.join("new"))
}

fn mails_in(dir: &Path) -> Vec<String> {
    let Ok(entries) = std::fs::read_dir(dir) else {
        return Vec::new();
    };
    entries
        .filter_map(Result::ok)
        .map(|e| std::fs::read_to_string(e.path()).expect("a delivered mail is text"))
        .collect()
}

#[tokio::test]
#[ignore = "needs aiosmtpd (ONDOL_INTEROP_PYTHON; CI installs it)"]
async fn smtp_delivers_later_once_when_the_server_was_down() {
    let port = free_port();
    let maildir = std::env::temp_dir().join(format!("ondol-maildir-{}", uuid_like()));
    let s = TestServer::start_with(
        Arc::new(Shop),
        &[
            ("ONDOL_SHOP_SMTP_URL", &format!("smtp://127.0.0.1:{port}")),
            ("ONDOL_SHOP_MAIL_FROM", "ondol shop <shop@ondol.test>"),
            ("ONDOL_SHOP_OUTBOX_RETRY_MS", "200"),
            ("ONDOL_SHOP_OUTBOX_POLL_MS", "50"),
        ],
    )
    .await;
    let mailer = s.ctx.mailer().expect("the mailer starts");

    // The server is down: the registration succeeds at once, the mail waits.
    let email = unique_email("smtp");
    let started = std::time::Instant::now();
    let r = s
        .post(
            "/v1/auth/register",
            None,
            &json!({"email": email, "password": PASSWORD, "name": "메일 수신자"}),
        )
        .await;
    assert_eq!(r.status, 201, "{}", r.body);
    assert!(
        started.elapsed() < Duration::from_secs(2),
        "not slowed down"
    );
    tokio::time::sleep(Duration::from_millis(700)).await;
    assert_eq!(mailer.pending().await.unwrap(), 1, "kept for a retry");
    assert!(
        !outbox_dir(&s).exists() || mails(&outbox_dir(&s)).is_empty(),
        "no file fallback"
    );

    // The server comes back: the mail is delivered, once.
    let smtp = SmtpServer::start(port, &maildir).await;
    for _ in 0..200 {
        if !maildir_messages(&maildir).is_empty() && mailer.pending().await.unwrap() == 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    tokio::time::sleep(Duration::from_millis(500)).await;
    let got = maildir_messages(&maildir);
    assert_eq!(got.len(), 1, "{got:?}");
    assert_eq!(mailer.pending().await.unwrap(), 0);
    let mail = &got[0];
    assert!(to(mail, &email), "{mail}");
    assert!(
        mail.contains("From: \"ondol shop\" <shop@ondol.test>")
            || mail.contains("From: ondol shop <shop@ondol.test>"),
        "{mail}"
    );
    assert!(readable(mail).contains("환영합니다"));
    smtp.stop().await;
    let _ = std::fs::remove_dir_all(&maildir);
}

fn uuid_like() -> String {
    format!(
        "{}-{}",
        std::process::id(),
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .expect("after 1970")
            .as_nanos()
    )
}
