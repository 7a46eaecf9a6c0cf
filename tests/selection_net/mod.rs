//! The network of the selection tests, every process a binary on a devchain with the real
//! contracts: a paying B that finds its Os on chain, and two registered, active Os that
//! transcode themselves — `cheap`, the devchain's orchestrator account at 1 wei per pixel, and
//! `dear`, a new account of its own (given ETH and LPT, activated through its CLI API) at
//! 100,000 wei per pixel. The B weighs only price (`-selectPriceWeight 1`, no stake or random
//! weight), so `cheap` has probability 1 whenever it is a candidate and `dear` 0: which O a new
//! session goes to is known in advance, and every other choice in the log is a retry.
#![allow(dead_code, clippy::unwrap_used)]

use crate::chain_support::{
    account_in, chain_ok, devchain, fund_new_o, log_dump, o_args, own_account_args, Devchain,
};
use crate::corrupting_proxy::{self, Proxy};
use crate::orch_support::{free_port, Node};
use livepeer::chain::rpc::Rpc;
use std::path::{Path, PathBuf};
use std::time::Duration;

/// The one rendition of every stream.
pub const PROFILE: &str = "P144p30fps16x9";

/// One O: its node (gone once killed), datadir, service address, on-chain service URI and
/// account.
pub struct Orch {
    pub node: Option<Node>,
    pub dir: PathBuf,
    /// `https://` + the URI it registered on chain (the proxy's when proxied).
    pub uri: String,
    /// Its account, `0x…` in lower case.
    pub address: String,
}

/// How to set the network up.
#[derive(Default)]
pub struct Setup<'a> {
    /// More flags for `cheap`.
    pub cheap_flags: &'a [&'a str],
    /// `cheap` registers a corrupting proxy's address as its service URI.
    pub proxied: bool,
    /// `cheap`'s and `dear`'s performance scores: a score service in the test (region LAX)
    /// the B reads with `-orchPerfStatsUrl`, leaving out Os below `-minPerfScore 0.5`.
    pub perf_scores: Option<(f64, f64)>,
}

/// The running network.
pub struct Net {
    pub cheap: Orch,
    pub dear: Orch,
    pub b: Node,
    pub b_dir: PathBuf,
    pub b_http: String,
    pub proxy: Option<Proxy>,
    pub http: reqwest::Client,
    segment: Vec<u8>,
    _dc: Devchain,
    _dir: tempfile::TempDir,
}

/// Each node's log after the network stopped.
pub struct Logs {
    pub b: String,
    pub cheap: String,
    pub dear: String,
}

/// The Os' ticket flags: EV 0.001 ETH, face value at most 0.002 ETH, no reward calls.
const PAID: [&str; 5] = [
    "-ticketEV",
    "1000000000000000",
    "-maxFaceValue",
    "2000000000000000",
    "-reward=false",
];

fn set(args: &mut [String], flag: &str, value: &str) {
    let i = args.iter().position(|a| a == flag).unwrap();
    args[i + 1] = value.to_string();
}

fn start_o(dir: &Path, args: &[String]) -> Node {
    let a: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut node = Node::start(dir, &a);
    node.line("paid in tickets");
    node
}

impl Net {
    /// Starts the devchain, the Os and the B, funds the B, activates both Os (100 LPT each)
    /// and initialises the round in which they are active.
    pub async fn start(setup: Setup<'_>) -> Net {
        let dir = tempfile::tempdir().unwrap();
        let d = dir.path();
        let dc = devchain(&d.join("dc"), 1337);
        let j = &dc.json;
        let url = j["ethUrl"].as_str().unwrap().to_string();
        let rpc = Rpc::connect(&url).await.unwrap();

        let (s1, c1) = (local(), local());
        let mut a1 = o_args(j, &url, &s1, "200ms");
        a1.extend(PAID.iter().map(|a| a.to_string()));
        a1.extend(["-cliAddr".to_string(), c1.clone()]);
        a1.extend(setup.cheap_flags.iter().map(|a| a.to_string()));
        let cheap_dir = d.join("cheap");
        let cheap = start_o(&cheap_dir, &a1);
        let proxy = if setup.proxied {
            std::fs::create_dir_all(d.join("proxy")).unwrap();
            Some(corrupting_proxy::start(&s1, &d.join("proxy")).await)
        } else {
            None
        };
        let cheap_uri = format!("https://{}", proxy.as_ref().map_or(&s1, |p| &p.addr));

        let (s2, c2) = (local(), local());
        let mut a2 = own_account_args(j, &url, &d.join("dear-keys"), &PAID);
        set(&mut a2, "-serviceAddr", &s2);
        set(&mut a2, "-pricePerUnit", "100000");
        a2.extend(["-cliAddr".to_string(), c2.clone()]);
        let dear_dir = d.join("dear");
        let mut dear = start_o(&dear_dir, &a2);
        let dear_addr = account_in(&dear.line("On chain id"));
        fund_new_o(&rpc, j, dear_addr).await;

        let orch_address = j["accounts"]["orchestrator"]["address"].as_str().unwrap();
        let perf_flags = match setup.perf_scores {
            Some((c, dr)) => {
                let stats = serde_json::json!({
                    orch_address: {"LAX": {"score": c}},
                    format!("{dear_addr:?}"): {"LAX": {"score": dr}, "FRA": {"score": 0.0}},
                });
                let url = perf_service(stats.to_string()).await;
                vec![
                    "-orchPerfStatsUrl".to_string(),
                    url,
                    "-region".into(),
                    "lax".into(),
                    "-minPerfScore".into(),
                    "0.5".into(),
                ]
            }
            None => Vec::new(),
        };
        let (b_cli, b_http) = (local(), local());
        let mut b_flags = crate::chain_support::b_args(
            j,
            &url,
            &[
                "-httpAddr",
                &b_http,
                "-rtmpAddr",
                &local(),
                "-cliAddr",
                &b_cli,
                "-transcodingOptions",
                PROFILE,
                "-maxTicketEV",
                "10000000000000000",
                "-maxTotalEV",
                "100000000000000000",
            ],
        );
        b_flags.extend(crate::chain_support::PRICE_ONLY.map(String::from));
        b_flags.extend(perf_flags);
        let b_flags: Vec<&str> = b_flags.iter().map(String::as_str).collect();
        let b_dir = d.join("b");
        let mut b = Node::start(&b_dir, &b_flags);
        b.line("paying in tickets");

        chain_ok(
            d,
            &b_cli,
            &[
                "fundDepositAndReserve",
                "depositAmount=1000000000000000000",
                "reserveAmount=1000000000000000000",
            ],
        );
        for (cli, uri) in [(&c1, cheap_uri.clone()), (&c2, format!("https://{s2}"))] {
            chain_ok(
                d,
                cli,
                &[
                    "activateOrchestrator",
                    "amount=100000000000000000000",
                    "blockRewardCut=10",
                    "feeShare=50",
                    &format!("serviceURI={uri}"),
                ],
            );
        }
        let head = rpc.block_number().await.unwrap();
        rpc.mine(50 - head % 50).await.unwrap();
        chain_ok(d, &c1, &["initializeRound"]);
        // The B reads the new round's active pool at its next poll (every 200 ms).
        tokio::time::sleep(Duration::from_millis(1200)).await;

        let segment = std::fs::read(crate::media_support::source(
            d,
            "s.ts",
            "320x180",
            "30",
            "2",
            false,
            &["-g", "60"],
        ))
        .unwrap();
        Net {
            cheap: Orch {
                node: Some(cheap),
                dir: cheap_dir,
                uri: cheap_uri,
                address: orch_address.to_lowercase(),
            },
            dear: Orch {
                node: Some(dear),
                dir: dear_dir,
                uri: format!("https://{s2}"),
                address: format!("{dear_addr:?}").to_lowercase(),
            },
            b,
            b_dir,
            b_http,
            proxy,
            http: reqwest::Client::new(),
            segment,
            _dc: dc,
            _dir: dir,
        }
    }

    /// Pushes the test segment as `seq` of `stream`: the B's HTTP status.
    pub async fn push(&self, stream: &str, seq: u64) -> u16 {
        self.http
            .put(format!("http://{}/live/{stream}/{seq}.ts", self.b_http))
            .body(self.segment.clone())
            .timeout(Duration::from_secs(60))
            .send()
            .await
            .unwrap()
            .status()
            .as_u16()
    }

    /// The B's HLS media playlist of `stream`.
    pub async fn playlist(&self, stream: &str) -> String {
        let url = format!("http://{}/stream/{stream}/{PROFILE}.m3u8", self.b_http);
        let resp = self.http.get(&url).send().await.unwrap();
        assert_eq!(resp.status(), 200, "{url}");
        resp.text().await.unwrap()
    }

    /// The segments `playlist` lists, each fetched from the B: their seqs, in order.
    pub async fn played(&self, stream: &str) -> Vec<u64> {
        let text = self.playlist(stream).await;
        assert!(!text.contains("DISCONTINUITY"), "a gap in {text}");
        let mut seqs = Vec::new();
        for line in text.lines().filter(|l| l.ends_with(".ts")) {
            let url = format!("http://{}/stream/{stream}/{line}", self.b_http);
            let resp = self.http.get(&url).send().await.unwrap();
            assert_eq!(resp.status(), 200, "{url}");
            assert!(!resp.bytes().await.unwrap().is_empty(), "{url}");
            let seq = line.rsplit('/').next().unwrap().trim_end_matches(".ts");
            seqs.push(seq.parse().unwrap());
        }
        seqs
    }

    /// Stops every node still running (SIGTERM) and reads the logs.
    pub fn stop(mut self) -> Logs {
        let nodes = [Some(self.b), self.cheap.node.take(), self.dear.node.take()];
        for node in nodes.into_iter().flatten() {
            assert!(node.sigterm().0.success());
        }
        Logs {
            b: log_dump(&self.b_dir),
            cheap: log_dump(&self.cheap.dir),
            dear: log_dump(&self.dear.dir),
        }
    }
}

/// Serves `body` as a performance score service on a free local port: its URL.
async fn perf_service(body: String) -> String {
    let app = axum::Router::new().route("/stats", axum::routing::get(move || async move { body }));
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/stats", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    url
}

fn local() -> String {
    format!("127.0.0.1:{}", free_port())
}
