//! The flags go-livepeer's `main` defines around the node's own (`cmd/livepeer/livepeer.go`):
//! `-v` (glog verbosity), `-version` and `-config` (a plain `name value` file, read by
//! [`super::sources`]).

use clap::Args;
use std::path::PathBuf;

/// `-v`, `-version`, `-config`.
#[derive(Debug, Clone, Args, PartialEq, Eq, Default)]
pub struct OperatorArgs {
    /// Log verbosity, as go-livepeer's glog `-v`: 3 or less info, 4 and 5 debug, 6 or more
    /// trace (`RUST_LOG`, when set, overrides it).
    #[arg(
        short = 'v',
        long = "v",
        global = true,
        default_value_t = 3,
        allow_negative_numbers = true
    )]
    pub verbosity: i32,
    /// Print the version and exit.
    #[arg(long = "version", num_args = 0..=1, default_missing_value = "true", default_value = "false")]
    pub version: bool,
    /// A config file of `name value` lines (`#` comments; a bare name means true); flags and
    /// environment variables take precedence over it.
    #[arg(long = "config")]
    pub config: Option<PathBuf>,
    /// The flags given and where each came from (`-maxSessions=4 (environment)`), for the log.
    #[arg(skip)]
    pub given: Vec<String>,
}

/// What `-version` prints (go-livepeer's first line, then the toolchain and platform).
pub fn version_text() -> String {
    let rustc = option_env!("LP_RUSTC_VERSION").unwrap_or("unknown");
    format!(
        "Livepeer Node Version: {}\nRust compiler version: {rustc}\nArchitecture: {}\n\
         Operating system: {}\n",
        env!("CARGO_PKG_VERSION"),
        std::env::consts::ARCH,
        std::env::consts::OS,
    )
}
