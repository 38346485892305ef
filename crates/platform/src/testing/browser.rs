//! Headless Chromium driven over the DevTools protocol, for tests of the pages
//! ondol serves (a checkout, a room): open a URL, run script in the page as a
//! user's clicks and keystrokes would, wait for what the page shows, and take a
//! screenshot to look at.
//!
//! Chromium runs with background networking off and a fresh profile, so a page
//! has nothing but the test server to load from.

use std::path::{Path, PathBuf};
use std::time::Duration;

use base64::Engine;
use futures_util::{SinkExt, StreamExt};
use serde_json::{Value, json};
use tokio_tungstenite::tungstenite::Message;

use super::WsStream;

pub struct Browser {
    child: tokio::process::Child,
    ws: WsStream,
    next_id: u64,
    profile: PathBuf,
}

impl Browser {
    /// Starts `executable` (Chromium) with a profile under `dir`, a window of
    /// `width`×`height`.
    pub async fn start(executable: &str, dir: &Path, width: u32, height: u32) -> Self {
        crate::external::tls_ready();
        let profile = dir.join(format!("browser-{}", uuid::Uuid::new_v4().simple()));
        std::fs::create_dir_all(&profile).expect("the browser profile directory is created");
        let child = tokio::process::Command::new(executable)
            .args([
                "--headless",
                "--no-sandbox",
                "--disable-gpu",
                "--disable-quic",
                "--no-first-run",
                "--disable-background-networking",
                "--disable-component-update",
                "--disable-sync",
                "--hide-scrollbars",
                "--remote-debugging-port=0",
            ])
            .arg(format!("--window-size={width},{height}"))
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg("about:blank")
            .stdout(std::process::Stdio::null())
            .stderr(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()
            .unwrap_or_else(|e| panic!("cannot run {executable}: {e}"));
        // Chromium writes the port it chose into the profile.
        let port_file = profile.join("DevToolsActivePort");
        let mut port = None;
        for _ in 0..300 {
            if let Ok(text) = std::fs::read_to_string(&port_file)
                && let Some(p) = text
                    .lines()
                    .next()
                    .and_then(|l| l.trim().parse::<u16>().ok())
            {
                port = Some(p);
                break;
            }
            tokio::time::sleep(Duration::from_millis(100)).await;
        }
        let port = port.expect("Chromium opens its DevTools port within 30 s");
        let targets: Value = reqwest::Client::new()
            .get(format!("http://127.0.0.1:{port}/json/list"))
            .send()
            .await
            .expect("DevTools lists its targets")
            .json()
            .await
            .expect("the target list is JSON");
        let ws_url = targets
            .as_array()
            .and_then(|t| t.iter().find(|t| t["type"] == "page"))
            .and_then(|t| t["webSocketDebuggerUrl"].as_str())
            .expect("Chromium has a page")
            .to_owned();
        let (ws, _) = tokio_tungstenite::connect_async(ws_url)
            .await
            .expect("the DevTools socket opens");
        Self {
            child,
            ws,
            next_id: 0,
            profile,
        }
    }

    /// Sends a DevTools command and returns its result.
    pub async fn call(&mut self, method: &str, params: Value) -> Value {
        self.next_id += 1;
        let id = self.next_id;
        let msg = json!({"id": id, "method": method, "params": params}).to_string();
        self.ws
            .send(Message::text(msg))
            .await
            .expect("the DevTools socket takes a command");
        loop {
            let frame = tokio::time::timeout(Duration::from_secs(30), self.ws.next())
                .await
                .unwrap_or_else(|_| panic!("{method} answered within 30 s"))
                .expect("the DevTools socket stays open")
                .expect("a DevTools frame");
            let Message::Text(text) = frame else { continue };
            let v: Value = serde_json::from_str(&text).expect("DevTools speaks JSON");
            if v["id"] == id {
                if let Some(e) = v.get("error") {
                    panic!("{method} failed: {e}");
                }
                return v["result"].clone();
            }
        }
    }

    /// Opens `url` and waits until it has loaded.
    pub async fn open(&mut self, url: &str) {
        self.call("Page.enable", json!({})).await;
        self.call("Page.navigate", json!({"url": url})).await;
        self.wait_for("document.readyState === 'complete'").await;
    }

    /// Runs `script` in the page (awaiting a promise) and returns its value.
    pub async fn eval(&mut self, script: &str) -> Value {
        let r = self
            .call(
                "Runtime.evaluate",
                json!({"expression": script, "awaitPromise": true, "returnByValue": true}),
            )
            .await;
        if let Some(e) = r.get("exceptionDetails") {
            panic!("{script} threw: {e}");
        }
        r["result"]["value"].clone()
    }

    /// Waits until `condition` (a script) is true in the page.
    pub async fn wait_for(&mut self, condition: &str) {
        for _ in 0..200 {
            if self.eval(&format!("!!({condition})")).await == json!(true) {
                return;
            }
            tokio::time::sleep(Duration::from_millis(50)).await;
        }
        panic!("the page never showed {condition}");
    }

    /// Types `text` into the element `selector` as a user would: focus, then
    /// one `input` event per character.
    pub async fn type_into(&mut self, selector: &str, text: &str) {
        let sel = serde_json::to_string(selector).expect("a string is JSON");
        self.eval(&format!("document.querySelector({sel}).focus(); ''"))
            .await;
        self.call("Input.insertText", json!({"text": text})).await;
    }

    /// Clicks the element `selector`.
    pub async fn click(&mut self, selector: &str) {
        let sel = serde_json::to_string(selector).expect("a string is JSON");
        self.eval(&format!("document.querySelector({sel}).click(); ''"))
            .await;
    }

    /// Saves a PNG of the page as it is now.
    pub async fn screenshot(&mut self, path: &Path) {
        let r = self
            .call("Page.captureScreenshot", json!({"format": "png"}))
            .await;
        let png = base64::engine::general_purpose::STANDARD
            .decode(r["data"].as_str().expect("a screenshot"))
            .expect("the screenshot is base64");
        if let Some(dir) = path.parent() {
            std::fs::create_dir_all(dir).expect("the screenshot directory is created");
        }
        std::fs::write(path, png).expect("the screenshot is written");
    }

    pub async fn close(mut self) {
        let _ = self.child.kill().await;
        let _ = std::fs::remove_dir_all(&self.profile);
    }
}
