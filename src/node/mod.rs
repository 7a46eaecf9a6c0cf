//! Wiring: opening the log, restoring projections from checkpoints, and running the node in its
//! roles (`orchestrator`, `broadcaster`, `transcoder`).

pub mod broadcaster;
pub mod orchestrator;
pub mod state;
pub mod transcoder;

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
