//! The paid network on the real contracts, every process a binary: a funded B, two registered
//! and active Os — O1 transcoding on a remote T, O2 with its own new account, bonded through its
//! own CLI API —, RTMP in from the ffmpeg CLI and HLS out (ffprobe plays it), then segments
//! pushed over HTTP with both Os killed (SIGKILL) between two of them and restarted before the
//! next. Afterwards: every segment was paid; the B's and the O's balance views of each session
//! are equal; every ticket the B sent is in an O's log with its verdict; the winners were
//! redeemed after expiry — Σ `WinningTicketTransfer` to each O equals the face values of its
//! confirmed redemptions —; the restarted O kept its sessions (the B's next segment needed no new
//! session); `livepeer replay` of every node agrees with its checkpoints.
#![allow(clippy::unwrap_used)]

mod chain_support;
mod media_support;
mod orch_support;

use chain_support::{
    account_in, chain_ok, contract, events, fund_new_o, log_dump, o_args, own_account_args,
    setup::devchain_rpc,
};
use ethers_core::types::{Address, U256};
use media_support::rtmp_test_pattern;
use orch_support::{free_port, tool, Node};
use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;
use std::process::Command;
use std::time::Duration;

const FACE: u64 = 2_000_000_000_000_000;
const EV: u64 = 1_800_000_000_000_000;

/// Each balance session's last balance in a log: (session id, balance).
fn balances(dump: &str) -> BTreeMap<String, String> {
    let mut out = BTreeMap::new();
    for kind in ["BalanceCredited", "BalanceDebited"] {
        for v in dump
            .lines()
            .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
            .filter(|v| v["kind"] == kind)
        {
            let e = &v["event"][kind];
            let seq = v["seq"].as_u64().unwrap();
            let session = e["account"]["session"].as_str().unwrap().to_string();
            let entry = out.entry(session).or_insert((0, String::new()));
            if seq >= entry.0 {
                *entry = (seq, e["balance"].as_str().unwrap().to_string());
            }
        }
    }
    out.into_iter().map(|(k, (_, b))| (k, b)).collect()
}

struct Orch {
    node: Node,
    dir: PathBuf,
    args: Vec<String>,
    cli: String,
    service: String,
}

impl Orch {
    fn start(dir: PathBuf, args: Vec<String>, cli: String, service: String) -> Orch {
        let a: Vec<&str> = args.iter().map(String::as_str).collect();
        let mut node = Node::start(&dir, &a);
        node.line("paid in tickets");
        Orch {
            node,
            dir,
            args,
            cli,
            service,
        }
    }

    fn restart(self) -> Orch {
        self.node.sigkill();
        Orch::start(self.dir, self.args, self.cli, self.service)
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_paid_stream_through_two_orchestrators_one_with_a_remote_transcoder() {
    let dir = tempfile::tempdir().unwrap();
    let (dc, url, rpc) = devchain_rpc(dir.path()).await;
    let j = &dc.json;
    let (face, ev) = (FACE.to_string(), EV.to_string());
    let paid = ["-ticketEV", &ev, "-maxFaceValue", &face, "-reward=false"];

    // O1: the devchain's orchestrator account, transcoding on a remote T.
    let (s1, c1) = (
        format!("127.0.0.1:{}", free_port()),
        format!("127.0.0.1:{}", free_port()),
    );
    let mut a1 = o_args(j, &url, &s1, "200ms");
    a1.retain(|a| a != "-transcoder");
    a1.extend(paid.map(String::from));
    a1.extend(["-orchSecret", "sesame", "-cliAddr", &c1, "-initializeRound"].map(String::from));
    a1.extend(["-initializeRoundMaxDelay", "0s"].map(String::from));
    let o1 = Orch::start(dir.path().join("o1"), a1, c1.clone(), s1.clone());
    let t_args = ["-transcoder", "-orchAddr", &s1, "-orchSecret", "sesame"];
    let mut t = Node::start(&dir.path().join("t"), &t_args);
    t.line("Transcoder attached");

    // O2: a new account of its own, given ETH and LPT, transcoding itself.
    let (s2, c2) = (
        format!("127.0.0.1:{}", free_port()),
        format!("127.0.0.1:{}", free_port()),
    );
    let mut a2 = own_account_args(j, &url, &dir.path().join("o2-keys"), &paid);
    let i = a2.iter().position(|a| a == "-serviceAddr").unwrap();
    a2[i + 1] = s2.clone();
    a2.extend(["-cliAddr".to_string(), c2.clone()]);
    let o2_dir = dir.path().join("o2");
    let mut o2 = Orch::start(o2_dir, a2, c2.clone(), s2.clone());
    let o2_addr = account_in(&o2.node.line("On chain id"));
    fund_new_o(&rpc, j, o2_addr).await;

    // The B, paying with its keystore; it finds the Os on chain.
    let (b_http, rtmp, b_cli, b_flags) = chain_support::setup::chain_b(
        j,
        &url,
        &[
            "-transcodingOptions",
            "P144p30fps16x9",
            "-maxTicketEV",
            "10000000000000000",
            "-maxTotalEV",
            "100000000000000000",
        ],
    );
    let b_flags: Vec<&str> = b_flags.iter().map(String::as_str).collect();
    let b_dir = dir.path().join("b");
    let mut b = Node::start(&b_dir, &b_flags);
    b.line("paying in tickets");

    let d = dir.path();
    chain_ok(
        d,
        &b_cli,
        &[
            "fundDepositAndReserve",
            "depositAmount=1000000000000000000",
            "reserveAmount=1000000000000000000",
        ],
    );
    for (cli, service) in [(&c1, &s1), (&c2, &s2)] {
        chain_ok(
            d,
            cli,
            &[
                "activateOrchestrator",
                "amount=100000000000000000000",
                "blockRewardCut=10",
                "feeShare=50",
                &format!("serviceURI=https://{service}"),
            ],
        );
    }
    let head = rpc.block_number().await.unwrap();
    rpc.mine(50 - head % 50).await.unwrap();
    chain_ok(d, &c1, &["initializeRound"]);
    tokio::time::sleep(Duration::from_millis(1000)).await;

    // 8 s of RTMP from the ffmpeg CLI; the HLS plays.
    let status = rtmp_test_pattern("8", &format!("rtmp://{rtmp}/live"))
        .status()
        .unwrap();
    assert!(status.success());
    let playlist = format!("http://{b_http}/stream/live/P144p30fps16x9.m3u8");
    let probe = Command::new("ffprobe")
        .args(["-v", "error", "-count_packets", "-select_streams", "v:0"])
        .args([
            "-show_entries",
            "stream=nb_read_packets,width,height",
            "-of",
            "csv=p=0",
        ])
        .arg(&playlist)
        .output()
        .unwrap();
    let shown = String::from_utf8_lossy(&probe.stdout).to_string();
    assert!(probe.status.success(), "ffprobe {playlist}: {shown}");
    let packets: u64 = shown.trim().rsplit(',').next().unwrap().parse().unwrap();
    assert!(packets >= 150, "HLS of the RTMP stream plays: {shown}");

    // Segments pushed over HTTP; both Os killed between the second and the third.
    let mdir = tempfile::tempdir().unwrap();
    let seg = media_support::two_second_segment(mdir.path());
    let http = reqwest::Client::new();
    let push = |seq: u32| {
        let (http, seg, b_http) = (http.clone(), seg.clone(), b_http.clone());
        async move {
            let resp = http
                .put(format!("http://{b_http}/live/push/{seq}.ts"))
                .body(seg)
                .timeout(Duration::from_secs(60))
                .send()
                .await
                .unwrap();
            let status = resp.status();
            assert!(status.is_success(), "segment {seq}: {status}");
        }
    };
    push(0).await;
    push(1).await;
    let o1 = o1.restart();
    o2 = o2.restart();
    // The T finds its O again (it re-registers every 2 s).
    tokio::time::sleep(Duration::from_millis(3000)).await;
    push(2).await;
    push(3).await;

    // The params expire; each O redeems its winners.
    rpc.mine(41).await.unwrap();
    let broker = contract(j, "TicketBroker");
    let o1_addr: Address = j["accounts"]["orchestrator"]["address"]
        .as_str()
        .unwrap()
        .parse()
        .unwrap();
    let (mut seen, mut quiet) = (0, 0);
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let n = chain_support::transfers_to(&rpc, broker, o1_addr).await.0
            + chain_support::transfers_to(&rpc, broker, o2_addr).await.0;
        quiet = if n == seen { quiet + 1 } else { 0 };
        seen = n;
        if quiet >= 10 {
            break;
        }
        rpc.mine(1).await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(1000)).await;
    for node in [b, t, o1.node, o2.node] {
        assert!(node.sigterm().0.success());
    }

    let b_log = log_dump(&b_dir);
    let o_logs = [log_dump(&o1.dir), log_dump(&o2.dir)];
    // Every segment paid: one payment per segment the B sent, 4 pushed and the RTMP ones.
    let sent = events(&b_log, "TicketsSent");
    let transcoded = events(&b_log, "SegmentTranscoded").len();
    assert!(transcoded >= 7, "B transcoded {transcoded}");
    assert_eq!(sent.len(), transcoded, "one payment per segment");
    // Every ticket the B sent is in an O's log with its verdict.
    let received: BTreeSet<(String, u64)> = o_logs
        .iter()
        .flat_map(|l| events(l, "TicketReceived"))
        .map(|e| {
            (
                e["recipient_rand_hash"].as_str().unwrap().to_string(),
                e["nonce"].as_u64().unwrap(),
            )
        })
        .collect();
    for s in &sent {
        let rrh = s["recipient_rand_hash"].as_str().unwrap().to_string();
        let first = s["first_nonce"].as_u64().unwrap();
        for n in first..first + s["count"].as_u64().unwrap() {
            assert!(
                received.contains(&(rrh.clone(), n)),
                "ticket {rrh}/{n} has no verdict"
            );
        }
    }
    // The B's and the Os' views of each session agree.
    let b_views = balances(&b_log);
    let mut o_views = BTreeMap::new();
    for l in &o_logs {
        o_views.extend(balances(l));
    }
    assert!(!b_views.is_empty());
    assert_eq!(
        b_views, o_views,
        "B's and Os' balance views of each session"
    );
    // The O that held the pushed stream kept its session across the SIGKILL.
    let opened: Vec<_> = events(&b_log, "BroadcastSessionOpened")
        .into_iter()
        .filter(|e| e.to_string().contains("push"))
        .collect();
    assert_eq!(
        opened.len(),
        1,
        "no new session after the O's restart: {opened:?}"
    );
    // Winners redeemed: Σ transfers to each O = its confirmed redemptions' face values.
    for (log, addr) in o_logs.iter().zip([o1_addr, o2_addr]) {
        let won = events(log, "WinningTicketQueued").len();
        let confirmed = events(log, "RedemptionConfirmed").len();
        assert_eq!(confirmed, won, "every winner redeemed");
        let (n, total) = chain_support::transfers_to(&rpc, broker, addr).await;
        assert_eq!(n, confirmed);
        assert_eq!(total, U256::from(FACE) * confirmed);
    }
    let winners: usize = o_logs
        .iter()
        .map(|l| events(l, "WinningTicketQueued").len())
        .sum();
    assert!(
        winners >= 1,
        "tickets win at 0.9: none of {} did",
        sent.len()
    );
    for d in [&b_dir, &o1.dir, &o2.dir] {
        let (code, out) = tool(d, &["replay"]);
        assert_eq!(code, 0, "{out}");
    }
}
