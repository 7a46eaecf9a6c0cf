//! How a B works: its flags as the role reads them.

use crate::media::VideoProfile;

/// How a B works.
#[derive(Clone, Debug)]
pub struct BcastConfig {
    /// Orchestrators to use (`https://host:port`), from `-orchAddr`; empty on a chain: the
    /// active pool's service URIs (the orchestrator projection).
    pub orchestrators: Vec<String>,
    /// `-orchBlocklist`: Os never used.
    pub blocklist: Vec<crate::events::Address>,
    /// The ladder, from `-transcodingOptions`.
    pub profiles: Vec<VideoProfile>,
    /// `-currentManifest`: serve the latest stream at `/stream/current.m3u8`.
    pub current_manifest: bool,
    /// `-localVerify`: check each result's signature against the O's address.
    pub local_verify: bool,
    /// `-maxPricePerUnit` / `-pixelsPerUnit` (none: any price).
    pub max_price: Option<crate::events::Price>,
    /// `-ignoreMaxPriceIfNeeded`.
    pub ignore_max_price: bool,
    /// On a chain, how a new session's O is chosen (`-selectStakeWeight`, …).
    pub selection: crate::commands::selection::ProbabilitySelectionAlgorithm,
    /// `-maxAttempts`: Os a segment is tried on.
    pub max_attempts: usize,
    /// `-authWebhookUrl`: asked about every new stream.
    pub auth_webhook: Option<String>,
    /// `-monitor`: what the segment path measures itself (`node::metrics::edge`).
    pub metrics: crate::node::metrics::Edge,
}
