//! The group-commit appender: one OS thread owns the write path.
//!
//! Writers send requests over a channel; the thread drains every pending request, seals the
//! records (seq, non-decreasing `at_ms`, hash chain), writes them and the pending checkpoints as
//! one batch, syncs once, keeps the newest records decoded ([`Recent`]: writers catching up fold
//! them without reading them back), and only then answers each writer. A failed write or sync
//! poisons the log: that group and every later request get an error, so nothing is ever written
//! past a hole.

use super::{record, store::LogStore, Expect, Head, LogError};
use crate::events::{Envelope, Event, Hash32};
use std::sync::{
    atomic::{AtomicU64, Ordering},
    mpsc, Arc, Mutex,
};
use std::time::{Duration, Instant};
use tokio::sync::oneshot;

/// Most events sealed into one group before it is written.
const MAX_GROUP_EVENTS: usize = 16_384;

/// What an acknowledged append returns.
#[derive(Debug, Clone)]
pub struct AppendReceipt {
    /// The records as stored, in order.
    pub envelopes: Vec<Envelope>,
    /// Hash of the last record.
    pub last_hash: Hash32,
}

pub(super) enum Request {
    Append {
        events: Vec<(u64, Event)>,
        expect: Expect,
        reply: oneshot::Sender<Result<AppendReceipt, LogError>>,
    },
    Checkpoint {
        name: String,
        bytes: Vec<u8>,
        reply: oneshot::Sender<Result<(), LogError>>,
    },
}

/// How many of the newest durable records stay decoded in memory ([`Recent`]).
const RECENT_RECORDS: usize = 4096;

/// The newest durable records as sealed, in seq order: a writer catching up on records other
/// writers appended folds them from here instead of reading them back from the store.
#[derive(Default)]
pub(super) struct Recent(std::collections::VecDeque<Envelope>);

impl Recent {
    /// Calls `f` on every record with `from <= seq <= to`, in order, when all of them are here;
    /// false (and `f` never called) otherwise.
    pub fn each(&self, from: u64, to: u64, mut f: impl FnMut(&Envelope)) -> bool {
        let Some(first) = self.0.front().map(|e| e.seq) else {
            return false;
        };
        let last = first + self.0.len() as u64 - 1;
        if from < first || to > last || from > to {
            return false;
        }
        self.0
            .range((from - first) as usize..=(to - first) as usize)
            .for_each(&mut f);
        true
    }

    fn push(&mut self, envs: impl Iterator<Item = Envelope>) {
        for e in envs {
            if self.0.back().is_some_and(|b| b.seq + 1 != e.seq) {
                self.0.clear();
            }
            self.0.push_back(e);
        }
        while self.0.len() > RECENT_RECORDS {
            self.0.pop_front();
        }
    }
}

/// State shared between the appender thread and the handle.
pub(super) struct Shared {
    pub head: Mutex<Head>,
    pub poisoned: Mutex<Option<String>>,
    pub syncs: AtomicU64,
    pub groups_events: AtomicU64,
    pub recent: Mutex<Recent>,
}

impl Shared {
    pub fn head(&self) -> Head {
        *self
            .head
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
    }
    pub fn poisoned(&self) -> Option<String> {
        self.poisoned
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner)
            .clone()
    }
    fn poison(&self, why: String) {
        *self
            .poisoned
            .lock()
            .unwrap_or_else(std::sync::PoisonError::into_inner) = Some(why);
    }
}

enum Reply {
    Append(
        oneshot::Sender<Result<AppendReceipt, LogError>>,
        AppendReceipt,
    ),
    Checkpoint(oneshot::Sender<Result<(), LogError>>),
}

/// While a group gathers, how long it naps before taking the requests that came meanwhile.
const GATHER_NAP: Duration = Duration::from_micros(50);

/// The longest a group gathers after its first request.
const GATHER_MAX: Duration = Duration::from_millis(2);

/// Runs the appender until every handle is dropped.
///
/// A group is the first waiting request and every one already queued. When the previous group
/// held more requests than this one has yet (writers are concurrent: under load each of them
/// comes back once answered), it naps [`GATHER_NAP`] and takes the requests that came meanwhile,
/// again while naps bring new ones, until it is as large as the previous one or
/// [`GATHER_MAX`] passed: a sync costs far more than a nap, so the writers that are deciding
/// share one sync instead of each paying its own. A lone writer never waits.
pub(super) fn run<S: LogStore>(store: Arc<S>, shared: Arc<Shared>, rx: mpsc::Receiver<Request>) {
    let mut head = shared.head();
    let mut previous = 1usize;
    while let Ok(first) = rx.recv() {
        let began = Instant::now();
        // Room for a group as large as the last one and then some: no growing while gathering.
        let mut requests = Vec::with_capacity(previous + previous / 2 + 1);
        requests.push(first);
        let mut count = 0usize;
        let mut napped = 0usize;
        loop {
            let before = requests.len();
            while count < MAX_GROUP_EVENTS {
                let Ok(req) = rx.try_recv() else { break };
                if let Request::Append { events, .. } = &req {
                    count += events.len();
                }
                requests.push(req);
            }
            let stalled = napped > 0 && requests.len() == before;
            if requests.len() >= previous
                || stalled
                || count >= MAX_GROUP_EVENTS
                || began.elapsed() >= GATHER_MAX
            {
                break;
            }
            std::thread::sleep(GATHER_NAP);
            napped += 1;
        }
        previous = requests.len();
        commit(&*store, &shared, &mut head, requests);
    }
}

/// Seals, writes and syncs one group of requests, then answers each of them. `head` is the
/// writer's own head (the appender thread's, or the inline writer's under its lock).
pub(super) fn commit<S: LogStore>(
    store: &S,
    shared: &Shared,
    head: &mut Head,
    requests: Vec<Request>,
) {
    if let Some(why) = shared.poisoned() {
        for req in requests {
            refuse(req, LogError::Poisoned(why.clone()));
        }
        return;
    }
    let start = *head;
    let events: usize = requests
        .iter()
        .map(|r| match r {
            Request::Append { events, .. } => events.len(),
            Request::Checkpoint { .. } => 0,
        })
        .sum();
    let mut sealed = Vec::with_capacity(events);
    let mut checkpoints = Vec::new();
    let mut replies = Vec::with_capacity(requests.len());
    for req in requests {
        match req {
            Request::Append {
                events,
                expect,
                reply,
            } => {
                if let Expect::Seq(n) = expect {
                    if n != head.next_seq {
                        let _ = reply.send(Err(LogError::Conflict {
                            expected: n,
                            actual: head.next_seq,
                        }));
                        continue;
                    }
                }
                let mut envelopes = Vec::with_capacity(events.len());
                for (at_ms, event) in events {
                    let at_ms = at_ms.max(head.last_at_ms);
                    let s = record::seal(head.next_seq, at_ms, head.last_hash, event);
                    *head = Head {
                        next_seq: s.seq + 1,
                        last_hash: s.hash,
                        last_at_ms: at_ms,
                    };
                    sealed.push((s.seq, s.value));
                    envelopes.push(s.envelope);
                }
                replies.push(Reply::Append(
                    reply,
                    AppendReceipt {
                        envelopes,
                        last_hash: head.last_hash,
                    },
                ));
            }
            Request::Checkpoint { name, bytes, reply } => {
                checkpoints.push((name, bytes));
                replies.push(Reply::Checkpoint(reply));
            }
        }
    }
    if replies.is_empty() {
        return;
    }
    let records: Vec<(u64, &[u8])> = sealed.iter().map(|(seq, v)| (*seq, v.as_slice())).collect();
    let result = store
        .write(&records, &checkpoints)
        .and_then(|()| store.sync());
    shared.syncs.fetch_add(1, Ordering::Relaxed);
    shared
        .groups_events
        .fetch_add(sealed.len() as u64, Ordering::Relaxed);
    match result {
        Ok(()) => {
            shared
                .recent
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner)
                .push(
                    replies
                        .iter()
                        .flat_map(|r| match r {
                            Reply::Append(_, receipt) => receipt.envelopes.as_slice(),
                            Reply::Checkpoint(_) => &[],
                        })
                        .cloned(),
                );
            *shared
                .head
                .lock()
                .unwrap_or_else(std::sync::PoisonError::into_inner) = *head;
            for r in replies {
                match r {
                    Reply::Append(tx, receipt) => {
                        let _ = tx.send(Ok(receipt));
                    }
                    Reply::Checkpoint(tx) => {
                        let _ = tx.send(Ok(()));
                    }
                }
            }
        }
        Err(e) => {
            *head = start;
            let why = e.to_string();
            shared.poison(why.clone());
            for r in replies {
                match r {
                    Reply::Append(tx, _) => {
                        let _ = tx.send(Err(LogError::Poisoned(why.clone())));
                    }
                    Reply::Checkpoint(tx) => {
                        let _ = tx.send(Err(LogError::Poisoned(why.clone())));
                    }
                }
            }
        }
    }
}

fn refuse(req: Request, err: LogError) {
    match req {
        Request::Append { reply, .. } => {
            let _ = reply.send(Err(err));
        }
        Request::Checkpoint { reply, .. } => {
            let _ = reply.send(Err(err));
        }
    }
}
