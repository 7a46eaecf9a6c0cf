//! The usual start of a test on a devchain: the chain with its RPC at hand, an O's first active
//! round once the O is up, a paying B's addresses and flags, and a redeemer serving.

use super::{next_round, Devchain};
use livepeer::api::{
    client::tls_channel, proto::net::ticket_redeemer_client::TicketRedeemerClient,
};
use livepeer::{api::client::OrchClient, chain::rpc::Rpc};
use std::{
    path::{Path, PathBuf},
    time::Duration,
};

/// [`super::devchain`] in `dir/dc` (chain id 1337): the devchain, its `ethUrl` and an RPC
/// client on it.
pub async fn devchain_rpc(dir: &Path) -> (Devchain, String, Rpc) {
    let dc = super::devchain(&dir.join("dc"), 1337);
    let url = dc.json["ethUrl"].as_str().unwrap().to_string();
    let rpc = Rpc::connect(&url).await.unwrap();
    (dc, url, rpc)
}

/// Initialises the next round, gives the O serving on `service` (`host:port`) `settle_ms` to
/// see it, and connects to the O.
pub async fn next_round_client(
    rpc: &Rpc,
    chain: &serde_json::Value,
    settle_ms: u64,
    service: &str,
) -> OrchClient {
    next_round(rpc, chain).await;
    tokio::time::sleep(Duration::from_millis(settle_ms)).await;
    OrchClient::connect(&format!("https://{service}"))
        .await
        .unwrap()
}

/// A paying B on `chain` reached at `eth_url` ([`super::b_args`]) with its HTTP, RTMP and CLI
/// addresses on free local ports, then `extra`: (HTTP, RTMP, CLI, the flags).
pub fn chain_b(
    chain: &serde_json::Value,
    eth_url: &str,
    extra: &[&str],
) -> (String, String, String, Vec<String>) {
    let free = || {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        format!("127.0.0.1:{}", l.local_addr().unwrap().port())
    };
    let (http, rtmp, cli) = (free(), free(), free());
    let mut flags = vec!["-httpAddr", &http, "-rtmpAddr", &rtmp, "-cliAddr", &cli];
    flags.extend_from_slice(extra);
    let flags = super::b_args(chain, eth_url, &flags);
    (http, rtmp, cli, flags)
}

/// `livepeer -redeemer` on `chain` (reached at `eth_url`) with the orchestrator's keystore, its
/// datadir `dir/redeemer`, started and serving: the node, its datadir and a client of its
/// `net.TicketRedeemer`.
pub async fn redeemer(
    dir: &Path,
    chain: &serde_json::Value,
    eth_url: &str,
) -> (
    crate::orch_support::Node,
    PathBuf,
    TicketRedeemerClient<tonic::transport::Channel>,
) {
    let http = format!("127.0.0.1:{}", crate::orch_support::free_port());
    let args = super::redeemer_args(chain, eth_url, &http, &[]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let r_dir = dir.join("redeemer");
    let mut node = crate::orch_support::Node::start(&r_dir, &args);
    node.line("serving net.TicketRedeemer");
    let channel = tls_channel(&format!("https://{http}")).await.unwrap();
    (node, r_dir, TicketRedeemerClient::new(channel))
}
