//! `livepeer bench network`'s load: N paid streams against the one O, each sending its 2 s
//! segment every 2 s (one after another: a stream's next segment waits for the previous
//! answer), their starts spread evenly over the first 2 s; every round trip is timed. The
//! payments are signed before the step starts (a pre-signed load generator), so the B's
//! signing is not in these round trips (it is in the overhead measurement).
//!
//! Memory: the process's VmRSS (`/proc/self/status`) before the step's sessions open and its
//! peak while they run, sampled every 250 ms; O and B share the process, so the delta is both
//! sides' per-stream state. Payloads in flight are subtracted as an estimate: each stream holds
//! one copy of its segment and renditions on each side (B and O) for the fraction of the 2 s
//! it is in flight (mean round trip / 2 s). The O drops each rendition once the B has fetched
//! it (`node::store::RenditionStore::take`), so no rendition cache stays in that figure.

use super::bench_net_trip::{open, round_trip, Rig};
use std::{sync::Arc, time::Duration};

/// What one step measured.
#[derive(Clone, Debug, Default)]
pub struct Step {
    /// Streams.
    pub streams: usize,
    /// Every successful round trip, in ms.
    pub rtts: Vec<f64>,
    /// Failed round trips (and sessions that did not open).
    pub failures: u64,
    /// The first failure's text.
    pub first_failure: Option<String>,
    /// VmRSS before, kB.
    pub rss_before_kb: u64,
    /// Peak VmRSS during the step, kB.
    pub rss_peak_kb: u64,
}

impl Step {
    /// The `q` quantile of the round trips (0 when none).
    pub fn quantile(&self, q: f64) -> f64 {
        let mut v = self.rtts.clone();
        v.sort_by(f64::total_cmp);
        let i = ((v.len() as f64 - 1.0) * q).round().max(0.0) as usize;
        v.get(i).copied().unwrap_or_default()
    }

    /// Whether the step held: p99 ≤ 1 s and no failure.
    pub fn held(&self) -> bool {
        self.failures == 0 && !self.rtts.is_empty() && self.quantile(0.99) <= 1000.0
    }

    /// MB per stream: the RSS delta over the streams, and the same less the payload estimate.
    pub fn mb_per_stream(&self, payload_bytes: usize) -> (f64, f64) {
        let n = self.streams.max(1) as f64;
        let delta = self.rss_peak_kb.saturating_sub(self.rss_before_kb) as f64 * 1024.0 / n;
        let mean = self.rtts.iter().sum::<f64>() / self.rtts.len().max(1) as f64;
        let in_flight = 2.0 * payload_bytes as f64 * (mean / 2000.0).min(1.0);
        let mb = |b: f64| b / 1_048_576.0;
        (mb(delta), mb((delta - in_flight).max(0.0)))
    }
}

/// VmRSS of this process, kB (0 when unreadable).
pub fn rss_kb() -> u64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            s.lines()
                .find(|l| l.starts_with("VmRSS:"))
                .and_then(|l| l.split_whitespace().nth(1))
                .and_then(|v| v.parse().ok())
        })
        .unwrap_or(0)
}

async fn stream(
    rig: Arc<Rig>,
    name: String,
    offset: Duration,
    headers: Vec<String>,
) -> (Vec<f64>, u64, Option<String>) {
    let (mut rtts, mut failures, mut first) = (Vec::new(), 0u64, None);
    let info = match open(&rig).await {
        Ok(i) => i,
        Err(e) => return (rtts, 1, Some(e)),
    };
    tokio::time::sleep(offset).await;
    let mut tick = tokio::time::interval(Duration::from_secs(2));
    tick.set_missed_tick_behavior(tokio::time::MissedTickBehavior::Delay);
    for (seq, h) in headers.iter().enumerate() {
        tick.tick().await;
        let start = std::time::Instant::now();
        match round_trip(&rig, &info, &name, seq as i64, h).await {
            Ok(()) => rtts.push(start.elapsed().as_secs_f64() * 1000.0),
            Err(e) => {
                failures += 1;
                first.get_or_insert(e);
            }
        }
    }
    (rtts, failures, first)
}

/// Runs `headers.len()` streams, each sending one segment per header.
pub async fn step(rig: Arc<Rig>, label: &str, headers: Vec<Vec<String>>) -> Step {
    let n = headers.len();
    let before = rss_kb();
    let (stop, mut stopped) = tokio::sync::watch::channel(false);
    let sampler = tokio::spawn(async move {
        let mut peak = rss_kb();
        loop {
            tokio::select! {
                _ = stopped.wait_for(|s| *s) => return peak,
                _ = tokio::time::sleep(Duration::from_millis(250)) => peak = peak.max(rss_kb()),
            }
        }
    });
    let mut tasks = Vec::new();
    for (i, h) in headers.into_iter().enumerate() {
        let offset = Duration::from_millis((i as u64 * 2000) / n.max(1) as u64);
        let name = format!("{label}-{i}");
        tasks.push(tokio::spawn(stream(rig.clone(), name, offset, h)));
    }
    let mut out = Step {
        streams: n,
        rss_before_kb: before,
        ..Default::default()
    };
    for t in tasks {
        match t.await {
            Ok((r, f, e)) => {
                out.rtts.extend(r);
                out.failures += f;
                if out.first_failure.is_none() {
                    out.first_failure = e;
                }
            }
            Err(e) => {
                out.failures += 1;
                out.first_failure.get_or_insert(e.to_string());
            }
        }
    }
    let _ = stop.send(true);
    out.rss_peak_kb = sampler.await.unwrap_or(before).max(before);
    out
}
