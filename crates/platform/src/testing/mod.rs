//! The test harness (feature `testing`): starts an app in process on `127.0.0.1:0`
//! against a fresh SQLite file, or, when `ONDOL_TEST_DATABASE_URL` /
//! `ONDOL_TEST_REDIS_URL` are set, a fresh PostgreSQL schema and a unique Redis key
//! prefix. Everything is removed when the last server using it is dropped, so tests
//! are independent and may run in parallel.

use std::net::SocketAddr;
use std::path::PathBuf;
use std::sync::Arc;

use reqwest::Method;
use reqwest::header::HeaderMap;
use serde_json::Value;
use tokio::net::TcpListener;
use tokio_util::sync::CancellationToken;

use crate::app::{App, AppContext};
use crate::config::Config;
use crate::server;

pub mod browser;
mod openapi;
mod sweep;
pub use sweep::fingerprint;

pub use tokio_tungstenite;

pub type WsStream =
    tokio_tungstenite::WebSocketStream<tokio_tungstenite::MaybeTlsStream<tokio::net::TcpStream>>;

/// An e-mail address no other test of this run uses: `{name}-{pid}-{n}@example.com`.
pub fn unique_email(name: &str) -> String {
    use std::sync::atomic::{AtomicU64, Ordering};
    static N: AtomicU64 = AtomicU64::new(0);
    format!(
        "{name}-{}-{}@example.com",
        std::process::id(),
        N.fetch_add(1, Ordering::Relaxed)
    )
}

/// PostgreSQL URL for tests, if this run uses PostgreSQL.
pub fn test_database_url() -> Option<String> {
    std::env::var("ONDOL_TEST_DATABASE_URL")
        .ok()
        .filter(|s| !s.is_empty())
}

/// Redis URL for tests, if this run uses Redis.
pub fn test_redis_url() -> Option<String> {
    std::env::var("ONDOL_TEST_REDIS_URL")
        .ok()
        .filter(|s| !s.is_empty())
}

/// For tests of several instances: fails (never skips) unless this run has both
/// PostgreSQL and Redis.
pub fn require_shared_backends() {
    assert!(
        test_database_url().is_some() && test_redis_url().is_some(),
        "multi-instance tests need ONDOL_TEST_DATABASE_URL and ONDOL_TEST_REDIS_URL"
    );
}

struct Storage {
    dir: PathBuf,
    /// The variables the first instance was configured with.
    env: Vec<(String, String)>,
    postgres: Option<(String, String)>,
    redis: Option<(String, String)>,
}

impl Drop for Storage {
    fn drop(&mut self) {
        remove_test_storage(self.postgres.take(), self.redis.take());
        let _ = std::fs::remove_dir_all(&self.dir);
    }
}

/// Drops a test's PostgreSQL schema (`(url, schema)`) and Redis keys (`(url,
/// prefix)`), from a destructor too: on a thread and runtime of its own.
pub fn remove_test_storage(postgres: Option<(String, String)>, redis: Option<(String, String)>) {
    let _ = std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("a current-thread runtime can always be built");
        rt.block_on(async {
            if let Some((url, schema)) = postgres {
                use sqlx::Connection;
                if let Ok(mut c) = sqlx::PgConnection::connect(&url).await {
                    let _ = sqlx::query(&format!("DROP SCHEMA IF EXISTS \"{schema}\" CASCADE"))
                        .execute(&mut c)
                        .await;
                }
            }
            if let Some((url, prefix)) = redis
                && let Ok(client) = redis::Client::open(url)
                && let Ok(mut conn) = client.get_multiplexed_async_connection().await
            {
                let keys: Vec<String> = redis::cmd("KEYS")
                    .arg(format!("{prefix}*"))
                    .query_async(&mut conn)
                    .await
                    .unwrap_or_default();
                if !keys.is_empty() {
                    let _: Result<i64, _> =
                        redis::cmd("DEL").arg(keys).query_async(&mut conn).await;
                }
            }
        });
    })
    .join();
}

/// An app running in this process for one test.
pub struct TestServer {
    pub base: String,
    pub addr: SocketAddr,
    pub ctx: AppContext,
    pub client: reqwest::Client,
    app: Arc<dyn App>,
    config: Arc<Config>,
    shutdown: CancellationToken,
    task: Option<tokio::task::JoinHandle<std::io::Result<()>>>,
    _storage: Arc<Storage>,
}

/// A response, with the body parsed as JSON when it is JSON.
#[derive(Debug)]
pub struct TestResponse {
    pub status: u16,
    pub headers: HeaderMap,
    pub body: Value,
    pub bytes: bytes::Bytes,
}

impl TestResponse {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }
}

impl TestServer {
    /// Starts `app` with test settings (bcrypt cost 4, rate limits off).
    pub async fn start(app: Arc<dyn App>) -> Self {
        Self::start_with(app, &[]).await
    }

    /// Starts `app`; `overrides` are `ONDOL_*` variables applied last.
    pub async fn start_with(app: Arc<dyn App>, overrides: &[(&str, &str)]) -> Self {
        Self::start_full(app, overrides, axum::Router::new()).await
    }

    /// Starts `app` with `extra` routes mounted inside the platform stack.
    pub async fn start_full(
        app: Arc<dyn App>,
        overrides: &[(&str, &str)],
        extra: axum::Router,
    ) -> Self {
        let (config, storage) = Self::prepare(app.as_ref(), overrides);
        Self::launch(app, config, storage, extra).await
    }

    /// Starts `n` instances of `app` at the same moment on one new database (and
    /// Redis prefix), as several processes of a fresh deployment would: creating
    /// the schema and migrating must be safe when they race.
    pub async fn start_together(app: Arc<dyn App>, n: usize) -> Vec<Self> {
        let (config, storage) = Self::prepare(app.as_ref(), &[]);
        futures_util::future::join_all((0..n).map(|_| {
            Self::launch(
                app.clone(),
                config.clone(),
                storage.clone(),
                axum::Router::new(),
            )
        }))
        .await
    }

    fn prepare(app: &dyn App, overrides: &[(&str, &str)]) -> (Arc<Config>, Arc<Storage>) {
        let unique = uuid::Uuid::new_v4().simple().to_string();
        let dir = std::env::temp_dir().join(format!("ondol-test-{unique}"));
        let app_name = app.manifest().name;
        let name = app_name.to_ascii_uppercase();
        let mut env: Vec<(String, String)> = vec![
            ("ONDOL_DATA_DIR".into(), dir.display().to_string()),
            ("ONDOL_BCRYPT_COST".into(), "4".into()),
            ("ONDOL_RATE_LIMITS".into(), "off".into()),
            (
                "ONDOL_LOG".into(),
                std::env::var("ONDOL_LOG").unwrap_or_else(|_| "warn".into()),
            ),
        ];
        let schema = format!("t_{unique}");
        let prefix = format!("test:{unique}:");
        let postgres = test_database_url().map(|url| {
            env.push(("ONDOL_DATABASE_URL".into(), url.clone()));
            env.push((format!("ONDOL_{name}_SCHEMA"), schema.clone()));
            (url, schema)
        });
        let redis = test_redis_url().map(|url| {
            env.push(("ONDOL_REDIS_URL".into(), url.clone()));
            env.push(("ONDOL_REDIS_PREFIX".into(), prefix.clone()));
            (url, prefix)
        });
        env.extend(
            overrides
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string())),
        );
        let config = Arc::new(
            Config::load_from(None, env.clone(), &[app_name]).expect("test configuration is valid"),
        );
        crate::telemetry::init_logging(&config);
        let storage = Arc::new(Storage {
            dir,
            env,
            postgres,
            redis,
        });
        (config, storage)
    }

    async fn launch(
        app: Arc<dyn App>,
        config: Arc<Config>,
        storage: Arc<Storage>,
        extra: axum::Router,
    ) -> Self {
        let shutdown = CancellationToken::new();
        let ctx = server::open(app.as_ref(), config.clone(), shutdown.clone())
            .await
            .unwrap_or_else(|e| panic!("test app failed to start: {e}"));
        let router = server::router_with(app.as_ref(), &ctx, extra).expect("test router builds");
        let listener = TcpListener::bind("127.0.0.1:0")
            .await
            .expect("bind 127.0.0.1:0");
        let addr = listener.local_addr().expect("bound socket has an address");
        let task = tokio::spawn(server::serve(listener, router, shutdown.clone()));
        Self {
            base: format!("http://{addr}"),
            addr,
            ctx,
            client: reqwest::Client::builder()
                .no_proxy()
                .build()
                .expect("reqwest client builds"),
            app,
            config,
            shutdown,
            task: Some(task),
            _storage: storage,
        }
    }

    /// A second instance on the same database and Redis (another "process").
    pub async fn peer(&self) -> Self {
        Self::launch(
            self.app.clone(),
            self.config.clone(),
            self._storage.clone(),
            axum::Router::new(),
        )
        .await
    }

    /// A second instance on the same database and Redis, configured as this one
    /// with `overrides` applied last.
    pub async fn peer_with(&self, overrides: &[(&str, &str)]) -> Self {
        let mut env = self._storage.env.clone();
        env.extend(
            overrides
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string())),
        );
        let config = Arc::new(
            Config::load_from(None, env, &[self.app.manifest().name])
                .expect("test configuration is valid"),
        );
        Self::launch(
            self.app.clone(),
            config,
            self._storage.clone(),
            axum::Router::new(),
        )
        .await
    }

    pub fn url(&self, path: &str) -> String {
        format!("{}{}", self.base, path)
    }

    pub fn ws_url(&self, path: &str) -> String {
        format!("ws://{}{}", self.addr, path)
    }

    pub async fn request(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> TestResponse {
        let mut req = self.client.request(method, self.url(path));
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        if let Some(b) = body {
            req = req.json(b);
        }
        Self::read(req.send().await.expect("request reaches the test server")).await
    }

    /// A request with a raw body and content type (malformed JSON and the like).
    pub async fn raw(
        &self,
        method: Method,
        path: &str,
        token: Option<&str>,
        content_type: &str,
        body: Vec<u8>,
    ) -> TestResponse {
        let mut req = self
            .client
            .request(method, self.url(path))
            .header("content-type", content_type)
            .body(body);
        if let Some(t) = token {
            req = req.bearer_auth(t);
        }
        Self::read(req.send().await.expect("request reaches the test server")).await
    }

    pub async fn read(response: reqwest::Response) -> TestResponse {
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let bytes = response.bytes().await.expect("response body is readable");
        let body = serde_json::from_slice(&bytes).unwrap_or(Value::Null);
        TestResponse {
            status,
            headers,
            body,
            bytes,
        }
    }

    /// `GET path` until it answers `status`, for effects that reach this instance
    /// within seconds (a revocation, a presence lease); the last answer after 5 s.
    pub async fn get_until(&self, path: &str, token: Option<&str>, status: u16) -> TestResponse {
        let started = std::time::Instant::now();
        loop {
            let r = self.get(path, token).await;
            if r.status == status || started.elapsed() > std::time::Duration::from_secs(5) {
                return r;
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }

    pub async fn get(&self, path: &str, token: Option<&str>) -> TestResponse {
        self.request(Method::GET, path, token, None).await
    }

    pub async fn post(&self, path: &str, token: Option<&str>, body: &Value) -> TestResponse {
        self.request(Method::POST, path, token, Some(body)).await
    }

    pub async fn patch(&self, path: &str, token: Option<&str>, body: &Value) -> TestResponse {
        self.request(Method::PATCH, path, token, Some(body)).await
    }

    pub async fn delete(
        &self,
        path: &str,
        token: Option<&str>,
        body: Option<&Value>,
    ) -> TestResponse {
        self.request(Method::DELETE, path, token, body).await
    }

    /// Opens a WebSocket; the error is the HTTP refusal, if any.
    pub async fn ws(&self, path: &str) -> Result<WsStream, tokio_tungstenite::tungstenite::Error> {
        tokio_tungstenite::connect_async(self.ws_url(path))
            .await
            .map(|(s, _)| s)
    }

    /// Graceful stop: stop accepting, finish in-flight requests, close sockets.
    pub async fn stop(mut self) {
        self.shutdown.cancel();
        if let Some(task) = self.task.take() {
            let _ = task.await;
        }
    }

    /// Starts the graceful stop and returns the serving task to await.
    pub fn begin_stop(&mut self) -> tokio::task::JoinHandle<std::io::Result<()>> {
        self.shutdown.cancel();
        self.task.take().expect("server is running")
    }
}

impl Drop for TestServer {
    fn drop(&mut self) {
        self.shutdown.cancel();
    }
}
