//! `MediaError`: every way a transcode can fail, with messages a user can act on.

use std::time::Duration;

/// Errors from the transcoder (profiles, demuxing, decoding, encoding, sessions, GPUs).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum MediaError {
    /// A preset name that is not in the reference's lookup table.
    #[error("unknown transcoding preset {0:?} (known: {1})")]
    UnknownPreset(String, String),
    /// A JSON profile list that could not be read or parsed.
    #[error("bad transcoding options {source_name}: {reason}")]
    BadProfiles {
        /// File name or "API" for the origin of the profiles.
        source_name: String,
        /// What is wrong.
        reason: String,
    },
    /// A profile asks for an encoder other than H.264.
    #[error("unsupported encoder {0:?}: only H.264 is supported for now")]
    UnsupportedEncoder(String),
    /// The input segment has zero bytes.
    #[error("empty input segment (zero bytes)")]
    EmptyInput,
    /// The input could not be opened or demuxed.
    #[error("cannot demux input: {0}")]
    Demux(String),
    /// The input has neither video nor audio.
    #[error("input has no video or audio stream")]
    NoStreams,
    /// The input's video codec has no decoder here.
    #[error("no decoder for input video codec {0}")]
    NoDecoder(String),
    /// The segment contains video but not a single keyframe, and no earlier segment of the stream primed the decoder.
    #[error("segment has no keyframe to start decoding from")]
    NoKeyframe,
    /// Decoding failed.
    #[error("decode failed: {0}")]
    Decode(String),
    /// Filtering (scaling, deinterlacing, pixel format conversion) failed.
    #[error("filter graph {graph:?} failed: {reason}")]
    Filter {
        /// The filter graph description.
        graph: String,
        /// What failed.
        reason: String,
    },
    /// The encoder could not be opened or failed.
    #[error("encoder {encoder} failed: {reason}")]
    Encode {
        /// Encoder name (libx264, h264_nvenc).
        encoder: String,
        /// What failed.
        reason: String,
    },
    /// Muxing the output failed.
    #[error("mux failed: {0}")]
    Mux(String),
    /// The transcode did not finish in time; its session was closed.
    #[error("transcode timed out after {0:?}; the session was closed")]
    Timeout(Duration),
    /// The session was closed (idle, stream end or an earlier failure).
    #[error("session {0} is closed")]
    SessionClosed(String),
    /// A GPU transcode was asked for input that is not 8-bit YUV 4:2:0.
    #[error("GPU transcoding needs 8-bit YUV 4:2:0 input, got {0}")]
    GpuPixelFormat(String),
    /// The `-nvidia` device list is unusable.
    #[error("-nvidia {list}: {reason}")]
    Nvidia {
        /// The device list as given.
        list: String,
        /// Which device lacks what.
        reason: String,
    },
    /// A file could not be read or written.
    #[error("{path}: {source}")]
    Io {
        /// The path involved.
        path: String,
        /// The underlying error.
        #[source]
        source: std::io::Error,
    },
    /// An internal worker thread stopped unexpectedly.
    #[error("internal transcoder failure: {0}")]
    Internal(String),
}

impl MediaError {
    /// Wraps an I/O error with the path it concerns.
    pub fn io(path: impl AsRef<std::path::Path>, source: std::io::Error) -> Self {
        MediaError::Io {
            path: path.as_ref().display().to_string(),
            source,
        }
    }

    /// True when the input itself is at fault (a retry with the same bytes will fail again).
    pub fn is_bad_input(&self) -> bool {
        matches!(
            self,
            MediaError::EmptyInput
                | MediaError::Demux(_)
                | MediaError::NoStreams
                | MediaError::NoDecoder(_)
                | MediaError::NoKeyframe
                | MediaError::Decode(_)
                | MediaError::GpuPixelFormat(_)
        )
    }
}
