//! Unit tests of the log over the in-memory store and an injected sync step.

use super::*;
use crate::events::{Event, KvSet};
use std::sync::mpsc::{channel, Receiver, Sender};
use std::time::Duration;

fn kv(i: u32) -> Event {
    Event::KvSet(KvSet {
        key: format!("k{i}"),
        value: i.to_be_bytes().to_vec(),
    })
}

#[tokio::test]
async fn appends_chain_and_keep_time_monotonic() {
    let log = MemoryLog::in_memory().unwrap();
    let a = log
        .append(vec![(100, kv(0)), (50, kv(1))], Expect::Any)
        .await
        .unwrap();
    assert_eq!(a.envelopes.len(), 2);
    assert_eq!(a.envelopes[0].seq, 0);
    assert_eq!(a.envelopes[1].at_ms, 100, "at_ms never decreases");
    let b = log
        .append(vec![(200, kv(2))], Expect::Seq(2))
        .await
        .unwrap();
    assert_eq!(b.envelopes[0].prev_hash, a.last_hash);
    let err = log
        .append(vec![(300, kv(3))], Expect::Seq(2))
        .await
        .unwrap_err();
    assert!(
        matches!(
            err,
            LogError::Conflict {
                expected: 2,
                actual: 3
            }
        ),
        "{err}"
    );
    let report = verify(log.store()).unwrap();
    assert_eq!(report.records, 3);
    assert_eq!(report.first_bad, None);
}

/// A store whose sync blocks until the test lets it go.
struct GatedStore {
    inner: MemoryStore,
    entered: Mutex<Sender<()>>,
    gate: Mutex<Receiver<()>>,
}

impl LogStore for GatedStore {
    fn write(&self, r: &[(u64, &[u8])], c: &[(String, Vec<u8>)]) -> Result<(), LogError> {
        self.inner.write(r, c)
    }
    fn sync(&self) -> Result<(), LogError> {
        // Only the first sync is waited for: later groups' notices may find the receiver gone.
        let _ = self.entered.lock().unwrap().send(());
        self.gate.lock().unwrap().recv().unwrap();
        Ok(())
    }
    fn range(&self, from: u64, to: u64) -> RawIter<'_> {
        self.inner.range(from, to)
    }
    fn last(&self) -> Result<Option<(u64, Vec<u8>)>, LogError> {
        self.inner.last()
    }
    fn checkpoint(&self, name: &str) -> Result<Option<Vec<u8>>, LogError> {
        self.inner.checkpoint(name)
    }
    fn disk_bytes(&self) -> u64 {
        0
    }
}

#[tokio::test]
async fn no_append_resolves_before_its_sync_returns() {
    let (entered_tx, entered_rx) = channel();
    let (gate_tx, gate_rx) = channel();
    let log = Log::open(GatedStore {
        inner: MemoryStore::default(),
        entered: Mutex::new(entered_tx),
        gate: Mutex::new(gate_rx),
    })
    .unwrap();
    let mut pending: Vec<_> = (0..8)
        .map(|i| Box::pin(log.append(vec![(i, kv(i as u32))], Expect::Any)))
        .collect();
    // The appender reaches sync with (some of) the writes staged.
    tokio::task::spawn_blocking(move || entered_rx.recv_timeout(Duration::from_secs(5)).unwrap())
        .await
        .unwrap();
    for p in pending.iter_mut() {
        let polled = tokio::time::timeout(Duration::from_millis(50), p.as_mut()).await;
        assert!(
            polled.is_err(),
            "an append resolved while its sync was still running"
        );
    }
    assert_eq!(log.head().next_seq, 0, "the head moves only after the sync");
    // Let every sync through (the first group and any later ones).
    for _ in 0..8 {
        gate_tx.send(()).unwrap();
    }
    for p in pending {
        p.await.unwrap();
    }
    assert_eq!(log.head().next_seq, 8);
}

/// A store whose sync fails once asked to.
struct FailingStore {
    inner: MemoryStore,
    fail: std::sync::atomic::AtomicBool,
}

impl LogStore for FailingStore {
    fn write(&self, r: &[(u64, &[u8])], c: &[(String, Vec<u8>)]) -> Result<(), LogError> {
        self.inner.write(r, c)
    }
    fn sync(&self) -> Result<(), LogError> {
        if self.fail.load(Ordering::SeqCst) {
            return Err(LogError::Storage("injected fsync failure".into()));
        }
        Ok(())
    }
    fn range(&self, from: u64, to: u64) -> RawIter<'_> {
        self.inner.range(from, to)
    }
    fn last(&self) -> Result<Option<(u64, Vec<u8>)>, LogError> {
        self.inner.last()
    }
    fn checkpoint(&self, name: &str) -> Result<Option<Vec<u8>>, LogError> {
        self.inner.checkpoint(name)
    }
    fn disk_bytes(&self) -> u64 {
        0
    }
}

#[tokio::test]
async fn a_failed_sync_poisons_every_later_append() {
    let log = Log::open(FailingStore {
        inner: MemoryStore::default(),
        fail: false.into(),
    })
    .unwrap();
    log.append(vec![(1, kv(1))], Expect::Any).await.unwrap();
    log.store().fail.store(true, Ordering::SeqCst);
    let e = log.append(vec![(2, kv(2))], Expect::Any).await.unwrap_err();
    assert!(matches!(e, LogError::Poisoned(_)), "{e}");
    log.store().fail.store(false, Ordering::SeqCst);
    let e = log.append(vec![(3, kv(3))], Expect::Any).await.unwrap_err();
    assert!(
        matches!(e, LogError::Poisoned(_)),
        "still poisoned after the disk recovers: {e}"
    );
    assert!(log.put_checkpoint("x", vec![1]).await.is_err());
    assert_eq!(log.head().next_seq, 1);
}

#[test]
fn fjall_log_reopens_and_refuses_a_second_opener() {
    let dir = tempfile::tempdir().unwrap();
    let last = {
        let log = FjallLog::open_dir(dir.path()).unwrap();
        let r = log
            .append_blocking((0..10).map(|i| (i, kv(i as u32))).collect(), Expect::Any)
            .unwrap();
        let second = FjallLog::open_dir(dir.path());
        assert!(
            matches!(second, Err(LogError::InUse { .. })),
            "second open must say in use"
        );
        log.put_checkpoint_blocking("p", vec![7]).unwrap();
        r.last_hash
    };
    let log = FjallLog::open_dir(dir.path()).unwrap();
    assert_eq!(log.head().next_seq, 10);
    assert_eq!(log.head().last_hash, last);
    assert_eq!(log.checkpoint("p").unwrap(), Some(vec![7]));
    let r = log
        .append_blocking(vec![(0, kv(10))], Expect::Seq(10))
        .unwrap();
    assert_eq!(r.envelopes[0].prev_hash, last);
    assert_eq!(verify(log.store()).unwrap().records, 11);
}

#[test]
fn verified_scan_folds_in_order_and_stops_at_a_broken_link() {
    let log = MemoryLog::in_memory().unwrap();
    log.append_blocking((0..3000).map(|i| (i, kv(i as u32))).collect(), Expect::Any)
        .unwrap();
    let mut seen = Vec::new();
    let (n, last) = scan_verified(log.store(), 0, u64::MAX, Some(Default::default()), |e| {
        seen.push(e.seq)
    })
    .unwrap();
    assert_eq!(n, 3000);
    assert_eq!(last, log.head().last_hash);
    assert!(seen.iter().copied().eq(0..3000));

    // A record appended behind the appender's back, sealed against the wrong previous hash.
    let forged = seal(3000, 0, Default::default(), kv(3000));
    log.store()
        .write(&[(3000, forged.value.as_slice())], &[])
        .unwrap();
    let err =
        scan_verified(log.store(), 0, u64::MAX, Some(Default::default()), |_| {}).unwrap_err();
    assert!(
        matches!(
            err,
            LogError::Corruption {
                seq: Some(3000),
                ..
            }
        ),
        "{err}"
    );
}

/// The in-memory log writes on the callers' threads: concurrent writers still get one gapless,
/// correctly chained sequence, and each receipt holds its own records contiguously.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn concurrent_inline_appends_form_one_chain() {
    let log = Arc::new(MemoryLog::in_memory().unwrap());
    let tasks: Vec<_> = (0..8u32)
        .map(|w| {
            let log = log.clone();
            tokio::spawn(async move {
                let mut got = Vec::new();
                for i in 0..50u32 {
                    let r = log
                        .append(
                            vec![(0, kv(w * 1000 + i)), (0, kv(w * 1000 + i))],
                            Expect::Any,
                        )
                        .await
                        .unwrap();
                    assert_eq!(r.envelopes[1].seq, r.envelopes[0].seq + 1);
                    got.push(r.envelopes[0].seq);
                }
                got
            })
        })
        .collect();
    let mut seqs = Vec::new();
    for t in tasks {
        seqs.extend(t.await.unwrap());
    }
    seqs.sort_unstable();
    assert_eq!(seqs, (0..400u64).map(|i| i * 2).collect::<Vec<_>>());
    let report = verify(log.store()).unwrap();
    assert_eq!(report.records, 800);
    assert_eq!(report.first_bad, None);
    assert_eq!(log.head().next_seq, 800);
}

#[tokio::test]
async fn the_newest_records_are_kept_decoded_as_read_would_decode_them() {
    let log = MemoryLog::in_memory().unwrap();
    let n = 4096 + 100;
    for chunk in (0..n).collect::<Vec<u32>>().chunks(700) {
        let events = chunk.iter().map(|&i| (u64::from(i), kv(i))).collect();
        log.append(events, Expect::Any).await.unwrap();
    }
    let decoded = |from: u64, to: u64| -> Vec<Envelope> {
        log.read(from, to).map(|r| r.unwrap().envelope).collect()
    };
    let recent = |from: u64, to: u64| -> Option<Vec<Envelope>> {
        let mut out = Vec::new();
        log.each_recent(from, to, |e| out.push(e.clone()))
            .then_some(out)
    };
    let last = u64::from(n) - 1;
    // The newest 4096 are kept, exactly as stored.
    assert_eq!(
        recent(last - 4095, last).unwrap(),
        decoded(last - 4095, last)
    );
    assert_eq!(
        recent(last - 10, last - 3).unwrap(),
        decoded(last - 10, last - 3)
    );
    // Older ones, or past the head, are not: the caller reads the store.
    assert_eq!(recent(last - 4096, last), None);
    assert_eq!(recent(0, 5), None);
    assert_eq!(recent(last, last + 1), None);
    assert_eq!(recent(last, last - 1), None, "an empty range");
}
