//! `-monitor` through the binary, offchain: a B, an O and a standalone T serve Prometheus
//! `/metrics` on their CLI ports, read here with a Prometheus text-format parser
//! (`prometheus-parse`). The real ffmpeg CLI publishes a 6 s RTMP stream to the B; the
//! `livepeer_*` names of each role's scrape are diffed against go-livepeer's list
//! (performance-and-users.md §6.1, what census.go records for that role), and the segment
//! counters of all three nodes move by exactly the number of segments in the stream's HLS
//! playlist. With
//! `-metricsPerStream` a stream's series (`manifest_id`) are there while it runs and gone once
//! it ended. The Grafana dashboard in docs/ asks only for metrics the node serves.
#![allow(clippy::unwrap_used)]

mod media_support;
mod orch_support;

use media_support::rtmp_test_pattern;
use orch_support::{free_port, Node};
use prometheus_parse::{Scrape, Value};
use std::{
    collections::BTreeSet,
    path::Path,
    process::{Child, Stdio},
    time::{Duration, Instant},
};

/// go-livepeer's metric names (§6.1, without the `livepeer_` prefix; AI metrics out of scope).
const REFERENCE: &[&str] = &[
    "versions",
    "stream_created_total",
    "stream_started_total",
    "stream_ended_total",
    "max_sessions_total",
    "current_sessions_total",
    "discovery_errors_total",
    "orchestrator_swaps",
    "segment_source_appeared_total",
    "segment_source_emerged_total",
    "segment_source_emerged_unprocessed_total",
    "segment_source_uploaded_total",
    "segment_source_upload_failed_total",
    "segment_transcoded_downloaded_total",
    "segment_transcoded_total",
    "segment_transcoded_unprocessed_total",
    "segment_transcode_failed_total",
    "segment_transcoded_all_appeared_total",
    "success_rate",
    "success_rate_per_stream",
    "transcode_retried",
    "transcode_time_seconds",
    "transcode_overall_latency_seconds",
    "upload_time_seconds",
    "download_time_seconds",
    "source_segment_duration_seconds",
    "transcode_score",
    "auth_webhook_time_milliseconds",
    "http_client_segment_transcoded_realtime_ratio",
    "http_client_segment_transcoded_realtime_3x",
    "http_client_segment_transcoded_realtime_2x",
    "http_client_segment_transcoded_realtime_1x",
    "http_client_segment_transcoded_realtime_half",
    "http_client_segment_transcoded_realtime_slow",
    "http_client_timeout_1",
    "http_client_timeout_2",
    "recording_save_latency",
    "recording_save_errors",
    "recording_saved_segments",
    "transcoders_number",
    "transcoders_capacity",
    "transcoders_load",
    "mil_pixels_processed",
    "transcoding_price",
    "price_per_capability",
    "ticket_value_sent",
    "tickets_sent",
    "payment_create_errors",
    "gateway_deposit",
    "gateway_reserve",
    "gateway_max_float",
    "gateway_ticket_face_value",
    "broadcaster_deposit",
    "broadcaster_reserve",
    "ticket_value_recv",
    "tickets_recv",
    "payment_recv_errors",
    "winning_tickets_recv",
    "value_redeemed",
    "ticket_redemption_errors",
    "suggested_gas_price",
    "min_gas_price",
    "max_gas_price",
    "reward_call_errors",
    "fast_verification_done",
    "fast_verification_failed",
    "fast_verification_enabled_current_sessions_total",
    "fast_verification_using_current_sessions_total",
];

/// §6.1 names this node does not serve, and why.
const NOT_SERVED: &[(&str, &str)] = &[
    (
        "auth_webhook_time_milliseconds",
        "the O's auth webhook call is not timed yet",
    ),
    (
        "http_client_timeout_2",
        "a pusher gone while its answer is written is not seen",
    ),
    ("recording_save_latency", "no recording object store"),
    ("recording_save_errors", "no recording object store"),
    ("recording_saved_segments", "no recording object store"),
    ("price_per_capability", "AI capabilities are out of scope"),
    (
        "reward_call_errors",
        "reward transactions' failures are not mapped yet",
    ),
    ("fast_verification_done", "no fast verification"),
    ("fast_verification_failed", "no fast verification"),
    (
        "fast_verification_enabled_current_sessions_total",
        "no fast verification",
    ),
    (
        "fast_verification_using_current_sessions_total",
        "no fast verification",
    ),
];

/// What a B's scrape holds after one RTMP stream, offchain (no -maxPricePerUnit).
const B_AFTER_STREAM: &[&str] = &[
    "versions",
    "stream_created_total",
    "stream_started_total",
    "stream_ended_total",
    "max_sessions_total",
    "current_sessions_total",
    "orchestrator_swaps",
    "segment_source_appeared_total",
    "segment_source_emerged_total",
    "segment_source_emerged_unprocessed_total",
    "segment_source_uploaded_total",
    "segment_transcoded_downloaded_total",
    "segment_transcoded_total",
    "segment_transcoded_unprocessed_total",
    "segment_transcoded_all_appeared_total",
    "success_rate",
    "transcode_time_seconds",
    "transcode_overall_latency_seconds",
    "upload_time_seconds",
    "download_time_seconds",
    "source_segment_duration_seconds",
    "transcode_score",
    "http_client_segment_transcoded_realtime_3x",
    "http_client_segment_transcoded_realtime_2x",
    "http_client_segment_transcoded_realtime_1x",
    "http_client_segment_transcoded_realtime_half",
    "http_client_segment_transcoded_realtime_slow",
    "http_client_timeout_1",
];

/// What an O's scrape holds after one stream, offchain.
const O_AFTER_STREAM: &[&str] = &[
    "versions",
    "max_sessions_total",
    "current_sessions_total",
    "segment_source_emerged_total",
    "segment_source_emerged_unprocessed_total",
    "source_segment_duration_seconds",
    "segment_transcoded_total",
    "transcode_time_seconds",
    "transcode_score",
    "transcoders_number",
    "transcoders_capacity",
    "transcoders_load",
    "mil_pixels_processed",
    "transcoding_price",
];

/// What a standalone T's scrape holds after one stream (go-livepeer's T records
/// `SegmentTranscoded` in `core/transcoder.go` and `SegmentUploaded` in `server/ot_rpc.go`).
const T_AFTER_STREAM: &[&str] = &[
    "versions",
    "max_sessions_total",
    "segment_transcoded_total",
    "transcode_time_seconds",
    "transcode_score",
    "segment_source_uploaded_total",
    "upload_time_seconds",
];

/// The T's counters that count each segment once (its upload is counted after the O's answer,
/// which may come after the B's playlist shows the segment).
const T_PER_SEGMENT: &[&str] = &["segment_transcoded_total"];

/// The B's counters that count each segment of a stream once.
const B_PER_SEGMENT: &[&str] = &[
    "segment_source_appeared_total",
    "segment_source_emerged_total",
    "segment_source_emerged_unprocessed_total",
    "segment_source_uploaded_total",
    "segment_transcoded_downloaded_total",
    "segment_transcoded_total",
    "segment_transcoded_unprocessed_total",
    "segment_transcoded_all_appeared_total",
];

/// The O's.
const O_PER_SEGMENT: &[&str] = &[
    "segment_source_emerged_total",
    "segment_source_emerged_unprocessed_total",
    "segment_transcoded_total",
];

/// `GET http://<addr>/metrics`, parsed.
async fn scrape(addr: &str) -> Scrape {
    let r = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .unwrap();
    assert_eq!(r.status(), 200);
    let text = r.text().await.unwrap();
    Scrape::parse(text.lines().map(|l| Ok(l.to_string()))).unwrap()
}

/// The metric names of a scrape, `livepeer_` dropped, a histogram's `_sum`/`_count` folded in.
fn names(s: &Scrape) -> BTreeSet<String> {
    let all: BTreeSet<String> = s.samples.iter().map(|x| x.metric.clone()).collect();
    all.iter()
        .filter(|n| {
            let base = n.strip_suffix("_sum").or_else(|| n.strip_suffix("_count"));
            base.is_none_or(|b| !all.contains(b))
        })
        .map(|n| n.strip_prefix("livepeer_").unwrap_or(n).to_string())
        .collect()
}

/// The sum of a counter's series (a histogram's observation count).
fn total(s: &Scrape, name: &str) -> f64 {
    let full = format!("livepeer_{name}");
    s.samples
        .iter()
        .filter(|x| x.metric == full)
        .map(|x| match &x.value {
            Value::Counter(v) | Value::Gauge(v) | Value::Untyped(v) => *v,
            Value::Histogram(h) => h.iter().map(|b| b.count).fold(0.0, f64::max),
            Value::Summary(_) => 0.0,
        })
        .sum()
}

/// Asserts the scrape's names are exactly `want`, printing what is missing and extra.
fn diff(role: &str, s: &Scrape, want: &[&str]) {
    let got = names(s);
    let want: BTreeSet<String> = want.iter().map(|n| n.to_string()).collect();
    let missing: Vec<_> = want.difference(&got).collect();
    let extra: Vec<_> = got.difference(&want).collect();
    assert!(
        missing.is_empty() && extra.is_empty(),
        "{role}: missing {missing:?}, extra {extra:?}"
    );
    let reference: BTreeSet<&str> = REFERENCE.iter().copied().collect();
    let outside: Vec<_> = got
        .iter()
        .filter(|n| !reference.contains(n.as_str()))
        .collect();
    assert!(
        outside.is_empty(),
        "{role} serves names not in §6.1: {outside:?}"
    );
}

/// An O and a B behind it, offchain, their CLI ports serving `/metrics`; with a standalone T,
/// the O transcodes on it.
struct Net {
    _o: Node,
    _b: Node,
    _t: Option<Node>,
    o_cli: String,
    b_cli: String,
    t_cli: String,
    b_http: String,
    rtmp: String,
}

fn start(dir: &Path, extra: &[&str], remote_t: bool) -> Net {
    let port = || format!("127.0.0.1:{}", free_port());
    let (o_addr, o_cli, b_cli, b_http, rtmp) = (port(), port(), port(), port(), port());
    let t_cli = port();
    let mut o_args = vec!["-orchestrator", "-serviceAddr", &o_addr];
    o_args.extend(match remote_t {
        true => ["-orchSecret", "sesame"].as_slice(),
        false => ["-transcoder"].as_slice(),
    });
    o_args.extend(["-monitor", "-cliAddr", &o_cli]);
    o_args.extend(extra);
    let mut o = Node::start(&dir.join("o"), &o_args);
    o.line("serving");
    let t = remote_t.then(|| {
        let mut t = Node::start(
            &dir.join("t"),
            &[
                "-transcoder",
                "-orchAddr",
                &o_addr,
                "-orchSecret",
                "sesame",
                "-maxSessions",
                "3",
                "-monitor",
                "-cliAddr",
                &t_cli,
            ],
        );
        t.line("CLI API at");
        t.line("Transcoder attached");
        t
    });
    let mut b_args = vec!["-broadcaster", "-orchAddr", &o_addr, "-httpAddr", &b_http];
    b_args.extend(["-rtmpAddr", &rtmp, "-transcodingOptions", "P144p30fps16x9"]);
    b_args.extend(["-monitor", "-cliAddr", &b_cli]);
    b_args.extend(extra);
    let mut b = Node::start(&dir.join("b"), &b_args);
    b.line("Broadcaster");
    Net {
        _o: o,
        _b: b,
        _t: t,
        o_cli,
        b_cli,
        t_cli,
        b_http,
        rtmp,
    }
}

/// ffmpeg publishing a 6 s 320x180 test pattern to `rtmp://<addr>/<name>` in real time.
fn publish(addr: &str, name: &str) -> Child {
    rtmp_test_pattern("6", &format!("rtmp://{addr}/{name}"))
        .stderr(Stdio::null())
        .spawn()
        .unwrap()
}

/// The stream's rendition playlist once `done` says it is ready (waiting up to 60 s).
async fn playlist_when(b_http: &str, name: &str, done: impl Fn(&str) -> bool) -> String {
    let url = format!("http://{b_http}/stream/{name}/P144p30fps16x9.m3u8");
    let deadline = Instant::now() + Duration::from_secs(60);
    loop {
        let r = reqwest::get(&url).await.unwrap();
        if r.status() == 200 {
            let text = r.text().await.unwrap();
            if done(&text) {
                return text;
            }
        }
        assert!(Instant::now() < deadline, "{url} never got there");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn one_stream_moves_the_segment_counters_by_its_segments_and_the_names_match_the_reference() {
    let dir = tempfile::tempdir().unwrap();
    let net = start(dir.path(), &[], true);
    let (b0, o0) = (scrape(&net.b_cli).await, scrape(&net.o_cli).await);
    let t0 = scrape(&net.t_cli).await;
    let mut ffmpeg = publish(&net.rtmp, "movie");
    assert!(ffmpeg.wait().unwrap().success());
    let playlist = playlist_when(&net.b_http, "movie", |t| t.contains("#EXT-X-ENDLIST")).await;
    let segments = playlist.lines().filter(|l| l.ends_with(".ts")).count() as f64;
    assert!(segments >= 2.0, "{playlist}");
    let (b1, o1) = (scrape(&net.b_cli).await, scrape(&net.o_cli).await);
    let t1 = scrape(&net.t_cli).await;
    diff("B", &b1, B_AFTER_STREAM);
    diff("O", &o1, O_AFTER_STREAM);
    diff("T", &t1, T_AFTER_STREAM);
    for (role, before, after, counters) in [
        ("B", &b0, &b1, B_PER_SEGMENT),
        ("O", &o0, &o1, O_PER_SEGMENT),
        ("T", &t0, &t1, T_PER_SEGMENT),
    ] {
        for c in counters {
            let moved = total(after, c) - total(before, c);
            assert_eq!(
                moved, segments,
                "{role} {c} moved by {moved}, the playlist has {segments}"
            );
        }
    }
    for h in ["transcode_time_seconds", "source_segment_duration_seconds"] {
        assert_eq!(
            total(&o1, h) - total(&o0, h),
            segments,
            "O {h} observations"
        );
    }
    for h in ["transcode_time_seconds", "transcode_score"] {
        assert_eq!(
            total(&t1, h) - total(&t0, h),
            segments,
            "T {h} observations"
        );
    }
    assert_eq!(
        total(&t1, "max_sessions_total"),
        3.0,
        "the T's -maxSessions"
    );
    assert!(
        t1.samples
            .iter()
            .all(|x| x.labels.get("node_type").is_none_or(|t| t == "trcr")),
        "the T's node_type is trcr"
    );
    for (c, n) in [
        ("stream_created_total", 1.0),
        ("stream_started_total", 1.0),
        ("stream_ended_total", 1.0),
    ] {
        assert_eq!(total(&b1, c) - total(&b0, c), n, "B {c}");
    }
    assert_eq!(total(&b1, "current_sessions_total"), 0.0);
    assert_eq!(total(&b1, "segment_transcode_failed_total"), 0.0);
    let r = reqwest::get(format!("http://{}/nothing", net.b_cli))
        .await
        .unwrap();
    assert_eq!(r.status(), 404);
}

/// A node's `/status` JSON.
async fn status(cli: &str) -> serde_json::Value {
    let text = reqwest::get(format!("http://{cli}/status"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    serde_json::from_str(&text).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn per_stream_series_live_while_their_stream_does() {
    let dir = tempfile::tempdir().unwrap();
    let net = start(dir.path(), &["-metricsPerStream"], false);
    let mut ffmpeg = publish(&net.rtmp, "ps");
    playlist_when(&net.b_http, "ps", |t| t.contains(".ts")).await;
    let during = scrape(&net.b_cli).await;
    // `/status` counts the live stream's bytes, as the reference's does.
    let b_status = status(&net.b_cli).await;
    let info = &b_status["StreamInfo"]["ps"];
    for k in ["SourceBytes", "TranscodedBytes"] {
        assert!(info[k].as_u64().unwrap() > 0, "{k}: {b_status}");
    }
    let ours = |s: &Scrape| -> BTreeSet<String> {
        s.samples
            .iter()
            .filter(|x| x.labels.get("manifest_id") == Some("ps"))
            .map(|x| x.metric.clone())
            .collect()
    };
    let live = ours(&during);
    for n in [
        "segment_source_emerged_total",
        "segment_source_uploaded_total",
        "success_rate_per_stream",
    ] {
        assert!(
            live.contains(&format!("livepeer_{n}")),
            "{n} not labelled with the stream: {live:?}"
        );
    }
    // The O's `/status` lists its session under the B's manifest id, with its bytes.
    let o_status = status(&net.o_cli).await;
    let info = &o_status["StreamInfo"]["ps"];
    for k in ["SourceBytes", "TranscodedBytes"] {
        assert!(info[k].as_u64().unwrap() > 0, "O {k}: {o_status}");
    }
    assert!(
        o_status["Manifests"]["ps"]["Variants"].is_array(),
        "{o_status}"
    );
    assert!(
        o_status["BroadcasterPrices"]["default"].is_string(),
        "{o_status}"
    );
    let o_during = scrape(&net.o_cli).await;
    assert!(
        o_during
            .samples
            .iter()
            .any(|x| x.labels.get("manifest_id").is_some()),
        "the O labels its session's series"
    );
    assert!(ffmpeg.wait().unwrap().success());
    playlist_when(&net.b_http, "ps", |t| t.contains("#EXT-X-ENDLIST")).await;
    let after = scrape(&net.b_cli).await;
    assert!(
        ours(&after).is_empty(),
        "left after the end: {:?}",
        ours(&after)
    );
    // The B ends its O session right after the stream; the O's series and `/status` entry go
    // with it.
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let o = scrape(&net.o_cli).await;
        let left: Vec<_> = o
            .samples
            .iter()
            .filter(|x| x.labels.get("manifest_id").is_some())
            .collect();
        let listed = status(&net.o_cli).await["Manifests"].clone();
        if left.is_empty() && listed == serde_json::json!({}) {
            break;
        }
        assert!(
            Instant::now() < deadline,
            "O series left: {left:?}, sessions listed: {listed}"
        );
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    // Series without a stream label stay: the node's totals.
    assert_eq!(total(&after, "stream_ended_total"), 1.0);
}

#[test]
fn every_reference_name_is_served_or_said_why_not() {
    let served: BTreeSet<String> = livepeer::node::metrics::served_names()
        .into_iter()
        .map(|n| n.trim_start_matches("livepeer_").to_string())
        .collect();
    let not: BTreeSet<&str> = NOT_SERVED.iter().map(|(n, _)| *n).collect();
    let unaccounted: Vec<_> = REFERENCE
        .iter()
        .filter(|n| !served.contains(**n) && !not.contains(**n))
        .collect();
    assert!(
        unaccounted.is_empty(),
        "neither served nor explained: {unaccounted:?}"
    );
    let both: Vec<_> = not.iter().filter(|n| served.contains(**n)).collect();
    assert!(both.is_empty(), "served yet listed as not: {both:?}");
    let reference: BTreeSet<&str> = REFERENCE.iter().copied().collect();
    let outside: Vec<_> = served
        .iter()
        .filter(|n| !reference.contains(n.as_str()))
        .collect();
    assert!(outside.is_empty(), "served names not in §6.1: {outside:?}");
}

#[test]
fn the_grafana_dashboard_asks_only_for_served_metrics() {
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/docs/grafana/livepeer.json"
    ))
    .unwrap();
    let json: serde_json::Value = serde_json::from_str(&text).unwrap();
    let mut exprs = Vec::new();
    collect_exprs(&json, &mut exprs);
    assert!(exprs.len() >= 10, "{} queries", exprs.len());
    let served: BTreeSet<String> = livepeer::node::metrics::served_names()
        .into_iter()
        .collect();
    let mut asked = BTreeSet::new();
    for e in &exprs {
        for name in metric_names(e) {
            let base = ["_bucket", "_sum", "_count"]
                .iter()
                .find_map(|s| name.strip_suffix(s).filter(|b| served.contains(*b)))
                .unwrap_or(&name)
                .to_string();
            asked.insert(base);
        }
    }
    let unknown: Vec<_> = asked.difference(&served).collect();
    assert!(
        unknown.is_empty(),
        "the dashboard asks for metrics not served: {unknown:?}"
    );
    assert!(
        asked.len() >= 15,
        "the dashboard covers {} metrics",
        asked.len()
    );
}

/// Every `expr` string of a Grafana dashboard's panels.
fn collect_exprs(v: &serde_json::Value, out: &mut Vec<String>) {
    match v {
        serde_json::Value::Object(m) => {
            for (k, x) in m {
                match (k.as_str(), x) {
                    ("expr", serde_json::Value::String(s)) => out.push(s.clone()),
                    _ => collect_exprs(x, out),
                }
            }
        }
        serde_json::Value::Array(a) => a.iter().for_each(|x| collect_exprs(x, out)),
        _ => {}
    }
}

/// The `livepeer_*` identifiers in a PromQL expression.
fn metric_names(expr: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut rest = expr;
    while let Some(i) = rest.find("livepeer_") {
        let before = rest[..i].chars().last();
        let tail = &rest[i..];
        let end = tail
            .find(|c: char| !(c.is_ascii_alphanumeric() || c == '_'))
            .unwrap_or(tail.len());
        if !before.is_some_and(|c| c.is_ascii_alphanumeric() || c == '_') {
            out.push(tail[..end].to_string());
        }
        rest = &tail[end..];
    }
    out
}
