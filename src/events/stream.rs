//! Stream lifecycle and segment facts: a stream started or ended, a segment arrived, was
//! transcoded (with the pixels that bill it) or failed; remote transcoders came and went.

use super::types::Address;
use serde::{Deserialize, Serialize};

/// Where a stream's media comes from.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum IngestSource {
    /// RTMP publish to `rtmp://host/<app>/<key>`.
    Rtmp {
        /// RTMP application name.
        app: String,
        /// Stream key.
        key: String,
    },
    /// HTTP push (`PUT /live/<manifest>/<seq>.ts`).
    HttpPush,
    /// A local file or a generated test source.
    File {
        /// Path or description of the source.
        path: String,
    },
    /// Segments a broadcaster sends to this orchestrator (the O's view of a stream: one per O
    /// session, whose id is the stream id).
    Broadcaster {
        /// The broadcaster's manifest id for the stream.
        manifest: String,
    },
}

/// Why a stream ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum EndReason {
    /// The publisher stopped cleanly.
    Unpublished,
    /// No segment arrived within the idle timeout.
    IdleTimeout,
    /// The stream was stopped because of an error.
    Error(String),
    /// The node stopped without ending it (killed, crashed) and ended it when it started again.
    NodeRestarted,
}

/// Who transcoded a segment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum Worker {
    /// This node's own transcoder.
    Local,
    /// A remote orchestrator, by its ETH address (zero when offchain).
    Orchestrator {
        /// The orchestrator's address.
        address: Address,
        /// Its service URI.
        uri: String,
    },
    /// A remote transcoder attached to this orchestrator.
    Transcoder {
        /// The transcoder's reported address.
        addr: String,
    },
}

/// One output rendition of a transcoded segment.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct Rendition {
    /// Profile name (`P360p30fps16x9`, `custom_…`).
    pub profile: String,
    /// Output width of the last frame.
    pub width: u32,
    /// Output height of the last frame.
    pub height: u32,
    /// Encoded video frames.
    pub frames: u32,
    /// Σ width × height over encoded frames: what the network bills.
    pub pixels: u64,
    /// Size of the rendition segment in bytes.
    pub bytes: u64,
}

/// A stream was admitted.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamStarted {
    /// The stream's id (manifest id).
    pub stream: String,
    /// Where its media comes from.
    pub source: IngestSource,
    /// Names of the profiles it is transcoded to.
    pub profiles: Vec<String>,
}

/// A stream ended.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamEnded {
    /// The stream's id.
    pub stream: String,
    /// Why it ended.
    pub reason: EndReason,
}

/// A source segment was cut or received.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentReceived {
    /// The stream's id.
    pub stream: String,
    /// Segment sequence number within the stream.
    pub seq_no: u64,
    /// Duration in milliseconds.
    pub duration_ms: u32,
    /// Size in bytes.
    pub bytes: u64,
}

/// A segment was transcoded into its renditions.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentTranscoded {
    /// The stream's id.
    pub stream: String,
    /// Segment sequence number.
    pub seq_no: u64,
    /// Who did the work.
    pub worker: Worker,
    /// The renditions produced.
    pub renditions: Vec<Rendition>,
    /// Wall time of the transcode in milliseconds; on a B, the round trip at the O that did it
    /// (from sending the segment to its renditions in hand), the numerator of that session's
    /// latency score (`commands::min_ls`).
    pub took_ms: u32,
}

/// A segment could not be transcoded.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SegmentFailed {
    /// The stream's id.
    pub stream: String,
    /// Segment sequence number.
    pub seq_no: u64,
    /// The error, as the operator would read it.
    pub reason: String,
    /// Whether another attempt may succeed.
    pub retryable: bool,
}

/// A remote transcoder attached to this O (`RegisterTranscoder` with the O's secret).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranscoderAttached {
    /// Its address as the O sees it (`ip:port` of its connection).
    pub addr: String,
    /// Sessions it said it takes.
    pub capacity: u32,
}

/// A remote transcoder went away (its segment stream closed).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct TranscoderDetached {
    /// Its address, as when it attached.
    pub addr: String,
}

/// A B opened a session with an O for one of its streams (`GetOrchestrator` answered): where its
/// segments go and the O's token for them. Kept so that a B restarted after a crash can end the
/// sessions its streams held (`EndTranscodingSession`) instead of leaving them to time out.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct BroadcastSessionOpened {
    /// The B's stream.
    pub stream: String,
    /// The O asked (`https://host:port`).
    pub orchestrator: String,
    /// Where segments go (`OrchestratorInfo.transcoder`).
    pub transcoder: String,
    /// The O's session id.
    pub session_id: String,
    /// The token's expiry (unix seconds).
    pub expiration: i64,
    /// The token's HMAC.
    pub token: Vec<u8>,
}
