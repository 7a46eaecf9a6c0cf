//! Operator commands: over the log (`log verify|dump|stats`, `replay`, `audit`, `dispute`,
//! `demo`), the benchmarks
//! (`bench log|pm|transcode|network|audit`) and `transcode`, dispatched to their modules.
//!
//! These are edges: they open the log, read clocks and print. Decisions stay in pure modules.

mod audit;
mod bench_audit;
mod bench_fs;
mod bench_log;
mod bench_net;
mod bench_net_inputs;
mod bench_net_load;
mod bench_net_trip;
mod bench_pm;
mod bench_transcode;
mod bench_transcode_load;
mod chain;
mod debug;
mod demo;
mod demo_live;
mod import_lpdb;
pub mod livepeer_cli;
mod livepeer_cli_actions;
mod livepeer_cli_format;
mod livepeer_cli_settings;
mod livepeer_cli_stats;
mod logcmd;
mod migrate;
pub mod pm_bench;
mod replay;
pub mod synth;
mod transcode;

use crate::cli::{BenchCommand, Cli, Command, LogCommand};
use std::process::ExitCode;

/// A tool's error: printed as `error: …` with exit code 1.
pub type ToolError = crate::node::NodeError;

/// Runs a parsed command line on the process's one runtime `rt` (built in `main.rs`).
pub fn run(cli: Cli, rt: &tokio::runtime::Runtime) -> Result<ExitCode, ToolError> {
    let datadir = cli.global.datadir();
    let Some(command) = cli.command else {
        return rt.block_on(crate::node::run(&datadir, &cli.global.network, &cli.node));
    };
    match command {
        Command::Log(LogCommand::Verify) => logcmd::verify(&datadir),
        Command::Log(LogCommand::Dump(args)) => logcmd::dump(&datadir, &args),
        Command::Log(LogCommand::Stats) => logcmd::stats(&datadir),
        Command::Replay => replay::run(&datadir),
        Command::Migrate(args) => migrate::run(&datadir, args.check),
        Command::ImportLpdb(args) => import_lpdb::run(
            &datadir,
            &args.file,
            args.eth_url.as_deref(),
            args.eth_controller.as_deref(),
            rt,
        ),
        Command::Audit(args) => audit::run(
            &datadir,
            args.json,
            args.eth_url.as_deref(),
            args.eth_controller.as_deref(),
            rt,
        ),
        Command::Dispute(args) => audit::dispute(&datadir, &args.subject),
        Command::Bench(BenchCommand::Log(args)) => {
            bench_log::run(cli.global.datadir.as_deref(), &args, rt)
        }
        Command::Bench(BenchCommand::Audit(args)) => {
            bench_audit::run(cli.global.datadir.as_deref(), &args, rt)
        }
        Command::Bench(BenchCommand::Pm(args)) => {
            bench_pm::run(cli.global.datadir.as_deref(), &args, rt)
        }
        Command::Bench(BenchCommand::Network(args)) => {
            bench_net::run(cli.global.datadir.as_deref(), &args, rt)
        }
        Command::Bench(BenchCommand::Transcode(args)) => {
            bench_transcode::run(args)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Transcode(args) => {
            transcode::run(args)?;
            Ok(ExitCode::SUCCESS)
        }
        Command::Demo(args) if args.synthetic => demo::run(&datadir, &args, rt),
        Command::Demo(args) => demo_live::run(&datadir, &args, rt),
        Command::Debug(cmd) => debug::run(&datadir, cmd),
        Command::Devchain(args) => rt.block_on(crate::node::devchain::run(&datadir, &args)),
        Command::Chain(args) => rt.block_on(chain::run(&args)),
        Command::Cli(args) => livepeer_cli::run(&args, rt),
    }
}

pub use crate::node::clock::now_ms;
