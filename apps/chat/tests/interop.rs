//! Interoperability with real third-party STOMP clients: `stomp.py`'s WebSocket
//! connection and `@stomp/stompjs` under Node. Each client script signs up two
//! users, pairs them, connects with `?token=`, subscribes with receipts, sends,
//! receives, heart-beats and disconnects (see `interop/`).
//!
//! They need the clients installed, so they are ignored by a plain `cargo test`;
//! CI installs them (`.ci/run`) and runs these on SQLite and on PostgreSQL + Redis:
//!
//! ```sh
//! python3 -m venv target/interop/venv
//! target/interop/venv/bin/pip install -r apps/chat/interop/requirements.txt
//! mkdir -p target/interop/node && cp apps/chat/interop/package.json target/interop/node/
//! (cd target/interop/node && npm install)
//! ONDOL_INTEROP_PYTHON=target/interop/venv/bin/python \
//! ONDOL_INTEROP_NODE_PATH=target/interop/node/node_modules \
//!   cargo test -p ondol-chat --test interop -- --ignored
//! ```

mod common;

use std::path::PathBuf;
use std::time::Duration;

use common::*;

fn script(name: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("interop")
        .join(name)
}

fn required_env(name: &str) -> String {
    std::env::var(name).unwrap_or_else(|_| {
        panic!("{name} is not set: install the interop clients (see tests/interop.rs)")
    })
}

/// Runs a client against a fresh server (1 s heart-beats, so a short idle shows
/// them); fails with its output unless it exits 0.
async fn run_client(program: &str, args: &[String], env: &[(&str, String)]) {
    let s = server_with(&[("ONDOL_CHAT_HEARTBEAT_MS", "1000")]).await;
    let mut cmd = tokio::process::Command::new(program);
    cmd.args(args).arg(&s.base).kill_on_drop(true);
    for (k, v) in env {
        cmd.env(k, v);
    }
    let out = tokio::time::timeout(Duration::from_secs(90), cmd.output())
        .await
        .expect("the client finishes within 90 s")
        .unwrap_or_else(|e| panic!("{program} could not run: {e}"));
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(
        out.status.success(),
        "{program} failed ({}):\n{stdout}\n{stderr}",
        out.status
    );
    assert!(stdout.contains("interop ok"), "{stdout}\n{stderr}");
}

#[tokio::test]
#[ignore = "needs stomp.py (CI installs it)"]
async fn stomp_py_websocket_client() {
    let python = required_env("ONDOL_INTEROP_PYTHON");
    let script = script("stomp_py_client.py").display().to_string();
    run_client(&python, &[script], &[]).await;
}

#[tokio::test]
#[ignore = "needs Node and @stomp/stompjs (CI installs them)"]
async fn stompjs_client_under_node() {
    let node_path = required_env("ONDOL_INTEROP_NODE_PATH");
    let script = script("stompjs_client.js").display().to_string();
    run_client("node", &[script], &[("NODE_PATH", node_path)]).await;
}

async fn sockjs(transport: &str) {
    let node_path = required_env("ONDOL_INTEROP_NODE_PATH");
    let script = script("sockjs_client.js").display().to_string();
    run_client(
        "node",
        &[script, transport.to_owned()],
        &[("NODE_PATH", node_path)],
    )
    .await;
}

#[tokio::test]
#[ignore = "needs Node, sockjs-client and @stomp/stompjs (CI installs them)"]
async fn sockjs_client_over_websocket() {
    sockjs("websocket").await;
}

#[tokio::test]
#[ignore = "needs Node, sockjs-client and @stomp/stompjs (CI installs them)"]
async fn sockjs_client_over_xhr_streaming() {
    sockjs("xhr-streaming").await;
}

#[tokio::test]
#[ignore = "needs Node, sockjs-client and @stomp/stompjs (CI installs them)"]
async fn sockjs_client_over_xhr_polling() {
    sockjs("xhr-polling").await;
}
