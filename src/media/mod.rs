//! The transcoder: one decode feeding a whole ladder of H.264 renditions, on CPU (libx264) or
//! NVIDIA (NVDEC/NVENC), with per-stream sessions and timeouts.
//!
//! Only this module knows FFmpeg, NVML and CUDA. It knows nothing of payments or the network:
//! callers hand it segment bytes and profiles and get rendition bytes and pixel counts back.
//!
//! Layout: pure rules (`profile`, `aspect`, `fps`, `gop`, `geometry`) are free of FFmpeg and
//! unit-tested; `ladder` demuxes and decodes once (`decode`) and feeds one `rendition` worker per
//! profile (`filter` → `encoder` → `mux`), re-encoding audio to AAC (`audio`) only where it
//! cannot be copied; `session` keeps a stream's ladder between segments, under timeouts;
//! `threads` sets thread counts; `nvidia` probes GPUs and `cuda_device` shares one CUDA device
//! context per GPU with the NVDEC decoders; `transcoder` is the seam the node uses (with a fake);
//! `cmd`, `bench` and `bench_load` are the command-line tools. Raw FFmpeg calls live in `ffi` and
//! `cuda_device`, CUDA calls in `nvidia`: the only media files allowed `unsafe`.

pub mod aspect;
pub mod audio;
pub mod cuda_device;
mod decode;
pub mod encoder;
mod error;
mod ffi;
pub mod filter;
pub mod fps;
pub mod geometry;
pub mod gop;
pub mod ladder;
pub mod mux;
pub mod nvidia;
pub mod probe;
pub mod profile;
pub mod rendition;
pub mod segmenter;
pub mod session;
pub mod setup;
pub mod threads;
pub mod transcoder;

pub use error::MediaError;
pub use ladder::{Ladder, LadderConfig, SegmentInput, SegmentOutput};
pub use mux::Container;
pub use profile::VideoProfile;
pub use rendition::RenditionOutput;
pub use session::{SessionLimits, SessionManager};
pub use transcoder::{FakeTranscoder, Transcoder};

/// Initialises FFmpeg once (quiet logging unless `LP_FFMPEG_LOG` is set).
pub fn init() -> Result<(), MediaError> {
    ffmpeg_next::init().map_err(|e| MediaError::Internal(format!("ffmpeg init: {e}")))?;
    let level = match std::env::var("LP_FFMPEG_LOG").as_deref() {
        Ok("debug") => ffmpeg_next::util::log::Level::Debug,
        Ok("info") => ffmpeg_next::util::log::Level::Info,
        Ok("warning") => ffmpeg_next::util::log::Level::Warning,
        _ => ffmpeg_next::util::log::Level::Error,
    };
    ffmpeg_next::util::log::set_level(level);
    Ok(())
}
