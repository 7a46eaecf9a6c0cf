//! Verified sequential scan: a reader thread reads records and recomputes their hashes while
//! the caller decodes, checks the chain and folds them — two cores, one pass.

use super::{record, store::LogStore, LogError};
use crate::events::{decode_record, Envelope, Hash32};
use std::sync::mpsc;

/// Records handed over per message (amortises the channel).
const CHUNK: usize = 512;

/// A record read and hashed by the reader thread.
struct Hashed {
    seq: u64,
    value: Vec<u8>,
    computed: Hash32,
}

/// Scans records `from..=to`, verifying hashes and the chain from `from`, and calls `f` on each
/// envelope in order. The chain link of record `from` is checked against `prev` when given.
/// Returns the number of records and the hash of the last one.
pub fn scan_verified<S: LogStore, F: FnMut(&Envelope)>(
    store: &S,
    from: u64,
    to: u64,
    prev: Option<Hash32>,
    mut f: F,
) -> Result<(u64, Hash32), LogError> {
    std::thread::scope(|scope| {
        let (tx, rx) = mpsc::sync_channel::<Result<Vec<Hashed>, LogError>>(16);
        let reader = std::thread::Builder::new()
            .name("lp-scan".into())
            .spawn_scoped(scope, move || {
                let mut chunk = Vec::with_capacity(CHUNK);
                for item in store.range(from, to) {
                    match item {
                        Ok((seq, value)) => {
                            let body = value.get(32..).unwrap_or_default();
                            let computed = Hash32(*blake3::hash(body).as_bytes());
                            chunk.push(Hashed {
                                seq,
                                value,
                                computed,
                            });
                            if chunk.len() == CHUNK
                                && tx
                                    .send(Ok(std::mem::replace(
                                        &mut chunk,
                                        Vec::with_capacity(CHUNK),
                                    )))
                                    .is_err()
                            {
                                return;
                            }
                        }
                        Err(e) => {
                            let _ = tx.send(Err(e));
                            return;
                        }
                    }
                }
                if !chunk.is_empty() {
                    let _ = tx.send(Ok(chunk));
                }
            });
        if let Err(e) = reader {
            return Err(LogError::Storage(format!("cannot start scan thread: {e}")));
        }
        let mut expected = from;
        let mut prev = prev;
        let mut last = prev.unwrap_or_default();
        for msg in rx {
            for h in msg? {
                let bad = |detail: String| LogError::Corruption {
                    seq: Some(h.seq),
                    detail,
                };
                let (stored, body) = record::split(h.seq, &h.value)?;
                if stored != h.computed {
                    return Err(bad("record hash does not match its stored hash".into()));
                }
                let env = decode_record(body)
                    .map_err(|source| LogError::Decode { seq: h.seq, source })?;
                if h.seq != expected || env.seq != h.seq {
                    return Err(bad(format!("records out of sequence: expected {expected}")));
                }
                if prev.is_some_and(|p| p != env.prev_hash) {
                    return Err(bad("prev_hash does not match the previous record".into()));
                }
                f(&env);
                prev = Some(stored);
                last = stored;
                expected += 1;
            }
        }
        Ok((expected - from, last))
    })
}
