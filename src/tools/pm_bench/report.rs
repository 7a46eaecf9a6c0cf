//! What `livepeer bench pm` measured, and how it prints it: the two bare recovery rates and their
//! ratio, then the receive path's stages and the full path's ratio to bare libsecp256k1 (the
//! ≥ 0.7 target at one ticket per payment is printed, never asserted).

use super::BenchPmOptions;

/// The full path's target, as a fraction of bare libsecp256k1 recovery, at one ticket per
/// payment with the in-memory log.
const TARGET_RATIO: f64 = 0.7;

/// Measured figures. Every rate but the fjall one is measured on one thread; medians over the
/// alternated rounds.
#[derive(Clone, Debug, Default)]
pub struct BenchPmReport {
    /// Threads each of the compared measurements ran on (the same for all of them).
    pub threads: usize,
    /// Bare libsecp256k1 recovery over the pre-made signatures, per second.
    pub libsecp_per_s: f64,
    /// Bare k256 (ethers) recovery over the same signatures, per second.
    pub k256_per_s: f64,
    /// Median over rounds of (libsecp256k1 / k256), each pair measured back to back.
    pub libsecp_over_k256: f64,
    /// Header decoding alone (base64 → protobuf → wire payment), tickets per second.
    pub decode_per_s: f64,
    /// Full receive path over the in-memory log, one payer, tickets per second.
    pub memory_per_s: f64,
    /// Median over rounds of (full path / bare libsecp256k1 measured just before it).
    pub ratio: f64,
    /// The pure decision applied straight to the projections (no log), tickets per second.
    pub decide_only_per_s: f64,
    /// Full receive path over the fjall log, one run per number of concurrent payers.
    pub fjall: Vec<FjallRun>,
    /// Tickets credited in the in-memory run (sanity).
    pub credited: u64,
}

/// One run of the full receive path over the fjall log.
#[derive(Clone, Debug, Default)]
pub struct FjallRun {
    /// Concurrent payers (senders: each one's payments are decided one at a time).
    pub payers: usize,
    /// Tickets per second of the run's slices (the bare measurements between them not counted).
    pub per_s: f64,
    /// Log syncs during the run.
    pub syncs: u64,
    /// The runtime's worker threads the payments ran on.
    pub threads: usize,
    /// Bare libsecp256k1 recovery on that many threads at once, measured before each of the
    /// run's slices and after the last: their recoveries over their time.
    pub bare_per_s: f64,
    /// CPU seconds per bare recovery in those measurements (the recovering threads' own).
    pub bare_cpu_per_recovery: f64,
    /// CPU seconds the whole process used per ticket during the run's slices (every thread).
    pub cpu_per_ticket: f64,
    /// CPU seconds the deciding thread used per ticket, in the runs decided on one thread.
    pub decider_cpu_per_ticket: Option<f64>,
    /// Every trial's ratio to its bare baseline, in the order run (this run is the median one).
    pub trial_ratios: Vec<f64>,
}

impl FjallRun {
    /// Tickets per second against the bare baseline on as many threads.
    pub fn ratio(&self) -> f64 {
        self.per_s / self.bare_per_s.max(f64::MIN_POSITIVE)
    }
}

/// Prints a report the way `livepeer bench pm` shows it.
pub fn print_report(r: &BenchPmReport, opts: &BenchPmOptions, fs_note: &str) {
    println!(
        "pm receive path, {} tickets per payer, {} per payment, {} thread(s) for each compared rate",
        opts.tickets, opts.tickets_per_payment, r.threads
    );
    println!(
        "  bare recover, libsecp256k1 (pre-made signatures): {:>9.0} recoveries/s",
        r.libsecp_per_s
    );
    println!(
        "  bare recover, k256 via ethers (same signatures):  {:>9.0} recoveries/s",
        r.k256_per_s
    );
    println!(
        "  libsecp256k1 / k256:                              {:>9.2}",
        r.libsecp_over_k256
    );
    println!(
        "  header decode only (base64+protobuf): {:>10.0} tickets/s",
        r.decode_per_s
    );
    println!(
        "  decision + projections, no log:       {:>10.0} tickets/s",
        r.decide_only_per_s
    );
    println!(
        "  full path (header → log), memory, 1 payer: {:>10.0} tickets/s  ({:.2} of baseline \
         bare libsecp256k1; target ≥ {TARGET_RATIO:.2} at 1 ticket per payment)",
        r.memory_per_s, r.ratio
    );
    for f in &r.fjall {
        println!(
            "  full path (header → log), fjall ({fs_note}), {} payers on {} thread(s): {:>8.0} \
             tickets/s  ({:.2} of bare libsecp256k1 on {} thread(s), {:.0}/s; {} fsyncs)",
            f.payers,
            f.threads,
            f.per_s,
            f.ratio(),
            f.threads,
            f.bare_per_s,
            f.syncs
        );
        if f.trial_ratios.len() > 1 {
            let all: Vec<String> = f.trial_ratios.iter().map(|r| format!("{r:.2}")).collect();
            println!(
                "      the median of {} trials, each against its own bare runs: {}",
                f.trial_ratios.len(),
                all.join(" ")
            );
        }
        // Per CPU-second against the bare runs' recoveries per CPU-second of their own
        // threads: what the path costs whatever else shares the machine.
        let against_bare = |per_cpu_s: f64| {
            format!(
                "({:.2} of bare libsecp256k1's recoveries per CPU-second)",
                per_cpu_s * f.bare_cpu_per_recovery
            )
        };
        // Tickets per CPU-second of the whole process (the log's appender and the kernel's
        // share of its syncs included): the path's efficiency whatever runs where.
        let per_cpu_s = 1.0 / f.cpu_per_ticket.max(f64::MIN_POSITIVE);
        println!(
            "      per CPU-second of the process, every thread: {:>8.0} tickets  {}",
            per_cpu_s,
            against_bare(per_cpu_s)
        );
        if f.decider_cpu_per_ticket.is_some_and(|c| c <= 0.0) {
            println!("      the deciding thread: too short a run to read its CPU time");
        } else if let Some(cpu) = f.decider_cpu_per_ticket {
            // The deciding thread alone: how busy it was (the rest of the run it waited for
            // the log's syncs, or for the CPU), and its tickets per CPU-second.
            let per_cpu_s = 1.0 / cpu.max(f64::MIN_POSITIVE);
            println!(
                "      the deciding thread: busy {:>3.0}% of the run, {:>8.0} tickets per CPU-second \
                 of it  {}",
                100.0 * f.per_s / per_cpu_s,
                per_cpu_s,
                against_bare(per_cpu_s)
            );
        }
    }
}
