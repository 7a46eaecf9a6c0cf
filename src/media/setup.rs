//! Setting a transcoder up from the operator's words: the output container by name, a ladder
//! configuration (CPU, or the first probed GPU) and the per-stream session manager the roles use.

use super::{
    encoder::EncoderKind,
    ladder::LadderConfig,
    mux::Container,
    nvidia::{self, GpuPool},
    profile::parse_transcoding_options,
    session::{SessionLimits, SessionManager},
    threads::ThreadPlan,
    MediaError,
};

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
