//! `livepeer replay`: rebuild every projection from seq 0 in memory, print digests, and compare
//! them with the stored checkpoints (at the checkpoint's seq) and with the live state
//! (checkpoint + tail).

use super::ToolError;
use crate::{
    events::Hash32,
    log::{scan_verified, FjallLog},
    node::state,
    projections::{Checkpoint, Projections},
};
use std::{
    collections::{BTreeMap, BTreeSet},
    path::Path,
    process::ExitCode,
    time::Instant,
};

/// Replays the log in `datadir`.
pub fn run(datadir: &Path) -> Result<ExitCode, ToolError> {
    let log = FjallLog::open_dir(datadir)?;
    let head = log.head();
    let mut checkpoints: BTreeMap<&'static str, Checkpoint> = BTreeMap::new();
    let fresh = Projections::default();
    for slot in fresh.slots() {
        if let Some(cp) = log
            .checkpoint(slot.name())?
            .as_deref()
            .and_then(Checkpoint::decode)
        {
            if cp.version == slot.version() {
                checkpoints.insert(slot.name(), cp);
            }
        }
    }
    let started = Instant::now();
    let (replayed, at_checkpoint) = replay_all(&log, head.next_seq, &checkpoints)?;
    let took = started.elapsed().as_secs_f64();
    let (live, _) = state::restore(&log)?;
    let mut ok = true;
    println!(
        "replayed {} records in {:.3} s ({:.0} events/s)",
        head.next_seq,
        took,
        head.next_seq as f64 / took.max(1e-9)
    );
    println!(
        "{:<16} {:>3} {:<66} {:<22} live",
        "projection", "v", "digest", "checkpoint"
    );
    let live_digests: BTreeMap<_, _> = live.digests().into_iter().collect();
    for slot in replayed.slots() {
        let digest = slot.digest();
        let cp = match (checkpoints.get(slot.name()), at_checkpoint.get(slot.name())) {
            (Some(cp), Some(d)) if *d == cp.digest() => format!("= at seq {}", cp.next_seq),
            (Some(cp), _) => {
                ok = false;
                format!("MISMATCH at seq {}", cp.next_seq)
            }
            (None, _) => "none".to_string(),
        };
        let live_ok = live_digests.get(slot.name()) == Some(&digest);
        ok &= live_ok;
        println!(
            "{:<16} {:>3} {:<66} {:<22} {}",
            slot.name(),
            slot.version(),
            digest.to_string(),
            cp,
            if live_ok { "=" } else { "MISMATCH" }
        );
    }
    Ok(if ok {
        ExitCode::SUCCESS
    } else {
        ExitCode::FAILURE
    })
}

/// Folds records `0..end` into fresh projections, noting each projection's digest at the seq its
/// checkpoint was taken.
pub fn replay_all(
    log: &FjallLog,
    end: u64,
    checkpoints: &BTreeMap<&'static str, Checkpoint>,
) -> Result<(Projections, BTreeMap<&'static str, Hash32>), ToolError> {
    let mut p = Projections::default();
    let mut at: BTreeMap<&'static str, Hash32> = BTreeMap::new();
    let seqs: BTreeSet<u64> = checkpoints.values().map(|c| c.next_seq).collect();
    let note = |p: &Projections, seq: u64, at: &mut BTreeMap<_, _>| {
        for slot in p.slots() {
            if checkpoints.get(slot.name()).map(|c| c.next_seq) == Some(seq) {
                at.insert(slot.name(), slot.digest());
            }
        }
    };
    if end > 0 {
        // Hashes and links are re-checked on the way (a reader thread hashes, this one folds).
        scan_verified(log.store(), 0, end - 1, Some(Hash32::default()), |env| {
            if seqs.contains(&env.seq) {
                note(&p, env.seq, &mut at);
            }
            p.apply(env);
        })?;
    }
    note(&p, end, &mut at);
    Ok((p, at))
}
