//! `livepeer bench network`'s inputs and its zero-cost transcoder: a real 2 s 1080p30 MPEG-TS
//! segment at about 6 Mbit/s (FFmpeg CLI, `testsrc2` with noise so the encoder spends its bits)
//! and its renditions in the default ladder (the FFmpeg CLI at each preset's size and bitrate),
//! made once into the bench's directory; then [`ZeroCost`], a [`Transcoder`] that answers every
//! segment with those renditions and their real pixel counts at once, so the O's time is the
//! network and its bookkeeping, not FFmpeg.

use crate::media::{
    profile::{parse_transcoding_options, DEFAULT_TRANSCODING_OPTIONS},
    MediaError, RenditionOutput, SegmentInput, SegmentOutput, Transcoder, VideoProfile,
};
use std::{path::Path, process::Command};

/// Frames in the segment (2 s at 30 fps).
pub const FRAMES: u64 = 60;

/// The segment and its renditions, in memory.
#[derive(Clone, Debug)]
pub struct Inputs {
    /// The 1080p source segment.
    pub segment: Vec<u8>,
    /// The default ladder's profiles.
    pub profiles: Vec<VideoProfile>,
    /// One encoded rendition per profile, in profile order.
    pub renditions: Vec<Vec<u8>>,
}

impl Inputs {
    /// Bytes of the segment and all its renditions (what one round trip carries).
    pub fn payload_bytes(&self) -> usize {
        self.segment.len() + self.renditions.iter().map(Vec::len).sum::<usize>()
    }
}

fn ffmpeg(args: &[&str]) -> Result<(), String> {
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-y"])
        .args(args)
        .output()
        .map_err(|e| format!("ffmpeg: {e}"))?;
    if out.status.success() {
        Ok(())
    } else {
        Err(format!(
            "ffmpeg {args:?}: {}",
            String::from_utf8_lossy(&out.stderr)
        ))
    }
}

/// Makes (or reuses) the inputs in `dir`.
pub fn make(dir: &Path) -> Result<Inputs, String> {
    std::fs::create_dir_all(dir).map_err(|e| e.to_string())?;
    let src = dir.join("source-1080p.ts");
    let path = |p: &Path| p.to_string_lossy().into_owned();
    if !src.exists() {
        ffmpeg(&[
            "-f",
            "lavfi",
            "-i",
            "testsrc2=size=1920x1080:rate=30,noise=alls=12:allf=t",
            "-frames:v",
            "60",
            "-c:v",
            "libx264",
            "-preset",
            "veryfast",
            "-g",
            "60",
            "-b:v",
            "6M",
            "-maxrate",
            "6M",
            "-bufsize",
            "6M",
            "-pix_fmt",
            "yuv420p",
            "-f",
            "mpegts",
            &path(&src),
        ])?;
    }
    let profiles = parse_transcoding_options(DEFAULT_TRANSCODING_OPTIONS)
        .map_err(|e: MediaError| e.to_string())?;
    let mut renditions = Vec::new();
    for p in &profiles {
        let out = dir.join(format!("{}.ts", p.name));
        if !out.exists() {
            let size = format!("{}x{}", p.width, p.height);
            let rate = p.bitrate.to_string();
            ffmpeg(&[
                "-i",
                &path(&src),
                "-s",
                &size,
                "-c:v",
                "libx264",
                "-preset",
                "veryfast",
                "-b:v",
                &rate,
                "-f",
                "mpegts",
                &path(&out),
            ])?;
        }
        renditions.push(std::fs::read(&out).map_err(|e| e.to_string())?);
    }
    Ok(Inputs {
        segment: std::fs::read(&src).map_err(|e| e.to_string())?,
        profiles,
        renditions,
    })
}

/// A transcoder that returns the pre-made renditions of the profiles asked for, at once.
#[derive(Clone, Debug)]
pub struct ZeroCost(pub Inputs);

impl Transcoder for ZeroCost {
    fn transcode(
        &self,
        _stream: &str,
        profiles: &[VideoProfile],
        _input: SegmentInput,
    ) -> Result<SegmentOutput, MediaError> {
        let renditions = profiles
            .iter()
            .map(|p| {
                let i = self.0.profiles.iter().position(|q| q.name == p.name);
                let data = i.and_then(|i| self.0.renditions.get(i)).ok_or_else(|| {
                    MediaError::Mux(format!("bench: no pre-made rendition {}", p.name))
                })?;
                Ok(RenditionOutput {
                    name: p.name.clone(),
                    data: data.clone(),
                    width: p.width,
                    height: p.height,
                    frames: FRAMES,
                    pixels: u64::from(p.width) * u64::from(p.height) * FRAMES,
                    busy_s: 0.0,
                })
            })
            .collect::<Result<_, MediaError>>()?;
        Ok(SegmentOutput {
            renditions,
            decoded_frames: FRAMES,
            audio_only: false,
            duration_s: FRAMES as f64 / 30.0,
            gpu_frames: false,
        })
    }

    fn end(&self, _stream: &str) {}
}
