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

/// Bare libsecp256k1 recovery on `threads` threads at once, each over every input: recoveries
/// per second, all threads together (the baseline for runs on that many threads).
pub(super) fn bench_libsecp_threads(
    inputs: &RecoverInputs,
    o: Address,
    threads: usize,
) -> Result<f64, BenchPmError> {
    let start = Instant::now();
    let rates: Vec<Result<f64, BenchPmError>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..threads.max(1))
            .map(|_| s.spawn(|| rate(inputs, o, sig::recover_digest)))
            .collect();
        handles
            .into_iter()
            .map(|h| {
                h.join()
                    .unwrap_or_else(|_| Err(setup("a recover thread panicked")))
            })
            .collect()
    });
    for r in rates {
        r?;
    }
    Ok((threads.max(1) * inputs.0.len()) as f64 / start.elapsed().as_secs_f64())
}

/// The CPU time this process has used so far, all threads, user and system (Linux
/// `/proc/self/stat`, clock ticks of 10 ms); `None` where it cannot be read.
pub(super) fn process_cpu_seconds() -> Option<f64> {
    cpu_seconds("/proc/self/stat")
}

/// CPU seconds (user and system) the calling thread has used, where Linux's `/proc` tells.
pub(super) fn thread_cpu_seconds() -> Option<f64> {
    cpu_seconds("/proc/thread-self/stat")
}

fn cpu_seconds(path: &str) -> Option<f64> {
    let stat = std::fs::read_to_string(path).ok()?;
    // The fields after the command name, which is in parentheses and may hold spaces.
    let mut fields = stat.get(stat.rfind(')')? + 2..)?.split_whitespace();
    // utime and stime are fields 14 and 15 of the line, 12 and 13 after the name.
    let utime: u64 = fields.nth(11)?.parse().ok()?;
    let stime: u64 = fields.next()?.parse().ok()?;
    Some((utime + stime) as f64 / 100.0)
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
