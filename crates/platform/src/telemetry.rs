//! Logs and metrics. Logs are JSON lines (or pretty for humans) carrying the request
//! id and matched route; metrics are kept in process and served as Prometheus text.

use std::collections::HashMap;
use std::fmt::Write as _;
use std::sync::atomic::{AtomicI64, AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tracing_subscriber::EnvFilter;

use crate::config::{Config, LogFormat};

/// Installs the global subscriber once; later calls (tests) are no-ops.
pub fn init_logging(config: &Config) {
    let filter = EnvFilter::try_new(&config.log).unwrap_or_else(|_| EnvFilter::new("info"));
    let builder = tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr);
    let _ = match config.log_format {
        LogFormat::Json => builder
            .json()
            .flatten_event(true)
            .with_current_span(false)
            .try_init(),
        // Colours only for a terminal, never into a redirected file.
        LogFormat::Pretty => builder
            .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
            .try_init(),
    };
}

/// Upper bounds (seconds) of the latency histogram buckets.
const BUCKETS: [f64; 12] = [
    0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 5.0,
];

#[derive(Default)]
struct Histogram {
    counts: [u64; BUCKETS.len()],
    count: u64,
    sum: f64,
}

/// Counts and latencies of one route.
#[derive(Default)]
struct RouteStats {
    /// `(method, status, count)`: a handful per route, so a vector beats a map.
    counts: Vec<(&'static str, u16, u64)>,
    latency: Histogram,
}

#[derive(Default)]
struct Inner {
    routes: Mutex<HashMap<String, RouteStats>>,
    websockets: AtomicI64,
    realtime: AtomicU64,
}

/// One app's metrics registry. Cheap to clone.
#[derive(Clone, Default)]
pub struct Metrics {
    inner: Arc<Inner>,
}

impl Metrics {
    pub fn record_request(
        &self,
        route: &str,
        method: &'static str,
        status: u16,
        elapsed: Duration,
    ) {
        let secs = elapsed.as_secs_f64();
        let mut routes = self.inner.routes.lock().expect("metrics lock poisoned");
        // Look up by &str first: no allocation once a route has been seen.
        let stats = match routes.get_mut(route) {
            Some(s) => s,
            None => routes.entry(route.to_owned()).or_default(),
        };
        match stats
            .counts
            .iter_mut()
            .find(|(m, s, _)| *m == method && *s == status)
        {
            Some((_, _, n)) => *n += 1,
            None => stats.counts.push((method, status, 1)),
        }
        let h = &mut stats.latency;
        h.count += 1;
        h.sum += secs;
        if let Some(i) = BUCKETS.iter().position(|b| secs <= *b) {
            h.counts[i] += 1;
        }
    }

    pub fn websocket_opened(&self) {
        self.inner.websockets.fetch_add(1, Ordering::Relaxed);
    }

    pub fn websocket_closed(&self) {
        self.inner.websockets.fetch_sub(1, Ordering::Relaxed);
    }

    pub fn open_websockets(&self) -> i64 {
        self.inner.websockets.load(Ordering::Relaxed)
    }

    pub fn realtime_delivered(&self, n: u64) {
        self.inner.realtime.fetch_add(n, Ordering::Relaxed);
    }

    /// Prometheus text exposition format.
    pub fn render(&self, app: &str) -> String {
        let mut out = String::new();
        out.push_str(
            "# HELP ondol_http_requests_total HTTP requests by route, method and status.\n",
        );
        out.push_str("# TYPE ondol_http_requests_total counter\n");
        let routes = self.inner.routes.lock().expect("metrics lock poisoned");
        let mut by_route: Vec<(&String, &RouteStats)> = routes.iter().collect();
        by_route.sort_by(|a, b| a.0.cmp(b.0));
        for (route, stats) in &by_route {
            let mut counts = stats.counts.clone();
            counts.sort();
            for (method, status, n) in counts {
                let _ = writeln!(
                    out,
                    "ondol_http_requests_total{{app=\"{app}\",route=\"{}\",method=\"{method}\",status=\"{status}\"}} {n}",
                    escape(route)
                );
            }
        }
        out.push_str("# HELP ondol_http_request_duration_seconds HTTP request latency by route.\n");
        out.push_str("# TYPE ondol_http_request_duration_seconds histogram\n");
        {
            for (route, stats) in &by_route {
                let h = &stats.latency;
                let route = escape(route);
                let mut cumulative = 0;
                for (i, bound) in BUCKETS.iter().enumerate() {
                    cumulative += h.counts[i];
                    let _ = writeln!(
                        out,
                        "ondol_http_request_duration_seconds_bucket{{app=\"{app}\",route=\"{route}\",le=\"{bound}\"}} {cumulative}"
                    );
                }
                let _ = writeln!(
                    out,
                    "ondol_http_request_duration_seconds_bucket{{app=\"{app}\",route=\"{route}\",le=\"+Inf\"}} {}",
                    h.count
                );
                let _ = writeln!(
                    out,
                    "ondol_http_request_duration_seconds_sum{{app=\"{app}\",route=\"{route}\"}} {}",
                    h.sum
                );
                let _ = writeln!(
                    out,
                    "ondol_http_request_duration_seconds_count{{app=\"{app}\",route=\"{route}\"}} {}",
                    h.count
                );
            }
        }
        drop(routes);
        let _ = writeln!(
            out,
            "# HELP ondol_websocket_connections Open WebSocket connections.\n# TYPE ondol_websocket_connections gauge\nondol_websocket_connections{{app=\"{app}\"}} {}",
            self.open_websockets()
        );
        let _ = writeln!(
            out,
            "# HELP ondol_realtime_messages_total Realtime messages handed to subscribers.\n# TYPE ondol_realtime_messages_total counter\nondol_realtime_messages_total{{app=\"{app}\"}} {}",
            self.inner.realtime.load(Ordering::Relaxed)
        );
        out
    }
}

fn escape(label: &str) -> String {
    label
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_counters_and_cumulative_buckets() {
        let m = Metrics::default();
        m.record_request("/x/{id}", "GET", 200, Duration::from_micros(300));
        m.record_request("/x/{id}", "GET", 200, Duration::from_millis(30));
        m.websocket_opened();
        let text = m.render("alpha");
        assert!(text.contains(
            "ondol_http_requests_total{app=\"alpha\",route=\"/x/{id}\",method=\"GET\",status=\"200\"} 2"
        ));
        assert!(text.contains("le=\"0.0005\"} 1"));
        assert!(text.contains("le=\"+Inf\"} 2"));
        assert!(text.contains("ondol_websocket_connections{app=\"alpha\"} 1"));
    }
}
