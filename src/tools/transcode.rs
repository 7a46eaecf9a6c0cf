//! `livepeer transcode -i IN -o OUTDIR -transcodingOptions ...`: one file through the ladder, a
//! line per rendition (size, frames, pixels, bitrate, time).

use crate::cli::media::TranscodeArgs;
use crate::media::{
    ladder::{Ladder, SegmentInput},
    setup::{ladder_config, parse_container},
    threads::ThreadPlan,
    MediaError,
};
use std::{sync::atomic::AtomicBool, sync::Arc, time::Instant};

/// Runs `livepeer transcode`.
pub fn run(args: TranscodeArgs) -> Result<(), MediaError> {
    crate::media::init()?;
    let plan = ThreadPlan::detect();
    println!("threads: {plan}");
    let container = parse_container(&args.format)?;
    let cfg = ladder_config(
        &args.transcoding_options,
        container,
        &args.x264_preset,
        args.nvidia.as_deref(),
        plan,
    )?;
    std::fs::create_dir_all(&args.output).map_err(|e| MediaError::io(&args.output, e))?;
    let mut ladder = Ladder::new(cfg);
    let started = Instant::now();
    let out = ladder.transcode(
        &SegmentInput::File(args.input.clone()),
        Arc::new(AtomicBool::new(false)),
    )?;
    let took = started.elapsed();
    if out.audio_only {
        println!("input has no video: renditions are the input as is");
    }
    println!(
        "{:<28} {:>10} {:>7} {:>13} {:>10} {:>10} {:>8}",
        "rendition", "bytes", "frames", "pixels", "kbit/s", "size", "time s"
    );
    for r in &out.renditions {
        let path = args
            .output
            .join(format!("{}.{}", r.name, container.extension()));
        std::fs::write(&path, &r.data).map_err(|e| MediaError::io(&path, e))?;
        let kbps = if out.duration_s > 0.0 {
            r.data.len() as f64 * 8.0 / out.duration_s / 1000.0
        } else {
            0.0
        };
        println!(
            "{:<28} {:>10} {:>7} {:>13} {:>10.0} {:>10} {:>8.3}",
            r.name,
            r.data.len(),
            r.frames,
            r.pixels,
            kbps,
            format!("{}x{}", r.width, r.height),
            r.busy_s
        );
    }
    println!(
        "decoded {} frames ({:.2} s of video) in {:.3} s ({:.2}x real time)",
        out.decoded_frames,
        out.duration_s,
        took.as_secs_f64(),
        if took.as_secs_f64() > 0.0 {
            out.duration_s / took.as_secs_f64()
        } else {
            0.0
        }
    );
    Ok(())
}
