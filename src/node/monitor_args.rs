//! The metrics flags (facts §9, "Metrics"), with go-livepeer's names and defaults: `-monitor`
//! serves Prometheus `/metrics` on the CLI port, `-metricsPerStream` adds per-stream series.

use clap::Args;

/// `-monitor` and `-metricsPerStream`.
#[derive(Debug, Clone, Args, PartialEq, Default)]
pub struct MonitorArgs {
    /// Serve Prometheus metrics at `/metrics` on the CLI port (`-cliAddr`).
    #[arg(long = "monitor", num_args = 0..=1, default_missing_value = "true", default_value = "false")]
    pub monitor: bool,
    /// Label segment and payment series with the stream (`manifest_id`) and the sender; a
    /// stream's series go away when it ends.
    #[arg(long = "metricsPerStream", num_args = 0..=1, default_missing_value = "true", default_value = "false")]
    pub metrics_per_stream: bool,
}
