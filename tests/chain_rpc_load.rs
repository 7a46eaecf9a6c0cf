//! What the O's chain watcher costs an operator in RPC calls (go-livepeer operators pay per
//! call): the O watches the devchain through a counting proxy while blocks are mined; every call
//! it makes is counted by method, and the total per new block must stay at or under 3 (one
//! `eth_blockNumber` per poll, one `eth_getLogs` and one `eth_getBlockByNumber` per poll that
//! finds new blocks). The figures are printed for the notes.
#![allow(clippy::unwrap_used)]

mod chain_support;
mod orch_support;

use axum::{body::Bytes, extract::State, routing::post, Router};
use chain_support::devchain;
use livepeer::chain::rpc::Rpc;
use orch_support::{free_port, Node};
use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex},
    time::Duration,
};

type Counts = Arc<Mutex<BTreeMap<String, u64>>>;

/// Forwards JSON-RPC to `upstream`, counting each method.
async fn proxy(State((upstream, counts)): State<(String, Counts)>, body: Bytes) -> Bytes {
    if let Ok(v) = serde_json::from_slice::<serde_json::Value>(&body) {
        let calls = match &v {
            serde_json::Value::Array(a) => a.clone(),
            one => vec![one.clone()],
        };
        let mut c = counts.lock().unwrap();
        for call in calls {
            let m = call["method"].as_str().unwrap_or("?").to_string();
            *c.entry(m).or_default() += 1;
        }
    }
    let resp = reqwest::Client::new()
        .post(&upstream)
        .header("content-type", "application/json")
        .body(body)
        .send()
        .await
        .unwrap();
    resp.bytes().await.unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_watcher_makes_at_most_three_calls_per_new_block() {
    let dir = tempfile::tempdir().unwrap();
    let chain = devchain(&dir.path().join("dc"), 1337);
    let j = &chain.json;
    let s = |v: &serde_json::Value| v.as_str().unwrap().to_string();
    let upstream = s(&j["ethUrl"]);
    let counts: Counts = Arc::default();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let proxy_url = format!("http://{}", listener.local_addr().unwrap());
    let app = Router::new()
        .route("/", post(proxy))
        .with_state((upstream.clone(), counts.clone()));
    tokio::spawn(async move { axum::serve(listener, app).await });

    let service = format!("127.0.0.1:{}", free_port());
    let o_args = chain_support::o_args(j, &proxy_url, &service, "1");
    let o_args: Vec<&str> = o_args.iter().map(String::as_str).collect();
    let mut o = Node::start(&dir.path().join("o"), &o_args);
    o.line("serving");
    tokio::time::sleep(Duration::from_millis(1200)).await;
    counts.lock().unwrap().clear();

    // 24 blocks over about 6 s: two every half second, nothing for the O in them.
    let rpc = Rpc::connect(&upstream).await.unwrap();
    let blocks = 24;
    for _ in 0..blocks / 2 {
        rpc.mine(2).await.unwrap();
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    tokio::time::sleep(Duration::from_millis(1100)).await;
    let counted = counts.lock().unwrap().clone();
    drop(o);
    let total: u64 = counted.values().sum();
    println!(
        "rpc load: {total} calls for {blocks} new blocks = {:.2} per block, polling every 1 s: {counted:?}",
        total as f64 / f64::from(blocks)
    );
    assert!(total > 0, "the O polled");
    assert!(
        total as f64 / f64::from(blocks) <= 3.0,
        "{total} calls for {blocks} blocks: {counted:?}"
    );
    let known = [
        "eth_blockNumber",
        "eth_getLogs",
        "eth_getBlockByNumber",
        "eth_call",
    ];
    assert!(
        counted.keys().all(|m| known.contains(&m.as_str())),
        "{counted:?}"
    );
}
