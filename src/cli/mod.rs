//! The command line: go-livepeer flag names in either dash style, and the operator subcommands.

pub mod flag_table;
mod goflags;
pub mod media;
pub mod operator;
pub mod reference_flags;
pub mod sources;

pub use goflags::normalise;

use clap::{Args, Parser, Subcommand};
use std::path::PathBuf;

/// The node and its tools.
#[derive(Debug, Parser)]
#[command(name = "livepeer", about = "An event-sourced Livepeer node", long_about = None)]
pub struct Cli {
    /// Settings every command shares.
    #[command(flatten)]
    pub global: GlobalArgs,
    /// `-v`, `-version`, `-config`.
    #[command(flatten)]
    pub operator: operator::OperatorArgs,
    /// The node's roles and settings, when no subcommand is given (`livepeer -orchestrator …`).
    #[command(flatten)]
    pub node: NodeArgs,
    /// What to run; without one, the node runs in the roles its flags name.
    #[command(subcommand)]
    pub command: Option<Command>,
}

pub use crate::node::args::NodeArgs;

/// Flags shared by every command.
#[derive(Debug, Clone, Args, PartialEq, Eq)]
pub struct GlobalArgs {
    /// Data directory (default `~/.lpData/<network>`).
    #[arg(long = "dataDir", alias = "datadir", global = true)]
    pub datadir: Option<PathBuf>,
    /// Network name: offchain, arbitrum-one-mainnet, …
    #[arg(long = "network", global = true, default_value = "offchain")]
    pub network: String,
}

impl GlobalArgs {
    /// The data directory in effect.
    pub fn datadir(&self) -> PathBuf {
        self.datadir.clone().unwrap_or_else(|| {
            let home = std::env::var_os("HOME")
                .map(PathBuf::from)
                .unwrap_or_else(|| PathBuf::from("."));
            home.join(".lpData").join(&self.network)
        })
    }
}

/// Subcommands.
#[derive(Debug, Subcommand)]
pub enum Command {
    /// Inspect the event log.
    #[command(subcommand)]
    Log(LogCommand),
    /// Rebuild every projection from seq 0 and compare with checkpoints and live state.
    Replay,
    /// What this build's start does to the datadir's projections (keep, rebuild, build new);
    /// without `-check`, do it now and write fresh checkpoints.
    Migrate(MigrateArgs),
    /// Appends a go-livepeer database (`lpdb.sqlite3`) to this datadir's log: unredeemed
    /// tickets, unbonding locks, the orchestrator cache, the last block.
    #[command(name = "import-lpdb")]
    ImportLpdb(ImportLpdbArgs),
    /// The accounting from the log: every balance session's ledger, every ticket's fate, each
    /// redemption against its transfer; exit 1 on any unexplained difference.
    Audit(AuditArgs),
    /// Explain one ticket (hash, or sender:recipientRandHash:nonce) or balance session: the
    /// params, the payment, each check with the state it read, the verdict, what followed.
    Dispute(DisputeArgs),
    /// Benchmarks.
    #[command(subcommand)]
    Bench(BenchCommand),
    /// A local live stream through B, O and T (ffmpeg pushes, ffprobe plays); `-synthetic`: a
    /// realistic event history through the real log instead.
    Demo(DemoArgs),
    /// Transcode one file into a rendition ladder.
    Transcode(media::TranscodeArgs),
    /// A local Ethereum devchain (anvil) with the real Livepeer contracts deployed and two
    /// funded accounts in keystores.
    Devchain(crate::node::devchain::DevchainArgs),
    /// A chain action through the running node that owns the account (its CLI API), e.g.
    /// `livepeer chain fundDepositAndReserve depositAmount=1000 reserveAmount=1000`.
    Chain(ChainArgs),
    /// go-livepeer's `livepeer_cli`: the interactive menu over a running node's CLI API
    /// (`-http` port, `-host`); answers may be piped.
    Cli(crate::tools::livepeer_cli::CliToolArgs),
    /// Test helpers (used by the durability tests).
    #[command(hide = true, subcommand)]
    Debug(DebugCommand),
}

/// `livepeer chain <action> [name=value ...]`
#[derive(Debug, clap::Args)]
pub struct ChainArgs {
    /// The action: the CLI API's route (fundDeposit, fundReserve, fundDepositAndReserve, unlock,
    /// cancelUnlock, withdraw, bond, unbond, rebond, withdrawStake, withdrawFees, reward,
    /// initializeRound, activateOrchestrator).
    pub action: String,
    /// Its form parameters as `name=value` (amounts in wei; rates in percent).
    pub params: Vec<String>,
    /// The node's CLI API.
    #[arg(long = "cliAddr", default_value = "127.0.0.1:7935")]
    pub cli_addr: String,
}

/// `livepeer migrate`
#[derive(Debug, Clone, Args)]
pub struct MigrateArgs {
    /// Only list what would be rebuilt and estimate how long it takes.
    #[arg(long = "check", num_args = 0..=1, default_missing_value = "true", default_value = "false")]
    pub check: bool,
}

/// `livepeer import-lpdb`
#[derive(Debug, Clone, Args)]
pub struct ImportLpdbArgs {
    /// The go-livepeer database.
    pub file: PathBuf,
    /// The chain, to resolve the rows' redemption transactions by their receipts.
    #[arg(long = "ethUrl")]
    pub eth_url: Option<String>,
    /// The protocol's Controller (to check tickets marked redeemed without a transaction).
    #[arg(long = "ethController")]
    pub eth_controller: Option<String>,
}

/// `livepeer log …`
#[derive(Debug, Subcommand)]
pub enum LogCommand {
    /// Recompute the whole hash chain; exit 1 naming the first bad seq.
    Verify,
    /// One line per event.
    Dump(DumpArgs),
    /// Events by kind, first/last seq and time, bytes on disk and per event.
    Stats,
}

/// `livepeer audit`
#[derive(Debug, Clone, Args)]
pub struct AuditArgs {
    /// The report as JSON.
    #[arg(long = "json", num_args = 0..=1, default_missing_value = "true", default_value = "false")]
    pub json: bool,
    /// Also compare the log with this chain: transfers, receipts, senders' funds.
    #[arg(long = "ethUrl")]
    pub eth_url: Option<String>,
    /// The protocol's Controller (built in for the live networks).
    #[arg(long = "ethController")]
    pub eth_controller: Option<String>,
}

/// `livepeer dispute <subject>`
#[derive(Debug, Clone, Args)]
pub struct DisputeArgs {
    /// A ticket hash (0x…), `sender:recipientRandHash:nonce`, or a balance session id.
    pub subject: String,
}

/// `livepeer log dump`
#[derive(Debug, Clone, Args)]
pub struct DumpArgs {
    /// First seq.
    #[arg(long = "from", default_value_t = 0)]
    pub from: u64,
    /// Last seq (inclusive).
    #[arg(long = "to")]
    pub to: Option<u64>,
    /// JSON lines.
    #[arg(long = "json", num_args = 0..=1, default_missing_value = "true", default_value = "false")]
    pub json: bool,
}

/// `livepeer bench …`
#[derive(Debug, Subcommand)]
pub enum BenchCommand {
    /// Group commit against raw fjall, replay throughput and memory, bytes per event.
    Log(BenchLogArgs),
    /// The O's ticket receive path against signature recovery alone.
    Pm(BenchPmArgs),
    /// Our segment-by-segment ladder against one ffmpeg CLI process over the whole file.
    Transcode(media::BenchTranscodeArgs),
    /// B→O→B round trips of a real 1080p segment: paid overhead, streams one O holds, memory.
    Network(BenchNetworkArgs),
    /// Projection rebuild against a raw scan, the audit index's size, a full audit, dispute
    /// lookups, on a realistic synthetic log.
    Audit(BenchAuditArgs),
}

/// `livepeer bench audit`
#[derive(Debug, Clone, Args)]
pub struct BenchAuditArgs {
    /// Events in the synthetic log.
    #[arg(long = "events", default_value_t = 10_000_000)]
    pub events: u64,
    /// Dispute lookups timed.
    #[arg(long = "lookups", default_value_t = 1_000)]
    pub lookups: u32,
}

/// `livepeer bench network`
#[derive(Debug, Clone, Args)]
pub struct BenchNetworkArgs {
    /// Load steps: concurrent paid streams per step, comma-separated (stops at the first that
    /// fails p99 <= 1 s with no failure).
    #[arg(long = "streams", default_value = "25,50,100,200")]
    pub streams: String,
    /// Seconds per load step.
    #[arg(long = "duration", default_value_t = 60)]
    pub duration: u64,
    /// Offchain/paid pairs of the overhead measurement.
    #[arg(long = "segments", default_value_t = 20)]
    pub segments: u32,
}

/// `livepeer bench pm`
#[derive(Debug, Clone, Args)]
pub struct BenchPmArgs {
    /// Tickets per payer and round.
    #[arg(long = "tickets", default_value_t = 2_000)]
    pub tickets: u32,
    /// Alternations of baseline and ours (median reported).
    #[arg(long = "rounds", default_value_t = 9)]
    pub rounds: u32,
    /// Concurrent payers of the runs over the fjall log (comma-separated).
    #[arg(long = "payers", value_delimiter = ',', default_values_t = crate::tools::pm_bench::FJALL_PAYERS)]
    pub payers: Vec<u16>,
    /// Tickets per payment of each pass (comma-separated).
    #[arg(long = "perPayment", value_delimiter = ',', default_values_t = [1u32, 4])]
    pub per_payment: Vec<u32>,
    /// Trials of each run over the fjall log, each with its own bare measurements between its
    /// slices (the trial with the median ratio is reported, and every trial's ratio printed).
    #[arg(long = "trials", default_value_t = 3)]
    pub trials: u32,
}

/// `livepeer bench log`
#[derive(Debug, Clone, Args)]
pub struct BenchLogArgs {
    /// Events replayed (N; memory is also measured at 4N).
    #[arg(long = "events", default_value_t = 2_000_000)]
    pub events: u64,
    /// Concurrent writers in the group-commit test.
    #[arg(long = "writers", default_value_t = 64)]
    pub writers: usize,
    /// Single-event appends per writer.
    #[arg(long = "appends", default_value_t = 100)]
    pub appends: usize,
    /// Alternations of baseline and ours (median reported).
    #[arg(long = "rounds", default_value_t = 5)]
    pub rounds: usize,
    /// Which parts to run: a (group commit), b (replay), c (replay memory), d (size).
    #[arg(long = "sections", default_value = "abcd")]
    pub sections: String,
}

/// `livepeer demo`
#[derive(Debug, Clone, Args)]
pub struct DemoArgs {
    /// Seconds of live test stream pushed through B, O and T.
    #[arg(long = "secs", default_value_t = 10)]
    pub secs: u32,
    /// On a fresh devchain with the real Livepeer contracts, paid in tickets: ends with the
    /// accounting summary.
    #[arg(long = "chain", num_args = 0..=1, default_missing_value = "true", default_value = "false")]
    pub chain: bool,
    /// Instead: a synthetic event history through the real log (no media).
    #[arg(long = "synthetic", num_args = 0..=1, default_missing_value = "true", default_value = "false")]
    pub synthetic: bool,
    /// With `-synthetic`: concurrent streams in the history.
    #[arg(long = "streams", default_value_t = 4)]
    pub streams: u32,
    /// With `-synthetic`: segments per stream.
    #[arg(long = "segments", default_value_t = 30)]
    pub segments: u32,
}

/// Hidden helpers for tests.
#[derive(Debug, Subcommand)]
pub enum DebugCommand {
    /// Append single events forever (or `--count`), printing `acked <seq>` after each ack.
    AppendLoop {
        /// Stop after this many.
        #[arg(long = "count")]
        count: Option<u64>,
        /// Payload bytes per event.
        #[arg(long = "payload", default_value_t = 64)]
        payload: usize,
    },
    /// Replay `<datadir>/events` and print the peak RSS (`VmHWM_kB n`).
    ReplayRss,
    /// Print docs/flags.md, the table of the node's flags, generated from this command line.
    FlagTable,
}

/// The node flags of `livepeer <args>` (Go style), for wiring roles in one process (the demo,
/// tests).
pub fn node_args(args: &[&str]) -> Result<NodeArgs, clap::Error> {
    let argv = std::iter::once("livepeer")
        .chain(args.iter().copied())
        .map(String::from);
    Ok(parse_from(argv)?.node)
}

/// Parses argv in either flag style.
pub fn parse_from<I: IntoIterator<Item = String>>(args: I) -> Result<Cli, clap::Error> {
    sources::parse(normalise(args))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &[&str]) -> Cli {
        parse_from(args.iter().map(|s| s.to_string())).unwrap()
    }

    #[test]
    fn go_and_gnu_styles_agree() {
        let go = parse(&["livepeer", "-datadir", "/tmp/x", "log", "verify"]);
        let gnu = parse(&["livepeer", "log", "verify", "--datadir", "/tmp/x"]);
        assert_eq!(go.global, gnu.global);
        assert_eq!(go.global.datadir(), PathBuf::from("/tmp/x"));
        assert!(matches!(go.command, Some(Command::Log(LogCommand::Verify))));
    }

    #[test]
    fn go_booleans_take_equals_false() {
        let c = parse(&["livepeer", "log", "dump", "-json=false", "-from", "3"]);
        let Some(Command::Log(LogCommand::Dump(d))) = c.command else {
            panic!("not dump")
        };
        assert!(!d.json);
        assert_eq!(d.from, 3);
        let c = parse(&["livepeer", "log", "dump", "-json"]);
        let Some(Command::Log(LogCommand::Dump(d))) = c.command else {
            panic!("not dump")
        };
        assert!(d.json);
    }

    #[test]
    fn defaults() {
        let c = parse(&["livepeer", "replay"]);
        assert_eq!(c.global.network, "offchain");
        assert!(c.global.datadir().ends_with(".lpData/offchain"));
    }

    #[test]
    fn node_flags_in_go_style() {
        let c = parse(&[
            "livepeer",
            "-orchestrator",
            "-transcoder",
            "-serviceAddr",
            "127.0.0.1:9999",
            "-maxSessions",
            "3",
        ]);
        assert!(c.command.is_none());
        assert!(c.node.orchestrator && c.node.transcoder);
        assert_eq!(c.node.service_addr, "127.0.0.1:9999");
        assert_eq!(
            c.node.max_sessions,
            crate::node::max_sessions::MaxSessions::Limit(3)
        );
        let c = parse(&["livepeer", "-orchestrator=false"]);
        assert!(!c.node.orchestrator);
    }
}
