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
    let mut os = Vec::new();
    for (i, (service, extra)) in [(&s2, vec![]), (&s1, vec!["-nodes", s2.as_str()])]
        .into_iter()
        .enumerate()
    {
        let mut flags = chain_support::o_args(j, &url, service, "200ms");
        flags.push("-reward=false".into());
        flags.extend(extra.iter().map(|a| a.to_string()));
        let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
        let mut o = Node::start(&dir.path().join(format!("o{i}")), &flags);
        o.line("paid in tickets");
        os.push(o);
    }
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
