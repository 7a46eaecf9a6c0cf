//! `livepeer bench pm`: the O's full receive path (decode the `Livepeer-Payment` header — base64,
//! protobuf, mapping — then parse the payment, signature checks and recover, HMAC, nonce check,
//! credit, events appended and applied) in tickets/s, against bare signature recovery on the same
//! tickets' pre-made signatures — libsecp256k1, which the path uses, and k256, which it used
//! before — all on one thread and alternated in one run; then the same path over the fjall log
//! with 4, 16 and 64 concurrent payers, decided on one thread and on the runtime's workers, each
//! against bare libsecp256k1 on as many threads, and per CPU-second of the whole process.
//! Signing and encoding the fixtures' headers (the B's work) is not timed.

pub(crate) mod fixtures;
mod recover;
mod report;

use crate::api::payment::{decode_payment_header, PaymentHeaderError};
use crate::events::{Address, Event, Hash32};
use crate::log::{FjallLog, Log, LogStore, MemoryLog};
use crate::node::{payments::Payments, writer::Writer};
use crate::pm::{wire::WirePayment, RandSecret};
use ethers_signers::Signer;
use fixtures::{chain_events, make_payers, wallet, Payer, L1, ROUND};
use recover::{
    bench_k256, bench_libsecp, bench_libsecp_threads, process_cpu_seconds, thread_cpu_seconds,
    RecoverInputs,
};
pub use report::{print_report, BenchPmReport, FjallRun};
use std::{sync::Arc, time::Instant};

/// Concurrent payers of the fjall runs by default: a few gateways, then many (group commit
/// shares one fsync among the payments that wait at once; one sender's payments wait for each
/// other).
pub const FJALL_PAYERS: [u16; 3] = [4, 16, 64];

/// What to run.
#[derive(Clone, Debug)]
pub struct BenchPmOptions {
    /// Tickets per payer.
    pub tickets: u32,
    /// Tickets per payment.
    pub tickets_per_payment: u32,
    /// Alternating rounds of baseline and full path (medians are reported).
    pub rounds: u32,
    /// Directory for the fjall log (must not be tmpfs); `None` skips the fjall run.
    pub fjall_dir: Option<std::path::PathBuf>,
    /// Concurrent payers of each fjall run.
    pub fjall_payers: Vec<u16>,
    /// Trials of each fjall run (the one with the median ratio is reported).
    pub fjall_trials: u32,
}

/// Why the bench could not run.
#[derive(Debug, thiserror::Error)]
pub enum BenchPmError {
    /// Setting up fixtures failed.
    #[error("bench setup: {0}")]
    Setup(String),
    /// The log failed.
    #[error(transparent)]
    Log(#[from] crate::log::LogError),
    /// The service failed.
    #[error(transparent)]
    Service(#[from] crate::node::writer::WriteError),
    /// A fixture header did not decode.
    #[error(transparent)]
    Header(#[from] PaymentHeaderError),
    /// A payment was refused (the fixtures are wrong).
    #[error("bench payment refused: {0}")]
    Refused(String),
}

fn setup(e: impl std::fmt::Display) -> BenchPmError {
    BenchPmError::Setup(e.to_string())
}

/// The payer's headers decoded (outside the timed sections that start from decoded payments).
fn decoded(payer: &Payer) -> Result<Vec<WirePayment>, BenchPmError> {
    Ok(payer
        .headers
        .iter()
        .map(|h| decode_payment_header(h))
        .collect::<Result<_, _>>()?)
}

/// Header decoding alone: base64, protobuf and the mapping to the wire payment.
fn bench_decode(payer: &Payer) -> Result<f64, BenchPmError> {
    let start = Instant::now();
    let mut n = 0u64;
    for h in &payer.headers {
        n += decode_payment_header(h)?.ticket_sender_params.len() as u64;
    }
    Ok(n as f64 / start.elapsed().as_secs_f64())
}

/// The pure decision and the projection fold, without the log.
fn bench_decide_only(
    payer: &Payer,
    o: Address,
    secret: &RandSecret,
    senders: &[Address],
) -> Result<f64, BenchPmError> {
    let mut proj = crate::projections::payments::PaymentProjections::default();
    let mut seq = 0u64;
    let mut apply = |proj: &mut crate::projections::payments::PaymentProjections,
                     events: Vec<Event>| {
        for e in events {
            proj.apply(&crate::events::Envelope::new(seq, 1, Hash32::default(), e));
            seq += 1;
        }
    };
    apply(&mut proj, chain_events(senders));
    let payments = decoded(payer)?;
    let start = Instant::now();
    let mut n = 0u64;
    for p in &payments {
        let d = crate::pm::decide_payment(
            proj.view(),
            crate::pm::Recipient {
                address: o,
                secret,
                seed_tag: None,
            },
            crate::pm::PaymentInput {
                payment: p,
                session: "bench",
                last_l1_block: L1,
                last_initialized_round: ROUND,
                recipient_active: true,
                checked: None,
            },
        );
        if let Some(e) = d.error {
            return Err(BenchPmError::Refused(e.to_string()));
        }
        apply(&mut proj, d.events);
        n += p.ticket_sender_params.len() as u64;
    }
    Ok(n as f64 / start.elapsed().as_secs_f64())
}

/// One payer's headers through the whole O path: decode, decide, append, apply.
async fn pay_all<S: LogStore>(
    svc: Arc<Payments<S>>,
    headers: Vec<String>,
) -> Result<u64, BenchPmError> {
    let mut n = 0u64;
    for h in &headers {
        let p = decode_payment_header(h)?;
        let r = svc.receive_payment(1, &p, "bench", true).await?;
        if let Some(e) = r.error {
            return Err(BenchPmError::Refused(e.to_string()));
        }
        n += p.ticket_sender_params.len() as u64;
    }
    Ok(n)
}

/// The payers' payments, all at once: on the runtime's workers, or with `one_thread` all on the
/// calling thread (a `LocalSet` inside `block_on`: one thread decides, the runtime's workers
/// stay idle).
async fn run_payers<S: LogStore + 'static>(
    log: Log<S>,
    o: Address,
    secret: &RandSecret,
    payers: Vec<Payer>,
    senders: &[Address],
    one_thread: bool,
) -> Result<(f64, u64, Arc<Payments<S>>), BenchPmError> {
    let (writer, _) = Writer::open(Arc::new(log))?;
    let svc = Arc::new(Payments::new(Arc::new(writer), o, secret.clone()));
    svc.writer().append(1, chain_events(senders)).await?;
    let local = tokio::task::LocalSet::new();
    let start = Instant::now();
    let mut tasks = Vec::new();
    for p in payers {
        let pay = pay_all(svc.clone(), p.headers);
        tasks.push(if one_thread {
            local.spawn_local(pay)
        } else {
            tokio::spawn(pay)
        });
    }
    local.await;
    let mut total = 0;
    for t in tasks {
        total += t.await.map_err(setup)??;
    }
    Ok((total as f64 / start.elapsed().as_secs_f64(), total, svc))
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or_default()
}

/// Runs the benchmark and returns its figures.
/// Payments are handled in tasks on `rt`, the process's multi-threaded runtime (the node's shape).
pub fn run_bench_pm(
    opts: &BenchPmOptions,
    rt: &tokio::runtime::Runtime,
) -> Result<BenchPmReport, BenchPmError> {
    let o_wallet = wallet(1)?;
    let o = Address(o_wallet.address().0);
    let secret = RandSecret([0x42; 32]);

    let one = make_payers(o, &secret, 1, opts)?;
    let senders1: Vec<Address> = (0..1)
        .map(|i| wallet(10 + i).map(|w| Address(w.address().0)))
        .collect::<Result<_, _>>()?;
    let inputs = RecoverInputs::of(&one[0])?;
    // The machine is shared: alternate the baselines and the full path over several rounds (each
    // round a fresh log and projections, the same pre-signed payments) and compare medians of
    // ratios taken within a round. Every one of them runs on one thread: the recover loops on
    // this one, the single payer's payments one after another on the runtime.
    let (mut lib, mut k256, mut dec, mut decide, mut full) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut credited = 0;
    for _ in 0..opts.rounds.max(1) {
        k256.push(bench_k256(&inputs, o)?);
        lib.push(bench_libsecp(&inputs, o)?);
        dec.push(bench_decode(&one[0])?);
        decide.push(bench_decide_only(&one[0], o, &secret, &senders1)?);
        let payer = Payer {
            headers: one[0].headers.clone(),
        };
        let (tps, n, _) = rt.block_on(run_payers(
            MemoryLog::in_memory()?,
            o,
            &secret,
            vec![payer],
            &senders1,
            true,
        ))?;
        full.push(tps);
        credited = n;
    }
    let paired = |a: &[f64], b: &[f64]| {
        let mut v: Vec<f64> = a.iter().zip(b).map(|(x, y)| x / y).collect();
        median(&mut v)
    };
    let mut report = BenchPmReport {
        threads: 1,
        libsecp_over_k256: paired(&lib, &k256),
        ratio: paired(&full, &lib),
        libsecp_per_s: median(&mut lib),
        k256_per_s: median(&mut k256),
        decode_per_s: median(&mut dec),
        decide_only_per_s: median(&mut decide),
        memory_per_s: median(&mut full),
        credited,
        ..Default::default()
    };
    if let Some(dir) = &opts.fjall_dir {
        // Each row at equal thread counts: the payments decided on one thread against bare
        // recovery on one thread, then on the runtime's workers against bare recovery on as
        // many threads (the log's appender thread beside both, as in the node; the CPU of
        // every thread is counted too).
        let workers = rt.metrics().num_workers();
        let mut shapes = vec![1];
        if workers > 1 {
            shapes.push(workers);
        }
        for &n in &opts.fjall_payers {
            let payers = make_payers(o, &secret, n, opts)?;
            let senders: Vec<Address> = (0..n)
                .map(|i| wallet(10 + i).map(|w| Address(w.address().0)))
                .collect::<Result<_, _>>()?;
            for &threads in &shapes {
                // Each trial between its own bare measurements; a neighbour's load on the
                // machine moves single trials either way, so the median one is reported.
                let mut trials = Vec::new();
                for t in 0..opts.fjall_trials.max(1) {
                    let dir = dir.join(format!("payers{n}-threads{threads}-trial{t}"));
                    trials.push(fjall_trial(
                        &dir,
                        rt,
                        (o, &secret),
                        &payers,
                        &senders,
                        threads,
                        &inputs,
                    )?);
                }
                let ratios: Vec<f64> = trials.iter().map(FjallRun::ratio).collect();
                trials.sort_by(|a, b| a.ratio().total_cmp(&b.ratio()));
                let mut run = trials.swap_remove(trials.len() / 2);
                run.trial_ratios = ratios;
                report.fjall.push(run);
            }
        }
    }
    Ok(report)
}

/// One trial of the full path over a fresh fjall log in `dir`, between two bare measurements
/// on as many threads.
fn fjall_trial(
    dir: &std::path::Path,
    rt: &tokio::runtime::Runtime,
    (o, secret): (Address, &RandSecret),
    payers: &[Payer],
    senders: &[Address],
    threads: usize,
    inputs: &RecoverInputs,
) -> Result<FjallRun, BenchPmError> {
    let bare_before = bench_libsecp_threads(inputs, o, threads)?;
    let log = FjallLog::open_dir(dir)?;
    let copies = payers
        .iter()
        .map(|p| Payer {
            headers: p.headers.clone(),
        })
        .collect();
    let cpu_before = process_cpu_seconds();
    let thread_before = thread_cpu_seconds();
    let (per_s, tickets, svc) =
        rt.block_on(run_payers(log, o, secret, copies, senders, threads == 1))?;
    // On one thread, the payments are decided on this one: its CPU over the run's time is how
    // busy the deciding thread was (the rest it waited for syncs).
    let decider_cpu_per_ticket = (threads == 1)
        .then(|| thread_before.zip(thread_cpu_seconds()))
        .flatten()
        .map(|(a, b)| (b - a) / tickets.max(1) as f64);
    // The CPU the run used, every thread of the process (the log's appender and the kernel's
    // share of its syncs included), per ticket.
    let cpu_per_ticket = cpu_before
        .zip(process_cpu_seconds())
        .map(|(a, b)| (b - a) / tickets.max(1) as f64);
    // The faster of the two bare measurements is the baseline (a neighbour's load slows one of
    // them, never the truth up).
    let bare = bare_before.max(bench_libsecp_threads(inputs, o, threads)?);
    Ok(FjallRun {
        payers: payers.len(),
        per_s,
        syncs: svc.writer().log().counters().syncs,
        threads,
        bare_per_s: bare,
        cpu_per_ticket,
        decider_cpu_per_ticket,
        trial_ratios: Vec::new(),
    })
}
