//! Why a command was refused: one typed enum for every decision outside payments. No HTTP status
//! lives here; `api::status` maps each variant (and the payment errors) to the status and the
//! text go-livepeer sends, in one exhaustive table.

use super::auth_token::AuthError;

/// A refused command.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Rejected {
    /// The `Livepeer-Payment` header is not base64 of a `net.Payment` (its decode error).
    #[error("{0}")]
    PaymentHeader(String),
    /// The `Livepeer-Segment` header is unreadable or asks for something impossible
    /// (`ErrorSegEncoding`, `invalid duration`, `unrecognized …`).
    #[error("{0}")]
    SegmentHeader(String),
    /// `SegData.sig` is not the payment sender's signature.
    #[error("ErrSegSig")]
    SegmentSignature,
    /// The job needs a capability this O lacks, or lacks one this O makes mandatory.
    #[error("incompatible capabilities")]
    IncompatibleCapabilities,
    /// The session's auth token is missing, forged or expired.
    #[error(transparent)]
    AuthToken(#[from] AuthError),
    /// A new session while `-maxSessions` sessions are open.
    #[error("OrchestratorCapped")]
    OrchestratorCapped,
    /// The segment is larger than `MaxSegSize`.
    #[error("segment of {len} bytes is over the {max} byte limit")]
    BodyTooLarge {
        /// Its size.
        len: u64,
        /// The limit.
        max: u64,
    },
    /// The segment was given by URL and could not be fetched.
    #[error("BadRequest")]
    BodyUnreachable,
    /// keccak256 of the body is not `SegData.hash`.
    #[error("Forbidden")]
    HashMismatch,
    /// The B has no orchestrator that takes the segment.
    #[error("No sessions available")]
    NoOrchestrator,
    /// A publisher beyond the B's `-maxSessions`.
    #[error("too many sessions")]
    TooManyStreams,
    /// The B's auth webhook did not admit a new stream (why is in `StreamAuthDecided`).
    #[error("Could not create stream ID: url={url}")]
    StreamForbidden {
        /// The ingest URL.
        url: String,
    },
    /// The B's auth webhook admitted a stream with a ladder the B cannot use.
    #[error("Could not create stream ID: url={url}")]
    StreamUnusable {
        /// The ingest URL.
        url: String,
    },
}
