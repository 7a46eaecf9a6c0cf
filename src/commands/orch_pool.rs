//! The B's pool of orchestrators, as go-livepeer's discovery pools (facts §6 "Pools"): which list
//! the B draws its Os from, whether its `-orchWebhookUrl` list is due for a refresh, and which
//! nodes its Os advertise (`-nodes` on the O) it also asks (`-extraNodes`).
//!
//! - The source, in the reference's order: the webhook's last list when `-orchWebhookUrl` is set
//!   (its Os treated like `-orchAddr`'s), else `-orchAddr`, else the chain's active Os.
//! - The webhook is read at most once per interval ([`WEBHOOK_REFRESH_MS`], the reference's
//!   `WebhookDiscoveryRefreshInterval`); a failed read keeps the list the B has. One difference,
//!   on purpose: go-livepeer asks again at every lookup after a failure (each up to 3 s on the
//!   session's path); here a failure counts as the interval's read when a list is kept, and only
//!   a B that has no list yet asks again at once.
//! - Advertised nodes: of each pool O's `nodes`, the first `-extraNodes` entries are asked too,
//!   those already known passed over (they still count, as in the reference); one level deep:
//!   nodes advertised by an extra node are not followed.
//!
//! The webhook's scores put its Os in the trusted (≥ 1.0) or untrusted (0.0) session pool
//! (`session_pools`).

use std::collections::{BTreeMap, BTreeSet};

/// The least time between two reads of `-orchWebhookUrl` (1 minute).
pub const WEBHOOK_REFRESH_MS: u64 = 60_000;

/// One O of a webhook's list.
#[derive(Clone, Debug, PartialEq)]
pub struct WebhookOrch {
    /// Its service URI (`https://host:port`).
    pub address: String,
    /// Its score: its session pool (`session_pools::trust`).
    pub score: f32,
}

/// What the B knows of its webhook: the last list it read and when it last asked.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct WebhookCache {
    /// The last list read (none before the first good read).
    pub list: Option<Vec<WebhookOrch>>,
    /// When the webhook was last asked, good answer or not (ms).
    pub asked_at_ms: Option<u64>,
}

/// The outcome of a read of the webhook, for the node to log.
#[derive(Clone, Debug, PartialEq)]
pub enum Refreshed {
    /// The list was replaced; this many Os in it.
    Replaced(usize),
    /// The read failed; the list kept has this many Os.
    Kept {
        /// Why the read failed.
        error: String,
        /// Os in the list kept.
        os: usize,
    },
    /// The read failed and the B has no list.
    Failed(String),
}

/// Where the B's Os come from.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Source {
    /// `-orchWebhookUrl`'s last list.
    Webhook,
    /// `-orchAddr`.
    OrchAddr,
    /// The chain's active Os (the orchestrator projection).
    Chain,
}

/// Where the Os come from: the webhook if one is set, else `-orchAddr` if given, else the chain.
pub fn source(webhook: bool, orch_addr: &[String]) -> Source {
    if webhook {
        Source::Webhook
    } else if orch_addr.is_empty() {
        Source::Chain
    } else {
        Source::OrchAddr
    }
}

/// The webhook's Os, in its order (none before a good read).
pub fn webhook_os(cache: &WebhookCache) -> Vec<String> {
    cache
        .list
        .iter()
        .flatten()
        .map(|o| o.address.clone())
        .collect()
}

/// The webhook's Os with their scores, in its order (none before a good read).
pub fn webhook_scored(cache: &WebhookCache) -> Vec<(String, f32)> {
    cache
        .list
        .iter()
        .flatten()
        .map(|o| (o.address.clone(), o.score))
        .collect()
}

/// Whether the webhook is to be asked at `now_ms`: always while the B has no list, else once
/// `interval_ms` passed since it was last asked.
pub fn refresh_due(cache: &WebhookCache, now_ms: u64, interval_ms: u64) -> bool {
    match (&cache.list, cache.asked_at_ms) {
        (Some(_), Some(at)) => now_ms.saturating_sub(at) >= interval_ms,
        _ => true,
    }
}

/// Folds a read of the webhook (its list, or why it failed) into `cache` at `now_ms`.
pub fn after_read(
    cache: &mut WebhookCache,
    read: Result<Vec<WebhookOrch>, String>,
    now_ms: u64,
) -> Refreshed {
    cache.asked_at_ms = Some(now_ms);
    match (read, &cache.list) {
        (Ok(list), _) => {
            let n = list.len();
            cache.list = Some(list);
            Refreshed::Replaced(n)
        }
        (Err(error), Some(kept)) => Refreshed::Kept {
            error,
            os: kept.len(),
        },
        (Err(error), None) => Refreshed::Failed(error),
    }
}

/// The nodes of `advertised` (one O's `nodes`) the B also asks: the first `n` entries, those in
/// `seen` or not `https://` passed over (but counted); the ones taken join `seen`.
pub fn extra_nodes(advertised: &[String], n: usize, seen: &mut BTreeSet<String>) -> Vec<String> {
    advertised
        .iter()
        .take(n)
        .map(|u| u.trim().trim_end_matches('/').to_string())
        .filter(|u| u.starts_with("https://") && u.len() > "https://".len())
        .filter(|u| seen.insert(u.clone()))
        .collect()
}

/// The pool `base` with the nodes its Os advertised (`advertised`: O → its `nodes`), up to `n`
/// per O, after them and without duplicates; only `base`'s Os are followed.
pub fn with_extra_nodes(
    base: Vec<String>,
    advertised: &BTreeMap<String, Vec<String>>,
    n: usize,
) -> Vec<String> {
    if n == 0 {
        return base;
    }
    let mut seen: BTreeSet<String> = base.iter().cloned().collect();
    let extra: Vec<String> = base
        .iter()
        .filter_map(|o| advertised.get(o))
        .flat_map(|nodes| extra_nodes(nodes, n, &mut seen))
        .collect();
    let mut all = base;
    all.extend(extra);
    all
}

#[cfg(test)]
mod tests {
    use super::*;

    fn strings(v: &[&str]) -> Vec<String> {
        v.iter().map(|s| s.to_string()).collect()
    }

    fn list(addrs: &[&str]) -> Vec<WebhookOrch> {
        addrs
            .iter()
            .map(|a| WebhookOrch {
                address: a.to_string(),
                score: 1.0,
            })
            .collect()
    }

    #[test]
    fn the_webhook_wins_then_orch_addr_then_the_chain() {
        let addrs = strings(&["https://a:1"]);
        assert_eq!(source(true, &addrs), Source::Webhook);
        assert_eq!(source(false, &addrs), Source::OrchAddr);
        assert_eq!(source(false, &[]), Source::Chain);
    }

    #[test]
    fn the_webhook_is_read_at_most_once_a_minute() {
        let mut c = WebhookCache::default();
        assert!(refresh_due(&c, 0, WEBHOOK_REFRESH_MS), "no list yet");
        assert_eq!(
            after_read(&mut c, Ok(list(&["https://a:1"])), 1_000),
            Refreshed::Replaced(1)
        );
        assert_eq!(webhook_os(&c), ["https://a:1"]);
        assert!(!refresh_due(&c, 60_999, WEBHOOK_REFRESH_MS));
        assert!(refresh_due(&c, 61_000, WEBHOOK_REFRESH_MS));
    }

    #[test]
    fn a_failed_read_keeps_the_list_until_the_next_interval() {
        let mut c = WebhookCache::default();
        after_read(&mut c, Ok(list(&["https://a:1", "https://b:2"])), 0);
        let r = after_read(&mut c, Err("HTTP 500".into()), 60_000);
        assert_eq!(
            r,
            Refreshed::Kept {
                error: "HTTP 500".into(),
                os: 2
            }
        );
        assert_eq!(webhook_os(&c), ["https://a:1", "https://b:2"]);
        assert!(!refresh_due(&c, 60_001, WEBHOOK_REFRESH_MS));
        assert!(refresh_due(&c, 120_000, WEBHOOK_REFRESH_MS));
    }

    #[test]
    fn a_b_without_a_list_asks_again_at_once() {
        let mut c = WebhookCache::default();
        assert_eq!(
            after_read(&mut c, Err("refused".into()), 5),
            Refreshed::Failed("refused".into())
        );
        assert!(webhook_os(&c).is_empty());
        assert!(refresh_due(&c, 6, WEBHOOK_REFRESH_MS));
    }

    #[test]
    fn up_to_n_advertised_nodes_per_o_known_ones_counted_but_skipped() {
        let mut seen: BTreeSet<String> = strings(&["https://a:1"]).into_iter().collect();
        let adv = strings(&["https://a:1", "https://x:1/", "https://y:1"]);
        assert_eq!(extra_nodes(&adv, 2, &mut seen), ["https://x:1"]);
        assert_eq!(extra_nodes(&adv, 3, &mut seen), ["https://y:1"]);
        assert!(extra_nodes(&adv, 3, &mut seen).is_empty(), "all seen now");
        let odd = strings(&["http://plain:1", "https://", "https://z:1"]);
        assert_eq!(extra_nodes(&odd, 3, &mut seen), ["https://z:1"]);
        assert!(extra_nodes(&adv, 0, &mut BTreeSet::new()).is_empty());
    }

    #[test]
    fn extra_nodes_follow_the_pool_one_level_deep_without_duplicates() {
        let base = strings(&["https://a:1", "https://b:2"]);
        let mut adv = BTreeMap::new();
        adv.insert(
            "https://a:1".to_string(),
            strings(&["https://n:1", "https://b:2"]),
        );
        adv.insert(
            "https://b:2".to_string(),
            strings(&["https://n:1", "https://m:1"]),
        );
        adv.insert("https://n:1".to_string(), strings(&["https://deep:1"]));
        assert_eq!(
            with_extra_nodes(base.clone(), &adv, 1),
            ["https://a:1", "https://b:2", "https://n:1"],
            "b's first node is a's, already taken"
        );
        assert_eq!(
            with_extra_nodes(base.clone(), &adv, 2),
            ["https://a:1", "https://b:2", "https://n:1", "https://m:1"],
            "n's own node is not followed"
        );
        assert_eq!(with_extra_nodes(base.clone(), &adv, 0), base);
    }
}
