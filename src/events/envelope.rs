//! The stored record: `{magic, format_version, seq, at_ms, prev_hash, event}`.

use super::{types::Hash32, Event};
use serde::{Deserialize, Serialize};

/// Magic bytes that open every record.
pub const MAGIC: [u8; 4] = *b"LPEV";

/// The current record format. Versions only grow; old ones must decode forever.
pub const FORMAT_VERSION: u16 = 1;

/// One record of the log. Its hash is `blake3(encoded envelope)` and covers `prev_hash`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Envelope {
    /// Always `MAGIC`.
    pub magic: [u8; 4],
    /// Record format version.
    pub format_version: u16,
    /// Position in the log, from 0.
    pub seq: u64,
    /// Milliseconds since the Unix epoch; never decreases along the log.
    pub at_ms: u64,
    /// Hash of the previous record (zero for seq 0).
    pub prev_hash: Hash32,
    /// The fact.
    pub event: Event,
}

impl Envelope {
    /// A current-format envelope.
    pub fn new(seq: u64, at_ms: u64, prev_hash: Hash32, event: Event) -> Self {
        Envelope {
            magic: MAGIC,
            format_version: FORMAT_VERSION,
            seq,
            at_ms,
            prev_hash,
            event,
        }
    }
}
