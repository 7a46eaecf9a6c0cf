//! The durable, hash-chained, group-committed event log.
//!
//! Record `seq` is stored under its big-endian key as `blake3(envelope) ‖ envelope`; each envelope
//! carries the previous record's hash, so `verify` can recompute the chain. Appends are durable
//! when acknowledged (one fsync per group of concurrent writers; a store without a costly sync,
//! the in-memory one, is written on the caller's thread instead). The only module that knows fjall.

mod appender;
mod error;
mod record;
mod scan;
mod store;
#[cfg(test)]
mod tests;
mod verify;

pub use appender::AppendReceipt;
pub use error::LogError;
pub use record::{open as open_record, seal, Opened, Sealed};
pub use scan::scan_verified;
pub use store::{FjallStore, LogStore, MemoryStore, RawIter};
pub use verify::{verify, VerifyReport};

use crate::events::{Envelope, Event, Hash32};
use appender::{Request, Shared};
use std::{
    future::Future,
    sync::{atomic::Ordering, mpsc, Arc, Mutex},
    thread::JoinHandle,
};
use tokio::sync::oneshot;

/// How many records at the tail `open` re-verifies.
const TAIL_CHECK: u64 = 64;

/// A writer's expectation about the log's position.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expect {
    /// Append wherever the log is.
    Any,
    /// Append only if the next seq is exactly this.
    Seq(u64),
}

/// The log's head: where the next record goes and what it chains to.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Head {
    /// Seq of the next record (= number of records).
    pub next_seq: u64,
    /// Hash of the last record (zero when empty).
    pub last_hash: Hash32,
    /// `at_ms` of the last record.
    pub last_at_ms: u64,
}

/// Counters for benchmarks and stats.
#[derive(Debug, Clone, Copy, Default)]
pub struct LogCounters {
    /// Groups written and synced.
    pub syncs: u64,
    /// Records written.
    pub events: u64,
}

/// The event log over a store.
pub struct Log<S: LogStore> {
    store: Arc<S>,
    shared: Arc<Shared>,
    tx: Option<mpsc::Sender<Request>>,
    thread: Mutex<Option<JoinHandle<()>>>,
    /// The writer's head when the store does not group-commit (see [`LogStore::group_commit`]):
    /// appends are sealed and written on the caller's thread while holding it.
    inline: Option<Mutex<Head>>,
}

/// The log on disk.
pub type FjallLog = Log<FjallStore>;
/// The log in memory, for tests.
pub type MemoryLog = Log<MemoryStore>;

impl FjallLog {
    /// Opens the log in `<datadir>/events`.
    pub fn open_dir(datadir: &std::path::Path) -> Result<Self, LogError> {
        Log::open(FjallStore::open(&datadir.join("events"))?)
    }
}

impl MemoryLog {
    /// An empty in-memory log.
    pub fn in_memory() -> Result<Self, LogError> {
        Log::open(MemoryStore::default())
    }
}

impl<S: LogStore> Log<S> {
    /// Opens the log over `store`: verifies the tail of the hash chain and starts the appender.
    pub fn open(store: S) -> Result<Self, LogError> {
        let head = check_tail(&store)?;
        let store = Arc::new(store);
        let shared = Arc::new(Shared {
            head: Mutex::new(head),
            poisoned: Mutex::new(None),
            syncs: Default::default(),
            groups_events: Default::default(),
            recent: Default::default(),
        });
        if !store.group_commit() {
            return Ok(Log {
                store,
                shared,
                tx: None,
                thread: Mutex::new(None),
                inline: Some(Mutex::new(head)),
            });
        }
        let (tx, rx) = mpsc::channel();
        let thread = {
            let store = store.clone();
            let shared = shared.clone();
            std::thread::Builder::new()
                .name("lp-log-appender".into())
                .spawn(move || appender::run(store, shared, rx))
                .map_err(|e| LogError::Storage(format!("cannot start appender thread: {e}")))?
        };
        Ok(Log {
            store,
            shared,
            tx: Some(tx),
            thread: Mutex::new(Some(thread)),
            inline: None,
        })
    }

    /// Appends `events` (each with its wall time in ms) and resolves once they are durable.
    pub fn append(
        &self,
        events: Vec<(u64, Event)>,
        expect: Expect,
    ) -> impl Future<Output = Result<AppendReceipt, LogError>> + Send + 'static {
        let rx = self.send(|reply| Request::Append {
            events,
            expect,
            reply,
        });
        async move { rx?.await.map_err(|_| LogError::Closed)? }
    }

    /// `append` for callers outside an async runtime.
    pub fn append_blocking(
        &self,
        events: Vec<(u64, Event)>,
        expect: Expect,
    ) -> Result<AppendReceipt, LogError> {
        let rx = self.send(|reply| Request::Append {
            events,
            expect,
            reply,
        })?;
        rx.blocking_recv().map_err(|_| LogError::Closed)?
    }

    /// Stores a projection checkpoint through the same write path (durable when it resolves).
    pub fn put_checkpoint(
        &self,
        name: &str,
        bytes: Vec<u8>,
    ) -> impl Future<Output = Result<(), LogError>> + Send + 'static {
        let name = name.to_string();
        let rx = self.send(|reply| Request::Checkpoint { name, bytes, reply });
        async move { rx?.await.map_err(|_| LogError::Closed)? }
    }

    /// `put_checkpoint` for callers outside an async runtime.
    pub fn put_checkpoint_blocking(&self, name: &str, bytes: Vec<u8>) -> Result<(), LogError> {
        let name = name.to_string();
        let rx = self.send(|reply| Request::Checkpoint { name, bytes, reply })?;
        rx.blocking_recv().map_err(|_| LogError::Closed)?
    }

    /// Hands a request to the appender; the receiver yields its answer.
    fn send<T>(
        &self,
        make: impl FnOnce(oneshot::Sender<Result<T, LogError>>) -> Request,
    ) -> Result<oneshot::Receiver<Result<T, LogError>>, LogError> {
        let (reply, rx) = oneshot::channel();
        if let Some(writer) = &self.inline {
            let mut head = writer
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner);
            appender::commit(&*self.store, &self.shared, &mut head, vec![make(reply)]);
            return Ok(rx);
        }
        let tx = self.tx.as_ref().ok_or(LogError::Closed)?;
        tx.send(make(reply)).map_err(|_| LogError::Closed)?;
        Ok(rx)
    }

    /// A stored checkpoint.
    pub fn checkpoint(&self, name: &str) -> Result<Option<Vec<u8>>, LogError> {
        self.store.checkpoint(name)
    }

    /// The acknowledged head.
    pub fn head(&self) -> Head {
        self.shared.head()
    }

    /// Why the log refuses writes, if it does.
    pub fn poisoned(&self) -> Option<String> {
        self.shared.poisoned()
    }

    /// Sync and record counters since open.
    pub fn counters(&self) -> LogCounters {
        LogCounters {
            syncs: self.shared.syncs.load(Ordering::Relaxed),
            events: self.shared.groups_events.load(Ordering::Relaxed),
        }
    }

    /// Raw stored records with `from <= seq <= to`.
    pub fn raw(&self, from: u64, to: u64) -> RawIter<'_> {
        self.store.range(from, to)
    }

    /// Decoded records with `from <= seq <= to`; hashes are not checked here (see `verify`).
    pub fn read(&self, from: u64, to: u64) -> impl Iterator<Item = Result<Opened, LogError>> + '_ {
        self.store
            .range(from, to)
            .map(|r| r.and_then(|(seq, v)| record::open(seq, &v)))
    }

    /// Calls `f` on the durable records with `from <= seq <= to`, in order, when all of them
    /// are among the newest ones the log keeps decoded (as sealed: the same envelopes `read`
    /// would decode); false, and `f` never called, otherwise.
    pub fn each_recent(&self, from: u64, to: u64, f: impl FnMut(&Envelope)) -> bool {
        self.shared
            .recent
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .each(from, to, f)
    }

    /// The underlying store.
    pub fn store(&self) -> &S {
        &self.store
    }

    /// Stops the appender after the requests already sent, and waits for it.
    pub fn close(mut self) {
        self.shutdown();
    }

    fn shutdown(&mut self) {
        self.tx = None;
        self.inline = None;
        let handle = self
            .thread
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .take();
        if let Some(h) = handle {
            let _ = h.join();
        }
    }
}

impl<S: LogStore> Drop for Log<S> {
    fn drop(&mut self) {
        self.shutdown();
    }
}

/// Reads the last records and checks their hashes and links; returns the head to continue from.
fn check_tail<S: LogStore>(store: &S) -> Result<Head, LogError> {
    let Some((last_seq, _)) = store.last()? else {
        return Ok(Head::default());
    };
    let from = last_seq.saturating_sub(TAIL_CHECK);
    let mut prev: Option<(u64, Hash32)> = None;
    let mut head = Head::default();
    for item in store.range(from, last_seq) {
        let (seq, value) = item?;
        let rec = record::open(seq, &value)?;
        if rec.computed_hash != rec.stored_hash || rec.envelope.seq != seq {
            return Err(LogError::Corruption {
                seq: Some(seq),
                detail: "stored hash does not match the record; run `livepeer log verify`".into(),
            });
        }
        if let Some((pseq, phash)) = prev {
            if seq != pseq + 1 || rec.envelope.prev_hash != phash {
                return Err(LogError::Corruption {
                    seq: Some(seq),
                    detail: "hash chain broken at the tail; run `livepeer log verify`".into(),
                });
            }
        }
        prev = Some((seq, rec.stored_hash));
        head = Head {
            next_seq: seq + 1,
            last_hash: rec.stored_hash,
            last_at_ms: rec.envelope.at_ms,
        };
    }
    if head.next_seq != last_seq + 1 {
        return Err(LogError::Corruption {
            seq: Some(last_seq),
            detail: "tail record unreadable".into(),
        });
    }
    Ok(head)
}
