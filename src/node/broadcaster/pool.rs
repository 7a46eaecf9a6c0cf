//! The B's pool of Os (`commands::orch_pool` decides): the webhook's last list when
//! `-orchWebhookUrl` is set, else `-orchAddr`, else the Os active in the current round on the
//! chain (less `-orchBlocklist`); offchain, with up to `-extraNodes` of the nodes each of them
//! advertised in its last answer (on a chain `discovery` asks those within the same round of
//! answers, as the reference does). What the Os advertised is soft state, learned again from
//! their answers after a restart.

use super::orch_webhook::OrchWebhook;
use super::perf_stats::PerfStats;
use super::service::Broadcaster;
use crate::api::info::OrchInfo;
use crate::commands::orch_pool::{source, with_extra_nodes, Source};
use crate::commands::session_pools::{SCORE_TRUSTED, SCORE_UNTRUSTED};
use crate::log::LogStore;
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};

/// Where the B's Os come from, and what they advertised.
pub struct OrchPool {
    /// `-orchWebhookUrl`, when set.
    webhook: Option<OrchWebhook>,
    /// `-extraNodes`.
    extra_nodes: usize,
    /// Each O's `nodes` in its last answer (kept only with `-extraNodes` above 0).
    advertised: Mutex<BTreeMap<String, Vec<String>>>,
    /// `-orchPerfStatsUrl` with `-region`, when both are set.
    perf: Option<Arc<PerfStats>>,
}

impl OrchPool {
    /// A pool reading `webhook` if given, following up to `extra_nodes` advertised nodes per O,
    /// its Os scored by `perf` if given.
    pub fn new(
        webhook: Option<OrchWebhook>,
        extra_nodes: usize,
        perf: Option<PerfStats>,
    ) -> OrchPool {
        OrchPool {
            webhook,
            extra_nodes,
            advertised: Mutex::new(BTreeMap::new()),
            perf: perf.map(Arc::new),
        }
    }

    /// The performance score service, when set.
    pub fn perf(&self) -> Option<Arc<PerfStats>> {
        self.perf.clone()
    }

    /// The Os' performance scores by address, when a score service is set (none read yet: an
    /// empty map, every O scoring 0, as the reference).
    pub fn perf_scores(&self) -> Option<BTreeMap<crate::events::Address, f64>> {
        self.perf.as_ref().map(|p| p.scores())
    }

    /// `-extraNodes`.
    pub fn extra_nodes(&self) -> usize {
        self.extra_nodes
    }
}

impl<S: LogStore> Broadcaster<S> {
    /// The Os the B's source gives, without advertised nodes.
    pub(super) fn base_orchestrators(&self) -> Vec<String> {
        let cfg = self.config();
        match source(self.pool().webhook.is_some(), &cfg.orchestrators) {
            Source::Webhook => self
                .pool()
                .webhook
                .as_ref()
                .map(OrchWebhook::os)
                .unwrap_or_default(),
            Source::OrchAddr => cfg.orchestrators.clone(),
            Source::Chain => self.writer().read(|p| {
                let mut uris: Vec<String> = p
                    .orchestrators
                    .state
                    .active_in(p.chain.state.round)
                    .filter(|o| !cfg.blocklist.contains(&o.address))
                    .map(|o| o.service_uri.clone())
                    .filter(|u| u.starts_with("https://"))
                    .collect();
                uris.sort();
                uris.dedup();
                uris
            }),
        }
    }

    /// The Os the B's source gives with their scores (`commands::session_pools`): `-orchAddr`'s
    /// trusted (1.0), the webhook's as it gives them, the chain's untrusted (0.0); offchain with
    /// up to `-extraNodes` of the nodes each advertised, scored as the O that advertised them
    /// (on a chain `discovery` asks those itself).
    pub(super) fn scored_orchestrators(&self) -> Vec<(String, f32)> {
        let cfg = self.config();
        let base: Vec<(String, f32)> =
            match source(self.pool().webhook.is_some(), &cfg.orchestrators) {
                Source::Webhook => self
                    .pool()
                    .webhook
                    .as_ref()
                    .map(OrchWebhook::scored)
                    .unwrap_or_default(),
                Source::OrchAddr => self
                    .base_orchestrators()
                    .into_iter()
                    .map(|o| (o, SCORE_TRUSTED))
                    .collect(),
                Source::Chain => self
                    .base_orchestrators()
                    .into_iter()
                    .map(|o| (o, SCORE_UNTRUSTED))
                    .collect(),
            };
        if self.paying().is_some() {
            return base;
        }
        let advertised = self
            .pool()
            .advertised
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone();
        let score_of = |uri: &str| {
            base.iter()
                .find(|(o, _)| o == uri)
                .or_else(|| {
                    base.iter().find(|(o, _)| {
                        advertised
                            .get(o)
                            .is_some_and(|nodes| nodes.iter().any(|n| n == uri))
                    })
                })
                .map_or(SCORE_UNTRUSTED, |(_, s)| *s)
        };
        self.orchestrators()
            .into_iter()
            .map(|o| {
                let s = score_of(&o);
                (o, s)
            })
            .collect()
    }

    /// The Os to use: the source's, then up to `-extraNodes` of the nodes each advertised.
    pub(super) fn orchestrators(&self) -> Vec<String> {
        let advertised = self
            .pool()
            .advertised
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        with_extra_nodes(
            self.base_orchestrators(),
            &advertised,
            self.pool().extra_nodes,
        )
    }

    /// Reads `-orchWebhookUrl` when a read is due (before a stream asks for a new session).
    pub(super) async fn refresh_pool(&self) {
        if let Some(w) = &self.pool().webhook {
            w.refresh(crate::node::clock::now_ms).await;
        }
    }

    /// Notes the nodes `uri` advertised in `info` (with `-extraNodes` above 0).
    pub(super) fn learn_nodes(&self, uri: &str, info: &OrchInfo) {
        if self.pool().extra_nodes == 0 {
            return;
        }
        let mut advertised = self
            .pool()
            .advertised
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if info.nodes.is_empty() {
            advertised.remove(uri);
        } else {
            advertised.insert(uri.to_string(), info.nodes.clone());
        }
    }
}
