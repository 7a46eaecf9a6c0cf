//! Remote transcoders attached to this O (facts §2.3): a T registers over gRPC
//! (`net.Transcoder/RegisterTranscoder` with the O's `-orchSecret` and its capacity) and keeps the
//! answer stream open; each segment is offered to it as a `NotifySegment` (where to fetch the input,
//! the job's `SegData`, a task id), and the T posts the renditions to `/transcodeResults`.
//! Sessions stay on the T that took their first segment; new ones go to the least loaded T (by
//! load / capacity). A T that does not answer within max(8 s, 4 × the segment's duration) fails
//! the segment with the reference's "Remote transcoder took too long".

use crate::api::task::{RegisterError, TaskNotice, TaskResult};
use crate::commands::transcoder_choice::{pick, Candidate};
use std::{
    collections::BTreeMap,
    sync::{
        atomic::{AtomicI64, AtomicU64, Ordering},
        mpsc, Arc, Mutex, PoisonError,
    },
    time::Duration,
};
use tokio::sync::mpsc as tmpsc;

/// Why a segment could not go through a remote T.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RemoteError {
    /// No T is registered.
    #[error("no transcoders available")]
    NoTranscoders,
    /// The T did not answer in time.
    #[error("Remote transcoder took too long")]
    TimedOut,
    /// The T reported an error.
    #[error("{0}")]
    Failed(String),
    /// The T went away.
    #[error("remote transcoder disconnected")]
    Gone,
}

struct RemoteT {
    id: u64,
    addr: String,
    capacity: i64,
    load: i64,
    tx: tmpsc::Sender<TaskNotice>,
}

#[derive(Default)]
struct Inner {
    ts: Vec<RemoteT>,
    pending: BTreeMap<i64, mpsc::Sender<TaskResult>>,
    sessions: BTreeMap<String, u64>,
}

/// The registered Ts and their tasks.
pub struct RemoteTranscoders {
    secret: Option<String>,
    inner: Mutex<Inner>,
    next_t: AtomicU64,
    next_task: AtomicI64,
}

/// Resolves once a registered T has gone (its stream closed) and left the registry.
pub type Gone = std::pin::Pin<Box<dyn std::future::Future<Output = ()> + Send>>;

impl RemoteTranscoders {
    /// Accepts Ts that present `secret` (`-orchSecret`); none when it is `None`.
    pub fn new(secret: Option<String>) -> Arc<Self> {
        Arc::new(RemoteTranscoders {
            secret,
            inner: Mutex::new(Inner::default()),
            next_t: AtomicU64::new(1),
            next_task: AtomicI64::new(1),
        })
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Inner> {
        self.inner.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether `secret` is this O's (T result posts carry it in `Credentials`).
    pub fn secret_ok(&self, secret: &str) -> bool {
        self.secret.as_deref().is_some_and(|s| s == secret)
    }

    /// How many Ts are attached.
    pub fn count(&self) -> usize {
        self.lock().ts.len()
    }

    /// Each attached T's address and capacity (`/status`).
    pub fn list(&self) -> Vec<(String, i64)> {
        self.lock()
            .ts
            .iter()
            .map(|t| (t.addr.clone(), t.capacity))
            .collect()
    }

    /// The attached Ts: (number, total capacity, total load).
    pub fn totals(&self) -> (i64, i64, i64) {
        let inner = self.lock();
        let n = i64::try_from(inner.ts.len()).unwrap_or(i64::MAX);
        let cap = inner.ts.iter().map(|t| t.capacity).sum();
        (n, cap, inner.ts.iter().map(|t| t.load).sum())
    }

    /// `RegisterTranscoder`: checks the secret and capacity, then returns the stream of segments
    /// for this T, and a future that resolves once it has hung up and left the registry.
    pub fn register(
        self: &Arc<Self>,
        secret: &str,
        capacity: i64,
        addr: String,
    ) -> Result<(tmpsc::Receiver<TaskNotice>, Gone), RegisterError> {
        if !self.secret_ok(secret) {
            return Err(RegisterError::InvalidSecret);
        }
        if capacity <= 0 {
            return Err(RegisterError::ZeroCapacity);
        }
        let (tx, rx) = tmpsc::channel(16);
        let id = self.next_t.fetch_add(1, Ordering::Relaxed);
        let watch = tx.clone();
        self.lock().ts.push(RemoteT {
            id,
            addr: addr.clone(),
            capacity,
            load: 0,
            tx,
        });
        tracing::info!("remote transcoder {addr} attached (capacity {capacity})");
        let me = self.clone();
        let gone = Box::pin(async move {
            watch.closed().await;
            let mut inner = me.lock();
            inner.ts.retain(|t| t.id != id);
            inner.sessions.retain(|_, t| *t != id);
            drop(inner);
            tracing::info!("remote transcoder {addr} detached");
        });
        Ok((rx, gone))
    }

    /// Offers a segment of `session` to a T and waits for its renditions (blocking: call from a
    /// blocking thread).
    pub fn transcode(
        &self,
        session: &str,
        mut notify: TaskNotice,
        timeout: Duration,
    ) -> Result<(Vec<crate::api::task::RemoteRendition>, String), RemoteError> {
        let task = self.next_task.fetch_add(1, Ordering::Relaxed);
        if let TaskNotice::Segment { task_id, .. } = &mut notify {
            *task_id = task;
        }
        let (done, answer) = mpsc::channel();
        let (t_id, tx, addr) = {
            let mut inner = self.lock();
            let candidates: Vec<Candidate> = inner
                .ts
                .iter()
                .map(|t| Candidate {
                    id: t.id,
                    load: t.load,
                    capacity: t.capacity,
                })
                .collect();
            let chosen = pick(inner.sessions.get(session).copied(), &candidates)
                .ok_or(RemoteError::NoTranscoders)?;
            let t = inner
                .ts
                .iter_mut()
                .find(|t| t.id == chosen)
                .ok_or(RemoteError::NoTranscoders)?;
            t.load += 1;
            let picked = (t.id, t.tx.clone(), t.addr.clone());
            inner.sessions.insert(session.to_string(), picked.0);
            inner.pending.insert(task, done);
            picked
        };
        let result = match tx.blocking_send(notify) {
            Err(_) => Err(RemoteError::Gone),
            Ok(()) => match answer.recv_timeout(timeout) {
                Ok(Ok(r)) => Ok((r, addr)),
                Ok(Err(e)) => Err(RemoteError::Failed(e)),
                Err(mpsc::RecvTimeoutError::Timeout) => Err(RemoteError::TimedOut),
                Err(mpsc::RecvTimeoutError::Disconnected) => Err(RemoteError::Gone),
            },
        };
        let mut inner = self.lock();
        inner.pending.remove(&task);
        if let Some(t) = inner.ts.iter_mut().find(|t| t.id == t_id) {
            t.load -= 1;
        }
        result
    }

    /// A T posted the result of `task`; false if no segment waits for it.
    pub fn complete(&self, task: i64, result: TaskResult) -> bool {
        match self.lock().pending.remove(&task) {
            Some(tx) => tx.send(result).is_ok(),
            None => false,
        }
    }

    /// Tells the T holding `session` to free it (an empty URL with the session's id).
    pub fn end_session(&self, session: &str) {
        let mut inner = self.lock();
        let Some(t_id) = inner.sessions.remove(session) else {
            return;
        };
        if let Some(t) = inner.ts.iter().find(|t| t.id == t_id) {
            let teardown = TaskNotice::EndSession {
                session: session.to_string(),
            };
            if t.tx.try_send(teardown).is_err() {
                tracing::debug!(
                    "remote transcoder {}: session teardown not delivered",
                    t.addr
                );
            }
        }
    }
}
