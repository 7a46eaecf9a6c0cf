//! The runtime side of the node: the only code that spawns tasks (besides `log` and `media`,
//! whose threads own a blocking library). It opens the log, runs the one [`writer::Writer`] every
//! command goes through (projections restored from checkpoints), the payment desk, and the roles
//! ([`orchestrator`], [`broadcaster`], [`transcoder`]), each joining its tasks at shutdown.
//! Edge helpers live here too: the wall clock ([`clock`]), the accept loop ([`httpd`]), the
//! persisted secret ([`keystore`]), the media byte cache ([`store`]), signals ([`signals`]).

pub mod args;
pub mod audit_chain;
pub mod audit_views;
pub mod broadcaster;
pub mod chain_loop;
pub mod chain_role;
pub mod checkpoint_schedule;
pub mod cli_chain;
mod cli_chain_reads;
pub mod cli_server;
pub mod clock;
pub mod demo;
pub mod demo_chain;
pub mod demo_report;
pub mod demo_stream;
pub mod devchain;
pub mod devchain_cache;
pub mod discovery_args;
pub mod eth;
pub mod httpd;
pub mod keystore;
pub mod log_level;
pub mod max_sessions;
pub mod metrics;
pub mod monitor_args;
pub mod orchestrator;
pub mod payments;
pub mod redeemer;
pub mod redemption;
pub mod reward_service;
pub mod round_services;
pub mod runtime_config;
pub mod selection_args;
pub mod signals;
pub mod state;
pub mod store;
pub mod transcoder;
pub mod txs;
pub mod watcher;
pub mod writer;

use args::NodeArgs;
use std::{path::Path, process::ExitCode};

/// A role's start-up or run error: printed as `error: …` with exit code 1.
pub type NodeError = Box<dyn std::error::Error + Send + Sync>;

/// Runs the node in the roles `args` name (go-livepeer style: `-orchestrator -transcoder`, or
/// `-broadcaster`), with a clear error for combinations not supported yet.
pub async fn run(datadir: &Path, network: &str, args: &NodeArgs) -> Result<ExitCode, NodeError> {
    if args.redeemer {
        if args.orchestrator || args.transcoder || args.broadcaster {
            return Err("-redeemer runs alone: start the orchestrator as its own process".into());
        }
        return redeemer::run(datadir, network, args).await;
    }
    if args.broadcaster {
        if args.orchestrator || args.transcoder {
            return Err(
                "-broadcaster runs alone: start the orchestrator as its own process".into(),
            );
        }
        return broadcaster::run(datadir, network, args).await;
    }
    if !args.orchestrator {
        if args.transcoder {
            return transcoder::run(args).await;
        }
        if network != "offchain" {
            return reward_service::run(datadir, network, args).await;
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
    orchestrator::run(datadir, network, args).await
}

/// Opens the node's writer over `log`, restoring the projections (checkpoint + tail), and says
/// on the terminal what it restored.
pub fn open_writer<S: crate::log::LogStore>(
    log: std::sync::Arc<crate::log::Log<S>>,
) -> Result<writer::Writer<S>, crate::log::LogError> {
    let (w, restored) = writer::Writer::open_reporting(log, &mut |line| println!("{line}"))?;
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
