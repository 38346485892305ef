//! `ondol user add|list|set-role|disable` as an operator runs them.

use std::io::Write;
use std::process::{Command, Output, Stdio};

fn ondol(dir: &std::path::Path, args: &[&str], stdin: Option<&str>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_ondol"))
        .args(args)
        .env("ONDOL_DATA_DIR", dir)
        .env("ONDOL_BCRYPT_COST", "4")
        .env("ONDOL_LOG", "off")
        .env_remove("ONDOL_DATABASE_URL")
        .env_remove("ONDOL_REDIS_URL")
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("the ondol binary runs");
    if let Some(input) = stdin {
        child
            .stdin
            .take()
            .expect("stdin is piped")
            .write_all(input.as_bytes())
            .expect("the password is written");
    }
    child.wait_with_output().expect("ondol finishes")
}

fn text(out: &Output) -> String {
    format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    )
}

#[test]
fn users_are_added_once_listed_demoted_and_disabled() {
    let dir = std::env::temp_dir().join(format!("ondol-users-{}", uuid_like()));
    let add = [
        "user",
        "add",
        "delivery",
        "kim",
        "--department",
        "CS",
        "--role",
        "ADMIN",
        "--password-stdin",
    ];
    let out = ondol(&dir, &add, Some("s3cret-pw\n"));
    assert!(out.status.success(), "{}", text(&out));
    let again = ondol(&dir, &add, Some("other-pw\n"));
    assert!(!again.status.success(), "an existing login is refused");
    assert!(text(&again).contains("already exists"), "{}", text(&again));

    let out = ondol(&dir, &["user", "set-role", "delivery", "kim", "USER"], None);
    assert!(out.status.success(), "{}", text(&out));
    let out = ondol(&dir, &["user", "set-role", "delivery", "kim", "KING"], None);
    assert!(
        !out.status.success(),
        "an unknown role is refused: {}",
        text(&out)
    );
    let out = ondol(
        &dir,
        &["user", "set-role", "delivery", "nobody", "USER"],
        None,
    );
    assert!(text(&out).contains("no user nobody"), "{}", text(&out));
    let out = ondol(&dir, &["user", "disable", "delivery", "kim"], None);
    assert!(out.status.success(), "{}", text(&out));

    let out = ondol(&dir, &["user", "list", "delivery"], None);
    let listed = text(&out);
    let line = listed
        .lines()
        .find(|l| l.starts_with("kim "))
        .unwrap_or_else(|| panic!("kim is listed: {listed}"));
    assert!(line.contains("USER") && line.contains("disabled"), "{line}");

    let out = ondol(&dir, &["user", "set-role", "chat", "a@b.co", "ADMIN"], None);
    assert!(text(&out).contains("chat has no roles"), "{}", text(&out));
    std::fs::remove_dir_all(&dir).unwrap();
}

fn uuid_like() -> String {
    let t = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap();
    format!("{}-{}", std::process::id(), t.as_nanos())
}
