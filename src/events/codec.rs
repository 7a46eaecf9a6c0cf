//! Encoding and decoding of records with typed errors.
//!
//! The header and the variant tag are read by hand so that an unknown version or variant is a
//! typed error rather than postcard's generic one, and trailing bytes are refused.

use super::{envelope::Envelope, types::Hash32, Event, EVENT_COUNT, FORMAT_VERSION, MAGIC};
use serde::de::DeserializeOwned;

/// Why a record could not be decoded.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum DecodeError {
    /// The record does not start with the magic bytes.
    #[error("bad magic {0:02x?}: not a livepeer event record")]
    BadMagic([u8; 4]),
    /// A format version this build does not know.
    #[error("unknown record format version {0} (this build reads up to {FORMAT_VERSION})")]
    UnknownVersion(u16),
    /// A variant tag this build does not know.
    #[error("unknown event tag {0} (this build knows {EVENT_COUNT} kinds)")]
    UnknownTag(u32),
    /// The record ends early.
    #[error("record truncated while reading {0}")]
    Truncated(&'static str),
    /// Bytes remain after the event.
    #[error("{0} trailing bytes after the event")]
    TrailingBytes(usize),
    /// The bytes do not form a valid value.
    #[error("malformed {what}: {detail}")]
    Malformed {
        /// Which part.
        what: &'static str,
        /// postcard's description.
        detail: String,
    },
}

/// Encodes an envelope. Encoding owned plain data cannot fail.
pub fn encode_record(env: &Envelope) -> Vec<u8> {
    postcard::to_allocvec(env).unwrap_or_default()
}

/// `prefix` followed by [`encode_record`]'s bytes, in `prefix`'s buffer: with room reserved,
/// one allocation per record instead of one per doubling as postcard grows its own.
pub fn encode_record_after(prefix: Vec<u8>, env: &Envelope) -> Vec<u8> {
    let keep = prefix.len();
    postcard::to_extend(env, prefix).unwrap_or_else(|_| vec![0; keep])
}

fn take<'a, T: DeserializeOwned>(
    bytes: &'a [u8],
    what: &'static str,
) -> Result<(T, &'a [u8]), DecodeError> {
    postcard::take_from_bytes::<T>(bytes).map_err(|e| match e {
        postcard::Error::DeserializeUnexpectedEnd => DecodeError::Truncated(what),
        other => DecodeError::Malformed {
            what,
            detail: other.to_string(),
        },
    })
}

/// Decodes one record, refusing unknown versions and tags and trailing bytes.
pub fn decode_record(bytes: &[u8]) -> Result<Envelope, DecodeError> {
    let (magic, rest) = take::<[u8; 4]>(bytes, "magic")?;
    if magic != MAGIC {
        return Err(DecodeError::BadMagic(magic));
    }
    let (format_version, rest) = take::<u16>(rest, "format version")?;
    if format_version == 0 || format_version > FORMAT_VERSION {
        return Err(DecodeError::UnknownVersion(format_version));
    }
    let (seq, rest) = take::<u64>(rest, "seq")?;
    let (at_ms, rest) = take::<u64>(rest, "at_ms")?;
    let (prev_hash, rest) = take::<Hash32>(rest, "prev_hash")?;
    let (tag, _) = take::<u32>(rest, "event tag")?;
    if tag >= EVENT_COUNT {
        return Err(DecodeError::UnknownTag(tag));
    }
    let (event, rest) = take::<Event>(rest, "event")?;
    if !rest.is_empty() {
        return Err(DecodeError::TrailingBytes(rest.len()));
    }
    Ok(Envelope {
        magic,
        format_version,
        seq,
        at_ms,
        prev_hash,
        event,
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{EndReason, KvSet, StreamEnded};

    fn sample() -> Envelope {
        Envelope::new(
            7,
            1_700_000_000_000,
            Hash32([9; 32]),
            Event::StreamEnded(StreamEnded {
                stream: "s".into(),
                reason: EndReason::Error("boom".into()),
            }),
        )
    }

    #[test]
    fn round_trip() {
        let env = sample();
        assert_eq!(decode_record(&encode_record(&env)), Ok(env));
    }

    #[test]
    fn encoding_after_a_prefix_keeps_it_and_the_same_bytes() {
        let env = sample();
        let got = encode_record_after(vec![7; 32], &env);
        assert_eq!(&got[..32], &[7; 32]);
        assert_eq!(&got[32..], encode_record(&env).as_slice());
    }

    #[test]
    fn every_prefix_is_truncated_not_a_panic() {
        let bytes = encode_record(&sample());
        for n in 0..bytes.len() {
            let got = decode_record(&bytes[..n]);
            assert!(
                matches!(got, Err(DecodeError::Truncated(_))),
                "prefix {n}: {got:?}"
            );
        }
    }

    #[test]
    fn trailing_bytes_refused() {
        let mut bytes = encode_record(&sample());
        bytes.extend_from_slice(&[0, 0]);
        assert_eq!(decode_record(&bytes), Err(DecodeError::TrailingBytes(2)));
    }

    #[test]
    fn unknown_version_and_tag() {
        let mut bytes = encode_record(&sample());
        bytes[4] = 9; // the version varint (single byte for 1)
        assert_eq!(decode_record(&bytes), Err(DecodeError::UnknownVersion(9)));

        let env = Envelope::new(
            0,
            0,
            Hash32::default(),
            Event::KvSet(KvSet {
                key: "k".into(),
                value: vec![],
            }),
        );
        let mut bytes = encode_record(&env);
        // header: 4 magic + 1 version + 1 seq + 1 at_ms + 32 hash = 39; tag follows
        bytes[39] = 0x7f;
        assert_eq!(decode_record(&bytes), Err(DecodeError::UnknownTag(0x7f)));
    }

    #[test]
    fn bad_magic() {
        let mut bytes = encode_record(&sample());
        bytes[0] = b'X';
        assert!(matches!(
            decode_record(&bytes),
            Err(DecodeError::BadMagic(_))
        ));
    }
}
