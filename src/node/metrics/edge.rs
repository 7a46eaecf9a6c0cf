//! Metrics no record carries, measured where they happen: a B's upload of each segment to its
//! O (time, failures with the reference's codes), the download of its renditions, each retry on
//! another O, `GetOrchestrator` failures, tickets it could not make, and the view of an HTTP
//! pusher (`PUT /live/…`): real-time ratio of its answers and pushers gone before them. The
//! handle is cheap to clone and does nothing without `-monitor`.

use super::series::Family;
use super::Metrics;
use crate::api::client::ClientError;
use std::{sync::Arc, time::Duration};

/// The edge's handle on the node's metrics (`None`: `-monitor` is off).
#[derive(Clone, Default)]
pub struct Edge(Option<Arc<Metrics>>);

impl std::fmt::Debug for Edge {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(if self.0.is_some() {
            "Edge(on)"
        } else {
            "Edge(off)"
        })
    }
}

/// `segment_source_upload_failed_total`'s `error_code` for a failed `/segment` call.
pub fn upload_error_code(e: &ClientError) -> String {
    match e {
        ClientError::Refused { text, .. } if text.contains("OrchestratorCapped") => {
            "OrchestratorCapped".into()
        }
        ClientError::Refused { status, .. } => {
            let reason = reqwest::StatusCode::from_u16(*status)
                .ok()
                .and_then(|s| s.canonical_reason())
                .unwrap_or("");
            format!("{status} {reason}").trim_end().to_string()
        }
        ClientError::Http(h) if h.is_timeout() => "Timeout".into(),
        _ => "Unknown".into(),
    }
}

/// `discovery_errors_total`'s `error_code`, as the reference shortens it (`LogDiscoveryError`);
/// `None` for a cancelled call, which it does not count.
pub fn discovery_error_code(text: &str) -> Option<String> {
    let code = if text.contains("OrchestratorCapped") {
        "OrchestratorCapped".to_string()
    } else if text.contains("HTTP status code 404") {
        "HTTP 404".to_string()
    } else if text.contains("DeadlineExceeded") || text.contains("deadline") {
        "DeadlineExceeded".to_string()
    } else if text.contains("Canceled") {
        return None;
    } else {
        text.to_string()
    };
    Some(code)
}

impl Edge {
    /// A handle on `m`.
    pub fn new(m: Arc<Metrics>) -> Edge {
        Edge(Some(m))
    }

    /// Counts one, on a family labelled `extra` (then the stream, per stream).
    fn count(
        &self,
        key: &'static str,
        pick: impl Fn(&Metrics) -> &prometheus::IntCounterVec,
        stream: &str,
        extra: &[&str],
    ) {
        if let Some(m) = &self.0 {
            let c = pick(m);
            let v = m
                .fold()
                .per
                .values(key, Family::Count(c.clone()), stream, extra, &[]);
            if let Some(v) = v {
                c.with_label_values(&v).inc();
            }
        }
    }

    /// A segment of `stream` reached the O at `uri` (`/segment` answered) in `took`.
    pub fn uploaded(&self, stream: &str, uri: &str, took: Duration) {
        self.count("uploaded", |m| &m.families.source_uploaded, stream, &[uri]);
        if let Some(m) = &self.0 {
            let h = m.families.upload_time.with_label_values(&[uri]);
            h.observe(took.as_secs_f64());
        }
    }

    /// A standalone T transcoded a segment of `duration_ms` into `profiles` (names joined by
    /// commas) in `took`: the reference's `SegmentTranscoded` in `core/transcoder.go`
    /// (`segment_transcoded_total`, `transcode_time_seconds`, `transcode_score`).
    pub fn t_transcoded(&self, profiles: &str, duration_ms: u32, took: Duration) {
        let Some(m) = &self.0 else {
            return;
        };
        let f = &m.families;
        let tv = [profiles, "true", "true"];
        f.transcoded.with_label_values(&tv).inc();
        f.transcode_time
            .with_label_values(&tv)
            .observe(took.as_secs_f64());
        if !took.is_zero() {
            let score = f64::from(duration_ms) / 1000.0 / took.as_secs_f64();
            f.transcode_score.with_label_values(&tv).observe(score);
        }
    }

    /// The `/segment` call of a segment of `stream` to `uri` failed.
    pub fn upload_failed(&self, stream: &str, uri: &str, e: &ClientError) {
        let code = upload_error_code(e);
        self.count(
            "upload_failed",
            |m| &m.families.source_upload_failed,
            stream,
            &[&code, uri],
        );
    }

    /// The renditions of a segment of `stream` were downloaded in `took`.
    pub fn downloaded(&self, stream: &str, took: Duration) {
        self.count(
            "downloaded",
            |m| &m.families.transcoded_downloaded,
            stream,
            &[],
        );
        if let Some(m) = &self.0 {
            let h = &m.families.download_time;
            let v = m
                .fold()
                .per
                .values("download_time", Family::Hist(h.clone()), stream, &[], &[]);
            if let Some(v) = v {
                h.with_label_values(&v).observe(took.as_secs_f64());
            }
        }
    }

    /// Attempt `attempt` (0 for the first) of a segment of `stream` is about to be sent: the
    /// second and later are retries (`try` 2, 3, …, `>10`).
    pub fn attempt(&self, stream: &str, attempt: usize) {
        if attempt == 0 {
            return;
        }
        let tries = attempt + 1;
        let label = if tries < 11 {
            tries.to_string()
        } else {
            ">10".into()
        };
        self.count(
            "retried",
            |m| &m.families.transcode_retried,
            stream,
            &[&label],
        );
    }

    /// `GetOrchestrator` at `uri` failed with `text`.
    pub fn discovery_error(&self, uri: &str, text: &str) {
        if let (Some(m), Some(code)) = (&self.0, discovery_error_code(text)) {
            m.families
                .discovery_errors
                .with_label_values(&[&code, uri])
                .inc();
        }
    }

    /// A B could not make the tickets of a segment.
    pub fn payment_create_error(&self) {
        if let Some(m) = &self.0 {
            m.families
                .pay
                .payment_create_errors
                .with_label_values::<&str>(&[])
                .inc();
        }
    }

    /// An HTTP pusher got its answer for a segment of `duration_ms` after `roundtrip`.
    pub fn pushed(&self, stream: &str, duration_ms: u32, roundtrip: Duration) {
        let Some(m) = &self.0 else {
            return;
        };
        let ratio = if roundtrip.is_zero() {
            f64::INFINITY
        } else {
            f64::from(duration_ms) / 1000.0 / roundtrip.as_secs_f64()
        };
        let f = &m.families;
        let h = &f.realtime_ratio;
        if let Some(v) = m
            .fold()
            .per
            .values("rt_ratio", Family::Hist(h.clone()), stream, &[], &[])
        {
            h.with_label_values(&v).observe(ratio);
        }
        let (key, i) = match ratio {
            r if r >= 3.0 => ("rt_3x", 0),
            r if r >= 2.0 => ("rt_2x", 1),
            r if r >= 1.0 => ("rt_1x", 2),
            r if r >= 0.5 => ("rt_half", 3),
            _ => ("rt_slow", 4),
        };
        self.count(key, move |m| &m.families.realtime[i], stream, &[]);
    }

    /// An HTTP pusher went away before its segment of `stream` was done.
    pub fn push_dropped(&self, stream: &str) {
        self.count(
            "timeout_1",
            |m| &m.families.http_client_timeout_1,
            stream,
            &[],
        );
    }
}
