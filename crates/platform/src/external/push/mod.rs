//! Push notifications: queued in the caller's transaction, one outbox row per
//! device, and delivered by the outbox worker through FCM's HTTP v1 API
//! ([`fcm`]) when `fcm_service_account` is set, or, with no service configured,
//! written as JSON files under `<data dir>/push-outbox/<app>/` (the local
//! default: one file per push, named by its outbox row, so that a redelivery
//! after a crash replaces the first).
//!
//! A device the push service reports as gone is handed to the app's
//! [`StaleTokens`], which forgets it; that push counts as done, not failed.
//! Failures the service may recover from (a timeout, a 5xx, a 429) are retried
//! by the outbox with backoff.

mod fcm;

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use crate::app::AppContext;
use crate::db::Tx;
use crate::outbox::{BoxFuture, Deliver, Outbox, OutboxRow};

/// One notification to one device.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Push {
    /// The device's registration token (FCM's).
    pub fcm_token: String,
    pub title: String,
    pub body: String,
    /// Key-value data for the app on the device.
    #[serde(default, skip_serializing_if = "BTreeMap::is_empty")]
    pub data: BTreeMap<String, String>,
}

/// What became of one push.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Sent {
    Delivered,
    /// The service no longer knows the device: forget its token.
    Unregistered,
    /// The service will never take this push (a malformed token): dropped.
    Refused,
}

/// Where pushes go.
trait Transport: Send + Sync + 'static {
    fn send<'a>(&'a self, key: &'a str, push: &'a Push) -> BoxFuture<'a, Result<Sent, String>>;
}

/// The app's side of a device that is gone.
pub trait StaleTokens: Send + Sync + 'static {
    fn forget<'a>(&'a self, fcm_token: &'a str) -> BoxFuture<'a, Result<(), String>>;
}

/// JSON files in a folder, one per push.
struct JsonFolder(PathBuf);

impl Transport for JsonFolder {
    fn send<'a>(&'a self, key: &'a str, push: &'a Push) -> BoxFuture<'a, Result<Sent, String>> {
        Box::pin(async move {
            let bytes = serde_json::to_vec_pretty(push).map_err(|e| e.to_string())?;
            let dir = self.0.clone();
            let key = key.to_owned();
            tokio::task::spawn_blocking(move || -> std::io::Result<()> {
                std::fs::create_dir_all(&dir)?;
                // Written aside and renamed: a reader never sees half a push.
                let part = dir.join(format!(".{key}.json.part"));
                std::fs::write(&part, &bytes)?;
                std::fs::rename(&part, dir.join(format!("{key}.json")))
            })
            .await
            .map_err(|e| e.to_string())?
            .map_err(|e| e.to_string())?;
            Ok(Sent::Delivered)
        })
    }
}

struct PushSender {
    transport: Box<dyn Transport>,
    stale: Arc<dyn StaleTokens>,
}

impl Deliver for PushSender {
    fn deliver<'a>(&'a self, row: &'a OutboxRow) -> BoxFuture<'a, Result<(), String>> {
        Box::pin(async move {
            let push: Push = serde_json::from_str(&row.payload).map_err(|e| e.to_string())?;
            match self.transport.send(&row.key(), &push).await? {
                Sent::Delivered => Ok(()),
                Sent::Refused => {
                    tracing::warn!("push refused by the service; not retried");
                    Ok(())
                }
                Sent::Unregistered => {
                    tracing::info!("push token unregistered; device forgotten");
                    self.stale.forget(&push.fcm_token).await
                }
            }
        })
    }
}

/// An app's pushes: queue in a transaction; the worker delivers.
#[derive(Clone)]
pub struct Pusher {
    outbox: Outbox,
    describe: Arc<str>,
}

impl Pusher {
    /// The pusher of `ctx`'s app, its worker running until the app stops; an
    /// unreadable service-account file is an error.
    pub fn start(ctx: &AppContext, stale: Arc<dyn StaleTokens>) -> Result<Self, String> {
        let p = &ctx.platform;
        let (transport, describe): (Box<dyn Transport>, String) = match &p.fcm_service_account {
            Some(path) => {
                let fcm = fcm::Fcm::from_file(path, &p.fcm_api_base)?;
                let describe = format!("FCM project {}", fcm.project());
                (Box::new(fcm), describe)
            }
            None => {
                let dir = ctx.data_dir("push-outbox");
                let describe = format!("JSON files in {}", dir.display());
                (Box::new(JsonFolder(dir)), describe)
            }
        };
        tracing::info!(app = ctx.name, to = %describe, "push");
        Ok(Self {
            outbox: Outbox::start(ctx, "push", Arc::new(PushSender { transport, stale })),
            describe: describe.into(),
        })
    }

    /// Queues `push` in `tx`: sent after the commit, never if `tx` rolls back.
    pub async fn queue(&self, tx: &mut Tx, push: &Push) -> Result<(), sqlx::Error> {
        let payload = serde_json::to_string(push).expect("a push serialises to JSON");
        self.outbox.push(tx, &payload).await.map(drop)
    }

    /// Pushes not sent yet.
    pub async fn pending(&self) -> Result<i64, sqlx::Error> {
        self.outbox.pending().await
    }

    /// Where pushes go, for the startup log.
    pub fn describe(&self) -> &str {
        &self.describe
    }
}
