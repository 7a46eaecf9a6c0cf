//! A B's auth webhook decision (`-authWebhookUrl`, `StreamAuthDecided`): for each new stream the
//! B asked the webhook about its ingest URL and admitted it — under which manifest id, with which
//! ladder and segment timeout multiplier — or refused it and why. Recorded before the stream
//! starts (or the publisher is turned away), so the log says what the B decided and on what.

use serde::{Deserialize, Serialize};

/// One rendition of a stream's ladder as the B asks Os for it (go-livepeer's `VideoProfile`;
/// `profile` and `gop` spelled as its JSON profiles spell them).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct LadderProfile {
    /// Rendition name (a preset's, the JSON's, or `custom_<W>x<H>_<bitrate>`).
    pub name: String,
    /// Requested width.
    pub width: u32,
    /// Requested height.
    pub height: u32,
    /// Bits per second.
    pub bitrate: u64,
    /// Frame rate numerator; 0 keeps the source's.
    pub fps: u32,
    /// Frame rate denominator.
    pub fps_den: u32,
    /// H.264 profile: "" (encoder default), `H264Baseline`, `H264Main`, `H264High`,
    /// `H264ConstrainedHigh`.
    pub profile: String,
    /// Keyframe interval: "" (encoder default), `intra`, or seconds (`2.5`).
    pub gop: String,
}

/// A stream the webhook admitted, as the B runs it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdmittedStream {
    /// The manifest id it runs (and plays) under: the webhook's `manifestID`, else the URL's.
    pub stream: String,
    /// Its RTMP key: the webhook's `streamKey`, else the URL's.
    pub key: String,
    /// Its ladder: the webhook's `presets` and `profiles`, else the B's `-transcodingOptions`.
    pub profiles: Vec<LadderProfile>,
    /// Its segment timeouts are multiplied by this (the webhook's `timeoutMultiplier`, at
    /// least 1).
    pub timeout_multiplier: u32,
}

/// What the B decided about a new stream.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub enum AuthDecision {
    /// The webhook answered 200: the stream runs as described.
    Admitted(AdmittedStream),
    /// The webhook did not admit it (another status, an answer that is not its JSON, an empty
    /// manifest id, no answer in time).
    Refused {
        /// Why, as the operator reads it.
        reason: String,
    },
    /// The webhook admitted it with a ladder the B cannot use.
    Unusable {
        /// Why, as the operator reads it.
        reason: String,
    },
}

/// A B asked its auth webhook about a new stream and decided.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamAuthDecided {
    /// The ingest URL the webhook was given (`{"url": …}`).
    pub url: String,
    /// The stream name the publisher asked for (from the URL).
    pub requested: String,
    /// The decision.
    pub decision: AuthDecision,
}
