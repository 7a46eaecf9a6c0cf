//! How a B works: its configuration from the flags (`-orchAddr`, `-orchWebhookUrl`, the ladder,
//! the price and selection rules, discovery's timing).

use crate::commands::selection::ProbabilitySelectionAlgorithm;
use crate::media::VideoProfile;
use std::time::Duration;

/// How a B works.
#[derive(Clone, Debug)]
pub struct BcastConfig {
    /// Orchestrators to use (`https://host:port`), from `-orchAddr`; empty on a chain: the
    /// active pool's service URIs (the orchestrator projection), unless `-orchWebhookUrl`.
    pub orchestrators: Vec<String>,
    /// `-orchWebhookUrl`: the Os come from its list instead (`pool`).
    pub webhook_url: Option<String>,
    /// The least time between two reads of the webhook (1 minute).
    pub webhook_refresh: Duration,
    /// `-extraNodes`: advertised nodes asked per O.
    pub extra_nodes: usize,
    /// `-discoveryTimeout`: on a chain, how long discovery waits before taking the answers it
    /// has (doubling while none came).
    pub discovery_timeout: Duration,
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
    pub selection: ProbabilitySelectionAlgorithm,
    /// `-orchPerfStatsUrl` and `-region` (both set): the Os' performance scores, read every
    /// 10 minutes, weighed against `-minPerfScore` on a chain.
    pub perf_stats: Option<(String, String)>,
    /// `-maxAttempts`: Os a segment is tried on.
    pub max_attempts: usize,
    /// `-authWebhookUrl`: asked about every new stream.
    pub auth_webhook: Option<String>,
    /// `-monitor`: what the segment path measures itself (`node::metrics::edge`).
    pub metrics: crate::node::metrics::Edge,
}
