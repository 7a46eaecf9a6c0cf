//! `livepeer bench pm`: the O's full receive path (decode the `Livepeer-Payment` header — base64,
//! protobuf, mapping — then parse the payment, signature checks and recover, HMAC, nonce check,
//! credit, events appended and applied) in tickets/s, against the bare recover function on the
//! same inputs in a loop, in one run; then the same path over the fjall log with 4 concurrent
//! payers. Signing and encoding the fixtures' headers (the B's work) is not timed.

mod fixtures;

use crate::api::payment::{decode_payment_header, PaymentHeaderError};
use crate::events::{Address, Event, Hash32, Price};
use crate::log::{FjallLog, Log, LogStore, MemoryLog};
use crate::node::{payments::Payments, writer::Writer};
use crate::pm::{sig, wire::WirePayment, RandSecret, Ticket};
use ethers_signers::Signer;
use fixtures::{chain_events, make_payers, wallet, Payer, L1, ROUND};
use std::{sync::Arc, time::Instant};

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
}

/// Measured figures.
#[derive(Clone, Debug, Default)]
pub struct BenchPmReport {
    /// Bare `sig::recover` over the same inputs, per second.
    pub recover_per_s: f64,
    /// Header decoding alone (base64 → protobuf → wire payment), tickets per second.
    pub decode_per_s: f64,
    /// Full receive path over the in-memory log, one payer, tickets per second.
    pub memory_per_s: f64,
    /// Median over rounds of (full path / baseline measured just before it).
    pub ratio: f64,
    /// The pure decision applied straight to the projections (no log), tickets per second.
    pub decide_only_per_s: f64,
    /// Full receive path over the fjall log, 4 concurrent payers, tickets per second.
    pub fjall_4_payers_per_s: Option<f64>,
    /// Log syncs during the fjall run.
    pub fjall_syncs: u64,
    /// Tickets credited in the in-memory run (sanity).
    pub credited: u64,
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

/// The baseline: `sig::recover` over each ticket's (hash, sig), as the receive path calls it.
fn bench_recover(payer: &Payer, o: Address) -> Result<f64, BenchPmError> {
    let mut inputs = Vec::new();
    for p in &decoded(payer)? {
        let params = crate::pm::wire::parse_ticket_params(
            p.ticket_params.as_ref().ok_or_else(|| setup("no params"))?,
        )
        .map_err(setup)?;
        let sender = crate::pm::num::address_from(&p.sender, "sender").map_err(setup)?;
        let exp = crate::pm::wire::parse_expiration(p.expiration_params.as_ref()).map_err(setup)?;
        for t in &p.ticket_sender_params {
            let h = Ticket::new(&params, exp, sender, t.sender_nonce, Price::default()).hash();
            inputs.push((h, t.sig.clone()));
        }
    }
    let start = Instant::now();
    let mut ok = 0u64;
    for (h, s) in &inputs {
        if sig::recover(&h.0, s).is_ok_and(|a| a != o) {
            ok += 1;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    if ok != inputs.len() as u64 {
        return Err(setup("a fixture signature did not recover"));
    }
    Ok(inputs.len() as f64 / secs)
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

async fn run_payers<S: LogStore + 'static>(
    log: Log<S>,
    o: Address,
    secret: &RandSecret,
    payers: Vec<Payer>,
    senders: &[Address],
) -> Result<(f64, u64, Arc<Payments<S>>), BenchPmError> {
    let (writer, _) = Writer::open(Arc::new(log))?;
    let svc = Arc::new(Payments::new(Arc::new(writer), o, secret.clone()));
    svc.writer().append(1, chain_events(senders)).await?;
    let start = Instant::now();
    let mut tasks = Vec::new();
    for p in payers {
        tasks.push(tokio::spawn(pay_all(svc.clone(), p.headers)));
    }
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
    // The machine is shared: alternate baseline and full path over several rounds (each round a
    // fresh log and projections, the same pre-signed payments) and compare medians.
    let (mut base, mut dec, mut decide, mut full) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut credited = 0;
    for _ in 0..opts.rounds.max(1) {
        base.push(bench_recover(&one[0], o)?);
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
        ))?;
        full.push(tps);
        credited = n;
    }
    // Each round's full path is compared with the baseline measured just before it.
    let mut ratios: Vec<f64> = full.iter().zip(&base).map(|(f, b)| f / b).collect();
    let ratio = median(&mut ratios);
    let (recover_per_s, decode_per_s, decide_only_per_s, memory_per_s) = (
        median(&mut base),
        median(&mut dec),
        median(&mut decide),
        median(&mut full),
    );

    let mut report = BenchPmReport {
        recover_per_s,
        decode_per_s,
        memory_per_s,
        ratio,
        decide_only_per_s,
        credited,
        ..Default::default()
    };
    if let Some(dir) = &opts.fjall_dir {
        let four = make_payers(o, &secret, 4, opts)?;
        let senders4: Vec<Address> = (0..4)
            .map(|i| wallet(10 + i).map(|w| Address(w.address().0)))
            .collect::<Result<_, _>>()?;
        let log = FjallLog::open_dir(dir)?;
        let (tps, _, svc) = rt.block_on(run_payers(log, o, &secret, four, &senders4))?;
        report.fjall_4_payers_per_s = Some(tps);
        report.fjall_syncs = svc.writer().log().counters().syncs;
    }
    Ok(report)
}

/// Prints a report the way `livepeer bench pm` shows it.
pub fn print_report(r: &BenchPmReport, opts: &BenchPmOptions, fs_note: &str) {
    println!(
        "pm receive path, {} tickets per payer, {} per payment",
        opts.tickets, opts.tickets_per_payment
    );
    println!(
        "  recover baseline (same inputs, loop): {:>10.0} tickets/s",
        r.recover_per_s
    );
    println!(
        "  header decode only (base64+protobuf): {:>10.0} tickets/s",
        r.decode_per_s
    );
    println!(
        "  decision + projections, no log:       {:>10.0} tickets/s",
        r.decide_only_per_s
    );
    println!(
        "  full path (header → log), memory, 1 payer: {:>10.0} tickets/s  ({:.2} of baseline)",
        r.memory_per_s, r.ratio
    );
    if let Some(f) = r.fjall_4_payers_per_s {
        println!(
            "  full path (header → log), fjall ({fs_note}), 4 payers: {f:>10.0} tickets/s  ({} fsyncs)",
            r.fjall_syncs
        );
    }
}
