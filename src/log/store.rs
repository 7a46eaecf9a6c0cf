//! The storage behind the log: a trait with a fjall implementation and an in-memory one.
//!
//! The appender is the only writer; `write` stages a group's records and checkpoints, `sync`
//! makes them durable. Readers go through `range` and `last`.

use super::{record, LogError};

/// Raw record iterator: `(seq, value)` pairs in seq order.
pub type RawIter<'a> = Box<dyn Iterator<Item = Result<(u64, Vec<u8>), LogError>> + Send + 'a>;

/// What the log needs from storage.
pub trait LogStore: Send + Sync + 'static {
    /// Stages records and checkpoints as one atomic batch.
    fn write(
        &self,
        records: &[(u64, &[u8])],
        checkpoints: &[(String, Vec<u8>)],
    ) -> Result<(), LogError>;
    /// Makes everything written so far durable (fsync).
    fn sync(&self) -> Result<(), LogError>;
    /// Records with `from <= seq <= to`, in order.
    fn range(&self, from: u64, to: u64) -> RawIter<'_>;
    /// Calls `f` on records `from..=to` in order, without copying where the store allows;
    /// stops when `f` returns false.
    fn visit(
        &self,
        from: u64,
        to: u64,
        f: &mut dyn FnMut(u64, &[u8]) -> bool,
    ) -> Result<(), LogError> {
        for item in self.range(from, to) {
            let (seq, value) = item?;
            if !f(seq, &value) {
                break;
            }
        }
        Ok(())
    }
    /// The last record, if any.
    fn last(&self) -> Result<Option<(u64, Vec<u8>)>, LogError>;
    /// A stored checkpoint.
    fn checkpoint(&self, name: &str) -> Result<Option<Vec<u8>>, LogError>;
    /// Bytes used on disk (0 in memory).
    fn disk_bytes(&self) -> u64;
    /// Whether `sync` costs enough to be shared by a group of writers (a disk). When false the
    /// log writes on the caller's thread under a lock instead of through the appender thread:
    /// with nothing to amortise, the thread would only add two wake-ups to every append.
    fn group_commit(&self) -> bool {
        true
    }
}

/// Block cache of the store: replay streams through it, so a fixed size keeps memory flat.
const CACHE_BYTES: u64 = 32 << 20;

/// The fjall-backed store: keyspace `events` (seq → hash ‖ envelope) and `checkpoints`.
pub struct FjallStore {
    db: fjall::Database,
    events: fjall::Keyspace,
    checkpoints: fjall::Keyspace,
    path: String,
}

impl FjallStore {
    /// Opens (or creates) the store in `dir`.
    pub fn open(dir: &std::path::Path) -> Result<Self, LogError> {
        let path = dir.display().to_string();
        std::fs::create_dir_all(dir)
            .map_err(|e| LogError::Storage(format!("create {path}: {e}")))?;
        let db = fjall::Database::builder(dir)
            .worker_threads(1)
            .cache_size(CACHE_BYTES)
            .manual_journal_persist(true)
            .open()
            .map_err(|e| LogError::from_fjall(e, &path))?;
        let events = db
            .keyspace("events", fjall::KeyspaceCreateOptions::default)
            .map_err(|e| LogError::from_fjall(e, &path))?;
        let checkpoints = db
            .keyspace("checkpoints", fjall::KeyspaceCreateOptions::default)
            .map_err(|e| LogError::from_fjall(e, &path))?;
        Ok(FjallStore {
            db,
            events,
            checkpoints,
            path,
        })
    }

    /// The database handle (for tools and tests that go around the log on purpose).
    pub fn database(&self) -> &fjall::Database {
        &self.db
    }

    /// The events keyspace.
    pub fn events_keyspace(&self) -> &fjall::Keyspace {
        &self.events
    }

    fn err(&self, e: fjall::Error) -> LogError {
        LogError::from_fjall(e, &self.path)
    }
}

impl LogStore for FjallStore {
    fn write(
        &self,
        records: &[(u64, &[u8])],
        checkpoints: &[(String, Vec<u8>)],
    ) -> Result<(), LogError> {
        let mut batch = self.db.batch();
        for (seq, value) in records {
            batch.insert(&self.events, record::key(*seq), *value);
        }
        for (name, value) in checkpoints {
            batch.insert(&self.checkpoints, name.as_bytes(), value.as_slice());
        }
        batch.commit().map_err(|e| self.err(e))
    }

    fn sync(&self) -> Result<(), LogError> {
        self.db
            .persist(fjall::PersistMode::SyncAll)
            .map_err(|e| self.err(e))
    }

    fn range(&self, from: u64, to: u64) -> RawIter<'_> {
        let iter = self.events.range(record::key(from)..=record::key(to));
        Box::new(iter.map(move |guard| {
            let (k, v) = guard.into_inner().map_err(|e| self.err(e))?;
            Ok((record::seq_of(&k)?, v.to_vec()))
        }))
    }

    fn visit(
        &self,
        from: u64,
        to: u64,
        f: &mut dyn FnMut(u64, &[u8]) -> bool,
    ) -> Result<(), LogError> {
        for guard in self.events.range(record::key(from)..=record::key(to)) {
            let (k, v) = guard.into_inner().map_err(|e| self.err(e))?;
            if !f(record::seq_of(&k)?, &v) {
                break;
            }
        }
        Ok(())
    }

    fn last(&self) -> Result<Option<(u64, Vec<u8>)>, LogError> {
        match self.events.last_key_value() {
            None => Ok(None),
            Some(guard) => {
                let (k, v) = guard.into_inner().map_err(|e| self.err(e))?;
                Ok(Some((record::seq_of(&k)?, v.to_vec())))
            }
        }
    }

    fn checkpoint(&self, name: &str) -> Result<Option<Vec<u8>>, LogError> {
        self.checkpoints
            .get(name.as_bytes())
            .map(|v| v.map(|v| v.to_vec()))
            .map_err(|e| self.err(e))
    }

    fn disk_bytes(&self) -> u64 {
        self.db.disk_space().unwrap_or(0)
    }
}

/// An in-memory store for unit tests: same semantics, nothing durable.
#[derive(Default)]
pub struct MemoryStore {
    inner: std::sync::Mutex<MemoryInner>,
}

#[derive(Default)]
struct MemoryInner {
    records: Vec<(u64, Vec<u8>)>,
    checkpoints: std::collections::BTreeMap<String, Vec<u8>>,
}

impl MemoryStore {
    fn lock(&self) -> std::sync::MutexGuard<'_, MemoryInner> {
        self.inner
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
}

impl LogStore for MemoryStore {
    fn write(
        &self,
        records: &[(u64, &[u8])],
        checkpoints: &[(String, Vec<u8>)],
    ) -> Result<(), LogError> {
        let mut inner = self.lock();
        inner
            .records
            .extend(records.iter().map(|(s, v)| (*s, v.to_vec())));
        for (name, value) in checkpoints {
            inner.checkpoints.insert(name.clone(), value.clone());
        }
        Ok(())
    }

    fn sync(&self) -> Result<(), LogError> {
        Ok(())
    }

    fn range(&self, from: u64, to: u64) -> RawIter<'_> {
        // Records are kept in seq order: find the start by binary search, not by a scan.
        let inner = self.lock();
        let start = inner.records.partition_point(|(s, _)| *s < from);
        let items: Vec<_> = inner
            .records
            .get(start..)
            .unwrap_or_default()
            .iter()
            .take_while(|(s, _)| *s <= to)
            .cloned()
            .map(Ok)
            .collect();
        Box::new(items.into_iter())
    }

    fn last(&self) -> Result<Option<(u64, Vec<u8>)>, LogError> {
        Ok(self.lock().records.last().cloned())
    }

    fn checkpoint(&self, name: &str) -> Result<Option<Vec<u8>>, LogError> {
        Ok(self.lock().checkpoints.get(name).cloned())
    }

    fn disk_bytes(&self) -> u64 {
        0
    }

    fn group_commit(&self) -> bool {
        false
    }
}
