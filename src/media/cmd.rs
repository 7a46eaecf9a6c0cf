//! `livepeer transcode` and `livepeer bench transcode`: clap arguments and run functions.

use super::{
    bench,
    encoder::EncoderKind,
    ladder::{Ladder, LadderConfig, SegmentInput},
    mux::Container,
    nvidia::{self, GpuPool},
    profile::{parse_transcoding_options, DEFAULT_TRANSCODING_OPTIONS},
    session::{SessionLimits, SessionManager},
    threads::ThreadPlan,
    MediaError,
};
use std::{path::PathBuf, sync::atomic::AtomicBool, sync::Arc, time::Instant};

/// `livepeer transcode`: transcode one file into a ladder.
#[derive(clap::Args, Debug, Clone)]
pub struct TranscodeArgs {
    /// Input segment (MPEG-TS or MP4).
    #[arg(short = 'i', long = "input")]
    pub input: PathBuf,
    /// Output directory; renditions are written as `<name>.ts` or `<name>.mp4`.
    #[arg(short = 'o', long = "output")]
    pub output: PathBuf,
    /// Comma-separated preset names, or a JSON profile file.
    #[arg(long = "transcodingOptions", default_value = DEFAULT_TRANSCODING_OPTIONS)]
    pub transcoding_options: String,
    /// NVIDIA devices to use (`0,2` or `all`); CPU when absent.
    #[arg(long = "nvidia")]
    pub nvidia: Option<String>,
    /// Output container: `mpegts` or `mp4` (fragmented).
    #[arg(long = "format", default_value = "mpegts")]
    pub format: String,
    /// x264 preset (the reference uses x264's default, medium).
    #[arg(long = "x264Preset", default_value = "medium")]
    pub x264_preset: String,
}

/// Parses `mpegts` / `mp4`.
pub fn parse_container(s: &str) -> Result<Container, MediaError> {
    match s.to_ascii_lowercase().as_str() {
        "" | "ts" | "mpegts" => Ok(Container::MpegTs),
        "mp4" | "fmp4" => Ok(Container::FragmentedMp4),
        other => Err(MediaError::Mux(format!(
            "unknown output format {other:?} (mpegts or mp4)"
        ))),
    }
}

/// Builds the ladder configuration for CPU or the first probed GPU.
pub fn ladder_config(
    options: &str,
    container: Container,
    preset: &str,
    nvidia: Option<&str>,
    plan: ThreadPlan,
) -> Result<LadderConfig, MediaError> {
    let profiles = parse_transcoding_options(options)?;
    let x264 = EncoderKind::X264 {
        preset: preset.to_string(),
        threads: plan.x264_per_encoder,
    };
    let (encoder, nvdec_gpu) = match nvidia {
        None => (x264, None),
        Some(list) => {
            let devices = nvidia::probe(list)?;
            for d in &devices {
                println!(
                    "GPU {} ({}, {}, driver {}): CUDA device {}, NVDEC yes, NVENC {}",
                    d.nvml_index,
                    d.name,
                    d.pci_bus_id,
                    d.driver,
                    d.cuda_ordinal,
                    if d.nvenc {
                        "yes"
                    } else {
                        "no (libx264 encodes)"
                    }
                );
            }
            let d = devices.first().ok_or_else(|| MediaError::Nvidia {
                list: list.into(),
                reason: "no device".into(),
            })?;
            let enc = if d.nvenc {
                EncoderKind::Nvenc {
                    gpu: d.cuda_ordinal,
                }
            } else {
                x264
            };
            (enc, Some(d.cuda_ordinal))
        }
    };
    Ok(LadderConfig {
        profiles,
        container,
        encoder,
        decoder_threads: plan.decoder,
        nvdec_gpu,
    })
}

/// Builds the node's [`SessionManager`] from the operator's flags: CPU, or the probed
/// `-nvidia` devices with sessions spread across them (start-up errors name the bad device).
pub fn session_manager(
    options: &str,
    container: Container,
    preset: &str,
    nvidia: Option<&str>,
    limits: SessionLimits,
) -> Result<SessionManager, MediaError> {
    let plan = ThreadPlan::detect();
    println!("threads: {plan}");
    let base = ladder_config(options, container, preset, None, plan)?;
    let pool = match nvidia {
        None => None,
        Some(list) => {
            let pool = GpuPool::new(nvidia::probe(list)?);
            let renditions = u32::try_from(base.profiles.len()).unwrap_or(u32::MAX);
            if let Some(cap) = pool.stream_capacity(renditions) {
                println!(
                    "NVENC session caps allow {cap} concurrent streams of {renditions} renditions"
                );
            }
            Some(pool)
        }
    };
    Ok(SessionManager::new(base, limits, pool))
}

/// Runs `livepeer transcode`.
pub fn run_transcode(args: TranscodeArgs) -> Result<(), MediaError> {
    super::init()?;
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

/// `livepeer bench transcode`: our per-segment ladder against one ffmpeg CLI process.
pub use bench::BenchTranscodeArgs;

/// Runs `livepeer bench transcode`.
pub fn run_bench_transcode(args: BenchTranscodeArgs) -> Result<(), MediaError> {
    super::init()?;
    bench::run(args)
}
