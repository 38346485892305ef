//! Group commit for small writes that arrive from many requests at once.
//!
//! Each caller hands in one operation and waits for its own outcome; a worker takes
//! everything queued at that moment and runs it as one batch, so 64 concurrent
//! requests cost a few statements instead of 64. Nothing waits for a batch to fill:
//! a lone operation runs at once, and batches grow only while a previous one is in
//! flight, so latency under light load is one channel hop more than a direct call.
//!
//! The handler owns the semantics: it gets the operations in arrival order and must
//! answer each (same length, same order). An operation whose answer is missing, or
//! whose handler panicked, gets [`BatchError::Dropped`] rather than waiting forever.

use std::future::Future;
use std::sync::Arc;

use tokio::sync::{Mutex, mpsc, oneshot};

/// Why an operation got no answer.
#[derive(Debug, thiserror::Error, Clone, Copy, PartialEq, Eq)]
pub enum BatchError {
    #[error("the batch worker has stopped")]
    Stopped,
    #[error("the batch handler gave no answer for this operation")]
    Dropped,
}

type Job<Op, Out> = (Op, oneshot::Sender<Out>);

/// A queue of operations and the workers that run them in batches. Cheap to clone;
/// the workers stop when the last clone is dropped.
pub struct Batcher<Op, Out> {
    queue: mpsc::UnboundedSender<Job<Op, Out>>,
}

impl<Op, Out> Clone for Batcher<Op, Out> {
    fn clone(&self) -> Self {
        Self {
            queue: self.queue.clone(),
        }
    }
}

impl<Op, Out> std::fmt::Debug for Batcher<Op, Out> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Batcher").finish_non_exhaustive()
    }
}

impl<Op: Send + 'static, Out: Send + 'static> Batcher<Op, Out> {
    /// Starts `workers` workers (at least one) taking up to `max_batch` operations
    /// each. More than one worker lets the next batch be gathered and started while
    /// the previous one waits on its commit.
    pub fn spawn<F, Fut>(workers: usize, max_batch: usize, handler: F) -> Self
    where
        F: Fn(Vec<Op>) -> Fut + Send + Sync + 'static,
        Fut: Future<Output = Vec<Out>> + Send + 'static,
    {
        let (queue, rx) = mpsc::unbounded_channel::<Job<Op, Out>>();
        let rx = Arc::new(Mutex::new(rx));
        let handler = Arc::new(handler);
        let max_batch = max_batch.max(1);
        for _ in 0..workers.max(1) {
            let (rx, handler) = (rx.clone(), handler.clone());
            tokio::spawn(async move {
                loop {
                    let jobs = {
                        let mut rx = rx.lock().await;
                        let Some(first) = rx.recv().await else {
                            return;
                        };
                        let mut jobs = vec![first];
                        while jobs.len() < max_batch {
                            match rx.try_recv() {
                                Ok(job) => jobs.push(job),
                                Err(_) => break,
                            }
                        }
                        jobs
                    };
                    let (ops, replies): (Vec<Op>, Vec<oneshot::Sender<Out>>) =
                        jobs.into_iter().unzip();
                    // A panicking handler drops the replies (their callers see
                    // `Dropped`); the worker itself carries on with the next batch.
                    let run = tokio::spawn(handler(ops));
                    if let Ok(outs) = run.await {
                        for (reply, out) in replies.into_iter().zip(outs) {
                            // The caller may have gone (its request was cancelled);
                            // the operation ran all the same.
                            let _ = reply.send(out);
                        }
                    }
                }
            });
        }
        Self { queue }
    }

    /// Queues one operation and waits for its answer.
    pub async fn submit(&self, op: Op) -> Result<Out, BatchError> {
        let (reply, answer) = oneshot::channel();
        self.queue
            .send((op, reply))
            .map_err(|_| BatchError::Stopped)?;
        answer.await.map_err(|_| BatchError::Dropped)
    }
}

/// Splits operations into rounds in which no key occurs twice, keeping arrival order
/// within each key: for statements that may touch each row only once (PostgreSQL's
/// `INSERT … ON CONFLICT DO UPDATE`), or whose answers are matched back by key.
/// Returns the indexes of the operations of each round.
pub fn rounds_by_key<K: Eq + std::hash::Hash>(
    keys: impl IntoIterator<Item = K>,
) -> Vec<Vec<usize>> {
    let mut rounds: Vec<Vec<usize>> = Vec::new();
    let mut seen: std::collections::HashMap<K, usize> = std::collections::HashMap::new();
    for (i, key) in keys.into_iter().enumerate() {
        let round = seen.entry(key).and_modify(|r| *r += 1).or_insert(0);
        if rounds.len() <= *round {
            rounds.push(Vec::new());
        }
        rounds[*round].push(i);
    }
    rounds
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::sync::atomic::{AtomicUsize, Ordering};

    #[test]
    fn rounds_never_repeat_a_key_and_keep_each_keys_order() {
        let rounds = rounds_by_key([1, 2, 1, 3, 1, 2]);
        assert_eq!(rounds, vec![vec![0, 1, 3], vec![2, 5], vec![4]]);
        assert!(rounds_by_key(Vec::<i32>::new()).is_empty());
    }

    #[tokio::test]
    async fn concurrent_callers_share_batches_and_each_gets_its_own_answer() {
        let batches = Arc::new(AtomicUsize::new(0));
        let counted = batches.clone();
        let b = Batcher::spawn(1, 1000, move |ops: Vec<u32>| {
            counted.fetch_add(1, Ordering::SeqCst);
            async move {
                // Long enough for the other callers to queue behind the first.
                tokio::time::sleep(std::time::Duration::from_millis(20)).await;
                ops.into_iter().map(|x| x * 2).collect::<Vec<_>>()
            }
        });
        let calls: Vec<_> = (0..100u32)
            .map(|i| {
                let b = b.clone();
                tokio::spawn(async move { (i, b.submit(i).await) })
            })
            .collect();
        for call in calls {
            let (i, out) = call.await.unwrap();
            assert_eq!(out, Ok(i * 2));
        }
        let n = batches.load(Ordering::SeqCst);
        assert!((1..100).contains(&n), "{n} batches for 100 calls");
    }

    #[tokio::test]
    async fn a_short_or_panicking_handler_answers_dropped_and_the_worker_survives() {
        let b = Batcher::spawn(1, 10, |ops: Vec<u32>| async move {
            if ops.contains(&0) {
                panic!("test handler refuses 0");
            }
            ops.into_iter().skip(1).collect::<Vec<_>>()
        });
        assert_eq!(b.submit(0).await, Err(BatchError::Dropped));
        // One operation, no answer: dropped, not hung.
        assert_eq!(b.submit(5).await, Err(BatchError::Dropped));
    }
}
