//! Which O an offchain B keeps for a stream, by the latency score of its segments (go-livepeer's
//! `MinLSSelector`), through the node with two real Os: a B whose first O answers well within
//! the segment's duration keeps it for every segment; a B whose first O is slow (a proxy holds its
//! answers back 2.5 s on 2 s segments: score above 1) moves to the other O once, and keeps that
//! one. What an operator checks is in the B's log: the sessions it opened
//! (`BroadcastSessionOpened`) and who transcoded each segment (`SegmentTranscoded`), whose
//! `took_ms` over the segment's duration is the score. And an O never has two segments of one
//! stream in flight: segments pushed at once wait at the B for the O to be free.
#![allow(clippy::unwrap_used)]

mod corrupting_proxy;
mod media_support;
mod orch_support;

use livepeer::{events::Event, log::FjallStore, node::broadcaster::service::Broadcaster};
use orch_support::in_process::{serve_b, serve_o};
use std::sync::Arc;
use std::time::Duration;
use tokio::sync::oneshot::Sender;

/// An offchain O transcoding itself: its `host:port`.
async fn start_o(dir: &std::path::Path, stop: &mut Vec<Sender<()>>) -> String {
    let (uri, _) = serve_o(dir, &[], stop).await;
    uri.trim_start_matches("https://").to_string()
}

/// An offchain B using `orch_addr`: its push URL and handle.
async fn start_b(
    dir: &std::path::Path,
    orch_addr: &str,
    stop: &mut Vec<Sender<()>>,
) -> (String, Arc<Broadcaster<FjallStore>>) {
    let args = [
        "-orchAddr",
        orch_addr,
        "-transcodingOptions",
        "P144p30fps16x9",
    ];
    let b = serve_b(dir, &args, stop).await;
    (b.url, b.b)
}

/// One O behind a proxy answering each segment `delay_ms` late, and a B using only it: the proxy,
/// the B's push URL and handle.
async fn behind_a_slow_o(
    d: &std::path::Path,
    delay_ms: u64,
    stop: &mut Vec<Sender<()>>,
) -> (
    corrupting_proxy::Proxy,
    String,
    Arc<Broadcaster<FjallStore>>,
) {
    let o = start_o(&d.join("o"), stop).await;
    std::fs::create_dir_all(d.join("proxy")).unwrap();
    let delay = Duration::from_millis(delay_ms);
    let slow = corrupting_proxy::start_slow(&o, &d.join("proxy"), delay).await;
    let (b, bh) = start_b(&d.join("b"), &slow.addr, stop).await;
    (slow, b, bh)
}

/// Pushes segments 0..n of `stream` (each 2 s), one after the other; each must be transcoded.
async fn push(b_url: &str, stream: &str, seg: &[u8], n: u64) {
    for seq in 0..n {
        let (status, text) = orch_support::push_segment_seq(b_url, stream, seq, seg).await;
        assert_eq!(status, 200, "{seq}: {text}");
    }
}

/// From the B's log: the Os it opened sessions at, and per segment the O that transcoded it
/// with its latency score (`took_ms` ÷ max(1.5 s, duration)).
fn b_view(b: &Broadcaster<FjallStore>, stream: &str) -> (Vec<String>, Vec<(String, f64)>) {
    let (mut opened, mut done, mut durations) = (Vec::new(), Vec::new(), Vec::new());
    for e in b.log().read(0, u64::MAX) {
        match e.unwrap().envelope.event {
            Event::BroadcastSessionOpened(s) if s.stream == stream => opened.push(s.orchestrator),
            Event::SegmentReceived(s) if s.stream == stream => durations.push(s.duration_ms),
            Event::SegmentTranscoded(t) if t.stream == stream => {
                let livepeer::events::Worker::Orchestrator { uri, .. } = t.worker else {
                    panic!("not transcoded by an O: {:?}", t.worker);
                };
                let dur = durations[usize::try_from(t.seq_no).unwrap()];
                done.push((uri, f64::from(t.took_ms) / f64::from(dur.max(1500))));
            }
            _ => {}
        }
    }
    (opened, done)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_b_keeps_an_o_that_answers_in_time_and_leaves_a_slow_one() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let seg = media_support::two_second_segment(d);
    let mut stop = Vec::new();
    let fast1 = start_o(&d.join("o1"), &mut stop).await;
    let fast2 = start_o(&d.join("o2"), &mut stop).await;
    std::fs::create_dir_all(d.join("proxy")).unwrap();
    let slow =
        corrupting_proxy::start_slow(&fast1, &d.join("proxy"), Duration::from_millis(2500)).await;

    // Two Os in time: the first one takes every segment, on the session opened for the first.
    let (b, bh) = start_b(&d.join("b1"), &format!("{fast1},{fast2}"), &mut stop).await;
    push(&b, "kept", &seg, 4).await;
    let (opened, done) = b_view(&bh, "kept");
    assert_eq!(opened, [format!("https://{fast1}")], "one session");
    for (uri, score) in &done {
        assert_eq!(uri, &format!("https://{fast1}"));
        assert!(*score <= 1.0, "{done:?}");
    }
    assert_eq!(done.len(), 4);

    // The first O slow: after its first segment scores above 1, the B opens a session at the
    // other O, whose good score keeps it there; the slow O is never asked again.
    let (b, bh) = start_b(&d.join("b2"), &format!("{},{fast2}", slow.addr), &mut stop).await;
    push(&b, "moved", &seg, 4).await;
    let (opened, done) = b_view(&bh, "moved");
    let (slow_uri, fast_uri) = (format!("https://{}", slow.addr), format!("https://{fast2}"));
    assert_eq!(opened, [slow_uri.clone(), fast_uri.clone()], "{done:?}");
    assert_eq!(done[0].0, slow_uri);
    assert!(done[0].1 > 1.0, "the slow O's score: {done:?}");
    for (uri, score) in &done[1..] {
        assert_eq!(uri, &fast_uri, "{done:?}");
        assert!(*score <= 1.0, "{done:?}");
    }
    assert_eq!(done.len(), 4);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn segments_pushed_at_once_reach_the_o_one_at_a_time() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let seg = media_support::two_second_segment(d);
    let mut stop = Vec::new();
    // The O answers each segment 600 ms late: well within the 2 s segment, so the reference
    // would send the next segment to it at once, two in flight.
    let (slow, b, bh) = behind_a_slow_o(d, 600, &mut stop).await;
    // The first segment opens the session; the next three are pushed at once.
    push(&b, "s", &seg, 1).await;
    let http = reqwest::Client::new();
    let pushes: Vec<_> = (1..4u64)
        .map(|seq| {
            let (http, url, seg) = (http.clone(), format!("{b}/live/s/{seq}.ts"), seg.clone());
            tokio::spawn(async move {
                let resp = http.put(url).body(seg).send().await.unwrap();
                resp.status().as_u16()
            })
        })
        .collect();
    for p in pushes {
        assert_eq!(p.await.unwrap(), 200);
    }
    let (opened, done) = b_view(&bh, "s");
    assert_eq!(opened.len(), 1, "one session: {opened:?}");
    assert_eq!(done.len(), 4, "every segment transcoded: {done:?}");
    assert_eq!(
        slow.max_in_flight(),
        1,
        "the O had two segments of the stream at once"
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_segment_whose_push_was_abandoned_leaves_its_o_free() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let seg = media_support::two_second_segment(d);
    let mut stop = Vec::new();
    let (_slow, b, bh) = behind_a_slow_o(d, 800, &mut stop).await;
    push(&b, "s", &seg, 1).await;
    // The pusher of segment 1 gives up while the O works on it. (Over HTTP/1 the B carries the
    // segment through anyway; a task that is cancelled ends its flight unscored — min_ls's
    // `abandon`, unit-tested — so either way the O is not left busy.)
    let http = reqwest::Client::new();
    let gave_up = http
        .put(format!("{b}/live/s/1.ts"))
        .body(seg.clone())
        .timeout(Duration::from_millis(300))
        .send()
        .await;
    assert!(gave_up.is_err(), "the push should have timed out");
    // The next segment is not kept waiting for the abandoned one's flight.
    let started = std::time::Instant::now();
    let resp = http
        .put(format!("{b}/live/s/2.ts"))
        .body(seg.clone())
        .timeout(Duration::from_secs(20))
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    assert!(
        started.elapsed() < Duration::from_secs(4),
        "segment 2 waited {:?}",
        started.elapsed()
    );
    let (opened, _) = b_view(&bh, "s");
    assert_eq!(opened.len(), 1, "one session: {opened:?}");
}
