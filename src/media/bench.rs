//! `livepeer bench transcode`: our per-segment ladder against one ffmpeg CLI process.

use super::MediaError;
use std::path::PathBuf;

/// Arguments of `livepeer bench transcode`.
#[derive(clap::Args, Debug, Clone)]
pub struct BenchTranscodeArgs {
    /// Working directory for the source, segments and outputs.
    #[arg(long = "dir", default_value = "target/bench-transcode")]
    pub dir: PathBuf,
}

/// Runs the benchmark.
pub fn run(_args: BenchTranscodeArgs) -> Result<(), MediaError> {
    Err(MediaError::Internal("bench not written yet".into()))
}
