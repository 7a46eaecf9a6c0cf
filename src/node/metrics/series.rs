//! Label values of the series a stream touches, and their removal when it ends. Without
//! `-metricsPerStream` a series carries no stream label and lives as long as the node; with it,
//! each stream's series (`manifest_id="<stream>"`) are remembered and removed at its
//! `StreamEnded`, so a finished stream leaves nothing behind on `/metrics` (the reference keeps
//! them until the process exits).

use prometheus::{CounterVec, GaugeVec, HistogramVec, IntCounterVec};
use std::collections::BTreeMap;

/// A family that holds per-stream series.
#[derive(Clone)]
pub(super) enum Family {
    /// Integer counters.
    Count(IntCounterVec),
    /// Float counters (gwei, million pixels).
    Sum(CounterVec),
    /// Gauges.
    Gauge(GaugeVec),
    /// Histograms.
    Hist(HistogramVec),
}

impl Family {
    fn remove(&self, values: &[String]) {
        let v: Vec<&str> = values.iter().map(String::as_str).collect();
        // A series already gone is not an error worth reporting.
        let _ = match self {
            Family::Count(f) => f.remove_label_values(&v),
            Family::Sum(f) => f.remove_label_values(&v),
            Family::Gauge(f) => f.remove_label_values(&v),
            Family::Hist(f) => f.remove_label_values(&v),
        };
    }
}

/// A series a stream touched: (family key, family, label values).
type Touched = (&'static str, Family, Vec<String>);

/// The open streams and the per-stream series each touched.
#[derive(Default)]
pub(super) struct PerStream {
    /// `-metricsPerStream`.
    pub on: bool,
    /// Open streams by id, with the value of their `manifest_id` label (a B's stream id; the
    /// B's manifest id for an O's session).
    open: BTreeMap<String, String>,
    /// Each open stream's series: (family key, family, label values).
    touched: BTreeMap<String, Vec<Touched>>,
}

impl PerStream {
    /// No stream open yet; `on`: `-metricsPerStream`.
    pub fn new(on: bool) -> PerStream {
        PerStream {
            on,
            ..PerStream::default()
        }
    }

    /// A stream opened; its series are labelled `manifest`.
    pub fn open(&mut self, stream: &str, manifest: &str) {
        self.open.insert(stream.to_string(), manifest.to_string());
    }

    /// Whether `stream` is open.
    pub fn is_open(&self, stream: &str) -> bool {
        self.open.contains_key(stream)
    }

    /// The `manifest_id` of an open stream.
    pub fn manifest(&self, stream: &str) -> Option<&str> {
        self.open.get(stream).map(String::as_str)
    }

    /// Label values for `family` (`key` names it): `extra`, then the stream's `manifest_id`
    /// (and `tail`, e.g. a sender) when per-stream series are on. `None` when they are on and
    /// the stream is not open: its series would outlive it.
    pub fn values(
        &mut self,
        key: &'static str,
        family: Family,
        stream: &str,
        extra: &[&str],
        tail: &[&str],
    ) -> Option<Vec<String>> {
        let mut v: Vec<String> = extra.iter().map(|s| s.to_string()).collect();
        if !self.on {
            return Some(v);
        }
        v.push(self.manifest(stream)?.to_string());
        v.extend(tail.iter().map(|s| s.to_string()));
        let list = self.touched.entry(stream.to_string()).or_default();
        if !list.iter().any(|(k, _, vals)| *k == key && *vals == v) {
            list.push((key, family, v.clone()));
        }
        Some(v)
    }

    /// `stream` ended: its series are removed and it is forgotten.
    pub fn end(&mut self, stream: &str) {
        self.open.remove(stream);
        for (_, family, values) in self.touched.remove(stream).unwrap_or_default() {
            family.remove(&values);
        }
    }
}
