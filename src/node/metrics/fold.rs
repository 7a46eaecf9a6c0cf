//! Counters and histograms folded from the records the node appends (the writer's observer):
//! streams, segments in, transcoded and failed, latencies the events carry (`took_ms`, and the
//! time between a segment's `SegmentReceived` and its outcome, from the records' `at_ms`),
//! swaps of O, tickets sent and received, redemptions. Which family a fact feeds depends on the
//! role, as in the reference: a B counts what its stream goes through, an O what it transcodes
//! and is paid.

use super::catalogue::Families;
use super::series::{Family, PerStream};
use super::Role;
use crate::events::{Envelope, Event, Ratio, TicketOutcome, Wei, Worker};
use crate::projections::Projections;
use std::collections::{BTreeMap, VecDeque};

/// Segments per stream the success rate looks back over (the reference's 30).
const SUCCESS_WINDOW: usize = 30;

/// What the fold remembers between records.
pub(super) struct Fold {
    pub role: Role,
    /// `-localVerify` (a B's `verified` label).
    pub verified: bool,
    pub per: PerStream,
    /// Segments in flight: (stream, seq) → (`at_ms` received, duration ms).
    pending: BTreeMap<(String, u64), (u64, u32)>,
    /// A B's streams' last outcomes (true: transcoded), for the success rate.
    outcomes: BTreeMap<String, VecDeque<bool>>,
    /// A B's streams' current O.
    orchestrator: BTreeMap<String, String>,
}

/// Wei as gwei (the reference's unit for payments).
pub(super) fn gwei(w: &Wei) -> f64 {
    w.0.iter().fold(0.0, |a, b| a * 256.0 + f64::from(*b)) / 1e9
}

fn ratio_gwei(r: &Ratio) -> f64 {
    let mag = |b: &[u8]| b.iter().fold(0.0, |a, b| a * 256.0 + f64::from(*b));
    let d = if r.denom.is_empty() {
        1.0
    } else {
        mag(&r.denom)
    };
    let v = mag(&r.numer) / d / 1e9;
    if r.negative {
        -v
    } else {
        v
    }
}

/// The reference's `payment_recv_errors` codes (`monitor.PaymentRecvError`).
pub(super) fn payment_error_code(reason: &str) -> &'static str {
    if reason.contains("Expected price") {
        "InvalidPrice"
    } else if reason.contains("invalid already revealed recipientRand") {
        "InvalidRecipientRand"
    } else if reason.contains("invalid ticket faceValue") {
        "InvalidTicketFaceValue"
    } else if reason.contains("invalid ticket winProb") {
        "InvalidTicketWinProb"
    } else {
        "PaymentError"
    }
}

/// A B's `segment_transcode_failed_total` code: no O to ask, or every attempt failed.
fn failure_code(reason: &str) -> &'static str {
    if reason == "No sessions available" {
        "NoOrchestrators"
    } else {
        "MaxAttempts"
    }
}

pub(super) fn checksum(a: &crate::events::Address) -> String {
    ethers_core::utils::to_checksum(&ethers_core::types::Address::from(a.0), None)
}

impl Fold {
    /// A fold for `role` (`verified`: a B's `-localVerify`; `per_stream`: `-metricsPerStream`).
    pub fn new(role: Role, verified: bool, per_stream: bool) -> Fold {
        Fold {
            role,
            verified,
            per: PerStream::new(per_stream),
            pending: BTreeMap::new(),
            outcomes: BTreeMap::new(),
            orchestrator: BTreeMap::new(),
        }
    }

    /// Folds one record (`p`: the projections holding it).
    pub fn observe(&mut self, f: &Families, env: &Envelope, p: &Projections) {
        let b = self.role == Role::Broadcaster;
        match &env.event {
            Event::StreamStarted(s) => {
                // A B's stream id is its manifest id; an O's is the session's (its auth
                // token's), which is how the reference's O labels a session's series too.
                self.per.open(&s.stream, &s.stream);
                if b {
                    f.stream_created.with_label_values::<&str>(&[]).inc();
                }
            }
            Event::StreamEnded(s) => {
                if b {
                    f.stream_ended.with_label_values::<&str>(&[]).inc();
                }
                self.per.end(&s.stream);
                self.pending.retain(|(st, _), _| *st != s.stream);
                self.outcomes.remove(&s.stream);
                self.orchestrator.remove(&s.stream);
                if b {
                    self.success_rate(f);
                }
            }
            Event::SegmentReceived(s) => {
                self.pending
                    .insert((s.stream.clone(), s.seq_no), (env.at_ms, s.duration_ms));
                let first = p
                    .streams
                    .state
                    .streams
                    .get(&s.stream)
                    .is_some_and(|st| st.segments_in == 1);
                if b && first {
                    f.stream_started.with_label_values::<&str>(&[]).inc();
                }
                let st = &s.stream;
                if b {
                    let fam = Family::Count(f.source_appeared.clone());
                    if let Some(v) =
                        self.per
                            .values("appeared", fam, st, &["source", "regular"], &[])
                    {
                        f.source_appeared.with_label_values(&v).inc();
                    }
                }
                self.count(&f.source_emerged, "emerged", st);
                self.count(&f.source_emerged_unprocessed, "unprocessed", st);
                let fam = Family::Hist(f.source_duration.clone());
                if let Some(v) = self.per.values("duration", fam, st, &[], &[]) {
                    let secs = f64::from(s.duration_ms) / 1000.0;
                    f.source_duration.with_label_values(&v).observe(secs);
                }
            }
            Event::SegmentTranscoded(s) => {
                let received = self.pending.remove(&(s.stream.clone(), s.seq_no));
                let names: Vec<&str> = s.renditions.iter().map(|r| r.profile.as_str()).collect();
                let profiles = names.join(",");
                let verified = if b && !self.verified { "false" } else { "true" };
                let tv = [profiles.as_str(), "true", verified];
                f.transcoded.with_label_values(&tv).inc();
                let took = f64::from(s.took_ms) / 1000.0;
                f.transcode_time.with_label_values(&tv).observe(took);
                if let Some((_, dur)) = received {
                    if s.took_ms > 0 {
                        let score = f64::from(dur) / f64::from(s.took_ms);
                        f.transcode_score.with_label_values(&tv).observe(score);
                    }
                }
                if b {
                    let (uri, addr) = match &s.worker {
                        // Offchain an O has no address: the reference's label is empty then.
                        Worker::Orchestrator { address, uri } if address.0 == [0; 20] => {
                            (uri.clone(), String::new())
                        }
                        Worker::Orchestrator { address, uri } => (uri.clone(), checksum(address)),
                        _ => (String::new(), String::new()),
                    };
                    let orch = [profiles.as_str(), uri.as_str(), addr.as_str(), ""];
                    for (key, fam) in [
                        ("unprocessed_t", &f.transcoded_unprocessed),
                        ("all_appeared", &f.transcoded_all_appeared),
                    ] {
                        let family = Family::Count(fam.clone());
                        if let Some(v) = self.per.values(key, family, &s.stream, &orch, &[]) {
                            fam.with_label_values(&v).inc();
                        }
                    }
                    if let Some((at, _)) = received {
                        let secs = env.at_ms.saturating_sub(at) as f64 / 1000.0;
                        f.overall_latency.with_label_values(&orch).observe(secs);
                    }
                    self.outcome(f, &s.stream, true);
                } else {
                    let pixels: u64 = s.renditions.iter().map(|r| r.pixels).sum();
                    let fam = Family::Sum(f.mil_pixels.clone());
                    if let Some(v) = self.per.values("pixels", fam, &s.stream, &[], &[]) {
                        f.mil_pixels
                            .with_label_values(&v)
                            .inc_by(pixels as f64 / 1e6);
                    }
                }
            }
            Event::SegmentFailed(s) => {
                self.pending.remove(&(s.stream.clone(), s.seq_no));
                if b {
                    let fam = Family::Count(f.transcode_failed.clone());
                    let code = failure_code(&s.reason);
                    if let Some(v) = self.per.values("failed", fam, &s.stream, &[code], &[]) {
                        f.transcode_failed.with_label_values(&v).inc();
                    }
                    self.outcome(f, &s.stream, false);
                }
            }
            Event::BroadcastSessionOpened(o) => {
                let before = self
                    .orchestrator
                    .insert(o.stream.clone(), o.orchestrator.clone());
                if before.is_some_and(|u| u != o.orchestrator) {
                    self.count(&f.orchestrator_swaps, "swaps", &o.stream);
                }
            }
            _ => super::payments::observe(self, f, env, p),
        }
    }

    /// Adds one to a counter labelled only by the stream (when per-stream series are on).
    pub(super) fn count(&mut self, c: &prometheus::IntCounterVec, key: &'static str, stream: &str) {
        if let Some(v) = self
            .per
            .values(key, Family::Count(c.clone()), stream, &[], &[])
        {
            c.with_label_values(&v).inc();
        }
    }

    fn outcome(&mut self, f: &Families, stream: &str, ok: bool) {
        let recent = self.outcomes.entry(stream.to_string()).or_default();
        recent.push_back(ok);
        while recent.len() > SUCCESS_WINDOW {
            recent.pop_front();
        }
        let rate = rate(recent);
        if self.per.on {
            let fam = Family::Gauge(f.success_rate_per_stream.clone());
            if let Some(v) = self.per.values("success", fam, stream, &[], &[]) {
                f.success_rate_per_stream.with_label_values(&v).set(rate);
            }
        }
        self.success_rate(f);
    }

    /// `success_rate`: the streams' rates averaged; 1 with none (as the reference).
    fn success_rate(&self, f: &Families) {
        let rates: Vec<f64> = self.outcomes.values().map(rate).collect();
        let avg = if rates.is_empty() {
            1.0
        } else {
            rates.iter().sum::<f64>() / rates.len() as f64
        };
        f.success_rate.with_label_values::<&str>(&[]).set(avg);
    }
}

fn rate(recent: &VecDeque<bool>) -> f64 {
    if recent.is_empty() {
        return 1.0;
    }
    recent.iter().filter(|ok| **ok).count() as f64 / recent.len() as f64
}

/// The value of a `TicketReceived` for `ticket_value_recv` (gwei), and whether it won.
pub(super) fn ticket(outcome: &TicketOutcome) -> (Option<f64>, bool, Option<&str>) {
    match outcome {
        TicketOutcome::Accepted { won, ev } => (Some(ratio_gwei(ev)), *won, None),
        TicketOutcome::Rejected { reason, won, .. } => (None, *won, Some(reason)),
    }
}

/// `count` gwei of a ratio.
pub(super) fn ev_gwei(ev: &Ratio, count: u32) -> f64 {
    ratio_gwei(ev) * f64::from(count)
}
