//! NVIDIA tests: they run when `NV_DEVICE` names a GPU (e.g. `NV_DEVICE=0`) and are skipped
//! with a message otherwise.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns unwrap too

mod media_support;

use livepeer::media::{nvidia, Container, MediaError};
use media_support::*;

fn nv_device() -> Option<String> {
    match std::env::var("NV_DEVICE") {
        Ok(d) if !d.is_empty() => Some(d),
        _ => {
            println!("skipped: set NV_DEVICE=<gpu index> to run the NVIDIA tests");
            None
        }
    }
}

fn gpu_transcode(
    src: &std::path::Path,
    dev: &str,
) -> Result<livepeer::media::SegmentOutput, MediaError> {
    transcode_on(
        src,
        "P360p30fps16x9,P240p30fps16x9",
        Container::MpegTs,
        Some(dev),
    )
}

#[test]
fn probe_matches_nvml_and_cuda_and_opens_nvdec() {
    let Some(dev) = nv_device() else { return };
    livepeer::media::init().unwrap();
    let devices = nvidia::probe(&dev).unwrap();
    assert!(!devices.is_empty());
    for d in &devices {
        assert!(!d.pci_bus_id.is_empty());
        println!("{d:?}");
    }
}

#[test]
fn probe_names_a_missing_device() {
    let Some(_) = nv_device() else { return };
    livepeer::media::init().unwrap();
    let err = nvidia::probe("97").unwrap_err().to_string();
    assert!(err.contains("GPU 97"), "{err}");
}

#[test]
fn gpu_ladder_decodes_on_nvdec() {
    let Some(dev) = nv_device() else { return };
    let dir = tempfile::tempdir().unwrap();
    let src = gop_source(dir.path(), "src.ts", "1280x720", "2", true, "60");
    let out = gpu_transcode(&src, &dev).unwrap();
    assert!(
        out.gpu_frames,
        "NVDEC frames should stay in GPU memory (CUDA device context) for scale_cuda"
    );
    let sizes: Vec<_> = out.renditions.iter().map(|r| (r.width, r.height)).collect();
    assert_eq!(sizes, [(640, 360), (426, 240)]);
    for r in &out.renditions {
        let path = write(dir.path(), &format!("{}.ts", r.name), &r.data);
        let facts = probe(&path);
        assert_eq!(facts.frame_sizes.len(), 60, "{}", r.name);
        assert_eq!(facts.pict_types[0], "I");
        assert_eq!(r.pixels, facts.pixels());
        assert!(facts.has_audio);
    }
}

#[test]
fn gpu_rejects_non_420_input() {
    let Some(dev) = nv_device() else { return };
    let dir = tempfile::tempdir().unwrap();
    let src = source(
        dir.path(),
        "422.ts",
        "320x180",
        "30",
        "0.5",
        false,
        &["-pix_fmt", "yuv422p"],
    );
    let err = gpu_transcode(&src, &dev).unwrap_err();
    assert!(matches!(err, MediaError::GpuPixelFormat(_)), "{err}");
}

#[test]
fn gpu_deinterlaces_on_the_device() {
    let Some(dev) = nv_device() else { return };
    let dir = tempfile::tempdir().unwrap();
    let src = interlaced_source(dir.path(), "1280x720");
    let out = gpu_transcode(&src, &dev).unwrap();
    assert!(out.gpu_frames);
    for r in &out.renditions {
        let facts = probe(&write(dir.path(), &format!("{}.ts", r.name), &r.data));
        assert_eq!(facts.field_order, "progressive", "{}", r.name);
        assert_eq!(
            facts.frame_sizes.len(),
            30,
            "one output frame per input frame"
        );
    }
}
