//! RTMP ingest's segmenter on real FLV (what ffmpeg publishes over RTMP): tags in, 2 s MPEG-TS
//! segments out, each starting at a keyframe with audio, timestamps continuing.
#![allow(clippy::unwrap_used)]

mod media_support;

use livepeer::media::segmenter::{FlvSegmenter, Segment};
use media_support::{pattern_with_tone, probe, write};
use std::sync::{Arc, Mutex};

/// (type, timestamp ms, data) of each tag of an FLV file.
fn flv_tags(bytes: &[u8]) -> Vec<(u8, u32, Vec<u8>)> {
    let mut tags = Vec::new();
    let mut at = 9 + 4;
    while at + 11 <= bytes.len() {
        let t = bytes[at];
        let size = u32::from_be_bytes([0, bytes[at + 1], bytes[at + 2], bytes[at + 3]]) as usize;
        let ts = u32::from_be_bytes([bytes[at + 7], bytes[at + 4], bytes[at + 5], bytes[at + 6]]);
        let data = bytes[at + 11..at + 11 + size].to_vec();
        tags.push((t, ts, data));
        at += 11 + size + 4;
    }
    tags
}

#[test]
fn flv_tags_become_two_second_ts_segments() {
    livepeer::media::init().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let flv = d.join("in.flv");
    pattern_with_tone(
        &flv,
        "6",
        &[
            "-g",
            "60",
            "-keyint_min",
            "60",
            "-sc_threshold",
            "0",
            "-c:a",
            "aac",
            "-f",
            "flv",
        ],
    );
    let tags = flv_tags(&std::fs::read(&flv).unwrap());
    assert!(tags.len() > 200);
    let got: Arc<Mutex<Vec<Segment>>> = Arc::default();
    let sink = got.clone();
    let seg = FlvSegmenter::start(2000, move |s| sink.lock().unwrap().push(s)).unwrap();
    for (t, ts, data) in &tags {
        seg.push_tag(*t, *ts, data).unwrap();
    }
    seg.finish().unwrap();
    let segs = got.lock().unwrap().clone();
    assert_eq!(
        segs.len(),
        3,
        "{:?}",
        segs.iter().map(|s| s.duration_ms).collect::<Vec<_>>()
    );
    let mut prev_end: Option<f64> = None;
    for s in &segs {
        assert!(
            (1990..=2040).contains(&s.duration_ms),
            "segment {} lasts {}",
            s.seq,
            s.duration_ms
        );
        let facts = probe(&write(d, &format!("{}.ts", s.seq), &s.data));
        assert_eq!(facts.frame_sizes.len(), 60, "segment {}", s.seq);
        assert_eq!(facts.pict_types[0], "I");
        assert!(facts.has_audio);
        if let Some(end) = prev_end {
            assert!(
                (facts.start - end).abs() < 0.05,
                "segment {} starts at {}",
                s.seq,
                facts.start
            );
        }
        prev_end = Some(facts.start + 2.0);
    }
    // The segments are decodable input for the transcoder. FLV carries millisecond timestamps
    // (33/34 ms steps at 30 fps), so the segment's end may round one output slot further.
    let out = media_support::transcode(
        &write(d, "0.ts", &segs[0].data),
        "P144p30fps16x9",
        livepeer::media::Container::MpegTs,
    )
    .unwrap();
    assert!(
        (60..=61).contains(&out.renditions[0].frames),
        "{}",
        out.renditions[0].frames
    );
}

#[test]
fn garbage_instead_of_flv_is_an_error_not_a_hang() {
    livepeer::media::init().unwrap();
    let seg = FlvSegmenter::start(2000, |_| {}).unwrap();
    for i in 0..50u32 {
        if seg
            .push_tag(9, i * 33, &[0x17, 0x01, 0, 0, 0, 0xde, 0xad])
            .is_err()
        {
            break;
        }
    }
    let _ = seg.finish(); // returns (with or without an error) once the input ends
}
