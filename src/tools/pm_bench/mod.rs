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
    BareSample, RecoverInputs,
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

/// A fresh payment desk over `log`, its chain facts appended.
async fn open_desk<S: LogStore + 'static>(
    log: Log<S>,
    o: Address,
    secret: &RandSecret,
    senders: &[Address],
) -> Result<Arc<Payments<S>>, BenchPmError> {
    let (writer, _) = Writer::open(Arc::new(log))?;
    let svc = Arc::new(Payments::new(Arc::new(writer), o, secret.clone()));
    svc.writer().append(1, chain_events(senders)).await?;
    Ok(svc)
}

/// Every payer's headers paid at once (one task per payer): on the runtime's workers, or with
/// `one_thread` all on the calling thread (a `LocalSet` inside `block_on`: one thread decides,
/// the runtime's workers stay idle). Returns the seconds it took and the tickets credited.
async fn pay_slice<S: LogStore + 'static>(
    svc: &Arc<Payments<S>>,
    headers: Vec<Vec<String>>,
    one_thread: bool,
) -> Result<(f64, u64), BenchPmError> {
    let local = tokio::task::LocalSet::new();
    let start = Instant::now();
    let mut tasks = Vec::new();
    for h in headers {
        let pay = pay_all(svc.clone(), h);
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
    Ok((start.elapsed().as_secs_f64(), total))
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
        let (secs, n) = rt.block_on(async {
            let svc = open_desk(MemoryLog::in_memory()?, o, &secret, &senders1).await?;
            pay_slice(&svc, vec![one[0].headers.clone()], true).await
        })?;
        full.push(n as f64 / secs);
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
                // Each trial with its own bare measurements between its slices; the host's
                // load moves single trials either way, so the median one is reported.
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

/// Slices of each fjall trial: bare recovery is measured before each and after the last, so the
/// baseline covers the same minutes as the run (the host's load on a shared VM then slows both
/// alike).
const SLICES: usize = 8;

/// One trial of the full path over a fresh fjall log in `dir`: the payers' payments in
/// [`SLICES`] consecutive slices (the same log and desk throughout), bare recovery on as many
/// threads measured before each slice and after the last. The path's rate is its tickets over
/// the slices' time; the baseline is every bare measurement's recoveries over their time.
fn fjall_trial(
    dir: &std::path::Path,
    rt: &tokio::runtime::Runtime,
    (o, secret): (Address, &RandSecret),
    payers: &[Payer],
    senders: &[Address],
    threads: usize,
    inputs: &RecoverInputs,
) -> Result<FjallRun, BenchPmError> {
    let svc = rt.block_on(open_desk(FjallLog::open_dir(dir)?, o, secret, senders))?;
    let slices = slice_headers(payers, SLICES);
    let mut bare = BareSample::default();
    let mut add_bare = || -> Result<(), BenchPmError> {
        let b = bench_libsecp_threads(inputs, o, threads)?;
        bare.secs += b.secs;
        bare.recoveries += b.recoveries;
        bare.cpu_secs += b.cpu_secs;
        Ok(())
    };
    let (mut secs, mut tickets) = (0.0, 0u64);
    let (mut cpu, mut thread_cpu) = (0.0, 0.0);
    for slice in slices {
        add_bare()?;
        let (c0, t0) = (process_cpu_seconds(), thread_cpu_seconds());
        let (s, n) = rt.block_on(pay_slice(&svc, slice, threads == 1))?;
        cpu += process_cpu_seconds() - c0;
        thread_cpu += thread_cpu_seconds() - t0;
        (secs, tickets) = (secs + s, tickets + n);
    }
    add_bare()?;
    let per_ticket = |c: f64| c / tickets.max(1) as f64;
    Ok(FjallRun {
        payers: payers.len(),
        per_s: tickets as f64 / secs.max(f64::MIN_POSITIVE),
        syncs: svc.writer().log().counters().syncs,
        threads,
        bare_per_s: bare.recoveries as f64 / bare.secs.max(f64::MIN_POSITIVE),
        bare_cpu_per_recovery: bare.cpu_secs / bare.recoveries.max(1) as f64,
        // The CPU the slices used, every thread of the process (the log's appender and the
        // kernel's share of its syncs included), per ticket.
        cpu_per_ticket: per_ticket(cpu),
        // On one thread, the payments are decided on this one: its CPU over the slices' time is
        // how busy the deciding thread was (the rest it waited for syncs).
        decider_cpu_per_ticket: (threads == 1).then(|| per_ticket(thread_cpu)),
        trial_ratios: Vec::new(),
    })
}

/// Each payer's headers cut into `n` consecutive slices, in order: slice k holds every payer's
/// k-th part (a payer's nonces keep their order across slices).
fn slice_headers(payers: &[Payer], n: usize) -> Vec<Vec<Vec<String>>> {
    let mut out = vec![Vec::with_capacity(payers.len()); n.max(1)];
    for p in payers {
        let per = p.headers.len().div_ceil(n.max(1)).max(1);
        let mut chunks = p.headers.chunks(per);
        for slice in out.iter_mut() {
            slice.push(chunks.next().map(<[String]>::to_vec).unwrap_or_default());
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn slices_keep_every_header_once_and_each_payers_order() {
        let payer = |p: usize, n: usize| Payer {
            headers: (0..n).map(|i| format!("{p}-{i}")).collect(),
        };
        let payers = vec![payer(0, 10), payer(1, 3)];
        let slices = slice_headers(&payers, 4);
        assert_eq!(slices.len(), 4);
        for (p, want) in payers.iter().enumerate() {
            let joined: Vec<String> = slices.iter().flat_map(|s| s[p].clone()).collect();
            assert_eq!(joined, want.headers, "payer {p}: all of them, in order");
        }
        assert_eq!(slices[0][0].len(), 3, "ten headers in slices of three");
    }
}
