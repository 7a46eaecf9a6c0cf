//! Shared helpers for the media tests: generated sources, ffprobe checks, one-shot transcodes.
#![allow(dead_code)]

use livepeer::media::{
    setup::ladder_config, threads::ThreadPlan, Container, Ladder, SegmentInput, SegmentOutput,
};
use std::{
    path::{Path, PathBuf},
    process::Command,
    sync::{atomic::AtomicBool, Arc},
};

/// Runs the ffmpeg CLI with `args` (quiet, overwrite) and panics with its stderr on failure.
pub fn ffmpeg(args: &[&str]) {
    let out = Command::new("ffmpeg")
        .args(["-hide_banner", "-v", "error", "-y"])
        .args(args)
        .output()
        .expect("ffmpeg runs");
    assert!(
        out.status.success(),
        "ffmpeg {args:?}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
}

/// A test-pattern source with temporal noise: `size` like "640x360", `rate` like "30" or
/// "30000/1001", `secs` long, H.264 with a GOP of `gop` frames, AAC audio when `audio`.
pub fn source(
    dir: &Path,
    name: &str,
    size: &str,
    rate: &str,
    secs: &str,
    audio: bool,
    extra: &[&str],
) -> PathBuf {
    let path = dir.join(name);
    let video = format!("testsrc2=size={size}:rate={rate},noise=alls=8:allf=t");
    let mut args: Vec<String> = vec!["-f".into(), "lavfi".into(), "-i".into(), video];
    if audio {
        args.extend(
            ["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"].map(String::from),
        );
    }
    args.extend(["-t", secs, "-c:v", "libx264", "-preset", "ultrafast"].map(String::from));
    args.extend(extra.iter().map(|s| s.to_string()));
    if audio {
        args.extend(["-c:a", "aac", "-b:a", "64k"].map(String::from));
    }
    args.push(path.display().to_string());
    let refs: Vec<&str> = args.iter().map(String::as_str).collect();
    ffmpeg(&refs);
    path
}

/// Transcodes `src` once with `-transcodingOptions`-style `options` on the CPU.
pub fn transcode(
    src: &Path,
    options: &str,
    container: Container,
) -> Result<SegmentOutput, livepeer::media::MediaError> {
    livepeer::media::init().expect("ffmpeg init");
    let cfg = ladder_config(
        options,
        container,
        "veryfast",
        None,
        ThreadPlan::for_cores(2),
    )?;
    Ladder::new(cfg).transcode(
        &SegmentInput::File(src.to_path_buf()),
        Arc::new(AtomicBool::new(false)),
    )
}

/// Writes a rendition to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, data: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, data).expect("write output");
    p
}

fn ffprobe_json(path: &Path, args: &[&str]) -> serde_json::Value {
    let out = Command::new("ffprobe")
        .args(["-v", "error", "-of", "json"])
        .args(args)
        .arg(path)
        .output()
        .expect("ffprobe runs");
    assert!(
        out.status.success(),
        "ffprobe {}: {}",
        path.display(),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).expect("ffprobe json")
}

/// What a user checks about a video stream, decoded by ffprobe.
#[derive(Debug)]
pub struct VideoFacts {
    /// Width, height of each decoded frame.
    pub frame_sizes: Vec<(u32, u32)>,
    /// Picture type of each decoded frame ("I", "P", "B").
    pub pict_types: Vec<String>,
    /// Indices of key frames (decoded).
    pub keyframes: Vec<usize>,
    /// r_frame_rate as text ("30/1").
    pub frame_rate: String,
    /// pix_fmt.
    pub pix_fmt: String,
    /// Stream start time in seconds.
    pub start: f64,
    /// Sum of video packet sizes in bytes.
    pub video_bytes: u64,
    /// Packet pts in seconds.
    pub packet_pts: Vec<f64>,
    /// Whether an audio stream is present.
    pub has_audio: bool,
    /// field_order of the stream.
    pub field_order: String,
    /// H.264 profile name as ffprobe prints it.
    pub profile: String,
}

impl VideoFacts {
    /// Σ width × height over decoded frames.
    pub fn pixels(&self) -> u64 {
        self.frame_sizes
            .iter()
            .map(|&(w, h)| u64::from(w) * u64::from(h))
            .sum()
    }
    /// Video bitrate in bits/s over `secs`.
    pub fn bitrate(&self, secs: f64) -> f64 {
        self.video_bytes as f64 * 8.0 / secs
    }
}

/// Probes `path` with ffprobe as a user would.
pub fn probe(path: &Path) -> VideoFacts {
    let s = ffprobe_json(path, &["-show_streams"]);
    let streams = s["streams"].as_array().cloned().unwrap_or_default();
    let v = streams
        .iter()
        .find(|s| s["codec_type"] == "video")
        .expect("a video stream")
        .clone();
    let has_audio = streams.iter().any(|s| s["codec_type"] == "audio");
    let f = ffprobe_json(
        path,
        &[
            "-select_streams",
            "v",
            "-show_frames",
            "-show_entries",
            "frame=width,height,pict_type,key_frame",
        ],
    );
    let frames = f["frames"].as_array().cloned().unwrap_or_default();
    let p = ffprobe_json(
        path,
        &[
            "-select_streams",
            "v",
            "-show_entries",
            "packet=size,pts_time",
        ],
    );
    let packets = p["packets"].as_array().cloned().unwrap_or_default();
    let num = |v: &serde_json::Value| v.as_u64().unwrap_or(0) as u32;
    VideoFacts {
        frame_sizes: frames
            .iter()
            .map(|f| (num(&f["width"]), num(&f["height"])))
            .collect(),
        pict_types: frames
            .iter()
            .map(|f| f["pict_type"].as_str().unwrap_or("").to_string())
            .collect(),
        keyframes: frames
            .iter()
            .enumerate()
            .filter(|(_, f)| f["key_frame"].as_u64() == Some(1))
            .map(|(i, _)| i)
            .collect(),
        frame_rate: v["r_frame_rate"].as_str().unwrap_or("").to_string(),
        pix_fmt: v["pix_fmt"].as_str().unwrap_or("").to_string(),
        start: v["start_time"]
            .as_str()
            .and_then(|s| s.parse().ok())
            .unwrap_or(f64::NAN),
        video_bytes: packets
            .iter()
            .map(|p| {
                p["size"]
                    .as_str()
                    .and_then(|s| s.parse::<u64>().ok())
                    .unwrap_or(0)
            })
            .sum(),
        packet_pts: packets
            .iter()
            .filter_map(|p| p["pts_time"].as_str().and_then(|s| s.parse().ok()))
            .collect(),
        has_audio,
        field_order: v["field_order"].as_str().unwrap_or("").to_string(),
        profile: v["profile"].as_str().unwrap_or("").to_string(),
    }
}

/// The first video packet of a file starts with SPS and PPS NAL units (Annex B), i.e. the
/// segment is decodable on its own.
pub fn first_packet_has_sps_pps(path: &Path) -> bool {
    livepeer::media::init().expect("ffmpeg init");
    let mut ictx = ffmpeg_next::format::input(path).expect("open output");
    let vidx = ictx
        .streams()
        .best(ffmpeg_next::media::Type::Video)
        .expect("video")
        .index();
    for (s, pkt) in ictx.packets() {
        if s.index() != vidx {
            continue;
        }
        let data = pkt.data().unwrap_or(&[]);
        let mut types = Vec::new();
        for i in 0..data.len().saturating_sub(3) {
            if data[i] == 0 && data[i + 1] == 0 && data[i + 2] == 1 {
                types.push(data[i + 3] & 0x1f);
            }
        }
        return types.contains(&7) && types.contains(&8) && types.contains(&5);
    }
    false
}

/// Kills a child process (a node, a browser, a publisher) when the test ends, however it ends.
pub struct KillOnDrop(pub std::process::Child);

impl Drop for KillOnDrop {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}
