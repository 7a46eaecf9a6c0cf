//! Source shapes: 4:3, portrait, anamorphic, odd sizes, rotation metadata, 10-bit, 4:2:2,
//! interlaced: each checked by probing the output as a user would.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns unwrap too

mod media_support;

use livepeer::media::Container;
use media_support::*;

fn sizes_for(src: &std::path::Path, options: &str) -> Vec<(u32, u32)> {
    let out = transcode(src, options, Container::MpegTs).unwrap();
    let dir = src.parent().unwrap();
    out.renditions
        .iter()
        .map(|r| {
            let facts = probe(&write(dir, &format!("{}.ts", r.name), &r.data));
            assert!(facts.frame_sizes.windows(2).all(|w| w[0] == w[1]));
            assert_eq!(r.pixels, facts.pixels());
            facts.frame_sizes[0]
        })
        .collect()
}

#[test]
fn aspect_rule_on_real_sources() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let g = ["-g", "30"];
    // 4:3 source into 16:9 presets keeps 4:3.
    let s = source(d, "43.ts", "480x360", "30", "0.5", false, &g);
    assert_eq!(
        sizes_for(&s, "P360p30fps16x9,P240p30fps16x9"),
        vec![(640, 480), (426, 320)]
    );
    // Portrait: the larger requested dimension goes to the longer (vertical) side.
    let s = source(d, "portrait.ts", "360x640", "30", "0.5", false, &g);
    assert_eq!(sizes_for(&s, "P360p30fps16x9"), vec![(360, 640)]);
    // Anamorphic: 480x360 pixels with a 4:3 sample aspect display as 640x360.
    let s = source(
        d,
        "anamorphic.ts",
        "480x360",
        "30",
        "0.5",
        false,
        &["-g", "30", "-vf", "setsar=4/3"],
    );
    assert_eq!(sizes_for(&s, "P240p30fps16x9"), vec![(426, 240)]);
    // Odd sizes give even outputs.
    let s = source(d, "odd.ts", "322x182", "30", "0.5", false, &g);
    assert_eq!(sizes_for(&s, "P240p30fps16x9"), vec![(426, 240)]);
}

#[test]
fn rotation_metadata_is_honoured() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let plain = gop_source(d, "plain.mp4", "640x360", "0.5", false, "30");
    let rotated = d.join("rotated.mp4");
    copy_with(&plain, &rotated, &["-metadata:s:v", "rotate=90"]);
    assert_eq!(
        sizes_for(&rotated, "P240p30fps16x9"),
        vec![(240, 426)],
        "a 90° source is portrait"
    );
}

#[test]
fn ten_bit_and_422_become_8_bit_420() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    for (name, fmt) in [("10bit.ts", "yuv420p10le"), ("422.ts", "yuv422p")] {
        let s = source(
            d,
            name,
            "320x180",
            "30",
            "0.5",
            false,
            &["-g", "30", "-pix_fmt", fmt],
        );
        let out = transcode(&s, "P144p30fps16x9", Container::MpegTs).unwrap();
        let facts = probe(&write(d, "o.ts", &out.renditions[0].data));
        assert_eq!(facts.pix_fmt, "yuv420p", "{fmt} output is browser-playable");
        assert_eq!(facts.frame_sizes.len(), 15);
    }
}

#[test]
fn interlaced_input_is_deinterlaced() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let s = interlaced_source(d, "320x240");
    let src = probe(&s);
    assert_ne!(
        src.field_order, "progressive",
        "the test source is interlaced ({})",
        src.field_order
    );
    let out = transcode(&s, "P240p30fps4x3", Container::MpegTs).unwrap();
    let facts = probe(&write(d, "o.ts", &out.renditions[0].data));
    assert_eq!(facts.field_order, "progressive");
    assert_eq!(
        facts.frame_sizes.len(),
        30,
        "one output frame per input frame"
    );
}

#[test]
fn the_pixels_a_b_counts_in_a_rendition_are_the_pixels_the_encoder_charged() {
    let dir = tempfile::tempdir().unwrap();
    let src = source(
        dir.path(),
        "p.ts",
        "640x360",
        "30",
        "2",
        false,
        &["-g", "60"],
    );
    let out = transcode(&src, "P240p30fps16x9,P144p30fps16x9", Container::MpegTs).unwrap();
    for r in &out.renditions {
        let counted = livepeer::media::probe::rendition_pixels(&r.data);
        assert_eq!(counted, Some(r.pixels), "{}", r.name);
        // 2 s at 30 fps: 60 frames of the rendition's size.
        let (w, h) = livepeer::media::probe::rendition_size(&r.data).unwrap();
        assert_eq!(r.pixels, 60 * u64::from(w) * u64::from(h), "{}", r.name);
    }
    assert_eq!(
        livepeer::media::probe::rendition_pixels(b"not a segment"),
        None
    );
}
