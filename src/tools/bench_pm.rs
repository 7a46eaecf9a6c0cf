//! `livepeer bench pm`: the O's full ticket receive path (`Livepeer-Payment` header decode,
//! signature checks and recover, HMAC, nonce check, credit, events appended) against bare
//! libsecp256k1 and bare k256 recovery of the same tickets' signatures, on one thread each, in
//! one run; then the fjall log with 4, 16 and 64 concurrent payers.

use super::{bench_fs, ToolError};
use crate::{
    cli::BenchPmArgs,
    tools::pm_bench::{print_report, run_bench_pm, BenchPmOptions},
};
use std::{path::Path, process::ExitCode};

/// Runs the payment benchmark; with `datadir`, its fjall logs are left there.
pub fn run(
    datadir: Option<&Path>,
    args: &BenchPmArgs,
    rt: &tokio::runtime::Runtime,
) -> Result<ExitCode, ToolError> {
    let (root, keep, fs) = bench_fs::bench_root(datadir, "bench-pm")?;
    let result = (|| -> Result<(), ToolError> {
        for &per in &args.per_payment {
            let opts = BenchPmOptions {
                tickets: args.tickets,
                tickets_per_payment: per,
                rounds: args.rounds,
                fjall_dir: Some(root.join(format!("per{per}"))),
                fjall_payers: args.payers.clone(),
                fjall_trials: args.trials,
            };
            let r = run_bench_pm(&opts, rt)?;
            print_report(&r, &opts, &fs);
            if r.credited != u64::from(args.tickets) {
                return Err(format!(
                    "bench pm: {} tickets credited, expected {}",
                    r.credited, args.tickets
                )
                .into());
            }
        }
        Ok(())
    })();
    if !keep {
        let _ = std::fs::remove_dir_all(&root);
    }
    result.map(|()| ExitCode::SUCCESS)
}
