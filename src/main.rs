//! `livepeer` command line (media subcommands on this branch; the lead merges them into the CLI).

use clap::{Parser, Subcommand};
use livepeer::media::cmd;

#[derive(Parser)]
#[command(name = "livepeer", about = "Livepeer node")]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

#[derive(Subcommand)]
enum Command {
    /// Transcode one file into a rendition ladder.
    Transcode(cmd::TranscodeArgs),
    /// Benchmarks.
    Bench {
        #[command(subcommand)]
        what: Bench,
    },
}

#[derive(Subcommand)]
enum Bench {
    /// Our segment-by-segment ladder against one ffmpeg CLI process.
    Transcode(cmd::BenchTranscodeArgs),
}

/// Go-style `-name` long flags become `--name` (single letters stay short flags).
fn normalise(args: impl Iterator<Item = String>) -> Vec<String> {
    args.map(|a| {
        let is_go_long = a.starts_with('-')
            && !a.starts_with("--")
            && a.len() > 2
            && a[1..2].chars().all(char::is_alphabetic);
        if is_go_long {
            format!("-{a}")
        } else {
            a
        }
    })
    .collect()
}

fn main() -> std::process::ExitCode {
    let cli = Cli::parse_from(normalise(std::env::args()));
    let result = match cli.command {
        Command::Transcode(a) => cmd::run_transcode(a),
        Command::Bench {
            what: Bench::Transcode(a),
        } => cmd::run_bench_transcode(a),
    };
    match result {
        Ok(()) => std::process::ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            std::process::ExitCode::FAILURE
        }
    }
}
