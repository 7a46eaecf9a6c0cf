//! Wiring: opening the log, the one [`writer::Writer`] every command goes through (projections
//! restored from checkpoints), the payment desk, and running the node in its roles
//! (`orchestrator`, `broadcaster`, `transcoder`).

pub mod broadcaster;
pub mod orchestrator;
pub mod payments;
pub mod signals;
pub mod state;
pub mod transcoder;
pub mod writer;

use crate::{cli::NodeArgs, tools::ToolError};
use std::{path::Path, process::ExitCode};

/// Runs the node in the roles `args` name (go-livepeer style: `-orchestrator -transcoder`, or
/// `-broadcaster`), with a clear error for combinations not supported yet.
pub fn run(datadir: &Path, network: &str, args: &NodeArgs) -> Result<ExitCode, ToolError> {
    if args.broadcaster {
        if args.orchestrator || args.transcoder {
            return Err(
                "-broadcaster runs alone: start the orchestrator as its own process".into(),
            );
        }
        return broadcaster::run(datadir, network, args);
    }
    if !args.orchestrator {
        if args.transcoder {
            return transcoder::run(args);
        }
        return Err(
            "nothing to run: pass -orchestrator -transcoder or -broadcaster -orchAddr \
             HOST:PORT, or a command (see livepeer --help)"
                .into(),
        );
    }
    if !args.transcoder && args.orch_secret.is_none() {
        return Err(
            "-orchestrator without -transcoder transcodes on remote transcoders: give it \
             -orchSecret (and start them with -transcoder -orchAddr -orchSecret), or add \
             -transcoder to transcode on this O"
                .into(),
        );
    }
    orchestrator::run(datadir, network, args)
}

/// Opens the node's writer over `log`, restoring the projections (checkpoint + tail), and says
/// on the terminal what it restored.
pub fn open_writer<S: crate::log::LogStore>(
    log: std::sync::Arc<crate::log::Log<S>>,
) -> Result<writer::Writer<S>, crate::log::LogError> {
    let (w, restored) = writer::Writer::open(log)?;
    for n in &restored.notices {
        println!("{n}");
    }
    let (next, open, digest) = w.read(|p| {
        (
            p.next_seq(),
            p.streams.state.live().count(),
            crate::projections::SlotInfo::digest(&p.streams),
        )
    });
    println!(
        "State restored: {} records folded after the checkpoints, log at seq {next}; \
         streams {digest} ({open} streams or sessions open)",
        restored.tail_records
    );
    Ok(w)
}
