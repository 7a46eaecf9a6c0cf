//! `-monitor`: Prometheus metrics with go-livepeer's `livepeer_*` names and labels (ADR 0013),
//! served at `/metrics` on the CLI port. Most of them are read off the event log, not hooked
//! into the pipeline:
//!
//! - [`fold`] (with [`payments`]): counters and histograms folded from every record the writer
//!   appends (its observer): streams, segments, transcode times and latencies the records
//!   carry, swaps of O, tickets, redemptions.
//! - gauges are read from the projections when `/metrics` is scraped (open streams, a B's
//!   deposit and reserve, an O's max float per sender), or from the O's attached transcoders.
//! - [`edge`]: what no record carries, measured where it happens in `node/`: a B's upload and
//!   download times and failures, retries, `GetOrchestrator` errors, tickets it could not make,
//!   and the HTTP pusher's view (real-time ratio, pushers gone before their answer).
//! - [`catalogue`] and `pay_families`: the families; [`series`]: per-stream series (`-metricsPerStream`), removed
//!   when their stream ends.

pub mod catalogue;
pub mod edge;
mod fold;
mod pay_families;
mod payments;
mod scrape;
mod series;

pub use edge::Edge;

use crate::events::Address;
use crate::log::LogStore;
use crate::node::writer::Writer;
use catalogue::Families;
use fold::Fold;
use std::sync::{Arc, Mutex, MutexGuard, OnceLock, PoisonError};

/// Which node the metrics describe (the reference's `node_type`).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Role {
    /// A broadcaster (`bctr`).
    Broadcaster,
    /// An orchestrator (`orch`).
    Orchestrator,
    /// A standalone transcoder (`trcr`): no log to follow, its [`Edge`] counts what it does.
    Transcoder,
}

impl Role {
    /// The `node_type` label.
    pub fn node_type(self) -> &'static str {
        match self {
            Role::Broadcaster => "bctr",
            Role::Orchestrator => "orch",
            Role::Transcoder => "trcr",
        }
    }
}

/// What the metrics need to know of the node.
#[derive(Clone, Debug)]
pub struct Settings {
    /// The role.
    pub role: Role,
    /// `-metricsPerStream`.
    pub per_stream: bool,
    /// On a chain, the node's account (a B's deposit is its own; an O's max floats are its).
    pub account: Option<Address>,
    /// `-maxSessions` (0: an O's `auto`, its attached transcoders' capacity at each scrape).
    pub max_sessions: u32,
    /// A B's `-localVerify`.
    pub local_verify: bool,
    /// An O's price, or a B's `-maxPricePerUnit`, in wei per pixel.
    pub price_per_pixel: Option<f64>,
    /// `-minGasPrice`, `-maxGasPrice` in wei (on a chain, when set).
    pub gas_limits: (Option<u128>, Option<u128>),
}

/// Reads the attached transcoders: (number, capacity, load).
pub type TranscoderCount = Box<dyn Fn() -> (i64, i64, i64) + Send + Sync>;

/// The node's metrics: the registry, its families and the fold's state.
pub struct Metrics {
    registry: prometheus::Registry,
    families: Families,
    fold: Mutex<Fold>,
    settings: Settings,
    transcoders: OnceLock<TranscoderCount>,
}

/// `node_id` as the reference makes it: `<account>-<hostname>`, or the host name alone.
fn node_id(account: Option<&Address>) -> String {
    let host = std::fs::read_to_string("/proc/sys/kernel/hostname")
        .or_else(|_| std::fs::read_to_string("/etc/hostname"))
        .map(|h| h.trim().to_string())
        .unwrap_or_default();
    match account {
        Some(a) => format!("{}-{host}", fold::checksum(a)),
        None => host,
    }
}

/// The full name of every family the node can serve (`livepeer_…`), whatever its role: the list
/// a dashboard's queries are checked against.
pub fn served_names() -> Vec<String> {
    let reg = prometheus::Registry::new();
    Families::register(&reg, "", "", false)
        .map(|f| f.names)
        .unwrap_or_default()
}

/// With `-monitor` (`on`): the node's metrics for `settings`, following `writer`'s records.
pub fn start<S: LogStore>(
    on: bool,
    settings: Settings,
    writer: &Writer<S>,
) -> Result<Option<Arc<Metrics>>, prometheus::Error> {
    if !on {
        return Ok(None);
    }
    let m = Metrics::new(settings)?;
    m.attach(writer);
    Ok(Some(m))
}

impl Metrics {
    /// Registers the families for `settings` and sets what is known at start.
    pub fn new(settings: Settings) -> Result<Arc<Metrics>, prometheus::Error> {
        let registry = prometheus::Registry::new();
        let id = node_id(settings.account.as_ref());
        let families = Families::register(
            &registry,
            &id,
            settings.role.node_type(),
            settings.per_stream,
        )?;
        let fold = Fold::new(settings.role, settings.local_verify, settings.per_stream);
        let m = Metrics {
            registry,
            families,
            fold: Mutex::new(fold),
            settings,
            transcoders: OnceLock::new(),
        };
        scrape::at_start(&m.families, &m.settings);
        Ok(Arc::new(m))
    }

    fn fold(&self) -> MutexGuard<'_, Fold> {
        self.fold.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Follows `writer`'s records from now on (the streams open now count as open).
    pub fn attach<S: LogStore>(self: &Arc<Self>, writer: &Writer<S>) {
        let open: Vec<String> =
            writer.read(|p| p.streams.state.live().map(|(s, _)| s.clone()).collect());
        {
            let mut f = self.fold();
            for s in open {
                f.per.open(&s, &s);
            }
        }
        let me = self.clone();
        let attached = writer.observe(Box::new(move |env, p| {
            me.fold().observe(&me.families, env, p);
        }));
        if !attached {
            tracing::warn!("metrics: the writer already has an observer");
        }
    }

    /// How an O's attached transcoders are counted (read at each scrape).
    pub fn count_transcoders(&self, f: TranscoderCount) {
        let _ = self.transcoders.set(f);
    }

    /// The edge's handle on these metrics.
    pub fn edge(self: &Arc<Self>) -> Edge {
        Edge::new(self.clone())
    }

    /// The Prometheus text exposition, gauges refreshed from `writer`'s projections first.
    pub fn render<S: LogStore>(&self, writer: &Writer<S>) -> String {
        let set = writer.read(|p| {
            scrape::refresh(&self.families, &self.settings, p);
            p.config.state.session_limit()
        });
        // The limit in effect: `/setMaxSessions`' value, else the flag's (0: `auto`).
        let flag = self.settings.max_sessions;
        let limit = set.unwrap_or((flag > 0).then_some(flag));
        let gauge = self.families.max_sessions.with_label_values::<&str>(&[]);
        if let Some(n) = limit {
            gauge.set(i64::from(n));
        }
        if let Some(t) = self.transcoders.get() {
            let totals = t();
            scrape::transcoders(&self.families, totals);
            if limit.is_none() {
                // auto: the limit is the transcoders' capacity.
                gauge.set(totals.1);
            }
        }
        self.encode()
    }

    /// The Prometheus text exposition of a node without a log (a standalone T).
    pub fn render_alone(&self) -> String {
        self.encode()
    }

    fn encode(&self) -> String {
        let text = prometheus::TextEncoder::new().encode_to_string(&self.registry.gather());
        text.unwrap_or_else(|e| format!("# metrics could not be encoded: {e}\n"))
    }
}
