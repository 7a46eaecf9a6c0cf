//! The live demo's wiring (`livepeer demo`, the node's main job): an orchestrator, a transcoder
//! attached to it over gRPC (`-orchSecret`) and a broadcaster start in this process on free local
//! ports (offchain, embedded defaults); the ffmpeg CLI publishes a generated 720p30 test pattern
//! with a tone over RTMP; the B cuts it into 2 s segments, each goes B → O over TLS, is
//! transcoded to the default ladder by the T and comes back; ffprobe then plays the B's HLS
//! output, whose URL is printed while it runs beside a live line (`demo_stream`). With `-chain`
//! the same runs on a fresh devchain, paid in tickets (`demo_chain`). Every role is stopped and
//! joined before this returns, with the run's figures from both logs (`demo_report`); `tools`
//! then verifies and replays both logs and prints the summary.

use super::demo_chain::ChainDemo;
use super::demo_report::{self, DemoReport};
use super::demo_stream::{publish, Follow, Watch};
use super::{args::NodeArgs, broadcaster, orchestrator, transcoder, NodeError};
use crate::events::Event;
use ethers_core::types::U256;
use num_bigint::BigInt;
use num_rational::BigRational;
use std::{path::Path, time::Duration};

/// The shared secret between the demo's O and T.
const DEMO_SECRET: &str = "demo-orch-secret";

/// Events of kind `f` from seq `from` on (earlier demo runs stay in the log).
fn count<S: crate::log::LogStore>(
    log: &crate::log::Log<S>,
    from: u64,
    f: fn(&Event) -> bool,
) -> usize {
    log.read(from, u64::MAX)
        .filter_map(Result::ok)
        .filter(|r| f(&r.envelope.event))
        .count()
}

fn node_args(args: &[&str]) -> Result<NodeArgs, NodeError> {
    Ok(NodeArgs::parse_flags(args)?)
}

/// How a demo run ended: whether every segment came back and the HLS output plays, and what
/// the logs (and on a chain, the chain) say about it.
pub struct LiveOutcome {
    /// Every segment transcoded, none failed, the HLS output plays.
    pub ok: bool,
    /// The run's figures from both logs.
    pub report: DemoReport,
    /// On a chain: what the chain says about the money.
    pub chain_lines: Vec<String>,
}

fn strs(v: &[String]) -> Vec<&str> {
    v.iter().map(String::as_str).collect()
}

/// Streams `secs` seconds through B, O and T with their logs in `o_dir` and `b_dir`; on
/// `chain`, paid in tickets.
pub async fn run_live(
    o_dir: &Path,
    b_dir: &Path,
    secs: u32,
    chain: Option<&ChainDemo>,
) -> Result<LiveOutcome, NodeError> {
    let segments = secs.div_ceil(2) as u64;
    let network = if chain.is_some() {
        "devchain"
    } else {
        "offchain"
    };
    let mut o_flags: Vec<String> = [
        "--orchestrator",
        "--orchSecret",
        DEMO_SECRET,
        "--serviceAddr",
        "127.0.0.1:0",
    ]
    .map(String::from)
    .to_vec();
    o_flags.extend(chain.map(ChainDemo::o_flags).unwrap_or_default());
    let o = orchestrator::start_on(o_dir, network, &node_args(&strs(&o_flags))?).await?;
    let o_uri = o.uri.clone();
    let o_handle = o.orchestrator();
    // The T: its own transcoder sessions, attached to the O over gRPC like a separate process.
    let t_args = node_args(&[
        "--transcoder",
        "--orchAddr",
        o_uri.trim_start_matches("https://"),
        "--orchSecret",
        DEMO_SECRET,
    ])?;
    let (stop_t, t_stopped) = tokio::sync::oneshot::channel::<()>();
    let t_task = tokio::spawn(transcoder::worker::run(
        transcoder::config(&t_args)?,
        transcoder::transcoder(&t_args)?,
        async {
            let _ = t_stopped.await;
        },
    ));
    let mut b_flags: Vec<String> = [
        "--broadcaster",
        "--httpAddr",
        "127.0.0.1:0",
        "--rtmpAddr",
        "127.0.0.1:0",
    ]
    .map(String::from)
    .to_vec();
    match chain {
        Some(c) => b_flags.extend(c.b_flags()),
        None => b_flags.extend([
            "--orchAddr".into(),
            o_uri.trim_start_matches("https://").into(),
        ]),
    }
    let b = broadcaster::start_on(b_dir, network, &node_args(&strs(&b_flags))?).await?;
    let url = b.url.clone();
    let rtmp_url = b.rtmp_url.clone();
    let b_handle = b.broadcaster();
    let b_from = b_handle.log().head().next_seq;
    let o_from = o_handle.writer().log().head().next_seq;
    let (stop_o, o_stopped) = tokio::sync::oneshot::channel::<()>();
    let (stop_b, b_stopped) = tokio::sync::oneshot::channel::<()>();
    let o_task = tokio::spawn(o.serve(async {
        let _ = o_stopped.await;
    }));
    for _ in 0..100 {
        if o_handle.remote().count() > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if o_handle.remote().count() == 0 {
        return Err("the transcoder did not attach to the orchestrator".into());
    }
    println!("demo: transcoder attached to the orchestrator at {o_uri}");
    let b_task = tokio::spawn(b.serve(async {
        let _ = b_stopped.await;
    }));
    let log = b_handle.log().clone();
    if let Some(c) = chain {
        c.prepare(&o_uri).await?;
        c.wait_for_pool(&log).await?;
    }
    let funds_before = match chain {
        Some(c) => Some(c.sender_funds().await?),
        None => None,
    };
    let master = format!("{url}/stream/demo.m3u8");
    println!("demo: watch it while it runs: ffplay {master}  (or open it in a player)");
    let mut watch = Watch {
        b: (&*log, Follow::from(b_from)),
        o: (o_handle.writer().log(), Follow::from(o_from)),
        report: DemoReport::default(),
    };
    publish(
        &format!("{rtmp_url}/demo"),
        secs,
        &mut watch,
        chain.is_some(),
    )
    .await?;
    // The last segment is cut when the publisher leaves: wait for the stream's end.
    for _ in 0..240 {
        if count(&log, b_from, |e| matches!(e, Event::StreamEnded(_))) > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let mut chain_lines = Vec::new();
    let mut money_ok = true;
    if let (Some(c), Some((deposit, reserve))) = (chain, funds_before) {
        c.settle(o_handle.writer().log(), o_from).await?;
        let (deposit_after, reserve_after) = c.sender_funds().await?;
        let (transfers, paid, fees) = c.paid_to_o().await?;
        let eth = |v: U256| demo_report::eth(&BigRational::from_integer(u256_big(v)));
        chain_lines.push(format!(
            "on chain: {transfers} WinningTicketTransfer to the O, {}; the O's pending fees {}",
            eth(paid),
            eth(fees)
        ));
        chain_lines.push(format!(
            "on chain: the B's deposit {} → {}, reserve {} → {}",
            eth(deposit),
            eth(deposit_after),
            eth(reserve),
            eth(reserve_after)
        ));
        watch.update();
        let r = &watch.report;
        let redeemed = r.redeemed_value();
        money_ok = BigRational::from_integer(u256_big(paid)) == redeemed
            && r.redeemed.len() == r.winners.len()
            && r.tickets_received == r.tickets_sent
            && deposit.checked_sub(deposit_after) == Some(paid);
        chain_lines.push(format!(
            "accounting: {} — every ticket the B sent is in the O's log, every winner redeemed, \
             Σ transfers = Σ the redeemed face values = what left the B's deposit",
            if money_ok { "agrees" } else { "DISAGREES" }
        ));
    }
    watch.update();
    let report = watch.report;
    println!("demo: $ ffprobe {master}");
    let probe = tokio::process::Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "stream=codec_type,width,height,r_frame_rate",
        ])
        .args(["-of", "compact=p=0:nk=1", &master])
        .output()
        .await
        .map_err(|e| format!("cannot run ffprobe: {e}"))?;
    let streams = String::from_utf8_lossy(&probe.stdout);
    for line in streams.lines().filter(|l| !l.trim().is_empty()) {
        println!("demo:   {line}");
    }
    let playable = probe.status.success() && streams.contains("video|640|360");
    drop((log, b_handle, o_handle));
    let _ = stop_b.send(());
    let _ = b_task.await;
    let _ = stop_t.send(());
    let _ = t_task.await;
    let _ = stop_o.send(());
    let _ = o_task.await;
    let ok = report.transcoded == segments && report.failed == 0 && playable && money_ok;
    Ok(LiveOutcome {
        ok,
        report,
        chain_lines,
    })
}

fn u256_big(v: U256) -> BigInt {
    let mut b = [0u8; 32];
    v.to_big_endian(&mut b);
    BigInt::from_bytes_be(num_bigint::Sign::Plus, &b)
}
