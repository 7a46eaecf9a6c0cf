//! Per-stream sessions: consecutive segments continue timestamps and frame-rate state, each
//! starts with an IDR, a repeated segment is transcoded whole again; timeouts and idle close free
//! the session; a mid-segment resolution change continues at the size the new aspect gives.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns unwrap too

mod media_support;

use livepeer::media::{
    profile::parse_transcoding_options,
    session::{SessionLimits, SessionManager},
    Container, MediaError, SegmentInput,
};
use media_support::*;
use std::time::Duration;

fn manager(limits: SessionLimits) -> SessionManager {
    let base = ladder("P144p30fps16x9", Container::MpegTs, None).unwrap();
    SessionManager::new(base, limits, None)
}

#[test]
fn consecutive_segments_continue_the_stream() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let src = source(
        d,
        "src.ts",
        "320x180",
        "30",
        "6",
        true,
        &["-g", "60", "-keyint_min", "60", "-sc_threshold", "0"],
    );
    copy_with(
        &src,
        &d.join("seg%d.ts"),
        &["-f", "segment", "-segment_time", "2"],
    );
    let sessions = manager(SessionLimits::default());
    let mut pj = parse_transcoding_options("P144p30fps16x9").unwrap();
    pj[0].fps = 25;
    let mut total = 0;
    let mut prev_end: Option<f64> = None;
    for k in 0..3 {
        let seg = d.join(format!("seg{k}.ts"));
        let input = probe(&seg);
        let out = sessions
            .transcode("stream-1", &pj, SegmentInput::File(seg.clone()))
            .unwrap();
        assert_eq!(sessions.active(), 1, "one session per stream");
        let path = write(d, &format!("out{k}.ts"), &out.renditions[0].data);
        let facts = probe(&path);
        assert_eq!(facts.frame_sizes.len(), 50, "segment {k}: 2 s at 25 fps");
        assert_eq!(facts.pict_types[0], "I", "segment {k} starts with an IDR");
        assert!(
            first_packet_has_sps_pps(&path),
            "segment {k} carries SPS/PPS"
        );
        assert!(facts.has_audio);
        assert!(
            (facts.start - input.start).abs() < 0.05,
            "segment {k}: {} vs {}",
            facts.start,
            input.start
        );
        if let Some(end) = prev_end {
            assert!(
                (facts.start - end).abs() < 0.05,
                "segment {k} continues at {end}"
            );
        }
        let last = facts.packet_pts.iter().cloned().fold(f64::MIN, f64::max);
        prev_end = Some(last + 0.04);
        total += facts.frame_sizes.len();
    }
    assert_eq!(total, 150);
    // A B re-sending a segment (a retry) goes back in time: it is transcoded in full again,
    // not swallowed by the frame-rate state of the segments after it.
    let again = sessions
        .transcode("stream-1", &pj, SegmentInput::File(d.join("seg1.ts")))
        .unwrap();
    let facts = probe(&write(d, "again.ts", &again.renditions[0].data));
    assert_eq!(facts.frame_sizes.len(), 50, "the repeated segment, whole");
    assert_eq!(facts.pict_types[0], "I");
    sessions.end("stream-1");
    assert_eq!(sessions.active(), 0);
}

#[test]
fn a_timeout_frees_the_session_and_the_stream_recovers() {
    let dir = tempfile::tempdir().unwrap();
    let src = gop_source(dir.path(), "src.ts", "640x360", "2", false, "60");
    let profiles = parse_transcoding_options("P360p30fps16x9").unwrap();
    let limits = SessionLimits {
        transcode_timeout: Duration::from_millis(1),
        idle_timeout: Duration::from_secs(70),
    };
    let sessions = manager(limits);
    let err = sessions
        .transcode("s", &profiles, SegmentInput::File(src.clone()))
        .unwrap_err();
    assert!(matches!(err, MediaError::Timeout(_)), "{err}");
    assert_eq!(sessions.active(), 0, "the timed-out session is gone");
    let sessions = manager(SessionLimits::default());
    let out = sessions
        .transcode("s", &profiles, SegmentInput::File(src))
        .unwrap();
    assert_eq!(out.renditions[0].frames, 60);
}

#[test]
fn idle_sessions_close() {
    let dir = tempfile::tempdir().unwrap();
    let src = source(dir.path(), "src.ts", "320x180", "30", "0.3", false, &[]);
    let profiles = parse_transcoding_options("P144p30fps16x9").unwrap();
    let sessions = manager(SessionLimits {
        transcode_timeout: Duration::from_secs(8),
        idle_timeout: Duration::from_millis(50),
    });
    let bytes = std::fs::read(&src).unwrap();
    sessions
        .transcode("a", &profiles, SegmentInput::Bytes(bytes))
        .unwrap();
    assert_eq!(sessions.close_idle(), 0, "just used");
    std::thread::sleep(Duration::from_millis(80));
    assert_eq!(sessions.close_idle(), 1);
    assert_eq!(sessions.active(), 0);
}

#[test]
fn mid_segment_resolution_change_follows_the_new_aspect() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let a = gop_source(d, "a.ts", "640x360", "1", false, "30");
    let b = source(
        d,
        "b.ts",
        "480x360",
        "30",
        "1",
        false,
        &["-g", "30", "-output_ts_offset", "1"],
    );
    let joined = d.join("joined.ts");
    let mut bytes = std::fs::read(a).unwrap();
    bytes.extend(std::fs::read(b).unwrap());
    std::fs::write(&joined, bytes).unwrap();
    let out = transcode(&joined, "P240p30fps16x9", Container::MpegTs).unwrap();
    let r = &out.renditions[0];
    let facts = probe(&write(d, "o.ts", &r.data));
    assert_eq!(facts.frame_sizes.len(), 60);
    assert!(
        facts.frame_sizes[..30].iter().all(|&s| s == (426, 240)),
        "{:?}",
        &facts.frame_sizes[..30]
    );
    assert!(
        facts.frame_sizes[30..].iter().all(|&s| s == (426, 320)),
        "{:?}",
        &facts.frame_sizes[30..]
    );
    assert_eq!(r.pixels, 30 * 426 * 240 + 30 * 426 * 320);
    assert_eq!(r.pixels, facts.pixels());
}

fn rss_kib() -> u64 {
    let s = std::fs::read_to_string("/proc/self/status").unwrap();
    let line = s.lines().find(|l| l.starts_with("VmRSS:")).unwrap();
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Soak test (`cargo nextest run --run-ignored only soak`): memory stays flat over many segments.
#[test]
#[ignore = "soak test: 300 segments, about a minute"]
fn soak_memory_stays_flat() {
    let dir = tempfile::tempdir().unwrap();
    let src = gop_source(dir.path(), "src.ts", "640x360", "1", true, "30");
    let profiles =
        parse_transcoding_options("P360p30fps16x9,P240p30fps16x9,P144p30fps16x9").unwrap();
    let sessions = manager(SessionLimits::default());
    let bytes = std::fs::read(&src).unwrap();
    let mut warm = 0;
    for i in 0..300 {
        sessions
            .transcode(
                &format!("s{}", i % 3),
                &profiles,
                SegmentInput::Bytes(bytes.clone()),
            )
            .unwrap();
        if i == 49 {
            warm = rss_kib();
        }
    }
    let end = rss_kib();
    println!("RSS after 50 segments {warm} KiB, after 300 {end} KiB");
    assert!(
        end < warm + 20 * 1024,
        "RSS grew from {warm} to {end} KiB over 250 segments"
    );
}

#[test]
fn nvidia_sessions_fail_at_start_without_nvidia_libraries() {
    if std::env::var_os("NV_DEVICE").is_some() || nvml_wrapper::Nvml::init().is_ok() {
        println!("skipped: NVIDIA libraries are present; covered by tests/media_gpu.rs");
        return;
    }
    livepeer::media::init().unwrap();
    let limits = SessionLimits::default();
    let err = livepeer::media::setup::session_manager(
        "P144p30fps16x9",
        Container::MpegTs,
        "veryfast",
        Some("all"),
        limits,
    )
    .err()
    .unwrap()
    .to_string();
    assert!(
        err.starts_with("-nvidia all:") && err.contains("libnvidia-ml.so.1"),
        "{err}"
    );
    let cpu = livepeer::media::setup::session_manager(
        "P144p30fps16x9",
        Container::MpegTs,
        "veryfast",
        None,
        limits,
    );
    assert!(cpu.is_ok());
}
