//! Livepeer node library.
//!
//! # Layout
//! - `media`: the transcoder (FFmpeg ladder, sessions, NVIDIA probe, transcode/bench commands).

pub mod media;
