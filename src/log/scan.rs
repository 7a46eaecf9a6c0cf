//! Verified sequential scan: a reader thread visits records (no copy out of the store's blocks
//! beyond one packed buffer per chunk) and recomputes their hashes, while the caller decodes,
//! checks the chain and folds — two cores, one pass. Chunk buffers go back to the reader for
//! reuse, so a replay allocates almost nothing per record.

use super::{record, store::LogStore, LogError};
use crate::events::{decode_record, Envelope, Hash32};
use std::{ops::Range, sync::mpsc};

/// Records handed over per message (amortises the channel).
const CHUNK: usize = 512;

/// Records read and hashed by the reader thread: their bytes packed into one buffer.
#[derive(Default)]
struct Chunk {
    buf: Vec<u8>,
    /// (seq, where its value sits in `buf`, blake3 of its envelope bytes).
    recs: Vec<(u64, Range<usize>, Hash32)>,
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
        let (tx, rx) = mpsc::sync_channel::<Result<Chunk, LogError>>(8);
        let (back_tx, back_rx) = mpsc::channel::<Chunk>();
        let reader = std::thread::Builder::new()
            .name("lp-scan".into())
            .spawn_scoped(scope, move || {
                let fresh = |back: &mpsc::Receiver<Chunk>| {
                    back.try_recv().unwrap_or_else(|_| Chunk {
                        buf: Vec::with_capacity(CHUNK * 256),
                        recs: Vec::with_capacity(CHUNK),
                    })
                };
                let mut chunk = fresh(&back_rx);
                let mut receiver_gone = false;
                let visited = store.visit(from, to, &mut |seq, value| {
                    let body = value.get(32..).unwrap_or_default();
                    let computed = Hash32(*blake3::hash(body).as_bytes());
                    let start = chunk.buf.len();
                    chunk.buf.extend_from_slice(value);
                    chunk.recs.push((seq, start..chunk.buf.len(), computed));
                    if chunk.recs.len() == CHUNK {
                        let full = std::mem::replace(&mut chunk, fresh(&back_rx));
                        if tx.send(Ok(full)).is_err() {
                            receiver_gone = true;
                            return false;
                        }
                    }
                    true
                });
                if receiver_gone {
                    return;
                }
                let _ = match visited {
                    Ok(()) if chunk.recs.is_empty() => Ok(()),
                    Ok(()) => tx.send(Ok(chunk)),
                    Err(e) => tx.send(Err(e)),
                };
            });
        if let Err(e) = reader {
            return Err(LogError::Storage(format!("cannot start scan thread: {e}")));
        }
        let mut expected = from;
        let mut prev = prev;
        let mut last = prev.unwrap_or_default();
        for msg in rx {
            let mut chunk = msg?;
            for (seq, range, computed) in chunk.recs.drain(..) {
                let bad = |detail: String| LogError::Corruption {
                    seq: Some(seq),
                    detail,
                };
                let value = chunk.buf.get(range).unwrap_or_default();
                let (stored, body) = record::split(seq, value)?;
                if stored != computed {
                    return Err(bad("record hash does not match its stored hash".into()));
                }
                let env = decode_record(body).map_err(|source| LogError::Decode { seq, source })?;
                if seq != expected || env.seq != seq {
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
            chunk.buf.clear();
            let _ = back_tx.send(chunk);
        }
        Ok((expected - from, last))
    })
}
