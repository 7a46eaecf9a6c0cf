//! The node's one writer: every command goes decide → append → apply through it. A decision
//! reads the projections, the log makes its events durable, and the projections fold them in
//! log order; decisions that race for the same state share a key and run one at a time with
//! their append (per sender for payments, one key for the O's admissions), so two of them can
//! never both pass a check against the same snapshot.
//!
//! At start the writer restores each projection from its checkpoint plus the tail of the log
//! (a full replay only for a projection whose version changed). Records appended by anyone (the
//! writer's callers, or straight to the log) are read back before each decision, so the
//! projections always follow the log in seq order and a cancelled caller loses nothing. Every
//! [`CHECKPOINT_EVERY`] records it checkpoints the projections that are due
//! (`checkpoint_schedule`: a large one once the records since pay for its size).
//!
//! An [`Observer`] (the metrics, `node::metrics`) sees every record once, in seq order, right
//! after the projections folded it: what the node does is read off its log, not hooked into
//! its paths.

use super::checkpoint_schedule::Schedule;
use super::state::{restore, restore_with, Restored};
use crate::events::{Envelope, Event};
use crate::log::{Expect, Log, LogError, LogStore};
use crate::projections::Projections;
use std::{
    collections::BTreeMap,
    sync::{
        atomic::{AtomicU64, Ordering},
        Arc, Mutex, MutexGuard, PoisonError,
    },
};

/// Records between automatic checkpoints at least: a restart folds about this many for the
/// small projections (a large one is rewritten less often: `checkpoint_schedule`).
pub const CHECKPOINT_EVERY: u64 = 10_000;

/// Why a command could not be carried out (its refusal, if any, is the decision's, not this).
#[derive(Debug, thiserror::Error)]
pub enum WriteError {
    /// The log refused the append.
    #[error("event log: {0}")]
    Log(#[from] LogError),
    /// The log does not hold records it acknowledged.
    #[error("projections cannot follow the event log: acknowledged records are missing")]
    Stalled,
}

/// Sees each record the projections fold (once, in seq order) with the projections after it.
pub type Observer = Box<dyn Fn(&Envelope, &Projections) + Send + Sync>;

/// The writer over a log and every projection.
pub struct Writer<S: LogStore> {
    log: Arc<Log<S>>,
    state: Mutex<Projections>,
    keys: Mutex<BTreeMap<String, Arc<tokio::sync::Mutex<()>>>>,
    /// Checkpoint when the log has grown this much since the last one.
    every: u64,
    /// The seq the last checkpoint covers (restored state counts as one).
    checkpointed: AtomicU64,
    /// Each projection's last checkpoint, so a large one is rewritten less often.
    schedule: Schedule,
    /// Who sees the records folded from now on, and the next seq it has not seen (moved only
    /// under the projections' lock).
    observer: std::sync::OnceLock<Observer>,
    observed: AtomicU64,
}

impl<S: LogStore> Writer<S> {
    /// Opens the writer: every projection from its checkpoint and the log's tail; checkpoints
    /// again every [`CHECKPOINT_EVERY`] records.
    pub fn open(log: Arc<Log<S>>) -> Result<(Self, Restored), LogError> {
        Self::open_with(log, CHECKPOINT_EVERY)
    }

    /// [`Writer::open`], handing `report` each restore notice and migration progress line as
    /// it happens (`state::restore_with`).
    pub fn open_reporting(
        log: Arc<Log<S>>,
        report: &mut dyn FnMut(String),
    ) -> Result<(Self, Restored), LogError> {
        let (proj, restored) = restore_with(&log, report)?;
        Ok((
            Self::from_restored(log, proj, &restored, CHECKPOINT_EVERY),
            restored,
        ))
    }

    /// [`Writer::open`], checkpointing every `every` records.
    pub fn open_with(log: Arc<Log<S>>, every: u64) -> Result<(Self, Restored), LogError> {
        let (proj, restored) = restore(&log)?;
        Ok((Self::from_restored(log, proj, &restored, every), restored))
    }

    fn from_restored(
        log: Arc<Log<S>>,
        proj: crate::projections::Projections,
        restored: &Restored,
        every: u64,
    ) -> Self {
        let from = proj.next_seq().saturating_sub(restored.tail_records);
        Writer {
            log,
            state: Mutex::new(proj),
            keys: Mutex::new(BTreeMap::new()),
            every: every.max(1),
            checkpointed: AtomicU64::new(from),
            schedule: Schedule::new(from),
            observer: std::sync::OnceLock::new(),
            observed: AtomicU64::new(u64::MAX),
        }
    }

    /// The log the writer appends to.
    pub fn log(&self) -> &Arc<Log<S>> {
        &self.log
    }

    fn lock(&self) -> MutexGuard<'_, Projections> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn key_lock(&self, key: &str) -> Arc<tokio::sync::Mutex<()>> {
        let mut keys = self.keys.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some(l) = keys.get(key) {
            return l.clone();
        }
        let l = Arc::new(tokio::sync::Mutex::new(()));
        keys.insert(key.to_string(), l.clone());
        l
    }

    /// Sets the one observer of the records folded from now on (false when one is set already).
    /// It runs under the projections' lock: it must be quick and must not call the writer.
    pub fn observe(&self, observer: Observer) -> bool {
        let st = self.lock();
        let set = self.observer.set(observer).is_ok();
        if set {
            self.observed.store(st.next_seq(), Ordering::Relaxed);
        }
        set
    }

    /// Folds `env` into `st` and shows it to the observer the first time it is folded.
    fn fold(&self, st: &mut Projections, env: &Envelope) {
        st.apply(env);
        if let Some(o) = self.observer.get() {
            if env.seq >= self.observed.load(Ordering::Relaxed) {
                self.observed.store(env.seq + 1, Ordering::Relaxed);
                o(env, st);
            }
        }
    }

    /// Reads the projections as they are now (every acknowledged append folded in when the
    /// caller caught up first).
    pub fn read<R>(&self, f: impl FnOnce(&Projections) -> R) -> R {
        f(&self.lock())
    }

    /// Folds whatever the log holds beyond the projections.
    pub fn catch_up(&self) -> Result<(), WriteError> {
        let head = self.log.head().next_seq;
        let mut st = self.lock();
        let from = st.next_seq();
        if from < head {
            self.fold_stored(&mut st, from, head - 1)?;
        }
        Ok(())
    }

    /// Folds the stored records `from..=to`: from the log's decoded recent ones when it still
    /// holds them all, else read back from the store.
    fn fold_stored(&self, st: &mut Projections, from: u64, to: u64) -> Result<(), WriteError> {
        if !self.log.each_recent(from, to, |e| self.fold(st, e)) {
            for rec in self.log.read(from, to) {
                self.fold(st, &rec?.envelope);
            }
        }
        Ok(())
    }

    /// Applies stored records in seq order, reading back any that sit before `envs` and are not
    /// folded yet (another writer's, or a cancelled caller's).
    fn ingest(&self, envs: &[Envelope]) -> Result<(), WriteError> {
        let Some(first) = envs.first().map(|e| e.seq) else {
            return Ok(());
        };
        let mut st = self.lock();
        let from = st.next_seq();
        if from < first {
            self.fold_stored(&mut st, from, first - 1)?;
            if st.next_seq() < first {
                return Err(WriteError::Stalled);
            }
        }
        for e in envs {
            self.fold(&mut st, e);
        }
        Ok(())
    }

    /// Appends events (facts the node observed: effects' outcomes, chain data) and applies them.
    pub async fn append(
        &self,
        at_ms: u64,
        events: Vec<Event>,
    ) -> Result<Vec<Envelope>, WriteError> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        let stamped = events.into_iter().map(|e| (at_ms, e)).collect();
        let receipt = self.log.append(stamped, Expect::Any).await?;
        self.ingest(&receipt.envelopes)?;
        let head = receipt.envelopes.last().map_or(0, |e| e.seq + 1);
        let last = self.checkpointed.load(Ordering::Relaxed);
        if head.saturating_sub(last) >= self.every
            && self
                .checkpointed
                .compare_exchange(last, head, Ordering::Relaxed, Ordering::Relaxed)
                .is_ok()
        {
            self.checkpoint_where(|name, next| self.schedule.is_due(name, next, self.every))
                .await?;
        }
        Ok(receipt.envelopes)
    }

    /// Runs one command: under `key`'s lock, catches up, lets `decide` read the projections,
    /// appends the events it returns and applies them. A refusal (`Err(E)`) appends nothing.
    pub async fn decide<T, E>(
        &self,
        key: &str,
        at_ms: u64,
        decide: impl FnOnce(&Projections) -> Result<(Vec<Event>, T), E>,
    ) -> Result<Result<(T, Vec<Envelope>), E>, WriteError> {
        let lock = self.key_lock(key);
        let _guard = lock.lock().await;
        self.catch_up()?;
        let decided = decide(&self.lock());
        match decided {
            Err(e) => Ok(Err(e)),
            Ok((events, t)) => {
                let envs = self.append(at_ms, events).await?;
                Ok(Ok((t, envs)))
            }
        }
    }

    /// Writes a checkpoint of every projection (durable when it resolves); returns the seq the
    /// checkpoints cover.
    pub async fn checkpoint(&self) -> Result<u64, WriteError> {
        self.checkpoint_where(|_, _| true).await
    }

    /// Writes the checkpoints of the projections `due(name, next_seq)` picks; returns the seq
    /// the log had reached.
    async fn checkpoint_where(
        &self,
        due: impl Fn(&'static str, u64) -> bool,
    ) -> Result<u64, WriteError> {
        self.catch_up()?;
        let (cps, next) = {
            let st = self.lock();
            let cps: Vec<_> = st
                .slots()
                .iter()
                .filter(|s| due(s.name(), s.next_seq()))
                .map(|s| (s.name(), s.next_seq(), s.checkpoint().encode()))
                .collect();
            (cps, st.next_seq())
        };
        for (name, seq, bytes) in cps {
            let len = bytes.len();
            self.log.put_checkpoint(name, bytes).await?;
            self.schedule.written(name, seq, len);
        }
        self.checkpointed.fetch_max(next, Ordering::Relaxed);
        Ok(next)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{IngestSource, StreamStarted};
    use crate::log::MemoryLog;

    fn started(i: u32) -> Event {
        Event::StreamStarted(StreamStarted {
            stream: format!("s{i}"),
            source: IngestSource::HttpPush,
            profiles: vec![],
        })
    }

    #[tokio::test]
    async fn a_restart_applies_only_the_records_past_the_checkpoint() {
        let log = Arc::new(MemoryLog::in_memory().unwrap());
        let (w, r) = Writer::open(log.clone()).unwrap();
        assert_eq!(r.tail_records, 0);
        for i in 0..10 {
            w.append(u64::from(i), vec![started(i)]).await.unwrap();
        }
        assert_eq!(w.checkpoint().await.unwrap(), 10);
        for i in 10..17 {
            w.append(u64::from(i), vec![started(i)]).await.unwrap();
        }
        let live = w.read(Projections::digests);
        drop(w);
        let (w, r) = Writer::open(log.clone()).unwrap();
        assert_eq!(
            r.tail_records, 7,
            "exactly the records after the checkpoint"
        );
        assert_eq!(w.read(Projections::digests), live);
        assert_eq!(w.read(|p| p.streams.state.streams.len()), 17);
    }

    #[tokio::test]
    async fn decisions_under_one_key_see_each_others_events() {
        let log = Arc::new(MemoryLog::in_memory().unwrap());
        let (w, _) = Writer::open(log).unwrap();
        let w = Arc::new(w);
        // Each decision admits stream "s<n>" where n is the number of streams it sees: if two
        // ran against the same snapshot they would both pick the same name.
        let mut tasks = Vec::new();
        for _ in 0..8 {
            let w = w.clone();
            tasks.push(tokio::spawn(async move {
                w.decide("k", 0, |p| {
                    let n = p.streams.state.streams.len() as u32;
                    Ok::<_, ()>((vec![started(n)], n))
                })
                .await
                .unwrap()
                .unwrap()
                .0
            }));
        }
        let mut got = Vec::new();
        for t in tasks {
            got.push(t.await.unwrap());
        }
        got.sort_unstable();
        assert_eq!(got, (0..8).collect::<Vec<_>>());
    }

    #[tokio::test]
    async fn a_refusal_appends_nothing() {
        let log = Arc::new(MemoryLog::in_memory().unwrap());
        let (w, _) = Writer::open(log.clone()).unwrap();
        let r = w
            .decide("k", 0, |_| Err::<(Vec<Event>, ()), _>("no"))
            .await
            .unwrap();
        assert_eq!(r.unwrap_err(), "no");
        assert_eq!(log.head().next_seq, 0);
    }

    #[tokio::test]
    async fn the_observer_sees_each_record_once_in_seq_order() {
        let log = Arc::new(MemoryLog::in_memory().unwrap());
        let (w, _) = Writer::open(log.clone()).unwrap();
        w.append(0, vec![started(100)]).await.unwrap();
        let seen = Arc::new(Mutex::new(Vec::new()));
        let s = seen.clone();
        assert!(w.observe(Box::new(move |e, p| {
            s.lock()
                .unwrap()
                .push((e.seq, p.streams.state.streams.len()));
        })));
        assert!(!w.observe(Box::new(|_, _| {})), "one observer");
        let w = Arc::new(w);
        let mut tasks = Vec::new();
        for i in 0..6 {
            let w = w.clone();
            tasks.push(tokio::spawn(
                async move { w.append(1, vec![started(i)]).await },
            ));
        }
        for t in tasks {
            t.await.unwrap().unwrap();
        }
        // A record appended straight to the log is seen when the writer catches up.
        log.append(vec![(2, started(6))], crate::log::Expect::Any)
            .await
            .unwrap();
        w.catch_up().unwrap();
        let seen = seen.lock().unwrap().clone();
        let want: Vec<(u64, usize)> = (1..8).map(|seq| (seq, seq as usize + 1)).collect();
        assert_eq!(
            seen, want,
            "seq 1..=7 once each, the projections already holding it"
        );
    }
}
