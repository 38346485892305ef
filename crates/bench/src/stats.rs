//! Latency samples and their summary.

use std::collections::BTreeMap;
use std::time::Duration;

#[derive(Default)]
pub struct Samples {
    micros: Vec<u32>,
    pub errors: u64,
    /// The first error seen, to tell what went wrong.
    pub first_error: Option<String>,
    /// Answers by HTTP status.
    pub statuses: BTreeMap<u16, u64>,
}

impl Samples {
    pub fn status(&mut self, status: u16) {
        *self.statuses.entry(status).or_default() += 1;
    }

    pub fn record(&mut self, d: Duration) {
        self.micros.push(d.as_micros().min(u32::MAX as u128) as u32);
    }

    /// Remembers an error's description; returns `false` (not a success).
    pub fn note(&mut self, what: String) -> bool {
        self.first_error.get_or_insert(what);
        false
    }

    pub fn merge(&mut self, other: Samples) {
        self.micros.extend(other.micros);
        self.errors += other.errors;
        for (status, n) in other.statuses {
            *self.statuses.entry(status).or_default() += n;
        }
        if self.first_error.is_none() {
            self.first_error = other.first_error;
        }
    }

    pub fn summary(mut self, elapsed: Duration) -> Summary {
        self.micros.sort_unstable();
        let pick = |q: f64| -> f64 {
            if self.micros.is_empty() {
                return 0.0;
            }
            let i = ((self.micros.len() as f64 - 1.0) * q).round() as usize;
            self.micros[i] as f64 / 1000.0
        };
        Summary {
            requests: self.micros.len() as u64,
            errors: self.errors,
            elapsed,
            p50_ms: pick(0.50),
            p99_ms: pick(0.99),
            max_ms: self.micros.last().map_or(0.0, |m| *m as f64 / 1000.0),
            first_error: self.first_error,
            statuses: self.statuses,
        }
    }
}

pub struct Summary {
    pub requests: u64,
    pub errors: u64,
    pub elapsed: Duration,
    pub p50_ms: f64,
    pub p99_ms: f64,
    pub max_ms: f64,
    pub first_error: Option<String>,
    pub statuses: BTreeMap<u16, u64>,
}

impl Summary {
    /// Answers with this status.
    pub fn count(&self, status: u16) -> u64 {
        self.statuses.get(&status).copied().unwrap_or(0)
    }

    pub fn rps(&self) -> f64 {
        self.requests as f64 / self.elapsed.as_secs_f64().max(1e-9)
    }

    pub fn print(&self, label: &str) {
        println!(
            "{label:<28} {:>9} req  {:>10.0} req/s  p50 {:>8.2} ms  p99 {:>8.2} ms  max {:>8.2} ms  errors {}",
            self.requests,
            self.rps(),
            self.p50_ms,
            self.p99_ms,
            self.max_ms,
            self.errors
        );
        if self.statuses.keys().any(|s| !(200..300).contains(s)) {
            let all: Vec<String> = self
                .statuses
                .iter()
                .map(|(s, n)| format!("{s}: {n}"))
                .collect();
            println!("{:<28} statuses {}", "", all.join(", "));
        }
        if let Some(e) = &self.first_error {
            println!("{:<28} first error: {e}", "");
        }
    }
}

/// Peak and current resident memory of a process, from /proc (Linux).
pub fn rss_mib(pid: u32) -> Option<(f64, f64)> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    let field = |name: &str| {
        status
            .lines()
            .find(|l| l.starts_with(name))
            .and_then(|l| l.split_whitespace().nth(1))
            .and_then(|v| v.parse::<f64>().ok())
            .map(|kib| kib / 1024.0)
    };
    Some((field("VmHWM:")?, field("VmRSS:")?))
}
