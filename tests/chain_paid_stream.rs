//! A paid stream on the real contracts, everything through the binary: the broadcaster's node
//! funds its deposit and reserve (`livepeer chain fundDepositAndReserve`), the orchestrator's
//! node activates itself (`activateOrchestrator`) and initialises the next round, where the
//! B, given no `-orchAddr`, discovers it (the active pool's service URI); segments
//! pushed to the B are paid with tickets its keystore signs (the O's odds, 0.9, come from its
//! own flags), transcoded by the O and returned signed (the B verifies the O's signature over
//! the renditions: -localVerify is on by default on a chain); the O redeems its winners after their
//! params expire: the transfers from the B's deposit equal the winners' face values exactly,
//! and both logs replay to their checkpoints. Each answer carries fresh params, which the B
//! takes for its next segment; half way the chain moves 40 blocks on, they expire, and the B
//! asks the O for new ones. Both run with `-monitor`: their `/metrics` (read with a Prometheus
//! text parser) count the tickets each log holds, the O's redeemed value and the face value and
//! max float it offers the B.
#![allow(clippy::unwrap_used)]

mod chain_support;
mod media_support;
mod orch_support;

use chain_support::{call, contract, o_args, setup::devchain_rpc};
use ethers_core::abi::Token;
use ethers_core::types::{Address, U256};
use orch_support::{free_port, tool, Node};
use prometheus_parse::{Scrape, Value};
use std::{path::Path, time::Duration};

const FACE: u64 = 2_000_000_000_000_000;
const EV: u64 = 1_800_000_000_000_000;

fn chain_cmd(dir: &Path, cli: &str, args: &[&str]) -> String {
    let (code, text) = chain_support::chain_cli(dir, cli, args);
    assert_eq!(code, 0, "livepeer chain {args:?}: {text}");
    text
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_broadcaster_pays_an_orchestrator_in_tickets_that_are_redeemed() {
    let dir = tempfile::tempdir().unwrap();
    let (dc, url, rpc) = devchain_rpc(dir.path()).await;
    let j = &dc.json;
    let s = |v: &serde_json::Value| v.as_str().unwrap().to_string();

    // The O, paid in tickets worth 0.9 of their face value each.
    let service = format!("127.0.0.1:{}", free_port());
    let o_cli = format!("127.0.0.1:{}", free_port());
    let mut o_flags = o_args(j, &url, &service, "200ms");
    let (face, ev) = (FACE.to_string(), EV.to_string());
    o_flags.extend(
        [
            "-ticketEV",
            &ev,
            "-maxFaceValue",
            &face,
            "-reward=false",
            "-cliAddr",
            &o_cli,
            "-monitor",
            "-initializeRound",
            "-initializeRoundMaxDelay",
            "0s",
        ]
        .map(String::from),
    );
    let o_flags: Vec<&str> = o_flags.iter().map(String::as_str).collect();
    let o_dir = dir.path().join("o");
    let mut o = Node::start(&o_dir, &o_flags);
    o.line("paid in tickets");

    // The B, paying with its keystore.
    let (b_http, _, b_cli, b_flags) = chain_support::setup::chain_b(
        j,
        &url,
        &[
            "-monitor",
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

    let eth = U256::exp10(18);
    chain_cmd(
        dir.path(),
        &b_cli,
        &[
            "fundDepositAndReserve",
            "depositAmount=1000000000000000000",
            "reserveAmount=1000000000000000000",
        ],
    );
    chain_cmd(
        dir.path(),
        &o_cli,
        &[
            "activateOrchestrator",
            "amount=100000000000000000000",
            "blockRewardCut=10",
            "feeShare=50",
            &format!("serviceURI=https://{service}"),
        ],
    );
    let head = rpc.block_number().await.unwrap();
    rpc.mine(50 - head % 50).await.unwrap();
    chain_cmd(dir.path(), &o_cli, &["initializeRound"]);
    tokio::time::sleep(Duration::from_millis(800)).await;

    // Six 2 s segments pushed to the B.
    let mdir = tempfile::tempdir().unwrap();
    let seg = media_support::two_second_segment(mdir.path());
    let http = reqwest::Client::new();
    for seq in 0..6 {
        if seq == 3 {
            // Half way the params expire (40 L1 blocks): the B asks the O for fresh ones.
            rpc.mine(40).await.unwrap();
            tokio::time::sleep(Duration::from_millis(800)).await;
        }
        let resp = http
            .put(format!("http://{b_http}/live/paid/{seq}.ts"))
            .body(seg.clone())
            .timeout(Duration::from_secs(60))
            .send()
            .await
            .unwrap();
        let status = resp.status();
        assert!(
            status.is_success(),
            "segment {seq}: {status} {}",
            resp.text().await.unwrap()
        );
    }

    // The params expire; the O redeems its winners.
    rpc.mine(41).await.unwrap();
    let broker = contract(j, "TicketBroker");
    let o_addr: Address = s(&j["accounts"]["orchestrator"]["address"])
        .parse()
        .unwrap();
    let b_addr: Address = s(&j["accounts"]["broadcaster"]["address"]).parse().unwrap();
    // Wait (a block every 300 ms, as a live chain moves on) until the O's queue is empty:
    // no transfer for three seconds after the first.
    let (mut seen, mut quiet) = (0, 0);
    for _ in 0..100 {
        tokio::time::sleep(Duration::from_millis(300)).await;
        let n = chain_support::transfers_to(&rpc, broker, o_addr).await.0;
        quiet = if n == seen { quiet + 1 } else { 0 };
        seen = n;
        if n > 0 && quiet >= 10 {
            break;
        }
        rpc.mine(1).await.unwrap();
    }
    tokio::time::sleep(Duration::from_millis(1500)).await;
    let (o_metrics, b_metrics) = (scrape(&o_cli).await, scrape(&b_cli).await);
    let views = AuditViews::read(&o_cli).await;
    assert!(o.sigterm().0.success());
    assert!(b.sigterm().0.success());
    let (_, o_dump) = tool(&o_dir, &["log", "dump", "-json"]);
    let count = |d: &str, kind: &str| {
        d.lines()
            .filter(|l| l.contains(&format!("\"kind\":\"{kind}\"")))
            .count()
    };
    let winners = count(&o_dump, "WinningTicketQueued");
    let confirmed = count(&o_dump, "RedemptionConfirmed");
    assert!(winners >= 1, "tickets won at 0.9");
    assert_eq!(confirmed, winners, "every winner redeemed");
    let (_, total) = chain_support::transfers_to(&rpc, broker, o_addr).await;
    assert_eq!(
        total,
        U256::from(FACE) * winners,
        "Σ transfers = Σ face values of the winners"
    );
    let info = call(
        &rpc,
        broker,
        "getSenderInfo(address)",
        &[Token::Address(b_addr)],
    )
    .await;
    assert_eq!(info[0], eth - total, "the B's deposit fell by the same");
    let (_, b_dump) = tool(&b_dir, &["log", "dump", "-json"]);
    assert_eq!(count(&b_dump, "TicketsSent"), 6, "one payment per segment");
    // Every answer carried fresh params, which the B took for its next segment.
    assert!(
        count(&b_dump, "SenderSessionStarted") >= 6,
        "fresh params from each answer: {}",
        count(&b_dump, "SenderSessionStarted")
    );
    let events = |kind: &str| -> Vec<serde_json::Value> {
        b_dump
            .lines()
            .filter(|l| l.contains(&format!("\"kind\":\"{kind}\"")))
            .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["event"][kind].clone())
            .collect()
    };
    // Each ticket session is linked, in the same append (the next record), to the O session it
    // pays for, and that session is one the B opened for the stream.
    let opened: std::collections::BTreeSet<String> = events("BroadcastSessionOpened")
        .iter()
        .map(|o| s(&o["session_id"]))
        .collect();
    let records: Vec<serde_json::Value> = b_dump
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let mut links = 0;
    for pair in records.windows(2) {
        let Some(started) = pair[0]["event"].get("SenderSessionStarted") else {
            continue;
        };
        let link = &pair[1]["event"]["TicketSessionFor"];
        assert_eq!(
            link["recipient_rand_hash"], started["recipient_rand_hash"],
            "{}",
            pair[1]
        );
        assert!(
            opened.contains(&s(&link["session_id"])),
            "{link} not in {opened:?}"
        );
        links += 1;
    }
    assert_eq!(links, count(&b_dump, "TicketSessionFor"));
    // Each new session's O was chosen by the probability selection and the choice recorded with
    // its draw: the one active O, certain, at the stake the B observed for it on the chain.
    let stake = events("OrchestratorObserved").last().unwrap()["total_stake"].clone();
    let selected = events("OrchestratorSelected");
    assert_eq!(selected.len(), count(&b_dump, "BroadcastSessionOpened"));
    assert!(selected.len() >= 2, "{selected:?}");
    for e in &selected {
        let c = &e["candidates"];
        assert_eq!(c.as_array().unwrap().len(), 1, "{e}");
        assert_eq!(c[0]["uri"], format!("https://{service}"));
        assert_eq!(c[0]["stake"], stake);
        assert_eq!(c[0]["probability"], 1.0);
        assert_eq!(e["chosen"], c[0]["uri"]);
        assert!((0.0..1.0).contains(&e["draw"].as_f64().unwrap()), "{e}");
    }
    // Tickets only when the credit runs short of one ticket's EV (the O's balance check).
    let signed: u64 = b_dump
        .lines()
        .filter(|l| l.contains("\"kind\":\"TicketsSent\""))
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["event"]["TicketsSent"]["count"]
                .as_u64()
                .unwrap()
        })
        .sum();
    assert!(signed >= 1);
    assert_eq!(
        count(&o_dump, "TicketReceived") as u64,
        signed,
        "the O received every ticket"
    );
    assert_eq!(
        count(&o_dump, "BalanceDebited"),
        6,
        "price × pixels for each segment"
    );
    for d in [&o_dir, &b_dir] {
        let (code, out) = tool(d, &["replay"]);
        assert_eq!(code, 0, "{out}");
    }
    audit_both_sides(&o_dir, &b_dir, winners, &o_dump);
    views.agree_with(&o_dir, &o_dump, winners);
    // What /metrics said matches the logs: tickets, wins, value redeemed (gwei), the face value
    // and max float the O offers the B, the B's deposit, six segments through each.
    let b_hex = s(&j["accounts"]["broadcaster"]["address"]).to_lowercase();
    let m = |scrape: &Scrape, name: &str, sender: bool| -> Option<f64> {
        let full = format!("livepeer_{name}");
        let found: Vec<f64> = scrape
            .samples
            .iter()
            .filter(|x| x.metric == full)
            .filter(|x| {
                !sender || x.labels.get("sender").map(str::to_lowercase) == Some(b_hex.clone())
            })
            .map(|x| match x.value {
                Value::Counter(v) | Value::Gauge(v) | Value::Untyped(v) => v,
                _ => f64::NAN,
            })
            .collect();
        (!found.is_empty()).then(|| found.iter().sum())
    };
    let gwei = |wei: u64| wei as f64 / 1e9;
    assert_eq!(m(&o_metrics, "tickets_recv", false), Some(signed as f64));
    assert_eq!(
        m(&o_metrics, "winning_tickets_recv", false),
        Some(winners as f64)
    );
    assert_eq!(
        m(&o_metrics, "value_redeemed", false),
        Some(gwei(FACE) * winners as f64)
    );
    assert_eq!(
        m(&o_metrics, "gateway_ticket_face_value", true),
        Some(gwei(FACE))
    );
    assert!(m(&o_metrics, "gateway_max_float", true).is_some_and(|v| v > 0.0));
    assert!(m(&o_metrics, "ticket_value_recv", false).is_some_and(|v| v > 0.0));
    assert_eq!(m(&b_metrics, "tickets_sent", false), Some(signed as f64));
    assert!(m(&b_metrics, "ticket_value_sent", false).is_some_and(|v| v > 0.0));
    assert!(m(&b_metrics, "gateway_deposit", false).is_some_and(|v| v > 0.0));
    assert_eq!(
        m(&b_metrics, "segment_source_emerged_total", false),
        Some(6.0)
    );
    assert_eq!(
        m(&o_metrics, "segment_source_emerged_total", false),
        Some(6.0)
    );
}

/// `livepeer audit` of each side explains every difference; the O's and the B's ledgers end
/// each session at the same balance; what the B paid the O in tickets is what the O credited;
/// every winner was paid in full by its `WinningTicketTransfer`. `livepeer dispute` of a winner
/// tells its story from the params to the transfer.
fn audit_both_sides(o_dir: &Path, b_dir: &Path, winners: usize, o_dump: &str) {
    let audit = |d: &Path| -> serde_json::Value {
        let (code, out) = tool(d, &["audit", "-json"]);
        assert_eq!(code, 0, "audit of {}: {out}", d.display());
        serde_json::from_str(&out).unwrap()
    };
    let (o, b) = (audit(o_dir), audit(b_dir));
    let last_balance = |r: &serde_json::Value| -> std::collections::BTreeMap<String, String> {
        r["sessions"]
            .as_array()
            .unwrap()
            .iter()
            .map(|l| {
                (
                    l["session"].as_str().unwrap().to_string(),
                    l["balance"].as_str().unwrap().to_string(),
                )
            })
            .collect()
    };
    assert!(!last_balance(&b).is_empty());
    assert_eq!(
        last_balance(&o),
        last_balance(&b),
        "the two sides agree on every session"
    );
    let credited = o["sessions"].as_array().unwrap().iter().fold(
        num_rational::BigRational::from_integer(0.into()),
        |acc, l| {
            acc + l["credited"]
                .as_str()
                .unwrap()
                .parse::<num_rational::BigRational>()
                .unwrap()
        },
    );
    // Every row names its stream (each ticket session linked to its O session), and the rows
    // of each O add up to its total, tickets and EV exactly.
    let rat = |v: &serde_json::Value| v.as_str().unwrap().parse::<num_rational::BigRational>();
    let rows = b["paid"].as_array().unwrap();
    assert!(!rows.is_empty(), "{b}");
    for total in b["paid_to"].as_array().unwrap() {
        let mine: Vec<_> = rows
            .iter()
            .filter(|r| r["recipient"] == total["recipient"])
            .collect();
        for r in &mine {
            assert!(r["stream"].is_string(), "{r}");
        }
        let tickets: u64 = mine.iter().map(|r| r["tickets"].as_u64().unwrap()).sum();
        let ev = mine.iter().fold(
            num_rational::BigRational::from_integer(0.into()),
            |acc, r| acc + rat(&r["ev"]).unwrap(),
        );
        assert_eq!(total["tickets"].as_u64().unwrap(), tickets, "{b}");
        assert_eq!(rat(&total["ev"]).unwrap(), ev, "{b}");
    }
    // One O, one stream here: the tickets are that stream's, and the O's total.
    let paid = &b["paid"][0];
    assert_eq!(rows.len(), 1, "{b}");
    assert_eq!(paid["stream"], "paid", "{b}");
    let total = &b["paid_to"][0];
    assert_eq!(b["paid_to"].as_array().unwrap().len(), 1, "{b}");
    assert_eq!(total["streams"], serde_json::json!(["paid"]));
    assert_eq!(
        paid["ev"]
            .as_str()
            .unwrap()
            .parse::<num_rational::BigRational>()
            .unwrap(),
        credited,
        "the EV the B sent is what the O credited"
    );
    assert_eq!(o["tickets"]["received"], paid["tickets"]);
    let redemptions = o["redemptions"].as_array().unwrap();
    assert_eq!(redemptions.len(), winners);
    for r in redemptions {
        assert_eq!(r["note"], "paid in full", "{r}");
        assert_eq!(r["paid"], FACE.to_string());
    }
    // A winner's dispute: received, checked, credited, queued, redeemed, paid.
    let hash = o_dump
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .find(|v| v["kind"] == "WinningTicketQueued")
        .map(|v| {
            v["event"]["WinningTicketQueued"]["ticket_hash"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .unwrap();
    let (code, text) = tool(o_dir, &["dispute", &hash]);
    assert_eq!(code, 0, "{text}");
    let lines: Vec<&str> = text.lines().collect();
    assert_eq!(lines[0], format!("dispute ticket {hash}"));
    assert!(lines[1].starts_with("receipt 1 of 1: seq "), "{text}");
    assert!(lines[2].starts_with("  params issued: seq "), "{text}");
    for (i, k) in (1..=8).enumerate() {
        let line = lines[5 + i];
        assert!(line.starts_with(&format!("  check {k} ")), "{text}");
        assert!(
            line.ends_with(": ok") || line.ends_with("won: yes"),
            "{line}"
        );
    }
    assert!(text.contains("  verdict: accepted, won, EV "), "{text}");
    assert!(
        text.contains(": queued for redemption: face value "),
        "{text}"
    );
    assert!(
        text.contains(": redemption submitted in transaction 0x"),
        "{text}"
    );
    assert!(text.contains("mined in block"), "{text}");
    assert!(
        text.contains(&format!("WinningTicketTransfer of {FACE} wei from ")),
        "{text}"
    );
}

/// `GET http://<addr>/metrics`, parsed.
/// The running O's audit views on its CLI port (issue 12): the same code as the commands.
struct AuditViews {
    accounting: serde_json::Value,
    events: Vec<serde_json::Value>,
    projections: serde_json::Value,
    queue: Vec<serde_json::Value>,
    dispute: String,
}

impl AuditViews {
    async fn read(cli: &str) -> AuditViews {
        let get = |path: String| async move {
            let r = reqwest::get(format!("http://{cli}/{path}")).await.unwrap();
            assert_eq!(r.status(), 200, "{path}");
            r.text().await.unwrap()
        };
        let json = |t: String| serde_json::from_str::<serde_json::Value>(&t).unwrap();
        let accounting = json(get("accounting".into()).await);
        // Every record, a page of 7 at a time, following the cursor.
        let (mut events, mut from) = (Vec::new(), Some(0u64));
        while let Some(f) = from {
            let page = json(get(format!("events?from={f}&limit=7")).await);
            events.extend(page["events"].as_array().unwrap().iter().cloned());
            from = page["next"].as_u64();
        }
        let (mut queue, mut after) = (Vec::new(), String::new());
        loop {
            let page = json(get(format!("ticketQueue?limit=1&after={after}")).await);
            queue.extend(page["tickets"].as_array().unwrap().iter().cloned());
            match page["next"].as_str() {
                Some(n) => after = n.to_string(),
                None => break,
            }
        }
        let winner = events
            .iter()
            .find(|e| e["kind"] == "WinningTicketQueued")
            .map(|e| {
                e["event"]["WinningTicketQueued"]["ticket_hash"]
                    .as_str()
                    .unwrap()
                    .to_string()
            })
            .unwrap();
        let r = reqwest::get(format!("http://{cli}/events?from=x"))
            .await
            .unwrap();
        assert_eq!(r.status(), 400);
        assert_eq!(
            r.text().await.unwrap(),
            "invalid from: \"x\" is not a number\n"
        );
        let r = reqwest::get(format!("http://{cli}/dispute?ticket=0x{}", "ab".repeat(32)))
            .await
            .unwrap();
        assert_eq!(r.status(), 404);
        AuditViews {
            accounting,
            events,
            projections: json(get("projections".into()).await),
            queue,
            dispute: get(format!("dispute?ticket={winner}")).await,
        }
    }

    /// What the views said while the node ran is what the commands say of its stopped log.
    fn agree_with(&self, o_dir: &Path, o_dump: &str, winners: usize) {
        let dump: Vec<serde_json::Value> = o_dump
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert!(!self.events.is_empty() && self.events.len() <= dump.len());
        for (v, d) in self.events.iter().zip(&dump) {
            assert_eq!(
                (&v["seq"], &v["hash"], &v["kind"]),
                (&d["seq"], &d["hash"], &d["kind"])
            );
        }
        let (code, out) = tool(o_dir, &["audit", "-json"]);
        assert_eq!(code, 0, "{out}");
        let audit: serde_json::Value = serde_json::from_str(&out).unwrap();
        for part in ["sessions", "redemptions", "tickets"] {
            assert_eq!(self.accounting[part], audit[part], "/accounting {part}");
        }
        // On a chain, the node compared its log with the chain as `audit -ethUrl` does.
        let chain = &self.accounting["chain"];
        assert_eq!(self.accounting["ok"], true, "{chain}");
        assert_eq!(chain["discrepancies"], serde_json::json!([]), "{chain}");
        assert_eq!(chain["transfers_matched"], winners, "{chain}");
        assert_eq!(chain["senders_matched"], 1, "{chain}");
        assert!(chain["span"][1].as_u64().unwrap() > 0, "{chain}");
        assert_eq!(self.queue.len(), winners, "{:?}", self.queue);
        let names: Vec<&str> = self
            .projections
            .as_array()
            .unwrap()
            .iter()
            .map(|p| p["name"].as_str().unwrap())
            .collect();
        assert!(
            names.contains(&"balances") && names.contains(&"audit_index"),
            "{names:?}"
        );
        let hash = self
            .dispute
            .lines()
            .next()
            .unwrap()
            .trim_start_matches("dispute ticket ");
        let (code, text) = tool(o_dir, &["dispute", hash]);
        assert_eq!(code, 0);
        assert_eq!(self.dispute, text, "/dispute is livepeer dispute");
    }
}

async fn scrape(addr: &str) -> Scrape {
    let text = reqwest::get(format!("http://{addr}/metrics"))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    Scrape::parse(text.lines().map(|l| Ok(l.to_string()))).unwrap()
}
