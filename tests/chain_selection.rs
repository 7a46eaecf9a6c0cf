//! How a B on a chain chooses and leaves its Os, through the binaries on a devchain with the real
//! contracts (`selection_net`: a B weighing only price, `cheap` chosen whenever it is a
//! candidate, `dear` otherwise). Each scenario checks what an operator would: every pushed
//! segment answered 200 and listed in the HLS without a gap, no `SegmentFailed` in the B's log,
//! which O transcoded each segment (the B's `SegmentTranscoded`, the Os' own logs) and the B's
//! recorded choices (`OrchestratorSelected`):
//! - an O whose result signature a proxy corrupts (nothing inside the O) is left for the rest
//!   of the stream and the segment is transcoded by the other O;
//! - an O at `-maxSessions` (its one session taken by another stream) is skipped: a new stream's
//!   segment goes to the other O;
//! - the O of a stream killed (SIGKILL) between two segments: the next ones go to the other O,
//!   whose answer to the stream's first refresh the B kept (it is not asked again);
//! - an O that `-orchPerfStatsUrl` (a score service in the test) rates below `-minPerfScore` is
//!   left out: the other O is chosen though it would never be otherwise.
#![allow(clippy::unwrap_used)]

mod chain_support;
mod corrupting_proxy;
mod media_support;
mod orch_support;
mod selection_net;

use chain_support::events;
use selection_net::{Logs, Net, Setup};
use serde_json::Value;

/// One scenario at a time: each runs a devchain and three nodes, on a shared machine.
static ONE_AT_A_TIME: tokio::sync::Mutex<()> = tokio::sync::Mutex::const_new(());

/// A log's events of `kind` about `stream`.
fn of_stream(dump: &str, kind: &str, stream: &str) -> Vec<Value> {
    events(dump, kind)
        .into_iter()
        .filter(|e| e["stream"] == stream)
        .collect()
}

/// The B's choices for `stream`: (the Os it chose among, the O chosen), in order.
fn choices(logs: &Logs, stream: &str) -> Vec<(Vec<String>, String)> {
    of_stream(&logs.b, "OrchestratorSelected", stream)
        .iter()
        .map(|e| {
            let among = e["candidates"].as_array().unwrap();
            let uris = among.iter().map(|c| c["uri"].as_str().unwrap().to_string());
            (uris.collect(), e["chosen"].as_str().unwrap().to_string())
        })
        .collect()
}

/// The seqs of `stream` the B recorded as transcoded, each with the account of the O that did.
fn transcoded_by(logs: &Logs, stream: &str) -> Vec<(u64, String)> {
    of_stream(&logs.b, "SegmentTranscoded", stream)
        .iter()
        .map(|e| {
            let by = &e["worker"]["Orchestrator"]["address"];
            let by = by.as_str().unwrap_or_default().to_lowercase();
            (e["seq_no"].as_u64().unwrap(), by)
        })
        .collect()
}

/// The seqs an O's log has transcoded, over all its sessions.
fn o_transcoded(dump: &str) -> Vec<u64> {
    events(dump, "SegmentTranscoded")
        .iter()
        .map(|e| e["seq_no"].as_u64().unwrap())
        .collect()
}

fn no_failed_segment(logs: &Logs, stream: &str) {
    let failed = of_stream(&logs.b, "SegmentFailed", stream);
    assert!(failed.is_empty(), "the B failed segments: {failed:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_o_whose_result_signature_is_corrupted_is_left_and_the_segment_retried() {
    let _one = ONE_AT_A_TIME.lock().await;
    let net = Net::start(Setup {
        proxied: true,
        ..Setup::default()
    })
    .await;
    for seq in 0..4 {
        assert_eq!(net.push("tampered", seq).await, 200, "segment {seq}");
    }
    assert_eq!(net.played("tampered").await, [0, 1, 2, 3]);
    let corrupted = net.proxy.as_ref().unwrap().corrupted();
    assert_eq!(corrupted, 1, "only the first result went through the proxy");
    let (cheap, dear) = (net.cheap.uri.clone(), net.dear.uri.clone());
    let dear_address = net.dear.address.clone();
    let logs = net.stop();

    no_failed_segment(&logs, "tampered");
    let chosen = choices(&logs, "tampered");
    assert_eq!(chosen.len(), 2, "{chosen:?}");
    assert_eq!(chosen[0].1, cheap, "the proxied O first (probability 1)");
    assert_eq!(
        chosen[1],
        (vec![dear.clone()], dear),
        "segment 0 retried on the other O, the corrupted one not a candidate"
    );
    let by = transcoded_by(&logs, "tampered");
    assert_eq!(
        by,
        (0..4)
            .map(|s| (s, dear_address.clone()))
            .collect::<Vec<_>>()
    );
    assert_eq!(o_transcoded(&logs.cheap), [0], "its result was corrupted");
    assert_eq!(o_transcoded(&logs.dear), [0, 1, 2, 3]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_o_at_max_sessions_is_skipped_by_a_new_stream() {
    let _one = ONE_AT_A_TIME.lock().await;
    let net = Net::start(Setup {
        cheap_flags: &["-maxSessions", "1"],
        ..Setup::default()
    })
    .await;
    assert_eq!(net.push("first", 0).await, 200);
    for seq in 0..3 {
        assert_eq!(net.push("second", seq).await, 200, "second, segment {seq}");
    }
    assert_eq!(net.push("first", 1).await, 200, "first keeps its O");
    assert_eq!(net.played("first").await, [0, 1]);
    assert_eq!(net.played("second").await, [0, 1, 2]);
    let (cheap, dear) = (net.cheap.uri.clone(), net.dear.uri.clone());
    let (cheap_address, dear_address) = (net.cheap.address.clone(), net.dear.address.clone());
    let logs = net.stop();

    no_failed_segment(&logs, "first");
    no_failed_segment(&logs, "second");
    let firsts: Vec<String> = choices(&logs, "first").into_iter().map(|c| c.1).collect();
    assert_eq!(firsts, [cheap.as_str()]);
    let seconds = choices(&logs, "second");
    assert_eq!(seconds.len(), 2, "{seconds:?}");
    assert_eq!(seconds[0].1, cheap, "tried first (probability 1), capped");
    assert_eq!(seconds[1], (vec![dear.clone()], dear), "then the other O");
    let at = |a: &str, seqs: &[u64]| seqs.iter().map(|s| (*s, a.to_string())).collect::<Vec<_>>();
    assert_eq!(transcoded_by(&logs, "first"), at(&cheap_address, &[0, 1]));
    assert_eq!(
        transcoded_by(&logs, "second"),
        at(&dear_address, &[0, 1, 2])
    );
    let sessions = events(&logs.cheap, "StreamStarted");
    assert_eq!(
        sessions.len(),
        1,
        "one session at the capped O: {sessions:?}"
    );
    assert_eq!(o_transcoded(&logs.cheap), [0, 1]);
    assert_eq!(o_transcoded(&logs.dear), [0, 1, 2]);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn killing_the_o_of_a_stream_leaves_no_gap_in_its_hls() {
    let _one = ONE_AT_A_TIME.lock().await;
    let mut net = Net::start(Setup::default()).await;
    for seq in 0..2 {
        assert_eq!(net.push("live", seq).await, 200, "segment {seq}");
    }
    net.cheap.node.take().unwrap().sigkill();
    for seq in 2..5 {
        assert_eq!(net.push("live", seq).await, 200, "segment {seq}");
    }
    assert_eq!(net.played("live").await, [0, 1, 2, 3, 4]);
    let (cheap, dear) = (net.cheap.uri.clone(), net.dear.uri.clone());
    let (cheap_address, dear_address) = (net.cheap.address.clone(), net.dear.address.clone());
    let logs = net.stop();

    no_failed_segment(&logs, "live");
    let chosen: Vec<String> = choices(&logs, "live").into_iter().map(|c| c.1).collect();
    assert_eq!(chosen, [cheap, dear]);
    let by = transcoded_by(&logs, "live");
    let expected: Vec<(u64, String)> = [0, 1]
        .map(|s| (s, cheap_address.clone()))
        .into_iter()
        .chain([2, 3, 4].map(|s| (s, dear_address.clone())))
        .collect();
    assert_eq!(by, expected);
    assert_eq!(o_transcoded(&logs.cheap), [0, 1], "the killed O's log");
    assert_eq!(o_transcoded(&logs.dear), [2, 3, 4]);
    // `dear` was asked once, by the stream's first refresh, whose answer the B kept: leaving
    // `cheap` cost no new GetOrchestrator (an O issues params at each one and with each paid
    // segment's answer).
    let issued = events(&logs.dear, "TicketParamsIssued").len();
    assert_eq!(
        issued,
        1 + 3,
        "dear's params: one GetOrchestrator, three answers"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_o_below_min_perf_score_is_left_out() {
    let _one = ONE_AT_A_TIME.lock().await;
    // The score service rates `cheap` 0.1 and `dear` 0.9 in the B's region; under
    // -minPerfScore 0.5 the B leaves out `cheap`, the O it would otherwise always choose.
    let net = Net::start(Setup {
        perf_scores: Some((0.1, 0.9)),
        ..Setup::default()
    })
    .await;
    for seq in 0..2 {
        assert_eq!(net.push("scored", seq).await, 200, "segment {seq}");
    }
    assert_eq!(net.played("scored").await, [0, 1]);
    let (cheap, dear) = (net.cheap.uri.clone(), net.dear.uri.clone());
    let dear_address = net.dear.address.clone();
    let logs = net.stop();

    no_failed_segment(&logs, "scored");
    let chosen = choices(&logs, "scored");
    assert_eq!(chosen.len(), 1, "one choice, the session kept: {chosen:?}");
    let (among, to) = &chosen[0];
    assert!(among.contains(&cheap) && among.contains(&dear), "{among:?}");
    assert_eq!(to, &dear);
    let selected = of_stream(&logs.b, "OrchestratorSelected", "scored");
    let cheap_p = selected[0]["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .find(|c| c["uri"] == cheap.as_str())
        .map(|c| c["probability"].clone())
        .unwrap();
    assert_eq!(cheap_p.as_f64(), Some(0.0), "the filtered O's probability");
    let by = transcoded_by(&logs, "scored");
    assert_eq!(by, [(0, dear_address.clone()), (1, dear_address)]);
    assert!(o_transcoded(&logs.cheap).is_empty());
}
