//! Where a B on a chain finds its Os. With no `-orchAddr` it uses the active pool's
//! orchestrators, less `-orchBlocklist`: with the only active O blocklisted it has none to send a
//! segment to, and says so (the paid stream test covers discovery finding the O). With
//! `-orchWebhookUrl` it asks the webhook's Os instead, and with `-extraNodes` the nodes they
//! advertise, all in one round of answers.
#![allow(clippy::unwrap_used)]

mod chain_support;
mod media_support;
mod orch_support;

use chain_support::{
    activate,
    setup::{chain_b, devchain_rpc},
};
use orch_support::{free_port, push_segment, Node};
use std::time::Duration;

/// Instances of the devchain's one orchestrator, each at its service address with its extra
/// flags, started and paid in tickets; datadirs `o0`, `o1`… under `dir`.
fn instances(
    dir: &std::path::Path,
    j: &serde_json::Value,
    url: &str,
    each: &[(&String, Vec<&str>)],
) -> Vec<Node> {
    let mut os = Vec::new();
    for (i, (service, extra)) in each.iter().enumerate() {
        let mut flags = chain_support::o_args(j, url, service, "200ms");
        flags.push("-reward=false".into());
        flags.extend(extra.iter().map(|a| a.to_string()));
        let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
        let mut o = Node::start(&dir.join(format!("o{i}")), &flags);
        o.line("paid in tickets");
        os.push(o);
    }
    os
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocklisted_orchestrator_is_never_used() {
    let dir = tempfile::tempdir().unwrap();
    let (dc, url, rpc) = devchain_rpc(dir.path()).await;
    let j = &dc.json;
    let s = |v: &serde_json::Value| v.as_str().unwrap().to_string();
    let o_addr = s(&j["accounts"]["orchestrator"]["address"]);
    let (b_http, _, _, flags) = chain_b(j, &url, &["-orchBlocklist", &o_addr]);
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let mut b = Node::start(&dir.path().join("b"), &flags);
    assert!(b.line("paying in tickets").contains("discovered on chain"));
    activate(&rpc, j, &format!("https://127.0.0.1:{}", free_port())).await;
    tokio::time::sleep(Duration::from_millis(800)).await;

    let mdir = tempfile::tempdir().unwrap();
    let seg = media_support::silent_two_second_segment(mdir.path());
    let (status, text) = push_segment(&format!("http://{b_http}"), "x", &seg).await;
    assert_ne!(status, 200, "{text}");
    assert!(b.sigterm().0.success());
    let (_, dump) = orch_support::tool(&dir.path().join("b"), &["log", "dump", "-json"]);
    assert!(
        dump.contains("\"OrchestratorObserved\""),
        "the B saw the active O"
    );
    assert!(
        !dump.contains("\"BroadcastSessionOpened\""),
        "and never opened a session with it"
    );
}

/// On a chain a B with `-orchWebhookUrl` asks the webhook's Os, and with `-extraNodes 1` the
/// node one of them advertises (`-nodes`), in the same round of answers: the O it chose among
/// are the listed O that answered and its advertised node; the listed O that is down is not.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_webhook_s_os_and_their_advertised_nodes_are_asked_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let (dc, url, rpc) = devchain_rpc(dir.path()).await;
    let j = &dc.json;
    // Two instances of the one orchestrator: the first advertises the second.
    let (s1, s2) = (
        format!("127.0.0.1:{}", free_port()),
        format!("127.0.0.1:{}", free_port()),
    );
    let _os = instances(
        dir.path(),
        j,
        &url,
        &[(&s2, vec![]), (&s1, vec!["-nodes", s2.as_str()])],
    );
    let (o1, o2, down) = (
        format!("https://{s1}"),
        format!("https://{s2}"),
        format!("https://127.0.0.1:{}", free_port()),
    );
    let (hook_url, hook) = orch_support::orch_webhook::webhook().await;
    hook.answer(Some(&[&o1, &down]));
    let (b_http, _, _, flags) = chain_b(
        j,
        &url,
        &[
            "-orchWebhookUrl",
            &hook_url,
            "-extraNodes",
            "1",
            "-discoveryTimeout",
            "5s",
            "-transcodingOptions",
            "P144p30fps16x9",
        ],
    );
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let mut b = Node::start(&dir.path().join("b"), &flags);
    assert!(b.line("paying in tickets").contains("from -orchWebhookUrl"));
    let eth = ethers_core::types::U256::exp10(18);
    chain_support::fund_and_activate(&rpc, j, eth, eth, &o1).await;
    tokio::time::sleep(Duration::from_millis(800)).await;

    let mdir = tempfile::tempdir().unwrap();
    let seg = media_support::silent_two_second_segment(mdir.path());
    let (status, text) = push_segment(&format!("http://{b_http}"), "w", &seg).await;
    assert_eq!(status, 200, "{text}");
    assert!(b.sigterm().0.success());
    let (_, dump) = orch_support::tool(&dir.path().join("b"), &["log", "dump", "-json"]);
    let selected: serde_json::Value = dump
        .lines()
        .find(|l| l.contains("\"kind\":\"OrchestratorSelected\""))
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .unwrap();
    let mut asked: Vec<&str> = selected["event"]["OrchestratorSelected"]["candidates"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["uri"].as_str().unwrap())
        .collect();
    asked.sort();
    let mut want = [o1.as_str(), o2.as_str()];
    want.sort();
    assert_eq!(asked, want, "{selected}");
    assert_eq!(hook.hits.load(std::sync::atomic::Ordering::SeqCst), 1);
}

/// Three Os from the webhook (a refresh threshold of 2), the B weighing only price (`cheap`,
/// then `mid`, then `dear`): the stream's first refresh asks all three and keeps the two answers
/// not chosen. `cheap` killed: the next segment takes `mid` from the kept answers without asking
/// again (one kept answer is left). `mid` killed: the next segment takes `dear`, the last kept
/// answer, at once, and with fewer sessions held and kept than the threshold the B asks again in
/// the background: `dear` answers one more `GetOrchestrator` than the segments it was paid for.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_refresh_with_answers_kept_runs_in_the_background() {
    let dir = tempfile::tempdir().unwrap();
    let (dc, url, rpc) = devchain_rpc(dir.path()).await;
    let j = &dc.json;
    let services: Vec<String> = (0..3)
        .map(|_| format!("127.0.0.1:{}", free_port()))
        .collect();
    let mut os = instances(
        dir.path(),
        j,
        &url,
        &[
            (&services[0], vec![]),
            (&services[1], vec!["-pricePerUnit", "10000"]),
            (&services[2], vec!["-pricePerUnit", "100000"]),
        ],
    );
    let uris: Vec<String> = services.iter().map(|s| format!("https://{s}")).collect();
    let (hook_url, hook) = orch_support::orch_webhook::webhook().await;
    hook.answer(Some(&uris));
    let mut b_flags = vec!["-orchWebhookUrl", &hook_url];
    b_flags.extend(["-transcodingOptions", "P144p30fps16x9"]);
    b_flags.extend(chain_support::PRICE_ONLY);
    let (b_http, _, _, flags) = chain_b(j, &url, &b_flags);
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let mut b = Node::start_logged(&dir.path().join("b"), &flags);
    b.line("paying in tickets");
    let eth = ethers_core::types::U256::exp10(18);
    chain_support::fund_and_activate(&rpc, j, eth, eth, &uris[0]).await;
    tokio::time::sleep(Duration::from_millis(800)).await;

    let mdir = tempfile::tempdir().unwrap();
    let seg = media_support::silent_two_second_segment(mdir.path());
    let b_url = format!("http://{b_http}");
    let push = |seq: u64| orch_support::push_segment_seq(&b_url, "r", seq, &seg);
    assert_eq!(push(0).await.0, 200);
    os.remove(0).sigkill();
    assert_eq!(push(1).await.0, 200);
    os.remove(0).sigkill();
    assert_eq!(push(2).await.0, 200);
    let line = b.line("again in the background");
    assert!(
        line.contains("0 sessions held and 1 answers kept"),
        "{line}"
    );
    assert_eq!(push(3).await.0, 200);
    assert!(
        !b.seen
            .iter()
            .any(|l| l.contains("again in the background") && l != &line),
        "one background refresh: {:?}",
        b.seen
    );
    let dear = os.remove(0);
    assert!(dear.sigterm().0.success());
    assert!(b.sigterm().0.success());

    let (_, b_dump) = orch_support::tool(&dir.path().join("b"), &["log", "dump", "-json"]);
    let chosen: Vec<String> = chain_support::events(&b_dump, "OrchestratorSelected")
        .iter()
        .map(|e| e["chosen"].as_str().unwrap_or_default().to_string())
        .collect();
    assert_eq!(chosen, uris, "cheap, then mid, then dear");
    assert!(chain_support::events(&b_dump, "SegmentFailed").is_empty());
    let (_, dump) = orch_support::tool(&dir.path().join("o2"), &["log", "dump", "-json"]);
    let issued = chain_support::events(&dump, "TicketParamsIssued").len();
    assert_eq!(
        issued,
        2 + 2,
        "dear's params: the first refresh and the background one, and two paid answers"
    );
    assert_eq!(hook.hits.load(std::sync::atomic::Ordering::SeqCst), 1);
}
