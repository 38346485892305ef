//! What every app's scenarios share: the run's settings, the bare axum baseline
//! measured in the same run, ratios to it, the server's memory, and closed- and
//! open-loop runs of one request shape.

use std::net::SocketAddr;
use std::time::Duration;

use hyper::Method;

use crate::load::{self, Plan, Target};
use crate::stats::{Summary, rss_mib};

/// One benchmark run against a server on loopback.
pub struct Run {
    pub addr: SocketAddr,
    pub duration: Duration,
    pub server_pid: Option<u32>,
    /// Where `ondol-bench baseline` listens during the calibration run.
    pub baseline_addr: SocketAddr,
    /// Also run the read scenarios open loop at this total rate (req/s).
    pub rate: Option<f64>,
}

impl Run {
    pub fn ensure_loopback(&self) -> anyhow::Result<()> {
        anyhow::ensure!(
            self.addr.ip().is_loopback() && self.baseline_addr.ip().is_loopback(),
            "load is only ever sent to loopback"
        );
        Ok(())
    }

    /// Closed loop over `connections` for the run's duration.
    pub fn plan(&self, connections: usize) -> Plan {
        Plan::closed(connections, self.duration)
    }

    pub fn report_rss(&self, when: &str) {
        if let Some((peak, now)) = self.server_pid.and_then(rss_mib) {
            println!(
                "{:<28} server RSS {now:.0} MiB, peak {peak:.0} MiB",
                format!("[{when}]")
            );
        }
    }

    /// The server's memory at the start, then the baseline if `wanted`.
    pub async fn start(&self, wanted: bool) -> anyhow::Result<Option<f64>> {
        self.report_rss("start");
        Ok(if wanted {
            Some(self.baseline().await?)
        } else {
            None
        })
    }

    /// `ondol-bench baseline` in its own process, loaded like the scenarios: its
    /// requests per second.
    pub async fn baseline(&self) -> anyhow::Result<f64> {
        let exe = std::env::current_exe()?;
        let mut child = tokio::process::Command::new(exe)
            .args([
                "baseline",
                "--addr",
                &self.baseline_addr.to_string(),
                "--seconds",
                &(self.duration.as_secs() + 5).to_string(),
            ])
            .stdout(std::process::Stdio::null())
            .kill_on_drop(true)
            .spawn()?;
        tokio::time::sleep(Duration::from_millis(300)).await;
        let t = target(self.baseline_addr, Method::GET, "/health".into(), None);
        let s = load::run(load::fixed(t), &self.plan(64)).await?;
        s.print("bare axum /health c=64");
        child.kill().await.ok();
        Ok(s.rps())
    }

    /// Closed loop at 64 connections, then (with `rate`) open loop at that rate.
    pub async fn closed_and_paced(
        &self,
        make: load::MakeRequest,
        label: &str,
        base: Option<f64>,
    ) -> anyhow::Result<()> {
        let summary = load::run(make.clone(), &self.plan(64)).await?;
        summary.print(&format!("{label} c=64"));
        ratio(&summary, base, "req");
        if let Some(rate) = self.rate {
            let paced = Plan {
                rate: Some(rate),
                ..self.plan(64)
            };
            load::run(make, &paced)
                .await?
                .print(&format!("{label} c=64 @{rate}/s"));
        }
        Ok(())
    }
}

/// The keys `app`'s server signs tokens with (its own secret, else the shared
/// one), so that a benchmark mints tokens for generated users without logins.
pub fn signing_keys(
    config: &platform::config::Config,
    app: &'static str,
    ttl: Duration,
) -> anyhow::Result<platform::auth::JwtKeys> {
    let secret = config
        .app(app)
        .platform()?
        .jwt_secret
        .unwrap_or_else(|| config.jwt_secret.clone());
    Ok(platform::auth::JwtKeys::new(&secret, ttl, app))
}

pub fn target(addr: SocketAddr, method: Method, path: String, token: Option<&str>) -> Target {
    Target {
        addr,
        method,
        path,
        token: token.map(str::to_owned),
        body: None,
        headers: Vec::new(),
    }
}

/// A summary's throughput as a share of the baseline's.
pub fn ratio(s: &Summary, baseline: Option<f64>, what: &str) {
    if let Some(b) = baseline.filter(|b| *b > 0.0) {
        println!(
            "{:<28} {:.3} of bare axum ({:.0} {what}/s against {b:.0} req/s)",
            "",
            s.rps() / b,
            s.rps()
        );
    }
}
