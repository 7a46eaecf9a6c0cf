//! Capacity search for `livepeer bench transcode`: how many concurrent live streams this machine
//! holds at a real-time duration ratio ≤ 0.8 (the reference's rule for `-maxSessions`).

use super::bench_transcode::percentile;
use crate::media::{
    ladder::{LadderConfig, SegmentInput},
    session::{SessionLimits, SessionManager},
    MediaError,
};
use std::{
    path::PathBuf,
    sync::Arc,
    time::{Duration, Instant},
};

/// The reference's capacity rule: total transcode time ÷ total source duration.
pub const MAX_DURATION_RATIO: f64 = 0.8;

/// Result of `n` concurrent streams.
#[derive(Clone, Debug)]
pub struct LoadResult {
    /// Concurrent streams.
    pub streams: u32,
    /// Σ transcode time ÷ Σ source duration, over all streams.
    pub duration_ratio: f64,
    /// Median segment latency (seconds).
    pub p50: f64,
    /// 95th percentile segment latency (seconds).
    pub p95: f64,
}

/// Runs `n` streams at live pace (segment k is submitted at k × segment length, or when the
/// previous one returns if that is later) and measures every segment.
pub fn run_streams(
    base: &LadderConfig,
    segs: &[PathBuf],
    seg_len: f64,
    n: u32,
) -> Result<LoadResult, MediaError> {
    let limits = SessionLimits {
        transcode_timeout: Duration::from_secs(60),
        ..SessionLimits::default()
    };
    let sessions = Arc::new(SessionManager::new(base.clone(), limits, None));
    let start = Instant::now();
    let results: Vec<Result<Vec<f64>, MediaError>> = std::thread::scope(|scope| {
        let handles: Vec<_> = (0..n)
            .map(|s| {
                let sessions = sessions.clone();
                let profiles = base.profiles.clone();
                scope.spawn(move || {
                    let mut lat = Vec::new();
                    for (k, seg) in segs.iter().enumerate() {
                        let due = Duration::from_secs_f64(seg_len * k as f64);
                        if let Some(wait) = due.checked_sub(start.elapsed()) {
                            std::thread::sleep(wait);
                        }
                        let t = Instant::now();
                        sessions.transcode(
                            &format!("load-{s}"),
                            &profiles,
                            SegmentInput::File(seg.clone()),
                        )?;
                        lat.push(t.elapsed().as_secs_f64());
                    }
                    Ok(lat)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(MediaError::Internal("load thread panicked".into())))
            })
            .collect()
    });
    let mut all = Vec::new();
    for r in results {
        all.extend(r?);
    }
    let total: f64 = all.iter().sum();
    let content = seg_len * all.len() as f64;
    Ok(LoadResult {
        streams: n,
        duration_ratio: total / content,
        p50: percentile(&all, 50.0),
        p95: percentile(&all, 95.0),
    })
}

/// Tries 1, 2, … streams until the duration ratio passes 0.8; prints each and the answer.
pub fn capacity(
    base: &LadderConfig,
    segs: &[PathBuf],
    seg_len: f64,
    max: u32,
) -> Result<u32, MediaError> {
    let mut best = 0;
    for n in 1..=max {
        let r = run_streams(base, segs, seg_len, n)?;
        println!(
            "{} concurrent stream(s): duration ratio {:.3}, segment latency p50 {:.3} s, p95 {:.3} s",
            r.streams, r.duration_ratio, r.p50, r.p95
        );
        if r.duration_ratio > MAX_DURATION_RATIO {
            break;
        }
        best = n;
    }
    println!("capacity: {best} concurrent stream(s) at duration ratio <= {MAX_DURATION_RATIO} (set -maxSessions {best})");
    Ok(best)
}
