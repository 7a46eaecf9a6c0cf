//! Ladder transcoding checked by demuxing the outputs: sizes, frame rates, frame counts, IDR
//! first, keyframe interval, bitrate cap, audio, billed pixels, timestamps.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns unwrap too

mod media_support;

use livepeer::media::{
    fps::{output_frame_count, Ratio},
    Container,
};
use media_support::*;

fn ratio(s: &str) -> f64 {
    let (n, d) = s.split_once('/').unwrap();
    n.parse::<f64>().unwrap() / d.parse::<f64>().unwrap()
}

#[test]
fn one_decode_feeds_a_whole_ladder() {
    let dir = tempfile::tempdir().unwrap();
    let src = gop_source(dir.path(), "src.ts", "640x360", "2", true, "60");
    let input = probe(&src);
    let profiles = r#"[
          {"name":"a","width":426,"height":240,"bitrate":600000,"fps":25,"gop":"1"},
          {"name":"b","width":256,"height":144,"bitrate":400000,"fps":30000,"fpsDen":1001,"profile":"H264Baseline"},
          {"name":"c","width":320,"height":180,"bitrate":500000,"fps":0,"gop":"intra"}
        ]"#;
    let out = transcode_json(&src, profiles, Container::MpegTs).unwrap();
    assert_eq!(out.decoded_frames, 60, "the source is decoded once");
    assert_eq!(out.renditions.len(), 3);
    let tb = Ratio::new(1, 90_000);
    let expect = [
        (
            "a",
            (426, 240),
            25.0,
            output_frame_count(180_000, tb, Ratio::new(25, 1)),
            600_000.0,
        ),
        (
            "b",
            (256, 144),
            30000.0 / 1001.0,
            output_frame_count(180_000, tb, Ratio::new(30000, 1001)),
            400_000.0,
        ),
        ("c", (320, 180), 30.0, 60, 500_000.0),
    ];
    for (r, (name, size, fps, frames, bitrate)) in out.renditions.iter().zip(expect) {
        assert_eq!(r.name, name);
        let path = write(dir.path(), &format!("{name}.ts"), &r.data);
        let facts = probe(&path);
        assert!(
            facts.frame_sizes.iter().all(|&s| s == size),
            "{name}: {:?}",
            &facts.frame_sizes[..3]
        );
        assert!(
            (ratio(&facts.frame_rate) - fps).abs() < 0.01,
            "{name}: {}",
            facts.frame_rate
        );
        assert_eq!(
            facts.frame_sizes.len() as u64,
            frames,
            "{name}: frame count"
        );
        assert_eq!(r.frames, frames, "{name}: reported frames");
        assert_eq!(
            r.pixels,
            facts.pixels(),
            "{name}: billed pixels = Σ w×h of the output"
        );
        assert_eq!(facts.pict_types[0], "I", "{name}");
        assert!(
            first_packet_has_sps_pps(&path),
            "{name}: first packet carries SPS/PPS/IDR"
        );
        assert!(
            facts.bitrate(2.0) <= 1.1 * bitrate,
            "{name}: {} > 1.1 × {bitrate}",
            facts.bitrate(2.0)
        );
        assert!(facts.has_audio, "{name}: audio copied");
        assert!(
            (facts.start - input.start).abs() < 0.05,
            "{name}: start {} vs input {}",
            facts.start,
            input.start
        );
    }
    let a = probe(&dir.path().join("a.ts"));
    assert_eq!(a.keyframes, vec![0, 25], "gop 1 s at 25 fps");
    let c = probe(&dir.path().join("c.ts"));
    assert_eq!(c.keyframes.len(), 60, "intra: every frame is a keyframe");
    let b = probe(&dir.path().join("b.ts"));
    assert!(
        !b.pict_types.iter().any(|t| t == "B"),
        "baseline has no B-frames"
    );
}

#[test]
fn presets_give_reference_sizes_and_fragmented_mp4_works() {
    let dir = tempfile::tempdir().unwrap();
    let src = gop_source(dir.path(), "src.mp4", "1280x720", "1", false, "30");
    let presets = transcode(&src, "P360p30fps16x9,P240p30fps16x9", Container::MpegTs).unwrap();
    let sizes: Vec<(u32, u32)> = presets
        .renditions
        .iter()
        .map(|r| (r.width, r.height))
        .collect();
    assert_eq!(sizes, vec![(640, 360), (426, 240)]);
    let profiles = r#"[{"name":"P360p30fps16x9","width":640,"height":360,"bitrate":1200000,"fps":30,"profile":"H264ConstrainedHigh"},
            {"name":"P240p30fps16x9","width":426,"height":240,"bitrate":600000,"fps":30,"profile":"H264Main"}]"#;
    let out = transcode_json(&src, profiles, Container::FragmentedMp4).unwrap();
    for r in &out.renditions {
        let path = write(dir.path(), &format!("{}.mp4", r.name), &r.data);
        let facts = probe(&path);
        assert_eq!(facts.frame_sizes.len(), 30, "{}", r.name);
        assert_eq!(facts.pict_types[0], "I");
        assert!(!facts.has_audio);
        assert_eq!(r.pixels, facts.pixels());
        let (want, bframes_allowed) = if r.name.starts_with("P360") {
            ("High", false)
        } else {
            ("Main", true)
        };
        assert_eq!(facts.profile, want, "{}", r.name);
        assert!(
            bframes_allowed || !facts.pict_types.iter().any(|t| t == "B"),
            "constrained high has no B-frames"
        );
    }
}

#[test]
fn frame_rate_conversion_counts_match_the_arithmetic() {
    let dir = tempfile::tempdir().unwrap();
    let cases = [
        ("60", 120u64, "30", 60u64),
        ("30000/1001", 60, "25", 51),
        ("25", 50, "60", 120),
    ];
    for (src_rate, src_frames, out_fps, want) in cases {
        let secs = format!(
            "{}",
            src_frames as f64 / ratio(&format!("{src_rate}/1").replace("/1001/1", "/1001"))
        );
        let src = source(
            dir.path(),
            "src.ts",
            "320x180",
            src_rate,
            &secs,
            false,
            &["-g", "30"],
        );
        let json = format!(r#"[{{"width":320,"height":180,"bitrate":300000,"fps":{out_fps}}}]"#);
        let out = transcode_json(&src, &json, Container::MpegTs).unwrap();
        assert_eq!(out.decoded_frames, src_frames, "{src_rate}");
        let path = write(dir.path(), "o.ts", &out.renditions[0].data);
        let facts = probe(&path);
        assert_eq!(
            facts.frame_sizes.len() as u64,
            want,
            "{src_rate} -> {out_fps}"
        );
        let steps: Vec<f64> = facts.packet_pts.windows(2).map(|w| w[1] - w[0]).collect();
        let period = 1.0 / out_fps.parse::<f64>().unwrap();
        let mut sorted = facts.packet_pts.clone();
        sorted.sort_by(f64::total_cmp);
        assert!(
            sorted
                .windows(2)
                .all(|w| ((w[1] - w[0]) - period).abs() < 0.001),
            "{src_rate} -> {out_fps}: evenly spaced output ({steps:?})"
        );
    }
}

#[test]
fn audio_that_cannot_be_copied_is_reencoded_to_aac() {
    let dir = tempfile::tempdir().unwrap();
    let src = dir.path().join("pcm.mov");
    pattern_with_tone(&src, "1", &["-g", "30", "-c:a", "pcm_s16le"]);
    for (container, ext) in [(Container::MpegTs, "ts"), (Container::FragmentedMp4, "mp4")] {
        let out = transcode(&src, "P144p30fps16x9", container).unwrap();
        let path = write(dir.path(), &format!("o.{ext}"), &out.renditions[0].data);
        let streams = std::process::Command::new("ffprobe")
            .args([
                "-v",
                "error",
                "-select_streams",
                "a",
                "-show_entries",
                "stream=codec_name,sample_rate",
                "-of",
                "csv=p=0",
            ])
            .arg(&path)
            .output()
            .unwrap();
        let text = String::from_utf8_lossy(&streams.stdout);
        assert_eq!(text.lines().next().unwrap_or(""), "aac,44100", "{ext}");
        assert_eq!(probe(&path).frame_sizes.len(), 30);
    }
}

#[test]
fn adts_aac_from_mpeg_ts_goes_into_fragmented_mp4() {
    let dir = tempfile::tempdir().unwrap();
    let src = gop_source(dir.path(), "src.ts", "320x180", "1", true, "30");
    let out = transcode(&src, "P144p30fps16x9", Container::FragmentedMp4).unwrap();
    let facts = probe(&write(dir.path(), "o.mp4", &out.renditions[0].data));
    assert!(facts.has_audio);
    assert_eq!(facts.frame_sizes.len(), 30);
}
