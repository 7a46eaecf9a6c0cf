//! Where an offchain B finds its Os, through the node's flags: `-orchWebhookUrl` (a real HTTP
//! server lists the Os; the B reads it at most once a minute, keeps its last list while the
//! server fails, and takes a new list when one comes), `-nodes` on an O with `-extraNodes` on
//! the B (an O at its `-maxSessions` hands the segment to the instance it advertises), and the
//! discovery flags refused at start with messages naming them.
#![allow(clippy::unwrap_used)]

mod media_support;
mod orch_support;

use livepeer::{
    api::client::OrchClient, events::Event, log::FjallStore, node,
    node::broadcaster::service::Broadcaster,
};
use orch_support::orch_webhook::webhook;
use std::sync::{atomic::Ordering::SeqCst, Arc};
use tokio::sync::oneshot::Sender;

fn node_args(args: &[&str]) -> livepeer::cli::NodeArgs {
    livepeer::cli::node_args(args).unwrap()
}

/// An offchain O transcoding itself, with `extra` flags: its URI and handle.
async fn start_o(
    dir: &std::path::Path,
    extra: &[&str],
    stop: &mut Vec<Sender<()>>,
) -> (String, Arc<node::orchestrator::Orchestrator<FjallStore>>) {
    let mut args = vec![
        "-orchestrator",
        "-transcoder",
        "-serviceAddr",
        "127.0.0.1:0",
    ];
    args.extend_from_slice(extra);
    let o = node::orchestrator::start(dir, &node_args(&args))
        .await
        .unwrap();
    let (uri, handle) = (o.uri.clone(), o.orchestrator());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(o.serve(async {
        let _ = rx.await;
    }));
    stop.push(tx);
    (uri, handle)
}

/// An offchain B with `extra` flags: its push URL and handle.
async fn start_b(
    dir: &std::path::Path,
    extra: &[&str],
    stop: &mut Vec<Sender<()>>,
) -> (String, Arc<Broadcaster<FjallStore>>) {
    let mut args = vec![
        "-broadcaster",
        "-httpAddr",
        "127.0.0.1:0",
        "-rtmpAddr",
        "127.0.0.1:0",
        "-transcodingOptions",
        "P144p30fps16x9",
    ];
    args.extend_from_slice(extra);
    let b = node::broadcaster::start(dir, &node_args(&args))
        .await
        .unwrap();
    let (url, handle) = (b.url.clone(), b.broadcaster());
    let (tx, rx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(b.serve(async {
        let _ = rx.await;
    }));
    stop.push(tx);
    (url, handle)
}

/// A 2 s MPEG-TS segment.
fn segment(dir: &std::path::Path) -> Vec<u8> {
    std::fs::read(media_support::source(
        dir,
        "s.ts",
        "320x180",
        "30",
        "2",
        false,
        &[],
    ))
    .unwrap()
}

/// Pushes segment 0 of `stream`: the status and text of the B's answer.
async fn push(b_url: &str, stream: &str, seg: &[u8]) -> (u16, String) {
    let resp = reqwest::Client::new()
        .put(format!("{b_url}/live/{stream}/0.ts"))
        .body(seg.to_vec())
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap())
}

/// The O each stream's session was opened at, from the B's log.
fn session_at(b: &Broadcaster<FjallStore>, stream: &str) -> Vec<String> {
    b.log()
        .read(0, u64::MAX)
        .filter_map(|e| match e.unwrap().envelope.event {
            Event::BroadcastSessionOpened(s) if s.stream == stream => Some(s.orchestrator),
            _ => None,
        })
        .collect()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_webhook_lists_the_os_and_its_last_list_outlives_its_failures() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let seg = segment(d);
    let mut stop = Vec::new();
    let (o1, _) = start_o(&d.join("o1"), &[], &mut stop).await;
    let (o2, _) = start_o(&d.join("o2"), &[], &mut stop).await;

    // Read once a minute (the default): two streams, one read.
    let (url, hook) = webhook().await;
    hook.answer(Some(&[&o1]));
    let (b, bh) = start_b(&d.join("b1"), &["-orchWebhookUrl", &url], &mut stop).await;
    for stream in ["a", "b"] {
        let (status, text) = push(&b, stream, &seg).await;
        assert_eq!(status, 200, "{stream}: {text}");
        assert_eq!(session_at(&bh, stream), [o1.as_str()]);
    }
    assert_eq!(hook.hits.load(SeqCst), 1, "read at most once a minute");

    // Read at every new session: a failed read keeps the list, a new list replaces it.
    let (url, hook) = webhook().await;
    hook.answer(Some(&[&o1]));
    let fast = ["-orchWebhookUrl", &url, "-orchWebhookRefreshInterval", "0s"];
    let (b, bh) = start_b(&d.join("b2"), &fast, &mut stop).await;
    assert_eq!(push(&b, "a", &seg).await.0, 200);
    hook.answer::<&str>(None);
    let (status, text) = push(&b, "b", &seg).await;
    assert_eq!(status, 200, "the cached list: {text}");
    assert_eq!(session_at(&bh, "b"), [o1.as_str()]);
    assert_eq!(hook.hits.load(SeqCst), 2, "the failed read was made");
    hook.answer(Some(&[&o2]));
    assert_eq!(push(&b, "c", &seg).await.0, 200);
    assert_eq!(session_at(&bh, "c"), [o2.as_str()], "the new list");

    // A B whose webhook never gave a list has no O.
    let (url, _hook) = webhook().await;
    let (b, _) = start_b(&d.join("b3"), &["-orchWebhookUrl", &url], &mut stop).await;
    let (status, text) = push(&b, "x", &seg).await;
    assert_eq!((status, text.trim()), (503, "No sessions available"));
    for s in stop {
        let _ = s.send(());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_o_s_advertised_node_takes_the_segment_with_extra_nodes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let seg = segment(d);
    let mut stop = Vec::new();
    let (o2, o2h) = start_o(&d.join("o2"), &[], &mut stop).await;
    let o2_addr = o2.trim_start_matches("https://");
    let one = ["-maxSessions", "1", "-nodes", o2_addr];
    let (o1, _) = start_o(&d.join("o1"), &one, &mut stop).await;

    // O1 advertises O2, and its one session is taken.
    let client = OrchClient::connect(&o1).await.unwrap();
    let info = client.get_orchestrator().await.unwrap();
    assert_eq!(info.nodes, [o2.as_str()]);
    let meta = orch_support::segment_meta(&info, "busy", 0, &seg, &["P144p30fps16x9"]);
    let busy = client
        .submit_segment(
            &o1,
            &meta,
            "",
            seg.clone(),
            std::time::Duration::from_secs(30),
        )
        .await
        .unwrap();
    assert!(busy.outcome.is_ok());

    let o1_addr = o1.trim_start_matches("https://");
    let (b, bh) = start_b(&d.join("b0"), &["-orchAddr", o1_addr], &mut stop).await;
    let (status, _) = push(&b, "s", &seg).await;
    assert_ne!(status, 200, "without -extraNodes only the busy O is known");
    assert_eq!(o2h.active_sessions(), 0);

    let extra = ["-orchAddr", o1_addr, "-extraNodes", "1"];
    let (b, bh1) = start_b(&d.join("b1"), &extra, &mut stop).await;
    let (status, text) = push(&b, "s", &seg).await;
    assert_eq!(status, 200, "{text}");
    assert_eq!(session_at(&bh1, "s"), [o1.clone(), o2.clone()]);
    assert_eq!(o2h.active_sessions(), 1, "O2 transcoded it");
    assert!(session_at(&bh, "s").iter().all(|o| o == &o1));
    for s in stop {
        let _ = s.send(());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn discovery_flags_are_checked_at_start() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (i, (flags, flag)) in [
        (
            &["-orchAddr", "127.0.0.1:9", "-discoveryTimeout", "soon"][..],
            "-discoveryTimeout",
        ),
        (
            &["-orchAddr", "127.0.0.1:9", "-discoveryTimeout", "0"][..],
            "-discoveryTimeout",
        ),
        (&["-orchWebhookUrl", "ftp://h/os"][..], "-orchWebhookUrl"),
        (&[][..], "-orchWebhookUrl"),
    ]
    .into_iter()
    .enumerate()
    {
        let mut args = vec![
            "-broadcaster",
            "-httpAddr",
            "127.0.0.1:0",
            "-rtmpAddr",
            "127.0.0.1:0",
        ];
        args.extend_from_slice(flags);
        let err = node::broadcaster::start(&d.join(format!("b{i}")), &node_args(&args))
            .await
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains(flag), "{flags:?}: {err}");
    }
    let args = [
        "-orchestrator",
        "-serviceAddr",
        "127.0.0.1:0",
        "-nodes",
        "http://o2:1",
    ];
    let err = node::orchestrator::start(&d.join("o"), &node_args(&args))
        .await
        .err()
        .unwrap()
        .to_string();
    assert!(err.starts_with("-nodes"), "{err}");
}
