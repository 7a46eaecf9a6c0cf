//! The bench's bare recovery baselines: libsecp256k1 (what the receive path uses) and k256
//! (ethers, the path used before), each in a loop on one thread over the same pre-made
//! signatures — the payer's ticket signatures with their personal-sign digests computed in
//! advance, so only the curve math and the address hash are timed.

use super::{decoded, fixtures::Payer, setup, BenchPmError};
use crate::events::{Address, Price};
use crate::pm::{
    sig::{self, SigError},
    Ticket,
};
use std::time::Instant;

/// Pre-made (digest, 65-byte signature) pairs, one per ticket, in payment order.
pub(super) struct RecoverInputs(Vec<([u8; 32], Vec<u8>)>);

impl RecoverInputs {
    /// The payer's tickets as the receive path sees them: ticket hash, then its EIP-191 digest.
    pub(super) fn of(payer: &Payer) -> Result<Self, BenchPmError> {
        let mut out = Vec::new();
        for p in &decoded(payer)? {
            let params = crate::pm::wire::parse_ticket_params(
                p.ticket_params.as_ref().ok_or_else(|| setup("no params"))?,
            )
            .map_err(setup)?;
            let sender = crate::pm::num::address_from(&p.sender, "sender").map_err(setup)?;
            let exp =
                crate::pm::wire::parse_expiration(p.expiration_params.as_ref()).map_err(setup)?;
            for t in &p.ticket_sender_params {
                let h = Ticket::new(&params, exp, sender, t.sender_nonce, Price::default()).hash();
                out.push((sig::personal_digest(&h.0), t.sig.clone()));
            }
        }
        Ok(Self(out))
    }
}

/// Bare libsecp256k1 recovery (`sig::recover_digest`), recoveries per second.
pub(super) fn bench_libsecp(inputs: &RecoverInputs, o: Address) -> Result<f64, BenchPmError> {
    rate(inputs, o, sig::recover_digest)
}

/// One bare measurement on some threads at once.
#[derive(Clone, Copy, Debug, Default)]
pub(super) struct BareSample {
    /// Wall seconds, first thread started to last one done.
    pub secs: f64,
    /// Recoveries, all threads together.
    pub recoveries: u64,
    /// CPU seconds the recovering threads used, all together.
    pub cpu_secs: f64,
}

/// Bare libsecp256k1 recovery on `threads` threads at once, each over every input (the baseline
/// for runs on that many threads).
pub(super) fn bench_libsecp_threads(
    inputs: &RecoverInputs,
    o: Address,
    threads: usize,
) -> Result<BareSample, BenchPmError> {
    let start = Instant::now();
    let runs: Vec<Result<f64, BenchPmError>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads.max(1))
            .map(|_| {
                s.spawn(|| {
                    let before = thread_cpu_seconds();
                    rate(inputs, o, sig::recover_digest)?;
                    Ok(thread_cpu_seconds() - before)
                })
            })
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(setup("a recover thread panicked")))
            })
            .collect()
    });
    let mut cpu_secs = 0.0;
    for r in runs {
        cpu_secs += r?;
    }
    Ok(BareSample {
        secs: start.elapsed().as_secs_f64(),
        recoveries: (threads.max(1) * inputs.0.len()) as u64,
        cpu_secs,
    })
}

/// CPU seconds (user and system) the calling thread has used, to the nanosecond.
pub(super) fn thread_cpu_seconds() -> f64 {
    cpu_clock(rustix::time::ClockId::ThreadCPUTime)
}

/// CPU seconds (user and system) the process has used, every thread, ended ones too.
pub(super) fn process_cpu_seconds() -> f64 {
    cpu_clock(rustix::time::ClockId::ProcessCPUTime)
}

fn cpu_clock(id: rustix::time::ClockId) -> f64 {
    let t = rustix::time::clock_gettime(id);
    t.tv_sec as f64 + t.tv_nsec as f64 / 1e9
}

/// Bare k256 recovery through ethers (`sig::recover_digest_k256`), recoveries per second.
pub(super) fn bench_k256(inputs: &RecoverInputs, o: Address) -> Result<f64, BenchPmError> {
    rate(inputs, o, sig::recover_digest_k256)
}

fn rate(
    inputs: &RecoverInputs,
    o: Address,
    recover: fn(&[u8; 32], &[u8]) -> Result<Address, SigError>,
) -> Result<f64, BenchPmError> {
    let start = Instant::now();
    let mut ok = 0u64;
    for (digest, s) in &inputs.0 {
        // Compared with O's address so the result is used; the signers are the payers.
        if recover(digest, s).is_ok_and(|a| a != o) {
            ok += 1;
        }
    }
    let secs = start.elapsed().as_secs_f64();
    if ok != inputs.0.len() as u64 {
        return Err(setup("a fixture signature did not recover"));
    }
    Ok(inputs.0.len() as f64 / secs)
}
