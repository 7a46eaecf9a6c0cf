//! Errors of the event log.

use crate::events::DecodeError;

/// What went wrong with the log.
#[derive(Debug, Clone, thiserror::Error)]
pub enum LogError {
    /// Another process holds the datadir.
    #[error("datadir {path} is in use by another livepeer process (the event log is locked)")]
    InUse {
        /// The datadir.
        path: String,
    },
    /// The storage engine failed (I/O, full disk, file-size limit).
    #[error("event log storage error: {0}")]
    Storage(String),
    /// Stored bytes are damaged: a checksum or the hash chain does not match.
    #[error("event log corruption{}: {detail}", seq.map(|s| format!(" at seq {s}")).unwrap_or_default())]
    Corruption {
        /// The first bad record, when known.
        seq: Option<u64>,
        /// What was found.
        detail: String,
    },
    /// A record could not be decoded.
    #[error("record {seq} cannot be decoded: {source}")]
    Decode {
        /// The record.
        seq: u64,
        /// Why.
        source: DecodeError,
    },
    /// A write or sync failed earlier; the log refuses all further appends until reopened.
    #[error("event log is poisoned by an earlier failed write ({0}); restart the node to recover")]
    Poisoned(String),
    /// `Expect::Seq(n)` did not hold.
    #[error("append expected next seq {expected}, log is at {actual}")]
    Conflict {
        /// What the writer expected.
        expected: u64,
        /// Where the log is.
        actual: u64,
    },
    /// The appender has shut down.
    #[error("event log is closed")]
    Closed,
}

impl LogError {
    /// Maps a fjall error to ours, recognising the lock and checksum cases.
    pub(crate) fn from_fjall(e: fjall::Error, path: &str) -> Self {
        match e {
            fjall::Error::Locked => LogError::InUse {
                path: path.to_string(),
            },
            fjall::Error::Poisoned => LogError::Poisoned("storage engine poisoned".into()),
            fjall::Error::Io(io) => LogError::Storage(io.to_string()),
            other => {
                let text = format!("{other:?}");
                if text.contains("Checksum")
                    || text.contains("Decompress")
                    || text.contains("Recovery")
                    || text.contains("Invalid")
                    || text.contains("Unrecoverable")
                {
                    LogError::Corruption {
                        seq: None,
                        detail: text,
                    }
                } else {
                    LogError::Storage(text)
                }
            }
        }
    }
}
