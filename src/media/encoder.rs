//! H.264 encoder set-up (libx264 on CPU, h264_nvenc on NVIDIA) with the reference's rate control.

use super::{fps::Ratio, profile::H264Profile, MediaError};
use ffmpeg_next::{codec, encoder, format::Pixel, Dictionary, Rational};

/// Which H.264 encoder a rendition uses.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum EncoderKind {
    /// libx264 with this many threads per encoder.
    X264 {
        /// x264 preset name (the reference uses x264's default, `medium`).
        preset: String,
        /// Threads per encoder (0 = x264's automatic choice).
        threads: usize,
    },
    /// h264_nvenc on the CUDA device with this index.
    Nvenc {
        /// CUDA device ordinal.
        gpu: u32,
    },
}

impl EncoderKind {
    /// The FFmpeg encoder name.
    pub fn codec_name(&self) -> &'static str {
        match self {
            EncoderKind::X264 { .. } => "libx264",
            EncoderKind::Nvenc { .. } => "h264_nvenc",
        }
    }
}

/// Everything needed to open one rendition's encoder.
#[derive(Clone, Debug)]
pub struct EncoderConfig {
    /// Which encoder.
    pub kind: EncoderKind,
    /// Output width.
    pub width: u32,
    /// Output height.
    pub height: u32,
    /// Time base of the frames' timestamps.
    pub time_base: Ratio,
    /// Nominal output frame rate.
    pub frame_rate: Ratio,
    /// Target bitrate = maxrate = bufsize, bits per second.
    pub bitrate: u64,
    /// H.264 profile.
    pub profile: H264Profile,
    /// GOP length in frames (`None` = encoder default; keyframes are also forced by time).
    pub gop_frames: Option<u32>,
    /// Put SPS/PPS in extradata (MP4) instead of in-band only (MPEG-TS).
    pub global_header: bool,
}

/// The encoder options as (key, value) pairs, as they are passed to FFmpeg; also used to print
/// the equivalent ffmpeg command line in the benchmark.
pub fn encoder_options(cfg: &EncoderConfig) -> Vec<(String, String)> {
    let mut o: Vec<(String, String)> = Vec::new();
    let mut push = |k: &str, v: String| o.push((k.to_string(), v));
    push("b", cfg.bitrate.to_string());
    push("maxrate", cfg.bitrate.to_string());
    push("bufsize", cfg.bitrate.to_string());
    push("forced-idr", "1".into());
    if let Some(g) = cfg.gop_frames {
        push("g", g.to_string());
        push("keyint_min", g.to_string());
    }
    match &cfg.kind {
        EncoderKind::X264 { preset, threads } => {
            // The VBV starts 15 % full instead of x264's 90 %, so a fresh per-segment encoder
            // cannot spend 0.9 s of extra bits on a 2 s segment: at most 1.075 × the bitrate.
            push("rc_init_occupancy", (cfg.bitrate * 15 / 100).to_string());
            push("preset", preset.clone());
            push("threads", threads.to_string());
            if cfg.gop_frames.is_some() {
                push("sc_threshold", "0".into());
            }
        }
        EncoderKind::Nvenc { gpu } => {
            push("gpu", gpu.to_string());
            push("preset", "p4".into());
            push("bf", "0".into());
        }
    }
    match cfg.profile {
        H264Profile::EncoderDefault => {}
        H264Profile::Baseline => push("profile", "baseline".into()),
        H264Profile::Main => push("profile", "main".into()),
        H264Profile::High => push("profile", "high".into()),
        H264Profile::ConstrainedHigh => {
            push("profile", "high".into());
            push("bf", "0".into());
        }
    }
    o
}

/// Opens the encoder described by `cfg`.
pub fn open(cfg: &EncoderConfig) -> Result<encoder::Video, MediaError> {
    let name = cfg.kind.codec_name();
    let err = |reason: String| MediaError::Encode {
        encoder: name.to_string(),
        reason,
    };
    let codec =
        encoder::find_by_name(name).ok_or_else(|| err("not compiled into this FFmpeg".into()))?;
    // Allocate the context WITH the codec, so libx264 keeps its own defaults.
    let ctx = codec::context::Context::new_with_codec(codec);
    let mut enc = ctx.encoder().video().map_err(|e| err(e.to_string()))?;
    enc.set_width(cfg.width);
    enc.set_height(cfg.height);
    enc.set_format(match cfg.kind {
        EncoderKind::X264 { .. } => Pixel::YUV420P,
        EncoderKind::Nvenc { .. } => Pixel::YUV420P,
    });
    enc.set_time_base(Rational::new(
        cfg.time_base.num as i32,
        cfg.time_base.den as i32,
    ));
    enc.set_frame_rate(Some(Rational::new(
        cfg.frame_rate.num as i32,
        cfg.frame_rate.den as i32,
    )));
    if cfg.global_header {
        enc.set_flags(codec::Flags::GLOBAL_HEADER);
    }
    let mut dict = Dictionary::new();
    for (k, v) in encoder_options(cfg) {
        dict.set(&k, &v);
    }
    enc.open_with(dict)
        .map_err(|e| err(format!("open {}x{}: {e}", cfg.width, cfg.height)))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(profile: H264Profile, gop: Option<u32>) -> EncoderConfig {
        EncoderConfig {
            kind: EncoderKind::X264 {
                preset: "veryfast".into(),
                threads: 2,
            },
            width: 640,
            height: 360,
            time_base: Ratio::new(1, 90_000),
            frame_rate: Ratio::new(30, 1),
            bitrate: 1_200_000,
            profile,
            gop_frames: gop,
            global_header: false,
        }
    }

    #[test]
    fn rate_control_is_capped_like_the_reference() {
        let o = encoder_options(&cfg(H264Profile::EncoderDefault, None));
        let get = |k: &str| o.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
        assert_eq!(get("b"), Some("1200000"));
        assert_eq!(get("maxrate"), Some("1200000"));
        assert_eq!(get("bufsize"), Some("1200000"));
        assert_eq!(get("g"), None);
    }

    #[test]
    fn constrained_high_has_no_b_frames_and_gop_is_fixed() {
        let o = encoder_options(&cfg(H264Profile::ConstrainedHigh, Some(60)));
        let get = |k: &str| o.iter().find(|(key, _)| key == k).map(|(_, v)| v.as_str());
        assert_eq!(get("profile"), Some("high"));
        assert_eq!(get("bf"), Some("0"));
        assert_eq!(get("g"), Some("60"));
        assert_eq!(get("sc_threshold"), Some("0"));
    }
}
