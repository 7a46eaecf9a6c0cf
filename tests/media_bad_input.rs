//! Bad input never crashes or hangs: each case is a typed error or a defined result.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns unwrap too

mod media_support;

use livepeer::media::{Container, MediaError};
use media_support::*;

#[test]
fn zero_length_segment_is_empty_input() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("empty.ts");
    std::fs::write(&p, b"").unwrap();
    assert!(matches!(
        transcode(&p, "P144p30fps16x9", Container::MpegTs),
        Err(MediaError::EmptyInput)
    ));
}

#[test]
fn undecodable_bytes_are_a_demux_error() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("junk.ts");
    let junk: Vec<u8> = (0..20_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    std::fs::write(&p, junk).unwrap();
    let err = transcode(&p, "P144p30fps16x9", Container::MpegTs).unwrap_err();
    assert!(err.is_bad_input(), "{err}");
}

#[test]
fn audio_only_segment_is_returned_as_is() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("audio.ts");
    ffmpeg(&[
        "-f",
        "lavfi",
        "-i",
        "sine=frequency=440:sample_rate=48000",
        "-t",
        "1",
        "-c:a",
        "aac",
        p.to_str().unwrap(),
    ]);
    let out = transcode(&p, "P144p30fps16x9,P240p30fps16x9", Container::MpegTs).unwrap();
    assert!(out.audio_only);
    let original = std::fs::read(&p).unwrap();
    assert!(out
        .renditions
        .iter()
        .all(|r| r.data == original && r.pixels == 0 && r.frames == 0));
}

#[test]
fn segment_without_keyframe_is_a_typed_error() {
    let dir = tempfile::tempdir().unwrap();
    let src = gop_source(dir.path(), "src.ts", "320x180", "1", false, "300");
    let cut = dir.path().join("nokey.ts");
    // Drop the IDR slices: what is left references a picture the segment does not have.
    copy_with(&src, &cut, &["-bsf:v", "filter_units=remove_types=5"]);
    let err = transcode(&cut, "P144p30fps16x9", Container::MpegTs).unwrap_err();
    assert!(
        matches!(err, MediaError::NoKeyframe | MediaError::Decode(_)),
        "{err}"
    );
    assert!(err.is_bad_input());
}

#[test]
fn unsupported_encoder_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let src = source(dir.path(), "src.ts", "320x180", "30", "0.2", false, &[]);
    let profiles = r#"[{"width":320,"height":180,"bitrate":300000,"encoder":"VP9"}]"#;
    let err = transcode_json(&src, profiles, Container::MpegTs)
        .unwrap_err()
        .to_string();
    assert!(err.contains("unsupported encoder \"VP9\""), "{err}");
}

#[test]
fn a_one_frame_segment_lasts_one_frame() {
    let dir = tempfile::tempdir().unwrap();
    let src = source(
        dir.path(),
        "one.ts",
        "320x180",
        "30",
        "0.0334",
        false,
        &["-frames:v", "1"],
    );
    let profiles = r#"[{"width":320,"height":180,"bitrate":300000,"fps":60}]"#;
    let out = transcode_json(&src, profiles, Container::MpegTs).unwrap();
    assert_eq!(out.decoded_frames, 1);
    assert_eq!(
        out.renditions[0].frames, 2,
        "1/30 s at 60 fps is two frames"
    );
}
