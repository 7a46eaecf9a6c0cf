//! Hidden test helpers: an append loop that reports each acknowledged seq on stdout, used by the
//! crash (SIGKILL) and write-failure (`ulimit -f`) tests.

use super::{now_ms, ToolError};
use crate::{
    cli::DebugCommand,
    events::{Event, KvSet},
    log::{Expect, FjallLog},
};
use std::{io::Write, path::Path, process::ExitCode};

/// Runs a debug command.
pub fn run(datadir: &Path, cmd: DebugCommand) -> Result<ExitCode, ToolError> {
    match cmd {
        DebugCommand::AppendLoop { count, payload } => append_loop(datadir, count, payload),
        DebugCommand::FlagTable => {
            print!("{}", crate::cli::flag_table::markdown());
            Ok(ExitCode::SUCCESS)
        }
        DebugCommand::ReplayRss => {
            super::bench_log::replay(datadir)?;
            let status = std::fs::read_to_string("/proc/self/status")?;
            let hwm = status
                .lines()
                .find_map(|l| l.strip_prefix("VmHWM:"))
                .and_then(|v| v.trim().trim_end_matches("kB").trim().parse::<u64>().ok())
                .unwrap_or(0);
            println!("VmHWM_kB {hwm}");
            Ok(ExitCode::SUCCESS)
        }
    }
}

fn append_loop(datadir: &Path, count: Option<u64>, payload: usize) -> Result<ExitCode, ToolError> {
    let log = FjallLog::open_dir(datadir)?;
    let mut out = std::io::stdout().lock();
    writeln!(out, "start {}", log.head().next_seq)?;
    out.flush()?;
    let mut i = 0u64;
    while count.is_none_or(|c| i < c) {
        let ev = Event::KvSet(KvSet {
            key: format!("loop-{i}"),
            value: vec![(i % 251) as u8; payload],
        });
        match log.append_blocking(vec![(now_ms(), ev)], Expect::Any) {
            Ok(r) => {
                for e in &r.envelopes {
                    writeln!(out, "acked {}", e.seq)?;
                }
                out.flush()?;
            }
            Err(e) => {
                writeln!(out, "error {e}")?;
                out.flush()?;
                // Every later append must fail too: prove it a few times, then stop.
                for _ in 0..3 {
                    let again = log.append_blocking(
                        vec![(
                            now_ms(),
                            Event::KvSet(KvSet {
                                key: "after".into(),
                                value: vec![],
                            }),
                        )],
                        Expect::Any,
                    );
                    match again {
                        Ok(r) => writeln!(
                            out,
                            "UNEXPECTED acked {}",
                            r.envelopes.first().map(|e| e.seq).unwrap_or(0)
                        )?,
                        Err(e) => writeln!(out, "error {e}")?,
                    }
                }
                out.flush()?;
                return Ok(ExitCode::from(3));
            }
        }
        i += 1;
    }
    Ok(ExitCode::SUCCESS)
}
