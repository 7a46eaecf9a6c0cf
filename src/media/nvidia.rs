//! NVIDIA start-up probe for `-nvidia 0,2` / `-nvidia all`, and spreading sessions over GPUs.
//!
//! Each listed device (numbered as `nvidia-smi` numbers them, i.e. NVML order) is checked: NVML
//! for presence and driver, matched to its CUDA ordinal by PCI bus id (CUDA numbers devices
//! fastest-first unless `CUDA_DEVICE_ORDER=PCI_BUS_ID`), then a real open of `h264_cuvid` and
//! `h264_nvenc` on that CUDA device. cudarc panics when libcuda is missing, so its presence is
//! checked first.
#![allow(unsafe_code)]

use super::{
    encoder::{self, EncoderConfig, EncoderKind},
    fps::Ratio,
    profile::H264Profile,
    MediaError,
};
use std::sync::{Arc, Mutex};

/// A GPU that passed the start-up checks.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct GpuDevice {
    /// Index as `nvidia-smi` shows it (what `-nvidia` lists).
    pub nvml_index: u32,
    /// CUDA ordinal of the same board (what FFmpeg's `gpu` option takes).
    pub cuda_ordinal: u32,
    /// Marketing name.
    pub name: String,
    /// PCI bus id, `domain:bus:device.function`.
    pub pci_bus_id: String,
    /// Driver version.
    pub driver: String,
    /// NVENC opened on this device (H100/H200 have none: libx264 encodes their decoded frames).
    pub nvenc: bool,
    /// Consumer cards cap concurrent NVENC sessions in the driver; `None` = no cap known.
    pub nvenc_session_cap: Option<u32>,
}

/// Parses `all` or a comma-separated list of indices.
pub fn parse_device_list(list: &str) -> Result<Option<Vec<u32>>, MediaError> {
    let list = list.trim();
    if list.eq_ignore_ascii_case("all") {
        return Ok(None);
    }
    list.split(',')
        .map(|s| {
            s.trim().parse::<u32>().map_err(|_| MediaError::Nvidia {
                list: list.into(),
                reason: format!("{s:?} is not a device number (use e.g. 0,2 or all)"),
            })
        })
        .collect::<Result<Vec<_>, _>>()
        .map(Some)
}

/// Normalises a PCI bus id to (domain, bus, device) so NVML's and CUDA's spellings compare.
pub fn parse_pci_bus_id(s: &str) -> Option<PciAddress> {
    let mut parts = s.trim().split(':');
    let (a, b, c) = (parts.next()?, parts.next()?, parts.next());
    let (domain, bus, devfn) = match c {
        Some(c) => (u32::from_str_radix(a, 16).ok()?, b, c),
        None => (0, a, b),
    };
    let bus = u32::from_str_radix(bus, 16).ok()?;
    let dev = u32::from_str_radix(devfn.split('.').next()?, 16).ok()?;
    Some((domain, bus, dev))
}

/// Whether a board name is a consumer card whose driver caps NVENC sessions, and the cap.
pub fn consumer_session_cap(name: &str) -> Option<u32> {
    let n = name.to_ascii_lowercase();
    let consumer = (n.contains("geforce") || n.contains("titan")) && !n.contains("quadro");
    // Drivers since 550 allow 8 concurrent sessions on consumer cards (older ones 3 or 5).
    consumer.then_some(8)
}

/// (domain, bus, device) of a PCI function.
type PciAddress = (u32, u32, u32);

fn cuda_bus_ids(list: &str) -> Result<Vec<(u32, PciAddress)>, MediaError> {
    use cudarc::driver::{result, sys};
    let fail = |reason: String| MediaError::Nvidia {
        list: list.into(),
        reason,
    };
    // SAFETY: is_culib_present only tries to dlopen libcuda and reports whether it worked.
    if !unsafe { sys::is_culib_present() } {
        return Err(fail(
            "the CUDA driver library (libcuda.so.1) is not installed or not on LD_LIBRARY_PATH"
                .into(),
        ));
    }
    result::init().map_err(|e| fail(format!("CUDA init failed: {e:?}")))?;
    let count =
        result::device::get_count().map_err(|e| fail(format!("CUDA device count: {e:?}")))?;
    let mut out = Vec::new();
    for ordinal in 0..count {
        let dev = result::device::get(ordinal)
            .map_err(|e| fail(format!("CUDA device {ordinal}: {e:?}")))?;
        let attr = |a| {
            // SAFETY: `dev` was returned by cuDeviceGet above, as get_attribute requires.
            unsafe { result::device::get_attribute(dev, a) }
        };
        use sys::CUdevice_attribute::*;
        let ids = (
            attr(CU_DEVICE_ATTRIBUTE_PCI_DOMAIN_ID),
            attr(CU_DEVICE_ATTRIBUTE_PCI_BUS_ID),
            attr(CU_DEVICE_ATTRIBUTE_PCI_DEVICE_ID),
        );
        if let (Ok(d), Ok(b), Ok(v)) = ids {
            out.push((ordinal as u32, (d as u32, b as u32, v as u32)));
        }
    }
    Ok(out)
}

fn try_open_nvenc(gpu: u32) -> Result<(), MediaError> {
    let cfg = EncoderConfig {
        kind: EncoderKind::Nvenc { gpu },
        width: 256,
        height: 144,
        time_base: Ratio::new(1, 30),
        frame_rate: Ratio::new(30, 1),
        bitrate: 400_000,
        profile: H264Profile::EncoderDefault,
        gop_frames: None,
        global_header: false,
    };
    encoder::open(&cfg).map(|_| ())
}

fn try_open_cuvid(gpu: u32) -> Result<(), String> {
    use ffmpeg_next::{codec, decoder, Dictionary};
    let codec =
        decoder::find_by_name("h264_cuvid").ok_or("h264_cuvid is not compiled into this FFmpeg")?;
    // Opening creates a CUDA context on `gpu` and checks the NVDEC capabilities.
    let ctx = codec::context::Context::new_with_codec(codec);
    let mut opts = Dictionary::new();
    opts.set("gpu", &gpu.to_string());
    ctx.decoder()
        .open_as_with(codec, opts)
        .map(|_| ())
        .map_err(|e| e.to_string())
}

/// Checks every device in `list` and returns them, or a start-up error naming the device and
/// what it lacks.
pub fn probe(list: &str) -> Result<Vec<GpuDevice>, MediaError> {
    let wanted = parse_device_list(list)?;
    let fail = |reason: String| MediaError::Nvidia {
        list: list.into(),
        reason,
    };
    let nvml = nvml_wrapper::Nvml::init().map_err(|e| {
        fail(format!(
            "the NVIDIA driver's management library (libnvidia-ml.so.1) cannot be loaded ({e}); \
             install the NVIDIA driver or run without -nvidia to transcode on the CPU"
        ))
    })?;
    let driver = nvml
        .sys_driver_version()
        .unwrap_or_else(|_| "unknown".into());
    let count = nvml
        .device_count()
        .map_err(|e| fail(format!("NVML device count: {e}")))?;
    let indices = wanted.unwrap_or_else(|| (0..count).collect());
    if indices.is_empty() {
        return Err(fail(format!("no NVIDIA GPU found (driver {driver})")));
    }
    let cuda = cuda_bus_ids(list)?;
    let mut out = Vec::new();
    for idx in indices {
        let dev = nvml.device_by_index(idx).map_err(|e| {
            fail(format!(
                "GPU {idx} not found: {e} (this machine has {count})"
            ))
        })?;
        let name = dev.name().unwrap_or_else(|_| "unknown GPU".into());
        let pci = dev
            .pci_info()
            .map_err(|e| fail(format!("GPU {idx} ({name}): PCI info: {e}")))?;
        let key = parse_pci_bus_id(&pci.bus_id);
        let ordinal = cuda
            .iter()
            .find(|(_, ids)| Some(*ids) == key)
            .map(|(o, _)| *o)
            .ok_or_else(|| {
                fail(format!(
                    "GPU {idx} ({name}, {}) is not visible to CUDA (check CUDA_VISIBLE_DEVICES)",
                    pci.bus_id
                ))
            })?;
        try_open_cuvid(ordinal).map_err(|e| {
            fail(format!(
                "GPU {idx} ({name}) cannot decode H.264 with NVDEC (h264_cuvid): {e}"
            ))
        })?;
        let nvenc = try_open_nvenc(ordinal).is_ok();
        out.push(GpuDevice {
            nvml_index: idx,
            cuda_ordinal: ordinal,
            nvenc_session_cap: if nvenc {
                consumer_session_cap(&name)
            } else {
                None
            },
            name,
            pci_bus_id: pci.bus_id,
            driver: driver.clone(),
            nvenc,
        });
    }
    Ok(out)
}

/// Spreads sessions across the probed GPUs: least loaded first, NVENC session caps respected.
#[derive(Clone, Debug)]
pub struct GpuPool {
    devices: Arc<Vec<GpuDevice>>,
    load: Arc<Mutex<Vec<u32>>>,
}

/// A GPU held by one session; released when dropped.
#[derive(Debug)]
pub struct GpuLease {
    /// The device.
    pub device: GpuDevice,
    index: usize,
    sessions: u32,
    load: Arc<Mutex<Vec<u32>>>,
}

impl Drop for GpuLease {
    fn drop(&mut self) {
        if let Ok(mut l) = self.load.lock() {
            if let Some(v) = l.get_mut(self.index) {
                *v = v.saturating_sub(self.sessions);
            }
        }
    }
}

impl GpuPool {
    /// A pool over `devices`.
    pub fn new(devices: Vec<GpuDevice>) -> Self {
        let n = devices.len();
        GpuPool {
            devices: Arc::new(devices),
            load: Arc::new(Mutex::new(vec![0; n])),
        }
    }

    /// Takes the least loaded device with room for `renditions` NVENC sessions, if any.
    pub fn acquire(&self, renditions: u32) -> Option<GpuLease> {
        let mut load = self.load.lock().ok()?;
        let (index, device) = self
            .devices
            .iter()
            .enumerate()
            .filter(|(i, d)| {
                let used = load.get(*i).copied().unwrap_or(u32::MAX);
                d.nvenc_session_cap
                    .is_none_or(|cap| used + renditions <= cap)
            })
            .min_by_key(|(i, _)| load.get(*i).copied().unwrap_or(u32::MAX))?;
        let sessions = if device.nvenc { renditions } else { 0 };
        if let Some(v) = load.get_mut(index) {
            *v += sessions.max(1);
        }
        Some(GpuLease {
            device: device.clone(),
            index,
            sessions: sessions.max(1),
            load: self.load.clone(),
        })
    }

    /// How many streams of `renditions` renditions the capped devices admit (None if uncapped).
    pub fn stream_capacity(&self, renditions: u32) -> Option<u32> {
        let mut total = 0;
        for d in self.devices.iter() {
            total += d.nvenc_session_cap? / renditions.max(1);
        }
        Some(total)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dev(i: u32, cap: Option<u32>) -> GpuDevice {
        GpuDevice {
            nvml_index: i,
            cuda_ordinal: i,
            name: "x".into(),
            pci_bus_id: String::new(),
            driver: String::new(),
            nvenc: true,
            nvenc_session_cap: cap,
        }
    }

    #[test]
    fn device_lists_parse() {
        assert_eq!(parse_device_list("all").unwrap(), None);
        assert_eq!(parse_device_list("0,2").unwrap(), Some(vec![0, 2]));
        let e = parse_device_list("0,x").unwrap_err().to_string();
        assert!(e.contains("\"x\" is not a device number"), "{e}");
    }

    #[test]
    fn pci_ids_compare_across_spellings() {
        assert_eq!(parse_pci_bus_id("00000000:01:00.0"), Some((0, 1, 0)));
        assert_eq!(
            parse_pci_bus_id("0000:01:00.0"),
            parse_pci_bus_id("00000000:01:00.0")
        );
        assert_eq!(parse_pci_bus_id("0001:c1:1f.0"), Some((1, 0xc1, 0x1f)));
        assert_eq!(parse_pci_bus_id("junk"), None);
    }

    #[test]
    fn consumer_caps_limit_capacity_and_sessions_spread() {
        assert_eq!(consumer_session_cap("NVIDIA GeForce RTX 3090"), Some(8));
        assert_eq!(consumer_session_cap("NVIDIA H100 80GB HBM3"), None);
        let pool = GpuPool::new(vec![dev(0, Some(8)), dev(1, Some(8))]);
        assert_eq!(pool.stream_capacity(4), Some(4));
        let a = pool.acquire(4).unwrap();
        let b = pool.acquire(4).unwrap();
        assert_ne!(
            a.device.nvml_index, b.device.nvml_index,
            "spread across devices"
        );
        let c = pool.acquire(4).unwrap();
        let _d = pool.acquire(4).unwrap();
        assert!(pool.acquire(4).is_none(), "caps reached");
        drop(c);
        assert!(pool.acquire(4).is_some(), "a released lease frees capacity");
        drop((a, b));
    }

    #[test]
    fn without_nvidia_libraries_probe_says_why() {
        if std::env::var_os("NV_DEVICE").is_some() {
            println!("skipped: NV_DEVICE is set, this test covers machines without NVIDIA");
            return;
        }
        if nvml_wrapper::Nvml::init().is_ok() {
            println!("skipped: NVIDIA libraries are present on this machine");
            return;
        }
        let e = probe("0").unwrap_err().to_string();
        assert!(e.contains("libnvidia-ml"), "{e}");
    }
}
