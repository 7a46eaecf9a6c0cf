//! The stored value of one record: `hash(32) ‖ encoded envelope`, keyed by big-endian seq.

use super::LogError;
use crate::events::{decode_record, encode_record_after, Envelope, Event, Hash32};

/// Bytes reserved for a record's value before it is encoded: the hash and a payment's record
/// (`TicketReceived`, `BalanceCredited`: about 240 bytes each in `bench pm`) fit without
/// growing the buffer; a larger one grows it as before.
const VALUE_CAPACITY: usize = 32 + 288;

/// The key of record `seq`.
pub fn key(seq: u64) -> [u8; 8] {
    seq.to_be_bytes()
}

/// Parses a key back into a seq.
pub fn seq_of(key: &[u8]) -> Result<u64, LogError> {
    let arr: [u8; 8] = key.try_into().map_err(|_| LogError::Corruption {
        seq: None,
        detail: format!("record key of {} bytes, expected 8", key.len()),
    })?;
    Ok(u64::from_be_bytes(arr))
}

/// A record ready to store: its seq, hash and value bytes.
#[derive(Debug, Clone)]
pub struct Sealed {
    /// Position.
    pub seq: u64,
    /// blake3 of the encoded envelope.
    pub hash: Hash32,
    /// `hash ‖ envelope`.
    pub value: Vec<u8>,
    /// The envelope, handed back to the writer.
    pub envelope: Envelope,
}

/// Builds the record for `event` at `seq` after `prev_hash`.
pub fn seal(seq: u64, at_ms: u64, prev_hash: Hash32, event: Event) -> Sealed {
    let envelope = Envelope::new(seq, at_ms, prev_hash, event);
    let mut value = Vec::with_capacity(VALUE_CAPACITY);
    value.extend_from_slice(&[0; 32]);
    let mut value = encode_record_after(value, &envelope);
    let hash = Hash32(*blake3::hash(&value[32..]).as_bytes());
    value[..32].copy_from_slice(&hash.0);
    Sealed {
        seq,
        hash,
        value,
        envelope,
    }
}

/// Splits a stored value into the stored hash and the envelope bytes.
pub fn split(seq: u64, value: &[u8]) -> Result<(Hash32, &[u8]), LogError> {
    if value.len() < 32 {
        return Err(LogError::Corruption {
            seq: Some(seq),
            detail: format!("record of {} bytes is shorter than its hash", value.len()),
        });
    }
    let (h, body) = value.split_at(32);
    let mut hash = [0u8; 32];
    hash.copy_from_slice(h);
    Ok((Hash32(hash), body))
}

/// A record read back: envelope, stored hash, and whether the stored hash matches the bytes.
#[derive(Debug, Clone)]
pub struct Opened {
    /// Decoded envelope.
    pub envelope: Envelope,
    /// Hash stored beside the record.
    pub stored_hash: Hash32,
    /// blake3 recomputed over the stored envelope bytes.
    pub computed_hash: Hash32,
    /// Size of the stored value.
    pub stored_len: usize,
}

/// Decodes a stored value at `seq`.
pub fn open(seq: u64, value: &[u8]) -> Result<Opened, LogError> {
    let (stored_hash, body) = split(seq, value)?;
    let computed_hash = Hash32(*blake3::hash(body).as_bytes());
    let envelope = decode_record(body).map_err(|source| LogError::Decode { seq, source })?;
    Ok(Opened {
        envelope,
        stored_hash,
        computed_hash,
        stored_len: value.len(),
    })
}
