//! `livepeer migrate [-check]`: what a start of this build does to a datadir's projections.
//! Each projection's stored checkpoint is compared with this build's version (`state::plan`):
//! restored as it is, rebuilt from seq 0 (another version wrote it, or it does not decode), or
//! built new. `-check` lists that and estimates how long the rebuild takes from the fold rate
//! measured on the first records of this very log; without it the migration runs now (with
//! progress lines) and fresh checkpoints are written, so the node's next start is quick.

use super::ToolError;
use crate::{
    log::FjallLog,
    node::state::{self, SlotPlan},
    projections::Projections,
};
use std::{path::Path, process::ExitCode, time::Instant};

/// Records folded to measure the rate the estimate uses.
const SAMPLE: u64 = 20_000;

fn describe(plan: &SlotPlan, version: u32) -> String {
    match plan {
        SlotPlan::Restore { next_seq } => format!("keep (checkpoint v{version} at seq {next_seq})"),
        SlotPlan::Rebuild { from_version } => {
            format!("REBUILD from seq 0 (checkpoint v{from_version}, this build v{version})")
        }
        SlotPlan::New => "BUILD from seq 0 (new in this build)".into(),
        SlotPlan::Unreadable => "REBUILD from seq 0 (checkpoint unreadable)".into(),
        SlotPlan::Fold => "fold from seq 0 (no checkpoints yet)".into(),
    }
}

/// Runs `livepeer migrate` on `datadir`.
pub fn run(datadir: &Path, check: bool) -> Result<ExitCode, ToolError> {
    let log = FjallLog::open_dir(datadir)?;
    let head = log.head().next_seq;
    let plans = state::plan(&log)?;
    let migrating: Vec<&str> = plans
        .iter()
        .filter(|(_, _, p)| p.migrates())
        .map(|(n, _, _)| *n)
        .collect();
    println!("log: {head} records");
    println!("{:<16} {:>3}  action", "projection", "v");
    for (name, version, plan) in &plans {
        println!("{name:<16} {version:>3}  {}", describe(plan, *version));
    }
    if migrating.is_empty() {
        println!("nothing to migrate: every projection restores from its checkpoint");
        return Ok(ExitCode::SUCCESS);
    }
    if check {
        // The fold rate of this log's first records, all projections at once (an upper bound
        // for rebuilding a few of them).
        let mut p = Projections::default();
        let sample = head.min(SAMPLE);
        let started = Instant::now();
        if sample > 0 {
            for rec in log.read(0, sample - 1) {
                p.apply(&rec?.envelope);
            }
        }
        let rate = sample as f64 / started.elapsed().as_secs_f64().max(1e-6);
        println!(
            "{} to rebuild ({}): {head} records to fold at ~{rate:.0} records/s measured here: \
             ~{:.1} s at the next start (or now with `livepeer migrate`)",
            migrating.len(),
            migrating.join(", "),
            head as f64 / rate.max(1.0)
        );
        return Ok(ExitCode::SUCCESS);
    }
    let started = Instant::now();
    let (p, restored) = state::restore_with(&log, &mut |line| println!("{line}"))?;
    state::checkpoint_all(&log, &p)?;
    println!(
        "migrated {} projection(s) in {:.2} s ({} records folded); checkpoints written at seq {}",
        migrating.len(),
        started.elapsed().as_secs_f64(),
        restored.tail_records,
        p.next_seq()
    );
    Ok(ExitCode::SUCCESS)
}
