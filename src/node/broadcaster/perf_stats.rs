//! A B's `-orchPerfStatsUrl`, as go-livepeer's `refreshOrchPerfScoreLoop`
//! (`cmd/livepeer/starter/starter.go`): with `-region` also set, a `GET` at start and every
//! 10 minutes answered with JSON `{"0x<O address>": {"<REGION>": {"score": 0.9, …}, …}, …}`;
//! each address's score in the B's region (upper-cased, as the reference) is kept, new answers
//! overwriting old scores address by address (an address an answer leaves out keeps its last
//! score; a failed read or an answer that is not that shape changes nothing). On a chain
//! `-minPerfScore` then leaves out the Os whose ticket recipient scores below it (an address
//! without a score scores 0), unless none passes (`commands::selection`). One difference, on
//! purpose: the reference's `GET` has no time limit; here it has [`TIMEOUT`].
//!
//! The scores are a cache of the service's answer, not a fact of record: each choice they
//! weigh in is recorded (`OrchestratorSelected`, with every candidate's probability).

use crate::events::Address;
use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};
use std::time::Duration;

/// How often the scores are read again (`RefreshPerfScoreInterval`).
pub const REFRESH: Duration = Duration::from_secs(600);

/// How long one read may take.
pub const TIMEOUT: Duration = Duration::from_secs(10);

/// The score service and the last scores.
pub struct PerfStats {
    url: String,
    region: String,
    http: reqwest::Client,
    scores: Mutex<BTreeMap<Address, f64>>,
}

impl PerfStats {
    /// The service at `url`, read for `region`.
    pub fn new(url: String, region: &str) -> PerfStats {
        PerfStats {
            url,
            region: region.to_uppercase(),
            http: reqwest::Client::new(),
            scores: Mutex::new(BTreeMap::new()),
        }
    }

    /// The scores so far, by O address.
    pub fn scores(&self) -> BTreeMap<Address, f64> {
        self.scores
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .clone()
    }

    /// Reads the service once: the scores it gave are kept; a failure is logged.
    pub async fn refresh(&self) {
        let read = async {
            let resp = self
                .http
                .get(&self.url)
                .timeout(TIMEOUT)
                .send()
                .await
                .map_err(|e| format!("request failed: {e}"))?;
            let body = resp
                .text()
                .await
                .map_err(|e| format!("reading the answer: {e}"))?;
            parse(&self.region, &body)
        };
        match read.await {
            Ok(scores) => {
                tracing::info!(
                    "-orchPerfStatsUrl: {} scores in region {}",
                    scores.len(),
                    self.region
                );
                self.scores
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner)
                    .extend(scores);
            }
            Err(e) => tracing::warn!(
                "Cannot fetch Orchestrator Performance Stats from URL {}: {e}",
                self.url
            ),
        }
    }

    /// Reads the service now and every [`REFRESH`] until `stop` turns true.
    pub async fn run(&self, mut stop: tokio::sync::watch::Receiver<bool>) {
        loop {
            self.refresh().await;
            tokio::select! {
                _ = stop.wait_for(|s| *s) => return,
                () = tokio::time::sleep(REFRESH) => {}
            }
        }
    }
}

/// The scores in `region` of an answer: each address's `score` there (addresses without one
/// are passed over). An answer that is not an object of `0x` addresses, each an object of
/// regions, each an object of numbers, is an error, as Go's `json.Unmarshal` into the
/// reference's `map[Address]map[string]map[string]float64` refuses it.
pub fn parse(region: &str, body: &str) -> Result<Vec<(Address, f64)>, String> {
    let answer: BTreeMap<String, BTreeMap<String, BTreeMap<String, f64>>> =
        serde_json::from_str(body).map_err(|e| format!("not the stats' JSON: {e}"))?;
    let mut scores = Vec::new();
    for (addr, regions) in answer {
        let hex = addr
            .strip_prefix("0x")
            .or_else(|| addr.strip_prefix("0X"))
            .ok_or_else(|| format!("{addr:?}: not a 0x address"))?;
        let bytes = hex::decode(hex).map_err(|e| format!("{addr:?}: {e}"))?;
        let mut a = [0u8; 20];
        // Go's Address takes the last 20 bytes of a longer value, left-pads a shorter one.
        let tail = &bytes[bytes.len().saturating_sub(20)..];
        a[20 - tail.len()..].copy_from_slice(tail);
        if let Some(score) = regions.get(region).and_then(|s| s.get("score")) {
            scores.push((Address(a), *score));
        }
    }
    Ok(scores)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_region_s_score_of_each_address_is_read() {
        let body = r#"{
            "0x001ffe939761eea3f37dd2223bd08401a3848bf3": {
                "FRA": {"success_rate": 1, "round_trip_score": 0.8, "score": 0.9},
                "LAX": {"success_rate": 0.5, "round_trip_score": 0.6, "score": 0.326224769938329}
            },
            "0x00803B76DC924CEABF4380A6F9EDC2DDD3C90F38": {
                "LAX": {"score": 0.3133182335267256}
            },
            "0x0000000000000000000000000000000000000003": {"FRA": {"score": 0.1}},
            "0x0000000000000000000000000000000000000004": {"LAX": {"latency": 3}}
        }"#;
        let got = parse("LAX", body).unwrap();
        let first = Address(
            hex::decode("001ffe939761eea3f37dd2223bd08401a3848bf3")
                .unwrap()
                .try_into()
                .unwrap(),
        );
        assert_eq!(got.len(), 2, "{got:?}");
        assert_eq!(got[0], (first, 0.326224769938329));
        assert_eq!(got[1].1, 0.3133182335267256);
    }

    #[test]
    fn a_body_of_another_shape_is_an_error() {
        for bad in [
            "[]",
            "not json",
            r#"{"0x01": {"LAX": {"score": "high"}}}"#,
            r#"{"001ffe939761eea3f37dd2223bd08401a3848bf3": {"LAX": {"score": 1}}}"#,
            r#"{"0xzz": {"LAX": {"score": 1}}}"#,
        ] {
            assert!(parse("LAX", bad).is_err(), "{bad}");
        }
        assert!(parse("LAX", "{}").unwrap().is_empty());
    }
}
