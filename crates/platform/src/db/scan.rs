//! Whole-result SQLite reads on threads that own their connection.
//!
//! sqlx's SQLite driver runs each connection on its own thread and hands every row
//! across to the async side one at a time. For a read of tens of thousands of rows
//! that handoff dominates: on two cores the reading thread and the consumer wake
//! each other once a row, and a 30,000-row export spent more time switching
//! threads than reading. A scan here runs the statement, decodes the rows and
//! batches them on the thread that owns the connection, so what crosses threads is
//! a batch.
//!
//! The threads are few and long-lived for the same reason as
//! [`Db::bulk_reader`](super::Db::bulk_reader)'s connections: SQLite allocates
//! with the C allocator on the thread that runs it, and glibc keeps a per-thread
//! arena at its high-water mark.

use std::panic::AssertUnwindSafe;
use std::path::{Path, PathBuf};
use std::sync::mpsc;
use std::sync::{Arc, Mutex};
use std::time::Duration;

pub use rusqlite;
use rusqlite::{Connection, OpenFlags};

type Job = Box<dyn FnOnce(&Connection) + Send>;

/// A few threads, each with a read-only connection, taking scans from one queue.
/// They start with the first scan, so an app that never scans pays nothing.
#[derive(Clone)]
pub struct Scanners {
    inner: Arc<Inner>,
}

struct Inner {
    path: PathBuf,
    threads: usize,
    busy_timeout: Duration,
    /// The queue, once the threads run.
    jobs: Mutex<Option<mpsc::Sender<Job>>>,
}

impl std::fmt::Debug for Scanners {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Scanners")
            .field("path", &self.inner.path)
            .field("threads", &self.inner.threads)
            .finish_non_exhaustive()
    }
}

#[derive(Debug, thiserror::Error)]
pub enum ScanError {
    #[error("opening a scanning connection: {0}")]
    Open(#[from] rusqlite::Error),
    #[error("starting a scanning thread: {0}")]
    Thread(#[from] std::io::Error),
    #[error("the scan stopped without an answer (it panicked)")]
    Stopped,
}

impl Scanners {
    /// Scanners for the database at `path` (which must exist, in WAL mode, by
    /// the first scan): `threads` read-only connections, a thread each. The
    /// threads end when the last handle is dropped.
    pub fn new(path: &Path, threads: usize, busy_timeout: Duration) -> Self {
        Self {
            inner: Arc::new(Inner {
                path: path.to_owned(),
                threads: threads.max(1),
                busy_timeout,
                jobs: Mutex::new(None),
            }),
        }
    }

    /// The queue, starting the threads if they are not running yet. A failure
    /// to start is returned and tried again at the next scan.
    fn queue(&self) -> Result<mpsc::Sender<Job>, ScanError> {
        // Poisoning needs a panic while the lock is held, and nothing below
        // panics; the `Option` is consistent either way.
        let mut jobs = self.inner.jobs.lock().unwrap_or_else(|p| p.into_inner());
        if let Some(jobs) = jobs.as_ref() {
            return Ok(jobs.clone());
        }
        let (sender, queue) = mpsc::channel::<Job>();
        let queue = Arc::new(Mutex::new(queue));
        let mut connections = Vec::with_capacity(self.inner.threads);
        for _ in 0..self.inner.threads {
            let conn = Connection::open_with_flags(
                &self.inner.path,
                OpenFlags::SQLITE_OPEN_READ_ONLY | OpenFlags::SQLITE_OPEN_NO_MUTEX,
            )?;
            conn.busy_timeout(self.inner.busy_timeout)?;
            connections.push(conn);
        }
        for (i, conn) in connections.into_iter().enumerate() {
            let queue = queue.clone();
            std::thread::Builder::new()
                .name(format!("sqlite-scan-{i}"))
                .spawn(move || serve(&conn, &queue))?;
        }
        *jobs = Some(sender.clone());
        Ok(sender)
    }

    /// Runs `scan` with a connection on one of the threads and returns what it
    /// returns. The scan blocks its thread, so it may wait on a bounded channel
    /// (`blocking_send`) to hand rows to an async consumer as they are read.
    pub async fn run<T, F>(&self, scan: F) -> Result<T, ScanError>
    where
        T: Send + 'static,
        F: FnOnce(&Connection) -> T + Send + 'static,
    {
        let (answer, answered) = tokio::sync::oneshot::channel();
        let job: Job = Box::new(move |conn| {
            // The receiver may be gone (the request was dropped); nothing to do then.
            let _ = answer.send(scan(conn));
        });
        self.queue()?.send(job).map_err(|_| ScanError::Stopped)?;
        answered.await.map_err(|_| ScanError::Stopped)
    }
}

fn serve(conn: &Connection, queue: &Mutex<mpsc::Receiver<Job>>) {
    loop {
        let job = {
            // A poisoned lock means another scanner panicked while holding
            // it, which `recv` cannot do; the queue itself is intact.
            let queue = queue.lock().unwrap_or_else(|p| p.into_inner());
            match queue.recv() {
                Ok(job) => job,
                Err(_) => return,
            }
        };
        // A panicking scan loses its answer (the caller sees `Stopped`), not
        // the thread.
        let _ = std::panic::catch_unwind(AssertUnwindSafe(|| job(conn)));
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A database of 5,000 rows in a directory of its own, removed on drop.
    struct Scratch(std::path::PathBuf);

    impl Drop for Scratch {
        fn drop(&mut self) {
            let _ = std::fs::remove_dir_all(&self.0);
        }
    }

    fn database() -> (Scratch, std::path::PathBuf) {
        let dir = std::env::temp_dir().join(format!("ondol-scan-{}", uuid::Uuid::new_v4()));
        std::fs::create_dir_all(&dir).unwrap();
        let path = dir.join("scan.db");
        let c = Connection::open(&path).unwrap();
        c.pragma_update(None, "journal_mode", "wal").unwrap();
        c.execute_batch(
            "CREATE TABLE t (n INTEGER, s TEXT);
             WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k WHERE n < 5000)
             INSERT INTO t SELECT n, 'row ' || n FROM k;",
        )
        .unwrap();
        (Scratch(dir), path)
    }

    #[tokio::test]
    async fn scans_stream_batches_to_an_async_consumer() {
        let (_dir, path) = database();
        let scanners = Scanners::new(&path, 2, Duration::from_secs(1));
        let (tx, mut rx) = tokio::sync::mpsc::channel::<Vec<(i64, String)>>(2);
        let scan = scanners.run(move |c| -> rusqlite::Result<usize> {
            let mut stmt = c.prepare("SELECT n, s FROM t WHERE n > ?1 ORDER BY n")?;
            let mut rows = stmt.query([10])?;
            let mut batch = Vec::new();
            let mut sent = 0;
            while let Some(r) = rows.next()? {
                batch.push((r.get(0)?, r.get(1)?));
                if batch.len() == 1000 {
                    sent += batch.len();
                    tx.blocking_send(std::mem::take(&mut batch)).unwrap();
                }
            }
            sent += batch.len();
            tx.blocking_send(batch).unwrap();
            Ok(sent)
        });
        let consume = async {
            let mut all = Vec::new();
            while let Some(b) = rx.recv().await {
                all.extend(b);
            }
            all
        };
        let (sent, all) = tokio::join!(scan, consume);
        assert_eq!(sent.unwrap().unwrap(), 4990);
        assert_eq!(all.len(), 4990);
        assert_eq!(all[0], (11, "row 11".to_owned()));
        assert!(all.windows(2).all(|w| w[0].0 + 1 == w[1].0));
    }

    #[tokio::test]
    async fn a_panicking_scan_answers_stopped_and_the_threads_go_on() {
        let (_dir, path) = database();
        let scanners = Scanners::new(&path, 1, Duration::from_secs(1));
        let r = scanners
            .run(|_| -> usize { panic!("a scan that fails as a bug would") })
            .await;
        assert!(matches!(r, Err(ScanError::Stopped)), "{r:?}");
        let n: i64 = scanners
            .run(|c| c.query_row("SELECT count(*) FROM t", [], |r| r.get(0)))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(n, 5000);
    }

    #[tokio::test]
    async fn connections_are_read_only() {
        let (_dir, path) = database();
        let scanners = Scanners::new(&path, 1, Duration::from_secs(1));
        let r = scanners
            .run(|c| c.execute("DELETE FROM t", []))
            .await
            .unwrap();
        assert!(r.is_err(), "{r:?}");
    }

    #[tokio::test]
    async fn threads_start_at_the_first_scan_and_a_failed_start_is_retried() {
        let dir = std::env::temp_dir().join(format!("ondol-scan-{}", uuid::Uuid::new_v4()));
        let _cleanup = Scratch(dir.clone());
        let path = dir.join("later.db");
        let scanners = Scanners::new(&path, 2, Duration::from_secs(1));
        let r = scanners.run(|_| ()).await;
        assert!(matches!(r, Err(ScanError::Open(_))), "{r:?}");
        std::fs::create_dir_all(&dir).unwrap();
        let c = Connection::open(&path).unwrap();
        c.pragma_update(None, "journal_mode", "wal").unwrap();
        c.execute_batch("CREATE TABLE t (n INTEGER); INSERT INTO t VALUES (7);")
            .unwrap();
        let n: i64 = scanners
            .run(|c| c.query_row("SELECT n FROM t", [], |r| r.get(0)))
            .await
            .unwrap()
            .unwrap();
        assert_eq!(n, 7);
    }
}
