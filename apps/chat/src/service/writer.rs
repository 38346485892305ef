//! Storing messages with group commit.
//!
//! Every send goes through a writer lane: a task that takes whatever sends are
//! queued (up to [`MAX_BATCH`]) and stores them in one transaction, broadcasting
//! them once it has committed (a message that was not stored is never shown). One
//! commit per batch instead of per message is what lets one SQLite writer keep up
//! with thousands of messages a second.
//!
//! A room always maps to the same lane, so within an instance its messages are
//! stored and broadcast in the order they were submitted. Across instances the
//! batch is an ordered transaction on its rooms ([`Db::begin_ordered`]): another
//! batch for one of them waits until this one has committed and broadcast, so every
//! subscriber sees a room's messages in storage order.

use chrono::Utc;
use chrono_tz::Tz;
use platform::ApiError;
use platform::db::Db;
use platform::realtime::Hub;
use tokio::sync::{mpsc, oneshot};

use crate::model::{CoupleId, MessageId, MessageRow, MessageType, MessageView, room_topic};
use crate::store;
use crate::store::messages::NewMessage;

use super::messages::Author;

/// Sends stored in one transaction at most.
pub const MAX_BATCH: usize = 128;

/// A validated message on its way to storage.
#[derive(Debug)]
pub struct Draft {
    pub author: Author,
    pub couple: CoupleId,
    pub kind: MessageType,
    pub content: Option<String>,
    pub image_url: Option<String>,
    pub temp_id: Option<String>,
}

/// What became of a draft.
#[derive(Debug)]
pub enum Stored {
    /// Stored and broadcast.
    New(Box<MessageRow>),
    /// The sender had stored this `tempId` already; nothing was stored.
    Duplicate,
    /// The room is closed (or unknown); nothing was stored.
    Closed,
}

struct Job {
    draft: Draft,
    reply: oneshot::Sender<Result<Stored, ApiError>>,
}

#[derive(Clone)]
pub struct Writer {
    lanes: std::sync::Arc<[mpsc::Sender<Job>]>,
}

impl Writer {
    /// Starts `lanes` writer tasks (SQLite has one writer: use 1).
    pub fn start(db: Db, hub: Hub, tz: Tz, lanes: usize) -> Self {
        let lanes: Vec<mpsc::Sender<Job>> = (0..lanes.max(1))
            .map(|_| {
                let (tx, rx) = mpsc::channel(MAX_BATCH * 8);
                tokio::spawn(run_lane(rx, db.clone(), hub.clone(), tz));
                tx
            })
            .collect();
        Self {
            lanes: lanes.into(),
        }
    }

    pub async fn store(&self, draft: Draft) -> Result<Stored, ApiError> {
        let lane = (draft.couple.0.as_u128() % self.lanes.len() as u128) as usize;
        let (reply, answer) = oneshot::channel();
        self.lanes[lane]
            .send(Job { draft, reply })
            .await
            .map_err(|_| ApiError::internal("the message writer has stopped"))?;
        answer
            .await
            .map_err(|_| ApiError::internal("the message writer dropped a message"))?
    }
}

async fn run_lane(mut rx: mpsc::Receiver<Job>, db: Db, hub: Hub, tz: Tz) {
    let mut batch: Vec<Job> = Vec::with_capacity(MAX_BATCH);
    while let Some(first) = rx.recv().await {
        batch.push(first);
        while batch.len() < MAX_BATCH {
            match rx.try_recv() {
                Ok(job) => batch.push(job),
                Err(_) => break,
            }
        }
        // Lock order: rooms by id; a stable sort keeps each room's submission order.
        batch.sort_by_key(|j| j.draft.couple);
        match store_batch(&db, &hub, tz, &batch).await {
            Ok(outcomes) => {
                for (job, outcome) in batch.drain(..).zip(outcomes) {
                    let _ = job.reply.send(Ok(outcome));
                }
            }
            Err(e) => {
                tracing::error!(error = %e.message, cause = ?e.internal_cause(), "storing messages failed");
                for job in batch.drain(..) {
                    let _ = job.reply.send(Err(e.clone()));
                }
            }
        }
    }
}

/// The ordering key of a room.
pub fn room_key(couple: CoupleId) -> i64 {
    let id = couple.0.as_u128();
    ((id >> 64) as u64 ^ id as u64) as i64
}

async fn store_batch(db: &Db, hub: &Hub, tz: Tz, batch: &[Job]) -> Result<Vec<Stored>, ApiError> {
    let rooms: Vec<i64> = batch.iter().map(|j| room_key(j.draft.couple)).collect();
    let mut tx = db.begin_ordered(&rooms).await?;
    let mut outcomes = Vec::with_capacity(batch.len());
    for job in batch {
        let d = &job.draft;
        let Some((seq, created_at)) =
            store::couples::next_slot(&mut tx, d.couple, Utc::now()).await?
        else {
            outcomes.push(Stored::Closed);
            continue;
        };
        let new = NewMessage {
            id: MessageId::next(),
            couple: d.couple,
            sender: d.author.id,
            kind: d.kind,
            content: d.content.as_deref(),
            image_url: d.image_url.as_deref(),
            temp_id: d.temp_id.as_deref(),
            seq,
            created_at,
        };
        let sender = (d.author.name.clone(), d.author.profile_image.clone());
        outcomes.push(
            match store::messages::insert(&mut tx, &new, sender).await? {
                Some(row) => Stored::New(Box::new(row)),
                None => Stored::Duplicate,
            },
        );
    }
    // Broadcast in storage order, once committed.
    for outcome in &outcomes {
        if let Stored::New(row) = outcome {
            let body =
                serde_json::to_string(&MessageView::new(row, tz)).map_err(ApiError::internal)?;
            tx.publish_after_commit(hub, room_topic(row.couple_id), body);
        }
    }
    tx.commit().await?;
    Ok(outcomes)
}
