//! What the network tests feed a B: a 2 s segment to `PUT`, with audio or without, a file pushed
//! by ffmpeg's HLS muxer, and a test pattern published over RTMP.

use super::{ffmpeg, source};
use std::{path::Path, process::Command};

/// A 2 s 320x180 30 fps segment with audio and one keyframe, made in `dir`: the segment the
/// network tests send.
pub fn two_second_segment(dir: &Path) -> Vec<u8> {
    std::fs::read(source(
        dir,
        "s.ts",
        "320x180",
        "30",
        "2",
        true,
        &["-g", "60"],
    ))
    .unwrap()
}

/// A 2 s 320x180 30 fps segment without audio, made in `dir`.
pub fn silent_two_second_segment(dir: &Path) -> Vec<u8> {
    std::fs::read(source(dir, "s.ts", "320x180", "30", "2", false, &[])).unwrap()
}

/// The ffmpeg CLI's HLS muxer pushes `src` (copied, 2 s segments) to the B at `b_url` as
/// `stream`: `PUT <b_url>/live/<stream>/<n>.ts` and its `index.m3u8`.
pub fn push_hls(src: &Path, b_url: &str, stream: &str) {
    ffmpeg(&[
        "-i",
        src.to_str().unwrap(),
        "-c",
        "copy",
        "-f",
        "hls",
        "-hls_time",
        "2",
        "-hls_list_size",
        "0",
        "-method",
        "PUT",
        "-hls_segment_filename",
        &format!("{b_url}/live/{stream}/%d.ts"),
        &format!("{b_url}/live/{stream}/index.m3u8"),
    ]);
}

/// The ffmpeg CLI publishing a 320x180 30 fps test pattern (x264 ultrafast, a keyframe a second)
/// `secs` long in real time over RTMP to `url`, its stdout dropped: to spawn or run.
pub fn rtmp_test_pattern(secs: &str, url: &str) -> Command {
    let mut cmd = Command::new("ffmpeg");
    cmd.args([
        "-hide_banner",
        "-loglevel",
        "error",
        "-re",
        "-f",
        "lavfi",
        "-i",
    ])
    .arg("testsrc2=size=320x180:rate=30")
    .args([
        "-t",
        secs,
        "-c:v",
        "libx264",
        "-preset",
        "ultrafast",
        "-g",
        "30",
    ])
    .args(["-f", "flv", url])
    .stdout(std::process::Stdio::null());
    cmd
}
