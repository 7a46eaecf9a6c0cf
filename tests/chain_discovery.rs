//! A B on a chain with no `-orchAddr` uses the active pool's orchestrators, less
//! `-orchBlocklist`: with the only active O blocklisted it has none to send a segment to, and
//! says so. (The paid stream test covers discovery finding the O.)
#![allow(clippy::unwrap_used)]

mod chain_support;
mod media_support;
mod orch_support;

use chain_support::{activate, devchain};
use livepeer::chain::rpc::Rpc;
use orch_support::{free_port, Node};
use std::time::Duration;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_blocklisted_orchestrator_is_never_used() {
    let dir = tempfile::tempdir().unwrap();
    let dc = devchain(&dir.path().join("dc"), 1337);
    let j = &dc.json;
    let url = j["ethUrl"].as_str().unwrap().to_string();
    let s = |v: &serde_json::Value| v.as_str().unwrap().to_string();
    let b_http = format!("127.0.0.1:{}", free_port());
    let o_addr = s(&j["accounts"]["orchestrator"]["address"]);
    let (rtmp, cli) = (
        format!("127.0.0.1:{}", free_port()),
        format!("127.0.0.1:{}", free_port()),
    );
    let flags = chain_support::b_args(
        j,
        &url,
        &[
            "-httpAddr",
            &b_http,
            "-rtmpAddr",
            &rtmp,
            "-cliAddr",
            &cli,
            "-orchBlocklist",
            &o_addr,
        ],
    );
    let flags: Vec<&str> = flags.iter().map(String::as_str).collect();
    let mut b = Node::start(&dir.path().join("b"), &flags);
    assert!(b.line("paying in tickets").contains("discovered on chain"));
    let rpc = Rpc::connect(&url).await.unwrap();
    activate(&rpc, j, &format!("https://127.0.0.1:{}", free_port())).await;
    tokio::time::sleep(Duration::from_millis(800)).await;

    let mdir = tempfile::tempdir().unwrap();
    let seg = std::fs::read(media_support::source(
        mdir.path(),
        "s.ts",
        "320x180",
        "30",
        "2",
        false,
        &[],
    ))
    .unwrap();
    let resp = reqwest::Client::new()
        .put(format!("http://{b_http}/live/x/0.ts"))
        .body(seg)
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    let text = resp.text().await.unwrap();
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
