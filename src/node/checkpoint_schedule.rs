//! When the writer rewrites a projection's checkpoint. Each projection is checkpointed on its
//! own (a slot restored from its checkpoint skips what it holds, so they need not agree): at
//! most every [`super::writer::CHECKPOINT_EVERY`] records, and only once the records appended
//! since its last checkpoint pay for its size at [`BYTES_PER_RECORD`] — so the bytes written
//! for checkpoints stay a bounded multiple of the records appended, however large a projection
//! grows (the audit index of a 10 M-event log encodes to ~130 MB: rewritten every 10,000
//! records it would cost ~13 kB of writes per event; now about once every 2 M records), and a
//! restart folds a longer tail only for the large projections (`bench audit`: ~0.5 µs per
//! record). Soft state: after a restart each projection counts as checkpointed, size unknown,
//! where the restore left it.

use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

/// Checkpoint bytes each appended record pays for.
pub const BYTES_PER_RECORD: u64 = 64;

/// Whether a projection whose last checkpoint (`last_bytes` long) is `records_since` records
/// old is due, checkpointing at most every `every` records.
pub fn due(records_since: u64, last_bytes: u64, every: u64) -> bool {
    records_since >= every && records_since.saturating_mul(BYTES_PER_RECORD) >= last_bytes
}

/// Each projection's last checkpoint: the seq it covers and its size.
#[derive(Debug)]
pub struct Schedule {
    start: u64,
    written: Mutex<BTreeMap<&'static str, (u64, u64)>>,
}

impl Schedule {
    /// A schedule whose projections count as checkpointed at `start`, size unknown.
    pub fn new(start: u64) -> Self {
        Schedule {
            start,
            written: Mutex::new(BTreeMap::new()),
        }
    }

    /// Whether `name`, now at `next_seq`, is due ([`due`]).
    pub fn is_due(&self, name: &'static str, next_seq: u64, every: u64) -> bool {
        let (seq, bytes) = self.lock().get(name).copied().unwrap_or((self.start, 0));
        due(next_seq.saturating_sub(seq), bytes, every)
    }

    /// `name`'s checkpoint covering records below `next_seq`, `bytes` long, is written.
    pub fn written(&self, name: &'static str, next_seq: u64, bytes: usize) {
        let bytes = u64::try_from(bytes).unwrap_or(u64::MAX);
        self.lock().insert(name, (next_seq, bytes));
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<&'static str, (u64, u64)>> {
        self.written.lock().unwrap_or_else(PoisonError::into_inner)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{Event, IngestSource, StreamStarted};
    use crate::log::MemoryLog;
    use crate::node::writer::Writer;
    use crate::projections::Projections;
    use std::sync::Arc;

    fn started(i: u32, name_len: usize) -> Event {
        Event::StreamStarted(StreamStarted {
            stream: format!("{i:0>name_len$}"),
            source: IngestSource::HttpPush,
            profiles: vec![],
        })
    }

    #[test]
    fn a_checkpoint_is_due_once_the_records_since_pay_for_its_size() {
        assert!(!due(4, 0, 5), "never before `every` records");
        assert!(due(5, 0, 5));
        assert!(due(5, 320, 5), "5 records pay for 320 bytes");
        assert!(!due(5, 321, 5));
        assert!(!due(1_999_999, 128_000_000, 10_000), "a 128 MB index");
        assert!(due(2_000_000, 128_000_000, 10_000));
    }

    #[tokio::test]
    async fn checkpoints_come_every_n_records_so_a_restart_folds_fewer() {
        let log = Arc::new(MemoryLog::in_memory().unwrap());
        let (w, _) = Writer::open_with(log.clone(), 5).unwrap();
        for i in 0..12 {
            w.append(u64::from(i), vec![started(i, 2)]).await.unwrap();
        }
        let live = w.read(Projections::digests);
        drop(w);
        let (w, r) = Writer::open(log).unwrap();
        assert_eq!(r.tail_records, 2, "checkpoints at 5 and 10, then 2 records");
        assert_eq!(w.read(Projections::digests), live);
    }

    #[tokio::test]
    async fn a_large_projection_is_rewritten_less_often_and_a_restart_still_equals_live() {
        let log = Arc::new(MemoryLog::in_memory().unwrap());
        let (w, _) = Writer::open_with(log.clone(), 5).unwrap();
        // Streams with 1,000-character names: the streams projection's checkpoint at seq 5 is
        // over 5 kB, which the next 5 records (320 bytes' worth) do not pay for.
        for i in 0..12 {
            w.append(u64::from(i), vec![started(i, 1000)])
                .await
                .unwrap();
        }
        let live = w.read(Projections::digests);
        drop(w);
        let (w, r) = Writer::open(log).unwrap();
        assert_eq!(
            r.tail_records, 7,
            "the streams checkpoint still covers 5, not 10"
        );
        assert_eq!(w.read(Projections::digests), live);
    }
}
