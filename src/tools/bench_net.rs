//! `livepeer bench network`: the B→O→B path of a real 2 s 1080p segment (~6 Mbit/s) and its
//! default-ladder renditions ([`super::bench_net_inputs`]) against one real O in this process
//! (`node::orchestrator`, TLS on 127.0.0.1, its fjall log in the bench directory) transcoding
//! with a zero-cost transcoder that returns the pre-made renditions.
//!
//! Simplification (said in the summary too): the O runs offchain, since a paid O needs a chain
//! to read its senders and gas price. The payment work is done in the same process and on the
//! same log per segment: the B stages and signs a ticket (`pm::sender::create_payment`) and
//! encodes the header, the O decodes it and decides it through its `Payments` desk on the O's
//! own writer (senders' funds and rounds as pre-made chain facts, `pm_bench::fixtures`); the
//! header then travels with the segment. Not included: the paid O's balance check and debit
//! after the transcode, `GetOrchestrator`'s ticket params and the signature over the results.
//!
//! 1. Overhead: segments of one stream alternate offchain and paid, one at a time; the paid
//!    overhead is the median of (paid − offchain) over the pairs, as % of the 2 s segment.
//! 2. Load: steps of N streams ([`super::bench_net_load`]) until one fails p99 ≤ 1 s with no
//!    failure; the largest N that held is the figure, with memory per stream.

use super::bench_net_inputs::{self as inputs, ZeroCost};
use super::bench_net_load::{step, Step};
use super::bench_net_trip::{open, round_trip, Rig};
use super::{bench_fs, ToolError};
use crate::api::{client::OrchClient, payment::encode_payment_header};
use crate::cli::BenchNetworkArgs;
use crate::events::{Address, Price};
use crate::node::payments::Payments;
use crate::pm::{sender::create_payment, RandSecret, TicketExpirationParams};
use crate::tools::pm_bench::{fixtures, BenchPmError, BenchPmOptions};
use ethers_signers::Signer;
use std::{path::Path, process::ExitCode, sync::Arc, time::Instant};

/// Targets: overhead % of the segment, streams held, MB per stream.
const TARGET_OVERHEAD_PCT: f64 = 5.0;
const TARGET_STREAMS: usize = 200;
const TARGET_MB: f64 = 2.0;
/// Seed of the overhead measurement's sender (the load's are 10 and up).
const OVERHEAD_PAYER: u16 = 3;

/// Runs the network benchmark; with `datadir`, the inputs and the O's log are left there.
pub fn run(
    datadir: Option<&Path>,
    args: &BenchNetworkArgs,
    rt: &tokio::runtime::Runtime,
) -> Result<ExitCode, ToolError> {
    let (root, keep, fs) = bench_fs::bench_root(datadir, "bench-network")?;
    let result = rt.block_on(bench(&root, &fs, args));
    if !keep {
        let _ = std::fs::remove_dir_all(&root);
    }
    result.map(|()| ExitCode::SUCCESS)
}

fn steps(spec: &str) -> Result<Vec<usize>, ToolError> {
    let v: Vec<usize> = spec
        .split(',')
        .map(|s| s.trim().parse::<usize>())
        .collect::<Result<_, _>>()
        .map_err(|e| format!("-streams {spec:?}: {e}"))?;
    if v.is_empty() || v.iter().any(|&n| n == 0 || n > 600) {
        return Err(format!("-streams {spec:?}: each step 1..=600").into());
    }
    Ok(v)
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or_default()
}

async fn bench(root: &Path, fs: &str, args: &BenchNetworkArgs) -> Result<(), ToolError> {
    let steps = steps(&args.streams)?;
    let ins = inputs::make(&root.join("inputs"))?;
    println!(
        "bench network: dir {} ({fs}); segment 2 s 1080p30 {} bytes ({:.1} Mbit/s), renditions {}",
        root.display(),
        ins.segment.len(),
        ins.segment.len() as f64 * 8.0 / 2.0 / 1e6,
        ins.profiles
            .iter()
            .zip(&ins.renditions)
            .map(|(p, r)| format!("{} {} bytes", p.name, r.len()))
            .collect::<Vec<_>>()
            .join(", ")
    );
    let odir = root.join("o");
    let _ = std::fs::remove_dir_all(&odir);
    let node_args = crate::cli::node_args(&[
        "-orchestrator",
        "-transcoder",
        "-serviceAddr",
        "127.0.0.1:0",
        "-httpAddr",
        "127.0.0.1:0",
        "-maxSessions",
        "2000",
    ])
    .map_err(|e| e.to_string())?;
    let started = crate::node::orchestrator::start_with_transcoder(
        &odir,
        &node_args,
        Arc::new(ZeroCost(ins.clone())),
    )
    .await?;
    let uri = started.uri.clone();
    let writer = started.orchestrator().writer().clone();
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let served = tokio::spawn(started.serve(async {
        let _ = stopped.await;
    }));

    let setup = |e: BenchPmError| e.to_string();
    let o = Address(fixtures::wallet(1).map_err(setup)?.address().0);
    let secret = RandSecret([0x42; 32]);
    let max_n = steps.iter().copied().max().unwrap_or(1);
    let per_stream = (args.duration / 2).max(1) as usize;
    let mut senders = vec![Address(
        fixtures::wallet(OVERHEAD_PAYER).map_err(setup)?.address().0,
    )];
    for i in 0..max_n {
        senders.push(Address(
            fixtures::wallet(10 + i as u16).map_err(setup)?.address().0,
        ));
    }
    writer
        .append(1, fixtures::chain_events(&senders))
        .await
        .map_err(|e| e.to_string())?;
    let rig = Arc::new(Rig {
        client: OrchClient::connect(&uri).await.map_err(|e| e.to_string())?,
        payments: Payments::new(writer, o, secret.clone()),
        hash: ethers_core::utils::keccak256(&ins.segment),
        inputs: ins,
    });
    let payload = rig.inputs.payload_bytes();

    // 1. Overhead, one stream, alternated.
    let overhead = overhead_pairs(&rig, o, &secret, args.segments).await?;

    // 2. Load steps, pre-signed.
    let t = Instant::now();
    let opts = BenchPmOptions {
        tickets: u32::try_from(per_stream * steps.len()).unwrap_or(u32::MAX),
        tickets_per_payment: 1,
        rounds: 1,
        fjall_dir: None,
        fjall_payers: Vec::new(),
        fjall_trials: 1,
    };
    let payers = fixtures::make_payers(o, &secret, max_n as u16, &opts).map_err(setup)?;
    println!(
        "  pre-signed {} payments for {max_n} senders in {:.1} s (not timed below)",
        per_stream * steps.len() * max_n,
        t.elapsed().as_secs_f64()
    );
    let mut held = 0;
    let mut results: Vec<Step> = Vec::new();
    for (k, &n) in steps.iter().enumerate() {
        let headers = payers
            .iter()
            .take(n)
            .map(|p| {
                p.headers
                    .iter()
                    .skip(k * per_stream)
                    .take(per_stream)
                    .cloned()
                    .collect()
            })
            .collect();
        let s = step(rig.clone(), &format!("n{n}"), headers).await;
        let (raw, less) = s.mb_per_stream(payload);
        println!(
            "  {n:>3} paid streams, {} s: {} round trips, p50 {:.0} ms, p99 {:.0} ms, max {:.0} ms, \
             {} failures; RSS +{:.1} MiB = {raw:.2} MB/stream, {less:.2} without payloads in flight{}",
            args.duration,
            s.rtts.len(),
            s.quantile(0.5),
            s.quantile(0.99),
            s.quantile(1.0),
            s.failures,
            s.rss_peak_kb.saturating_sub(s.rss_before_kb) as f64 / 1024.0,
            s.first_failure.as_deref().map(|f| format!(" (first: {f})")).unwrap_or_default()
        );
        let ok = s.held();
        if ok {
            held = n;
        }
        results.push(s);
        if !ok {
            break;
        }
    }
    let _ = stop.send(());
    let _ = served.await;
    summary(&overhead, held, &results, payload);
    Ok(())
}

/// Per pair: (offchain ms, paid ms).
async fn overhead_pairs(
    rig: &Arc<Rig>,
    o: Address,
    secret: &RandSecret,
    pairs: u32,
) -> Result<Vec<(f64, f64)>, ToolError> {
    let wallet = fixtures::wallet(OVERHEAD_PAYER).map_err(|e| e.to_string())?;
    let sender = Address(wallet.address().0);
    let price = Price {
        price_per_unit: 1200,
        pixels_per_unit: 1,
    };
    let (_, mut session) = fixtures::session_for(o, secret, sender, price, OVERHEAD_PAYER, 0)
        .map_err(|e| e.to_string())?;
    let info = open(rig).await?;
    let mut out = Vec::new();
    // One warm-up round trip each way (connections, session start).
    for seq in 0..=i64::from(pairs) {
        let t = Instant::now();
        round_trip(rig, &info, "overhead", 2 * seq, "").await?;
        let off = t.elapsed().as_secs_f64() * 1000.0;
        let t = Instant::now();
        let (pay, _) = create_payment(
            &session,
            1,
            &wallet,
            sender,
            TicketExpirationParams::default(),
        )
        .map_err(|e| e.to_string())?;
        session.last_nonce += 1;
        let header = encode_payment_header(&pay);
        round_trip(rig, &info, "overhead", 2 * seq + 1, &header).await?;
        let paid = t.elapsed().as_secs_f64() * 1000.0;
        if seq > 0 {
            out.push((off, paid));
        }
    }
    Ok(out)
}

fn summary(overhead: &[(f64, f64)], held: usize, steps: &[Step], payload: usize) {
    let mut off: Vec<f64> = overhead.iter().map(|p| p.0).collect();
    let mut paid: Vec<f64> = overhead.iter().map(|p| p.1).collect();
    let mut diff: Vec<f64> = overhead.iter().map(|p| p.1 - p.0).collect();
    let d = median(&mut diff);
    let pct = d / 2000.0 * 100.0;
    println!(
        "summary (O offchain + the payment work in-process on its log; see `bench network` docs)"
    );
    println!(
        "  round trip, {} alternated pairs: offchain (baseline) median {:.1} ms, paid median {:.1} ms",
        overhead.len(),
        median(&mut off),
        median(&mut paid)
    );
    println!(
        "  paid overhead per segment (median of paid - offchain per pair): {d:.2} ms = {pct:.2}% of the 2 s segment (target < {TARGET_OVERHEAD_PCT:.0}%, {:.2} of target)",
        pct / TARGET_OVERHEAD_PCT
    );
    println!(
        "  paid streams held (p99 <= 1 s, no failure): {held} (target >= {TARGET_STREAMS}, {:.2} of target)",
        held as f64 / TARGET_STREAMS as f64
    );
    if let Some(s) = steps.iter().rev().find(|s| s.held()).or(steps.last()) {
        let (raw, less) = s.mb_per_stream(payload);
        println!(
            "  memory per stream at {} streams: {less:.2} MB without payloads in flight ({raw:.2} raw) (target <= {TARGET_MB:.0} MB, {:.2} of target)",
            s.streams,
            less / TARGET_MB
        );
        println!(
            "    (the O hands each rendition out once and drops it when the B has fetched it, \
             node/store.rs: no rendition cache stays in that figure)"
        );
    }
}
