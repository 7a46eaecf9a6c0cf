//! A B's `-orchWebhookUrl`, as go-livepeer's `wh_discovery.go`: a `GET` (3 s at most) answered
//! with JSON `[{"address":"https://host:port","score":1.0}]`, whose addresses become the B's Os,
//! each in the session pool its score says (`commands::session_pools`: 1.0 or more trusted, 0 or
//! none untrusted, anything else unused, with a warning).
//! When to read it and what to keep when a read fails is `commands::orch_pool`'s rule; this file
//! does the HTTP, reads the answer and logs what happened. The list is a cache of the operator's
//! answer, not a fact of record: the O each stream uses is in the log (`BroadcastSessionOpened`,
//! and on a chain `OrchestratorSelected` with every candidate).

pub use crate::commands::orch_pool::WebhookOrch;
use crate::commands::orch_pool::{after_read, refresh_due, webhook_os, Refreshed, WebhookCache};
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// How long a read of the webhook may take.
pub const TIMEOUT: Duration = Duration::from_secs(3);

/// The webhook, its last list and when it was asked.
pub struct OrchWebhook {
    url: String,
    http: reqwest::Client,
    interval_ms: u64,
    cache: Mutex<WebhookCache>,
    /// One read at a time: streams that need Os while it runs wait for its list.
    reading: tokio::sync::Mutex<()>,
}

impl OrchWebhook {
    /// The webhook at `url`, read at most once per `interval`.
    pub fn new(url: String, interval: Duration) -> OrchWebhook {
        OrchWebhook {
            url,
            http: reqwest::Client::new(),
            interval_ms: u64::try_from(interval.as_millis()).unwrap_or(u64::MAX),
            cache: Mutex::new(WebhookCache::default()),
            reading: tokio::sync::Mutex::new(()),
        }
    }

    fn cache(&self) -> std::sync::MutexGuard<'_, WebhookCache> {
        self.cache.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// The Os of the last list read (none before a good read).
    pub fn os(&self) -> Vec<String> {
        webhook_os(&self.cache())
    }

    /// The Os of its last list with their scores.
    pub fn scored(&self) -> Vec<(String, f32)> {
        crate::commands::orch_pool::webhook_scored(&self.cache())
    }

    /// Reads the webhook when its interval has passed (or the B has no list yet); a failed
    /// read keeps the list and is logged. `now_ms` is the wall clock.
    pub async fn refresh(&self, now_ms: impl Fn() -> u64) {
        let _one = self.reading.lock().await;
        if !refresh_due(&self.cache(), now_ms(), self.interval_ms) {
            return;
        }
        let read = self.read().await;
        let outcome = after_read(&mut self.cache(), read, now_ms());
        match outcome {
            Refreshed::Replaced(n) => {
                tracing::info!(
                    "-orchWebhookUrl: {n} orchestrators: {}",
                    self.os().join(",")
                );
                let unused: Vec<String> = self
                    .scored()
                    .into_iter()
                    .filter(|(_, s)| crate::commands::session_pools::trust(*s).is_none())
                    .map(|(o, s)| format!("{o} (score {s})"))
                    .collect();
                if !unused.is_empty() {
                    tracing::warn!(
                        "-orchWebhookUrl: not used, a score neither 0 (untrusted) nor 1 or more \
                         (trusted), as the reference: {}",
                        unused.join(", ")
                    );
                }
            }
            Refreshed::Kept { error, os } => tracing::warn!(
                "-orchWebhookUrl {}: {error}; keeping the last list ({os} orchestrators)",
                self.url
            ),
            Refreshed::Failed(error) => tracing::warn!(
                "-orchWebhookUrl {}: {error}; no orchestrator list yet",
                self.url
            ),
        }
    }

    async fn read(&self) -> Result<Vec<WebhookOrch>, String> {
        let resp = self
            .http
            .get(&self.url)
            .timeout(TIMEOUT)
            .send()
            .await
            .map_err(|e| format!("request failed: {e}"))?;
        let status = resp.status();
        if !status.is_success() {
            return Err(format!("HTTP status {status}"));
        }
        let body = resp
            .text()
            .await
            .map_err(|e| format!("reading the answer: {e}"))?;
        let (list, skipped) = parse_list(&body)?;
        for s in skipped {
            tracing::warn!("-orchWebhookUrl: {s}");
        }
        Ok(list)
    }
}

/// A webhook's answer: its Os in order (duplicates once), and why any entry was passed over
/// (an address that is not an `https://` URI with a host). Entries without an address are
/// skipped silently, as the reference does; a body that is not a JSON list is an error.
pub fn parse_list(body: &str) -> Result<(Vec<WebhookOrch>, Vec<String>), String> {
    let entries: Vec<serde_json::Value> =
        serde_json::from_str(body).map_err(|e| format!("not a JSON list: {e}"))?;
    let (mut list, mut skipped) = (Vec::<WebhookOrch>::new(), Vec::new());
    for e in entries {
        let address = e.get("address").and_then(|a| a.as_str()).unwrap_or("");
        let address = address.trim().trim_end_matches('/');
        if address.is_empty() {
            continue;
        }
        let https = reqwest::Url::parse(address)
            .is_ok_and(|u| u.scheme() == "https" && u.host_str().is_some_and(|h| !h.is_empty()));
        if !https {
            skipped.push(format!("{address:?} is not an https:// orchestrator URI"));
            continue;
        }
        if list.iter().any(|o| o.address == address) {
            continue;
        }
        let score = e.get("score").and_then(serde_json::Value::as_f64);
        list.push(WebhookOrch {
            address: address.to_string(),
            score: score.unwrap_or(0.0) as f32,
        });
    }
    Ok((list, skipped))
}

#[cfg(test)]
mod tests {
    use super::parse_list;

    #[test]
    fn answers_read_as_the_reference() {
        let (list, skipped) = parse_list(
            r#"[{"address":"https://10.4.3.2:8935","score":1},
                {"address":"https://10.4.4.3:8935/"},
                {"score":0.5},
                {"address":"10.0.0.1:8935"},
                {"address":"https://10.4.3.2:8935","score":0}]"#,
        )
        .unwrap();
        let addrs: Vec<_> = list.iter().map(|o| o.address.as_str()).collect();
        assert_eq!(addrs, ["https://10.4.3.2:8935", "https://10.4.4.3:8935"]);
        assert_eq!((list[0].score, list[1].score), (1.0, 0.0));
        assert_eq!(skipped.len(), 1, "{skipped:?}");
        assert!(parse_list("[]").unwrap().0.is_empty());
        assert!(parse_list(r#"{"address":"https://a:1"}"#).is_err());
        assert!(parse_list("oops").is_err());
    }
}
