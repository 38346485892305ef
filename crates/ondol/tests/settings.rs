//! The binary refuses settings it does not know, naming the app and the key,
//! before it opens anything.

use std::process::{Command, Output};

fn ondol(args: &[&str], env: &[(&str, &str)], dir: &std::path::Path) -> Output {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_ondol"));
    cmd.args(args)
        .env("ONDOL_DATA_DIR", dir.join("data"))
        .env("ONDOL_LOG", "off");
    for (k, v) in env {
        cmd.env(k, v);
    }
    cmd.output().expect("the ondol binary runs")
}

/// A directory of its own for one test (each test removes it at its end).
fn scratch(name: &str) -> std::path::PathBuf {
    let dir = std::env::temp_dir().join(format!("ondol-cli-{}-{name}", std::process::id()));
    std::fs::create_dir_all(&dir).expect("a scratch directory");
    dir
}

#[test]
fn an_unknown_app_setting_stops_the_start_with_its_name() {
    let dir = scratch("file");
    let file = dir.join("ondol.toml");
    std::fs::write(&file, "[apps.delivery]\nport = 0\nlock_second = 30\n").unwrap();
    let out = ondol(
        &["serve", "delivery", "--config", file.to_str().unwrap()],
        &[],
        &dir,
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "started anyway: {stderr}");
    assert!(
        stderr.contains("[apps.delivery]: unknown setting `lock_second`"),
        "{stderr}"
    );
    assert!(
        stderr.contains("lock_seconds"),
        "the message lists the known keys: {stderr}"
    );
    assert!(
        !dir.join("data").join("delivery.db").exists(),
        "nothing was opened"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn an_unknown_app_variable_is_refused_too() {
    let dir = scratch("env");
    let out = ondol(
        &["migrate", "chat"],
        &[
            ("ONDOL_CHAT_HEARTBEAT_MS", "1000"),
            ("ONDOL_CHAT_HEARTBEAT", "1"),
        ],
        &dir,
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "migrated anyway: {stderr}");
    assert!(
        stderr.contains("unknown setting `heartbeat` (ONDOL_CHAT_HEARTBEAT)"),
        "{stderr}"
    );
    std::fs::remove_dir_all(&dir).unwrap();
}

#[test]
fn a_bad_value_names_its_key() {
    let dir = scratch("value");
    let out = ondol(
        &["migrate", "delivery"],
        &[("ONDOL_DELIVERY_LOCK_SECONDS", "five")],
        &dir,
    );
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success(), "migrated anyway: {stderr}");
    assert!(stderr.contains("apps.delivery.lock_seconds"), "{stderr}");
    std::fs::remove_dir_all(&dir).unwrap();
}
