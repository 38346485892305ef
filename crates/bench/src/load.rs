//! A closed-loop HTTP/1.1 load generator: `connections` keep-alive connections, each
//! sending its next request when the previous answer is read, until the deadline or
//! the request budget, whichever comes first.

use std::net::SocketAddr;
use std::sync::Arc;
use std::time::{Duration, Instant};

use bytes::Bytes;
use http_body_util::{BodyExt, Full};
use hyper::Request;
use hyper_util::rt::TokioIo;
use tokio::net::TcpStream;

use crate::stats::{Samples, Summary};

#[derive(Clone)]
pub struct Target {
    pub addr: SocketAddr,
    pub method: hyper::Method,
    pub path: String,
    pub token: Option<String>,
    pub body: Option<Bytes>,
    /// Further request headers (a webhook's signature).
    pub headers: Vec<(&'static str, String)>,
}

/// Builds the request of one iteration (`i` counts per connection).
pub type MakeRequest = Arc<dyn Fn(usize, usize) -> Target + Send + Sync>;

pub struct Plan {
    pub connections: usize,
    pub duration: Duration,
    /// Requests per connection at most (`usize::MAX`: time-bound only).
    pub max_per_connection: usize,
    pub warmup: Duration,
    /// Open loop at this many requests/s in total (spread over the connections), with
    /// latency counted from each request's scheduled time, so a stall is not hidden
    /// by the requests it delayed. `None`: closed loop, as fast as answers come.
    pub rate: Option<f64>,
    /// Statuses besides 2xx that are expected answers, not errors (a 409 when a
    /// hot product has sold out); every status is counted either way.
    pub also_ok: &'static [u16],
}

impl Plan {
    /// Closed loop over `connections` for `duration`, after a one-second warm-up.
    pub fn closed(connections: usize, duration: Duration) -> Self {
        Self {
            connections,
            duration,
            max_per_connection: usize::MAX,
            warmup: Duration::from_secs(1),
            rate: None,
            also_ok: &[],
        }
    }
}

pub fn fixed(target: Target) -> MakeRequest {
    Arc::new(move |_, _| target.clone())
}

fn request(t: &Target) -> Request<Full<Bytes>> {
    let mut b = Request::builder()
        .method(t.method.clone())
        .uri(&t.path)
        .header("host", "127.0.0.1");
    if let Some(token) = &t.token {
        b = b.header("authorization", format!("Bearer {token}"));
    }
    if t.body.is_some() {
        b = b.header("content-type", "application/json");
    }
    for (name, value) in &t.headers {
        b = b.header(*name, value);
    }
    b.body(Full::new(t.body.clone().unwrap_or_default()))
        .expect("a request from valid parts")
}

async fn connect(
    addr: SocketAddr,
) -> anyhow::Result<hyper::client::conn::http1::SendRequest<Full<Bytes>>> {
    let stream = TcpStream::connect(addr).await?;
    stream.set_nodelay(true)?;
    let (sender, conn) = hyper::client::conn::http1::handshake(TokioIo::new(stream)).await?;
    tokio::spawn(async move {
        let _ = conn.await;
    });
    Ok(sender)
}

/// Runs the plan; 2xx answers are successes, anything else an error.
pub async fn run(make: MakeRequest, plan: &Plan) -> anyhow::Result<Summary> {
    if !plan.warmup.is_zero() {
        let warm = Plan {
            connections: plan.connections,
            duration: plan.warmup,
            max_per_connection: plan.max_per_connection,
            warmup: Duration::ZERO,
            rate: plan.rate,
            also_ok: plan.also_ok,
        };
        Box::pin(run(make.clone(), &warm)).await?;
    }
    let start = Instant::now();
    let deadline = start + plan.duration;
    let mut tasks = Vec::new();
    let interval = plan
        .rate
        .map(|r| Duration::from_secs_f64(plan.connections as f64 / r.max(0.001)));
    for c in 0..plan.connections {
        let make = make.clone();
        let max = plan.max_per_connection;
        let also_ok = plan.also_ok;
        // Stagger the connections' schedules across one interval.
        let offset = interval.map(|i| i.mul_f64(c as f64 / plan.connections as f64));
        tasks.push(tokio::spawn(async move {
            let mut samples = Samples::default();
            let first = make(c, 0);
            let mut sender = match connect(first.addr).await {
                Ok(s) => s,
                Err(_) => {
                    samples.errors += 1;
                    return samples;
                }
            };
            let mut i = 0;
            while i < max && Instant::now() < deadline {
                let target = make(c, i);
                let t0 = match (interval, offset) {
                    (Some(every), Some(offset)) => {
                        let scheduled = start + offset + every.mul_f64(i as f64);
                        tokio::time::sleep_until(scheduled.into()).await;
                        scheduled
                    }
                    _ => Instant::now(),
                };
                i += 1;
                // The connection must be idle again before the next request.
                if sender.ready().await.is_err() {
                    match connect(target.addr).await {
                        Ok(s) => sender = s,
                        Err(e) => {
                            samples.errors += 1;
                            samples.note(format!("connect: {e}"));
                            tokio::time::sleep(Duration::from_millis(10)).await;
                            continue;
                        }
                    }
                }
                let ok = match sender.send_request(request(&target)).await {
                    Ok(resp) => {
                        let status = resp.status();
                        samples.status(status.as_u16());
                        let expected = status.is_success() || also_ok.contains(&status.as_u16());
                        match resp.into_body().collect().await {
                            Ok(_) if expected => true,
                            Ok(_) => samples.note(format!("HTTP {status}")),
                            Err(e) => samples.note(format!("body: {e}")),
                        }
                    }
                    Err(e) => samples.note(format!("send: {e}")),
                };
                if ok {
                    samples.record(t0.elapsed());
                } else {
                    samples.errors += 1;
                    match connect(target.addr).await {
                        Ok(s) => sender = s,
                        Err(_) => tokio::time::sleep(Duration::from_millis(10)).await,
                    }
                }
            }
            samples
        }));
    }
    let mut all = Samples::default();
    for t in tasks {
        all.merge(t.await?);
    }
    Ok(all.summary(start.elapsed()))
}

/// One request, its status and body (setup steps: login, look-ups).
pub async fn once(t: &Target) -> anyhow::Result<(u16, Bytes)> {
    let mut sender = connect(t.addr).await?;
    let resp = sender.send_request(request(t)).await?;
    let status = resp.status().as_u16();
    let body = resp.into_body().collect().await?.to_bytes();
    Ok((status, body))
}
