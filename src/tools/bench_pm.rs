//! `livepeer bench pm`: the O's full ticket receive path (`Livepeer-Payment` header decode,
//! signature checks and recover, HMAC, nonce check, credit, events appended) against the same
//! recover function on the same inputs, in one run; then the fjall log with 4 concurrent payers.

use super::{bench_fs, ToolError};
use crate::{
    cli::BenchPmArgs,
    pm_bench::{print_report, run_bench_pm, BenchPmOptions},
};
use std::{
    path::{Path, PathBuf},
    process::ExitCode,
};

/// Runs the payment benchmark; with `datadir`, its fjall logs are left there.
pub fn run(datadir: Option<&Path>, args: &BenchPmArgs) -> Result<ExitCode, ToolError> {
    let (root, keep) = match datadir {
        Some(d) => (d.to_path_buf(), true),
        None => {
            let home = std::env::var_os("HOME")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("."));
            (
                home.join(".cache")
                    .join(format!("livepeer-bench-pm-{}", std::process::id())),
                false,
            )
        }
    };
    std::fs::create_dir_all(&root)?;
    let fs = bench_fs::filesystem_of(&root);
    if bench_fs::is_memory_fs(&fs) {
        return Err(format!(
            "bench pm: {} is on {fs}, where fsync is free; use a disk-backed -datadir",
            root.display()
        )
        .into());
    }
    let result = (|| -> Result<(), ToolError> {
        for per in [1, 4] {
            let opts = BenchPmOptions {
                tickets: args.tickets,
                tickets_per_payment: per,
                rounds: args.rounds,
                fjall_dir: Some(root.join(format!("per{per}"))),
            };
            let r = run_bench_pm(&opts)?;
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
