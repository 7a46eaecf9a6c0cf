//! The arguments of the media commands: `livepeer transcode` and `livepeer bench transcode`.

use crate::media::profile::DEFAULT_TRANSCODING_OPTIONS;
use std::path::PathBuf;

/// `livepeer transcode`: transcode one file into a ladder.
#[derive(clap::Args, Debug, Clone)]
pub struct TranscodeArgs {
    /// Input segment (MPEG-TS or MP4).
    #[arg(short = 'i', long = "input")]
    pub input: PathBuf,
    /// Output directory; renditions are written as `<name>.ts` or `<name>.mp4`.
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
    /// Comma-separated preset names, or a JSON profile file.
    #[arg(long = "transcodingOptions", default_value = DEFAULT_TRANSCODING_OPTIONS)]
    pub transcoding_options: String,
    /// NVIDIA devices to use (`0,2` or `all`); CPU when absent.
    #[arg(long = "nvidia")]
    pub nvidia: Option<String>,
    /// Output container: `mpegts` or `mp4` (fragmented).
    #[arg(long = "format", default_value = "mpegts")]
    pub format: String,
    /// x264 preset (the reference uses x264's default, medium).
    #[arg(long = "x264Preset", default_value = "medium")]
    pub x264_preset: String,
}

/// Arguments of `livepeer bench transcode`.
#[derive(clap::Args, Debug, Clone)]
pub struct BenchTranscodeArgs {
    /// Working directory for the source, segments and outputs.
    #[arg(long = "dir", default_value = "target/bench-transcode")]
    pub dir: PathBuf,
    /// Source length in seconds (1080p30 test pattern with noise).
    #[arg(long = "seconds", default_value_t = 20)]
    pub seconds: u32,
    /// Segment length in seconds.
    #[arg(long = "segment", default_value_t = 2)]
    pub segment: u32,
    /// x264 preset for both sides.
    #[arg(long = "x264Preset", default_value = "veryfast")]
    pub x264_preset: String,
    /// Alternated rounds (the median is reported).
    #[arg(long = "rounds", default_value_t = 3)]
    pub rounds: u32,
    /// Most concurrent streams to try in the capacity search (0 skips it).
    #[arg(long = "maxStreams", default_value_t = 4)]
    pub max_streams: u32,
    /// x264 threads per encoder (default: the thread plan's choice).
    #[arg(long = "x264Threads")]
    pub x264_threads: Option<usize>,
}
