//! Two `ondol serve chat` processes sharing PostgreSQL and Redis; one is killed
//! with SIGKILL in the middle of a burst of sends. Every message a client was told
//! was stored is in the history, every message a client received is in the history
//! (nothing shown that was never stored), nothing is stored twice, and presence is
//! right again within the lease: the partner sees the dead instance's user leave,
//! and come back.

use std::collections::HashSet;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use stomp::{Command as Stomp, Decoder, Frame, Item, Limits, Version};
use tokio_tungstenite::tungstenite::Message;

type Ws =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// Drops the test's schema, Redis keys and files, also when it fails.
struct Cleanup {
    db: String,
    schema: String,
    redis: String,
    prefix: String,
    dir: std::path::PathBuf,
}

impl Drop for Cleanup {
    fn drop(&mut self) {
        platform::testing::remove_test_storage(
            Some((self.db.clone(), self.schema.clone())),
            Some((self.redis.clone(), self.prefix.clone())),
        );
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

const SECRET: &str = "crash-test-secret-crash-test-secret-0123";

struct Instance {
    child: Child,
    base: String,
    port: u16,
}

impl Drop for Instance {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port")
}

async fn start(
    db: &str,
    schema: &str,
    redis: &str,
    prefix: &str,
    dir: &std::path::Path,
) -> Instance {
    let port = free_port();
    let child = Command::new(env!("CARGO_BIN_EXE_ondol"))
        .args(["serve", "chat"])
        .env("ONDOL_DATABASE_URL", db)
        .env("ONDOL_CHAT_SCHEMA", schema)
        .env("ONDOL_REDIS_URL", redis)
        .env("ONDOL_REDIS_PREFIX", prefix)
        .env("ONDOL_JWT_SECRET", SECRET)
        .env("ONDOL_CHAT_PORT", port.to_string())
        .env("ONDOL_CHAT_PRESENCE_LEASE_SECONDS", "3")
        .env("ONDOL_BCRYPT_COST", "4")
        .env("ONDOL_RATE_LIMITS", "off")
        .env("ONDOL_LOG", "warn")
        .env("ONDOL_DATA_DIR", dir)
        .stdout(Stdio::null())
        .stderr(Stdio::null())
        .spawn()
        .expect("ondol serve chat starts");
    let base = format!("http://127.0.0.1:{port}");
    let client = http_client();
    let started = Instant::now();
    while client
        .get(format!("{base}/ready"))
        .send()
        .await
        .map_or(true, |r| !r.status().is_success())
    {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "{base} never became ready"
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    Instance { child, base, port }
}

async fn post(base: &str, path: &str, token: Option<&str>, body: Value) -> (u16, Value) {
    let mut req = http_client().post(format!("{base}{path}")).json(&body);
    if let Some(t) = token {
        req = req.bearer_auth(t);
    }
    match req.send().await {
        Ok(r) => {
            let status = r.status().as_u16();
            (status, r.json().await.unwrap_or(Value::Null))
        }
        Err(_) => (0, Value::Null),
    }
}

async fn get(base: &str, path: &str, token: &str) -> Value {
    http_client()
        .get(format!("{base}{path}"))
        .bearer_auth(token)
        .send()
        .await
        .expect("the server answers")
        .json()
        .await
        .expect("a JSON body")
}

/// (token, user id) of a new account.
async fn account(base: &str, name: &str) -> (String, String) {
    let email = format!("{name}-{}@crash.example.com", std::process::id());
    let (status, _) = post(
        base,
        "/auth/signup",
        None,
        json!({"email": email, "password": "crash-pw-123", "name": name}),
    )
    .await;
    assert_eq!(status, 201);
    let (status, body) = post(
        base,
        "/auth/login",
        None,
        json!({"email": email, "password": "crash-pw-123"}),
    )
    .await;
    assert_eq!(status, 200, "{body}");
    (
        body["accessToken"].as_str().expect("a token").to_owned(),
        body["user"]["id"].as_str().expect("an id").to_owned(),
    )
}

/// A minimal STOMP subscriber to a room.
struct Listener {
    ws: Ws,
    buf: Vec<u8>,
    decoder: Decoder,
}

impl Listener {
    async fn join(port: u16, token: &str, room: &str) -> Self {
        let (ws, _) = tokio_tungstenite::connect_async(format!(
            "ws://127.0.0.1:{port}/ws/chat?token={token}"
        ))
        .await
        .expect("the WebSocket opens");
        let mut l = Self {
            ws,
            buf: Vec::new(),
            decoder: Decoder::new(Version::V1_2, Limits::default()),
        };
        l.send(Frame::new(Stomp::Connect).with("accept-version", "1.2"))
            .await;
        assert_eq!(l.frame().await.command, Stomp::Connected);
        l.send(
            Frame::new(Stomp::Subscribe)
                .with("id", "room")
                .with("destination", format!("/topic/couple/{room}"))
                .with("receipt", "r"),
        )
        .await;
        assert_eq!(l.frame().await.command, Stomp::Receipt);
        l
    }

    async fn send(&mut self, frame: Frame) {
        let bytes = stomp::encode(&frame, Version::V1_2);
        self.ws
            .send(Message::Text(
                String::from_utf8(bytes).expect("text").into(),
            ))
            .await
            .expect("the frame is sent");
    }

    async fn frame(&mut self) -> Frame {
        self.try_frame(Duration::from_secs(10))
            .await
            .expect("a frame within 10 s")
    }

    async fn try_frame(&mut self, wait: Duration) -> Option<Frame> {
        loop {
            if let Ok(Some((item, used))) = self.decoder.decode(&self.buf) {
                self.buf.drain(..used);
                if let Item::Frame(f) = item {
                    return Some(f);
                }
                continue;
            }
            match tokio::time::timeout(wait, self.ws.next()).await {
                Ok(Some(Ok(Message::Text(t)))) => self.buf.extend_from_slice(t.as_bytes()),
                Ok(Some(Ok(Message::Binary(b)))) => self.buf.extend_from_slice(&b),
                Ok(Some(Ok(_))) => {}
                _ => return None,
            }
        }
    }

    /// The next room message body, if one comes within `wait`.
    async fn next(&mut self, wait: Duration) -> Option<Value> {
        let f = self.try_frame(wait).await?;
        serde_json::from_slice(&f.body).ok()
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
#[ignore = "needs PostgreSQL + Redis (CI runs it)"]
async fn an_instance_killed_mid_burst_loses_nothing_shows_nothing_unstored_and_presence_recovers() {
    let db = std::env::var("ONDOL_TEST_DATABASE_URL").expect("ONDOL_TEST_DATABASE_URL");
    let redis = std::env::var("ONDOL_TEST_REDIS_URL").expect("ONDOL_TEST_REDIS_URL");
    let unique = format!("{}{}", std::process::id(), free_port());
    let schema = format!("crash_{unique}");
    let prefix = format!("crash:{unique}:");
    let dir = std::env::temp_dir().join(format!("ondol-crash-{unique}"));
    let _cleanup = Cleanup {
        db: db.clone(),
        schema: schema.clone(),
        redis: redis.clone(),
        prefix: prefix.clone(),
        dir: dir.clone(),
    };
    let mut doomed = start(&db, &schema, &redis, &prefix, &dir).await;
    let survivor = start(&db, &schema, &redis, &prefix, &dir).await;

    let (a, a_id) = account(&doomed.base, "a").await;
    let (b, _) = account(&survivor.base, "b").await;
    let (_, invite) = post(&doomed.base, "/couples/invite", Some(&a), json!({})).await;
    let code = invite["inviteCode"].as_str().expect("an invite code");
    let (_, joined) = post(
        &survivor.base,
        "/couples/join",
        Some(&b),
        json!({"inviteCode": code}),
    )
    .await;
    let room = joined["coupleId"].as_str().expect("a room").to_owned();

    // b listens on the survivor; a is connected to the doomed instance.
    let mut watcher = Listener::join(survivor.port, &b, &room).await;
    let _a_session = Listener::join(doomed.port, &a, &room).await;
    let room_view = get(&survivor.base, "/chat/room", &b).await;
    assert_eq!(room_view["partnerOnline"], true, "{room_view}");

    // The burst: a sends through the doomed instance, numbered by tempId; it is
    // killed partway through.
    let burst = {
        let base = doomed.base.clone();
        let (a, room) = (a.clone(), room.clone());
        tokio::spawn(async move {
            let mut acknowledged = Vec::new();
            for i in 0..400 {
                let (status, body) = post(
                    &base,
                    &format!("/chat/rooms/{room}/messages"),
                    Some(&a),
                    json!({"type": "TEXT", "content": format!("m{i}"), "tempId": format!("t{i}")}),
                )
                .await;
                if status == 201 {
                    acknowledged.push(body["id"].as_str().expect("an id").to_owned());
                } else if status == 0 {
                    break; // the instance is gone
                }
            }
            acknowledged
        })
    };
    tokio::time::sleep(Duration::from_millis(300)).await;
    doomed.child.kill().expect("SIGKILL");
    let _ = doomed.child.wait();
    let acknowledged = burst.await.expect("the burst ends");
    assert!(!acknowledged.is_empty(), "the kill came before any send");

    // Everything the watcher saw, until the dead instance's presence is reaped.
    let mut received = Vec::new();
    let mut left = false;
    let deadline = Instant::now() + Duration::from_secs(20);
    while Instant::now() < deadline && !left {
        let Some(body) = watcher.next(Duration::from_secs(1)).await else {
            continue;
        };
        if body["type"] == "SYSTEM" {
            left |= body["event"] == "USER_DISCONNECTED" && body["userId"] == a_id.as_str();
        } else if let Some(id) = body["id"].as_str() {
            received.push(id.to_owned());
        }
    }
    assert!(
        left,
        "the partner never saw a leave after the instance died"
    );
    let room_view = get(&survivor.base, "/chat/room", &b).await;
    assert_eq!(room_view["partnerOnline"], false, "{room_view}");

    // The whole history, newest page first.
    let mut stored: Vec<String> = Vec::new();
    let mut before: Option<String> = None;
    loop {
        let cursor = before
            .as_ref()
            .map(|b| format!("&before={b}"))
            .unwrap_or_default();
        let page = get(
            &survivor.base,
            &format!("/chat/rooms/{room}/messages?size=100{cursor}"),
            &b,
        )
        .await;
        let messages = page["messages"].as_array().expect("messages").clone();
        let Some(oldest) = messages.first() else {
            break;
        };
        before = oldest["id"].as_str().map(str::to_owned);
        stored.extend(
            messages
                .iter()
                .filter(|m| m["type"] != "SYSTEM")
                .filter_map(|m| m["id"].as_str().map(str::to_owned)),
        );
        if page["hasMore"] != true {
            break;
        }
    }
    eprintln!(
        "acknowledged {}, received live {}, stored {}",
        acknowledged.len(),
        received.len(),
        stored.len()
    );
    let unique: HashSet<&str> = stored.iter().map(String::as_str).collect();
    assert_eq!(unique.len(), stored.len(), "a message was stored twice");
    for id in &acknowledged {
        assert!(unique.contains(id.as_str()), "acknowledged {id} was lost");
    }
    for id in &received {
        assert!(
            unique.contains(id.as_str()),
            "{id} was shown but never stored"
        );
    }

    // a comes back through the survivor: b sees it.
    let _back = Listener::join(survivor.port, &a, &room).await;
    let mut joined_again = false;
    let deadline = Instant::now() + Duration::from_secs(10);
    while Instant::now() < deadline && !joined_again {
        if let Some(body) = watcher.next(Duration::from_secs(1)).await {
            joined_again = body["event"] == "USER_CONNECTED" && body["userId"] == a_id.as_str();
        }
    }
    assert!(joined_again, "the partner never saw a come back");

    drop(survivor);
}

/// A plain HTTP client (the process's TLS crypto chosen first, as reqwest needs).
fn http_client() -> reqwest::Client {
    platform::external::tls_ready();
    reqwest::Client::new()
}
