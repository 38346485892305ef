//! Logs written to a file or a pipe carry no terminal colour codes, also in the
//! `pretty` format.

use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

#[test]
fn pretty_logs_into_a_pipe_have_no_colour_codes() {
    let port = std::net::TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free port");
    let dir = std::env::temp_dir().join(format!("ondol-logs-{}-{port}", std::process::id()));
    let child = Command::new(env!("CARGO_BIN_EXE_ondol"))
        .args(["serve", "delivery"])
        .env("ONDOL_DATA_DIR", &dir)
        .env("ONDOL_DELIVERY_PORT", port.to_string())
        .env("ONDOL_LOG", "info")
        .env("ONDOL_LOG_FORMAT", "pretty")
        .env_remove("ONDOL_DATABASE_URL")
        .env_remove("ONDOL_REDIS_URL")
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("ondol serve starts");
    let started = Instant::now();
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            started.elapsed() < Duration::from_secs(30),
            "never listened"
        );
        std::thread::sleep(Duration::from_millis(50));
    }
    let killed = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .expect("kill runs");
    assert!(killed.success());
    let out = child.wait_with_output().expect("ondol stops");
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("shutting down"), "{stderr}");
    assert!(
        !stderr.contains('\u{1b}'),
        "colour codes in a pipe: {stderr:?}"
    );
    let _ = std::fs::remove_dir_all(&dir);
}
