//! Shared helpers for the media tests: generated sources (a GOP, interlaced, with a tone), stream
//! copies, ffprobe checks, one-shot transcodes (CPU or GPU, presets or JSON profiles), and what
//! the network tests feed a B ([`feed`]).
#![allow(dead_code, clippy::unwrap_used)]

mod feed;

// Each test binary uses only some of them.
#[allow(unused_imports)]
pub use feed::{push_hls, rtmp_test_pattern, silent_two_second_segment, two_second_segment};

use livepeer::media::{
    setup::ladder_config, threads::ThreadPlan, Container, Ladder, LadderConfig, MediaError,
    SegmentInput, SegmentOutput,
};
use std::{
    path::{Path, PathBuf},
    process::Command,
    sync::{atomic::AtomicBool, Arc},
};

/// Runs `cmd`, panicking with its stderr (after `what`) unless it succeeds; returns its stdout.
fn run_ok(mut cmd: Command, what: &str) -> Vec<u8> {
    let program = cmd.get_program().to_string_lossy().into_owned();
    let out = cmd
        .output()
        .unwrap_or_else(|e| panic!("{program} runs: {e}"));
    assert!(
        out.status.success(),
        "{program} {what}: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    out.stdout
}

/// Runs the ffmpeg CLI with `args` (quiet, overwrite) and panics with its stderr on failure.
pub fn ffmpeg(args: &[&str]) {
    let mut cmd = Command::new("ffmpeg");
    cmd.args(["-hide_banner", "-v", "error", "-y"]).args(args);
    run_ok(cmd, &format!("{args:?}"));
}

/// Copies the streams of `src` into `out` without re-encoding, with `args` (a bitstream filter,
/// metadata, a segment muxer) in between.
pub fn copy_with(src: &Path, out: &Path, args: &[&str]) {
    let (src, out) = (src.to_str().unwrap(), out.to_str().unwrap());
    let mut all = vec!["-i", src, "-c", "copy"];
    all.extend_from_slice(args);
    all.push(out);
    ffmpeg(&all);
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

/// A 30 fps [`source`] `secs` long with a keyframe every `gop` frames (`-g`).
pub fn gop_source(
    dir: &Path,
    name: &str,
    size: &str,
    secs: &str,
    audio: bool,
    gop: &str,
) -> PathBuf {
    source(dir, name, size, "30", secs, audio, &["-g", gop])
}

/// A 1 s, 30 fps, top-field-first interlaced `interlaced.ts` of `size`, without audio.
pub fn interlaced_source(dir: &Path, size: &str) -> PathBuf {
    let interlaced = [
        "-g",
        "30",
        "-flags",
        "+ilme+ildct",
        "-x264opts",
        "tff=1",
        "-vf",
        "setfield=tff",
    ];
    source(dir, "interlaced.ts", size, "30", "1", false, &interlaced)
}

/// A plain 320x180, 30 fps test pattern (no noise) with a 44.1 kHz tone, `secs` long, H.264
/// (ultrafast), then `args` (GOP, audio codec, muxer), written to `path`.
pub fn pattern_with_tone(path: &Path, secs: &str, args: &[&str]) {
    let mut all = vec![
        "-f",
        "lavfi",
        "-i",
        "testsrc2=size=320x180:rate=30",
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440:sample_rate=44100",
        "-t",
        secs,
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
    ];
    all.extend_from_slice(args);
    all.push(path.to_str().unwrap());
    ffmpeg(&all);
}

/// The ladder config for `options` the tests use: veryfast x264, two threads, NVIDIA `nvidia`.
pub fn ladder(
    options: &str,
    container: Container,
    nvidia: Option<&str>,
) -> Result<LadderConfig, MediaError> {
    livepeer::media::init().expect("ffmpeg init");
    ladder_config(
        options,
        container,
        "veryfast",
        nvidia,
        ThreadPlan::for_cores(2),
    )
}

/// Transcodes `src` once with `-transcodingOptions`-style `options` on the CPU.
pub fn transcode(
    src: &Path,
    options: &str,
    container: Container,
) -> Result<SegmentOutput, MediaError> {
    transcode_on(src, options, container, None)
}

/// Transcodes `src` once with `options` on the GPUs `nvidia` names, or on the CPU when `None`.
pub fn transcode_on(
    src: &Path,
    options: &str,
    container: Container,
    nvidia: Option<&str>,
) -> Result<SegmentOutput, MediaError> {
    let cfg = ladder(options, container, nvidia)?;
    Ladder::new(cfg).transcode(
        &SegmentInput::File(src.to_path_buf()),
        Arc::new(AtomicBool::new(false)),
    )
}

/// Transcodes `src` once with the JSON profiles `json`, written to `p.json` next to `src`.
pub fn transcode_json(
    src: &Path,
    json: &str,
    container: Container,
) -> Result<SegmentOutput, MediaError> {
    let profiles = src.with_file_name("p.json");
    std::fs::write(&profiles, json).expect("write profiles");
    transcode(src, profiles.to_str().unwrap(), container)
}

/// Writes a rendition to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, data: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, data).expect("write output");
    p
}

fn ffprobe_json(path: &Path, args: &[&str]) -> serde_json::Value {
    let mut cmd = Command::new("ffprobe");
    cmd.args(["-v", "error", "-of", "json"])
        .args(args)
        .arg(path);
    let stdout = run_ok(cmd, &path.display().to_string());
    serde_json::from_slice(&stdout).expect("ffprobe json")
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
