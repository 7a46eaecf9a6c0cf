//! Every metric family the node serves, with go-livepeer's names (`monitor/census.go`, all under
//! the `livepeer_` namespace), help texts, label names, units (seconds, gwei, wei) and
//! histogram buckets. Each family carries `node_id` and `node_type` as constant labels (the
//! reference's base tags; `versions` has its own); `manifest_id` and `sender` are added where the
//! reference adds them with `-metricsPerStream`.
//!
//! The reference's buckets are kept, sorted and without its duplicates (`.1, .2, .5, .100, …`
//! read as seconds gives repeats, which Prometheus refuses).

use super::pay_families::PayFamilies;
use prometheus::{
    CounterVec, GaugeVec, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry,
};
use std::collections::HashMap;

const TIME_BUCKETS: &[f64] = &[
    0.0, 0.25, 0.5, 0.75, 1.0, 1.25, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 10.0,
];
const LATENCY_BUCKETS: &[f64] = &[
    0.0, 0.5, 0.75, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 10.0,
];
const SCORE_BUCKETS: &[f64] = &[
    0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 10.0, 15.0, 20.0, 40.0,
];
const DURATION_BUCKETS: &[f64] = &[
    0.0, 0.5, 1.0, 1.5, 2.0, 2.5, 3.0, 3.5, 4.0, 4.5, 5.0, 10.0, 15.0, 20.0,
];
const TRANSFER_BUCKETS: &[f64] = &[0.0, 0.1, 0.15, 0.2, 0.5, 1.0, 5.0, 10.0];
const RATIO_BUCKETS: &[f64] = &[0.5, 1.0, 2.0, 3.0, 5.0, 10.0, 50.0, 100.0];

/// The families. Label values are given in the order of the label names noted on each.
pub struct Families {
    /// `versions` {node_type, compiler, goos, goversion, livepeerversion}: 1.
    pub versions: IntGaugeVec,
    /// `stream_created_total`, `stream_started_total`, `stream_ended_total`.
    pub stream_created: IntCounterVec,
    /// See `stream_created`.
    pub stream_started: IntCounterVec,
    /// See `stream_created`.
    pub stream_ended: IntCounterVec,
    /// `max_sessions_total`, `current_sessions_total`.
    pub max_sessions: IntGaugeVec,
    /// See `max_sessions`.
    pub current_sessions: IntGaugeVec,
    /// `discovery_errors_total` {error_code, orchestrator_uri}.
    pub discovery_errors: IntCounterVec,
    /// `orchestrator_swaps` {manifest_id?}.
    pub orchestrator_swaps: IntCounterVec,
    /// `segment_source_appeared_total` {profile, seg_type, manifest_id?}.
    pub source_appeared: IntCounterVec,
    /// `segment_source_emerged_total` {manifest_id?}.
    pub source_emerged: IntCounterVec,
    /// `segment_source_emerged_unprocessed_total` {manifest_id?}.
    pub source_emerged_unprocessed: IntCounterVec,
    /// `segment_source_uploaded_total` {orchestrator_uri, manifest_id?}.
    pub source_uploaded: IntCounterVec,
    /// `segment_source_upload_failed_total` {error_code, orchestrator_uri, manifest_id?}.
    pub source_upload_failed: IntCounterVec,
    /// `segment_transcoded_downloaded_total` {manifest_id?}.
    pub transcoded_downloaded: IntCounterVec,
    /// `segment_transcoded_total` {profiles, trusted, verified}.
    pub transcoded: IntCounterVec,
    /// `segment_transcoded_unprocessed_total` {profiles, orchestrator_uri,
    /// orchestrator_address, orchestrator_version, manifest_id?}.
    pub transcoded_unprocessed: IntCounterVec,
    /// `segment_transcode_failed_total` {error_code, manifest_id?}.
    pub transcode_failed: IntCounterVec,
    /// `segment_transcoded_all_appeared_total`: labels as `transcoded_unprocessed`.
    pub transcoded_all_appeared: IntCounterVec,
    /// `success_rate`: transcoded / emerged over each stream's last 30 segments, averaged.
    pub success_rate: GaugeVec,
    /// `success_rate_per_stream` {manifest_id} (only with `-metricsPerStream`).
    pub success_rate_per_stream: GaugeVec,
    /// `transcode_retried` {try, manifest_id?}.
    pub transcode_retried: IntCounterVec,
    /// `transcode_time_seconds` {profiles, trusted, verified}.
    pub transcode_time: HistogramVec,
    /// `transcode_overall_latency_seconds` {profiles, orchestrator_uri, orchestrator_address,
    /// orchestrator_version}.
    pub overall_latency: HistogramVec,
    /// `transcode_score` {profiles, trusted, verified}: source duration / transcode time.
    pub transcode_score: HistogramVec,
    /// `upload_time_seconds` {orchestrator_uri}.
    pub upload_time: HistogramVec,
    /// `download_time_seconds` {manifest_id?}.
    pub download_time: HistogramVec,
    /// `source_segment_duration_seconds` {manifest_id?}.
    pub source_duration: HistogramVec,
    /// `http_client_segment_transcoded_realtime_ratio` {manifest_id?}.
    pub realtime_ratio: HistogramVec,
    /// `http_client_segment_transcoded_realtime_{3x,2x,1x,half,slow}` {manifest_id?}.
    pub realtime: [IntCounterVec; 5],
    /// `http_client_timeout_1` {manifest_id?}: pushers gone before their segment was done.
    pub http_client_timeout_1: IntCounterVec,
    /// `transcoders_number`, `transcoders_capacity`, `transcoders_load`.
    pub transcoders: [IntGaugeVec; 3],
    /// `mil_pixels_processed` {manifest_id?}.
    pub mil_pixels: CounterVec,
    /// `transcoding_price` {sender?}: wei per pixel.
    pub transcoding_price: GaugeVec,
    /// The payment families.
    pub pay: PayFamilies,
    /// Every family's full name (`livepeer_…`), in registration order.
    pub names: Vec<String>,
}

/// Registers families on one registry with the node's constant labels.
pub(super) struct Build<'a> {
    reg: &'a Registry,
    base: HashMap<String, String>,
    names: std::cell::RefCell<Vec<String>>,
}

impl Build<'_> {
    fn opts(&self, name: &str, help: &str) -> Opts {
        self.names.borrow_mut().push(format!("livepeer_{name}"));
        Opts::new(name, help)
            .namespace("livepeer")
            .const_labels(self.base.clone())
    }
    pub(super) fn counter(
        &self,
        n: &str,
        h: &str,
        l: &[&str],
    ) -> prometheus::Result<IntCounterVec> {
        let v = IntCounterVec::new(self.opts(n, h), l)?;
        self.reg.register(Box::new(v.clone()))?;
        Ok(v)
    }
    pub(super) fn fcounter(&self, n: &str, h: &str, l: &[&str]) -> prometheus::Result<CounterVec> {
        let v = CounterVec::new(self.opts(n, h), l)?;
        self.reg.register(Box::new(v.clone()))?;
        Ok(v)
    }
    pub(super) fn gauge(&self, n: &str, h: &str, l: &[&str]) -> prometheus::Result<GaugeVec> {
        let v = GaugeVec::new(self.opts(n, h), l)?;
        self.reg.register(Box::new(v.clone()))?;
        Ok(v)
    }
    pub(super) fn igauge(&self, n: &str, h: &str, l: &[&str]) -> prometheus::Result<IntGaugeVec> {
        let v = IntGaugeVec::new(self.opts(n, h), l)?;
        self.reg.register(Box::new(v.clone()))?;
        Ok(v)
    }
    pub(super) fn hist(
        &self,
        n: &str,
        h: &str,
        l: &[&str],
        b: &[f64],
    ) -> prometheus::Result<HistogramVec> {
        self.names.borrow_mut().push(format!("livepeer_{n}"));
        let o = HistogramOpts::new(n, h)
            .namespace("livepeer")
            .const_labels(self.base.clone())
            .buckets(b.to_vec());
        let v = HistogramVec::new(o, l)?;
        self.reg.register(Box::new(v.clone()))?;
        Ok(v)
    }
}

/// Label names: `extra`, then `manifest_id` and/or `sender` where `-metricsPerStream` adds them.
pub(super) fn names(extra: &[&'static str], m: bool, s: bool) -> Vec<&'static str> {
    let mut v = extra.to_vec();
    if m {
        v.push("manifest_id");
    }
    if s {
        v.push("sender");
    }
    v
}

impl Families {
    /// Registers every family on `reg`: `node_id`, `node_type` constant, `per_stream` choosing
    /// the label sets.
    pub fn register(
        reg: &Registry,
        node_id: &str,
        node_type: &str,
        per_stream: bool,
    ) -> prometheus::Result<Families> {
        let mut base = HashMap::new();
        base.insert("node_id".to_string(), node_id.to_string());
        base.insert("node_type".to_string(), node_type.to_string());
        let b = Build {
            reg,
            base,
            names: std::cell::RefCell::new(vec!["livepeer_versions".into()]),
        };
        let p = per_stream;
        let m = |extra: &[&'static str]| names(extra, p, false);
        let orch = [
            "profiles",
            "orchestrator_uri",
            "orchestrator_address",
            "orchestrator_version",
        ];
        let tv = ["profiles", "trusted", "verified"];
        let versions = IntGaugeVec::new(
            Opts::new("versions", "Versions used by LivePeer node.")
                .namespace("livepeer")
                .const_label("node_type", node_type),
            &["compiler", "goos", "goversion", "livepeerversion"],
        )?;
        reg.register(Box::new(versions.clone()))?;
        let rt = |k: &str, h: &str| {
            let n = format!("http_client_segment_transcoded_realtime_{k}");
            b.counter(&n, h, &m(&[]))
        };
        let mut families = Families {
            versions,
            stream_created: b.counter("stream_created_total", "StreamCreated", &[])?,
            stream_started: b.counter("stream_started_total", "StreamStarted", &[])?,
            stream_ended: b.counter("stream_ended_total", "StreamEnded", &[])?,
            max_sessions: b.igauge("max_sessions_total", "Max Sessions", &[])?,
            current_sessions: b.igauge(
                "current_sessions_total",
                "Number of streams currently transcoding",
                &[],
            )?,
            discovery_errors: b.counter(
                "discovery_errors_total",
                "Number of discover errors",
                &["error_code", "orchestrator_uri"],
            )?,
            orchestrator_swaps: b.counter(
                "orchestrator_swaps",
                "Number of orchestrator swaps mid-stream",
                &m(&[]),
            )?,
            source_appeared: b.counter(
                "segment_source_appeared_total",
                "SegmentSourceAppeared",
                &m(&["profile", "seg_type"]),
            )?,
            source_emerged: b.counter("segment_source_emerged_total", "SegmentEmerged", &m(&[]))?,
            source_emerged_unprocessed: b.counter(
                "segment_source_emerged_unprocessed_total",
                "Raw number of segments emerged from segmenter.",
                &m(&[]),
            )?,
            source_uploaded: b.counter(
                "segment_source_uploaded_total",
                "SegmentUploaded",
                &m(&["orchestrator_uri"]),
            )?,
            source_upload_failed: b.counter(
                "segment_source_upload_failed_total",
                "SegmentUploadedFailed",
                &m(&["error_code", "orchestrator_uri"]),
            )?,
            transcoded_downloaded: b.counter(
                "segment_transcoded_downloaded_total",
                "SegmentDownloaded",
                &m(&[]),
            )?,
            transcoded: b.counter("segment_transcoded_total", "SegmentTranscoded", &tv)?,
            transcoded_unprocessed: b.counter(
                "segment_transcoded_unprocessed_total",
                "Raw number of segments successfully transcoded.",
                &m(&orch),
            )?,
            transcode_failed: b.counter(
                "segment_transcode_failed_total",
                "SegmentTranscodeFailed",
                &m(&["error_code"]),
            )?,
            transcoded_all_appeared: b.counter(
                "segment_transcoded_all_appeared_total",
                "SegmentTranscodedAllAppeared",
                &m(&orch),
            )?,
            success_rate: b.gauge(
                "success_rate",
                "Number of transcoded segments divided on number of source segments",
                &[],
            )?,
            success_rate_per_stream: b.gauge(
                "success_rate_per_stream",
                "Number of transcoded segments divided on number of source segments, per stream",
                &["manifest_id"],
            )?,
            transcode_retried: b.counter(
                "transcode_retried",
                "Number of times segment transcode was retried",
                &m(&["try"]),
            )?,
            transcode_time: b.hist(
                "transcode_time_seconds",
                "TranscodeTime, seconds",
                &tv,
                TIME_BUCKETS,
            )?,
            overall_latency: b.hist(
                "transcode_overall_latency_seconds",
                "Transcoding latency, from source segment emerged from segmenter till all \
                 transcoded segment apeeared in manifest",
                &orch,
                LATENCY_BUCKETS,
            )?,
            transcode_score: b.hist(
                "transcode_score",
                "Ratio of source segment duration vs. transcode time",
                &tv,
                SCORE_BUCKETS,
            )?,
            upload_time: b.hist(
                "upload_time_seconds",
                "UploadTime, seconds",
                &["orchestrator_uri"],
                TRANSFER_BUCKETS,
            )?,
            download_time: b.hist(
                "download_time_seconds",
                "Download time",
                &m(&[]),
                TRANSFER_BUCKETS,
            )?,
            source_duration: b.hist(
                "source_segment_duration_seconds",
                "Source segment's duration",
                &m(&[]),
                DURATION_BUCKETS,
            )?,
            realtime_ratio: b.hist(
                "http_client_segment_transcoded_realtime_ratio",
                "Ratio of source segment duration / transcode time as measured on HTTP client",
                &m(&[]),
                RATIO_BUCKETS,
            )?,
            realtime: [
                rt("3x", "Number of segment transcoded 3x faster than realtime")?,
                rt("2x", "Number of segment transcoded 2x faster than realtime")?,
                rt("1x", "Number of segment transcoded 1x faster than realtime")?,
                rt(
                    "half",
                    "Number of segment transcoded no more than two times slower than realtime",
                )?,
                rt(
                    "slow",
                    "Number of segment transcoded more than two times slower than realtime",
                )?,
            ],
            http_client_timeout_1: b.counter(
                "http_client_timeout_1",
                "Number of times HTTP connection was dropped before transcoding complete",
                &m(&[]),
            )?,
            transcoders: [
                b.igauge(
                    "transcoders_number",
                    "Number of transcoders currently connected to orchestrator",
                    &[],
                )?,
                b.igauge(
                    "transcoders_capacity",
                    "Total advertised capacity of transcoders currently connected to orchestrator",
                    &[],
                )?,
                b.igauge(
                    "transcoders_load",
                    "Total load of transcoders currently connected to orchestrator",
                    &[],
                )?,
            ],
            mil_pixels: b.fcounter("mil_pixels_processed", "Million pixels processed", &m(&[]))?,
            transcoding_price: b.gauge(
                "transcoding_price",
                "Transcoding price per pixel",
                &names(&[], false, p),
            )?,
            pay: PayFamilies::register(&b, p)?,
            names: Vec::new(),
        };
        families.names = b.names.take();
        Ok(families)
    }
}
