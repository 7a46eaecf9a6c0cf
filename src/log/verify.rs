//! Whole-log verification: recompute every record's hash and the chain of `prev_hash` links.

use super::{record, store::LogStore, LogError};
use crate::events::Hash32;

/// The result of a verification that could read the whole log.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct VerifyReport {
    /// Records checked.
    pub records: u64,
    /// The first record that does not belong to the chain, and why.
    pub first_bad: Option<(u64, String)>,
    /// Hash of the last good record.
    pub last_hash: Hash32,
}

/// Walks the log from seq 0. Storage errors (a checksum failure, unreadable files) are returned
/// as errors; records that read fine but break the chain are reported in `first_bad`.
pub fn verify<S: LogStore>(store: &S) -> Result<VerifyReport, LogError> {
    let mut expected_seq = 0u64;
    let mut prev = Hash32::default();
    for item in store.range(0, u64::MAX) {
        let (seq, value) = item?;
        let bad = |why: String| VerifyReport {
            records: expected_seq,
            first_bad: Some((expected_seq.min(seq), why)),
            last_hash: prev,
        };
        if seq != expected_seq {
            return Ok(bad(format!(
                "missing record: found seq {seq} where {expected_seq} belongs"
            )));
        }
        let rec = match record::open(seq, &value) {
            Ok(r) => r,
            Err(e) => return Ok(bad(e.to_string())),
        };
        if rec.computed_hash != rec.stored_hash {
            return Ok(bad(format!(
                "record hash {} does not match the stored hash {}",
                rec.computed_hash, rec.stored_hash
            )));
        }
        if rec.envelope.seq != seq {
            return Ok(bad(format!(
                "record says seq {} under key {seq}",
                rec.envelope.seq
            )));
        }
        if rec.envelope.prev_hash != prev {
            return Ok(bad(format!(
                "prev_hash {} does not match the previous record's hash {}",
                rec.envelope.prev_hash, prev
            )));
        }
        prev = rec.stored_hash;
        expected_seq += 1;
    }
    Ok(VerifyReport {
        records: expected_seq,
        first_bad: None,
        last_hash: prev,
    })
}
