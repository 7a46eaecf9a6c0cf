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
use media_support::silent_two_second_segment;
use orch_support::{
    in_process::{serve_b, serve_o},
    orch_webhook::webhook,
    push_segment,
};
use std::sync::{atomic::Ordering::SeqCst, Arc};
use tokio::sync::oneshot::Sender;

fn node_args(args: &[&str]) -> livepeer::cli::NodeArgs {
    livepeer::cli::node_args(args).unwrap()
}

/// An offchain B with `extra` flags: its push URL and handle.
async fn start_b(
    dir: &std::path::Path,
    extra: &[&str],
    stop: &mut Vec<Sender<()>>,
) -> (String, Arc<Broadcaster<FjallStore>>) {
    let mut args = vec!["-transcodingOptions", "P144p30fps16x9"];
    args.extend_from_slice(extra);
    let b = serve_b(dir, &args, stop).await;
    (b.url, b.b)
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
    let seg = silent_two_second_segment(d);
    let mut stop = Vec::new();
    let (o1, _) = serve_o(&d.join("o1"), &[], &mut stop).await;
    let (o2, _) = serve_o(&d.join("o2"), &[], &mut stop).await;

    // Read once a minute (the default): two streams, one read.
    let (url, hook) = webhook().await;
    hook.answer(Some(&[&o1]));
    let (b, bh) = start_b(&d.join("b1"), &["-orchWebhookUrl", &url], &mut stop).await;
    for stream in ["a", "b"] {
        let (status, text) = push_segment(&b, stream, &seg).await;
        assert_eq!(status, 200, "{stream}: {text}");
        assert_eq!(session_at(&bh, stream), [o1.as_str()]);
    }
    assert_eq!(hook.hits.load(SeqCst), 1, "read at most once a minute");

    // Read at every new session: a failed read keeps the list, a new list replaces it.
    let (url, hook) = webhook().await;
    hook.answer(Some(&[&o1]));
    let fast = ["-orchWebhookUrl", &url, "-orchWebhookRefreshInterval", "0s"];
    let (b, bh) = start_b(&d.join("b2"), &fast, &mut stop).await;
    assert_eq!(push_segment(&b, "a", &seg).await.0, 200);
    hook.answer::<&str>(None);
    let (status, text) = push_segment(&b, "b", &seg).await;
    assert_eq!(status, 200, "the cached list: {text}");
    assert_eq!(session_at(&bh, "b"), [o1.as_str()]);
    assert_eq!(hook.hits.load(SeqCst), 2, "the failed read was made");
    hook.answer(Some(&[&o2]));
    assert_eq!(push_segment(&b, "c", &seg).await.0, 200);
    assert_eq!(session_at(&bh, "c"), [o2.as_str()], "the new list");

    // A B whose webhook never gave a list has no O.
    let (url, _hook) = webhook().await;
    let (b, _) = start_b(&d.join("b3"), &["-orchWebhookUrl", &url], &mut stop).await;
    let (status, text) = push_segment(&b, "x", &seg).await;
    assert_eq!((status, text.trim()), (503, "No sessions available"));
    for s in stop {
        let _ = s.send(());
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_busy_o_s_advertised_node_takes_the_segment_with_extra_nodes() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let seg = silent_two_second_segment(d);
    let mut stop = Vec::new();
    let (o2, o2h) = serve_o(&d.join("o2"), &[], &mut stop).await;
    let o2_addr = o2.trim_start_matches("https://");
    let one = ["-maxSessions", "1", "-nodes", o2_addr];
    let (o1, _) = serve_o(&d.join("o1"), &one, &mut stop).await;

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
    let (status, _) = push_segment(&b, "s", &seg).await;
    assert_ne!(status, 200, "without -extraNodes only the busy O is known");
    assert_eq!(o2h.active_sessions(), 0);

    let extra = ["-orchAddr", o1_addr, "-extraNodes", "1"];
    let (b, bh1) = start_b(&d.join("b1"), &extra, &mut stop).await;
    let (status, text) = push_segment(&b, "s", &seg).await;
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
        let mut args = orch_support::in_process::LOCAL_B.to_vec();
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
