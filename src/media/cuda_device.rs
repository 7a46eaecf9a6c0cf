//! CUDA device contexts for NVDEC: one per GPU for the whole process, handed to every decoder on
//! that GPU, so `h264_cuvid` returns CUDA frames (kept in GPU memory for `scale_cuda`) instead of
//! copying every decoded picture to system memory.
//!
//! FFmpeg's default `get_format` picks the codec's hardware format as soon as the codec context
//! carries a device context of a matching type (libavcodec/decode.c, "If a device was supplied
//! when the codec was opened, assume that the user wants to use it"), so no callback is needed.
//! The device uses the GPU's primary CUDA context (`primary_ctx=1`), shared with NVENC and with
//! other sessions, rather than a new context (~300 MB of GPU memory) per session.
#![allow(unsafe_code)]

use super::MediaError;
use ffmpeg_next::{codec, ffi, Dictionary};
use std::{
    collections::BTreeMap,
    ffi::CString,
    sync::{Arc, Mutex, OnceLock, PoisonError},
};

/// A reference to an `AVHWDeviceContext` of type CUDA.
pub struct CudaDevice {
    ordinal: u32,
    buf: *mut ffi::AVBufferRef,
}

// SAFETY: the AVBufferRef is owned by this value alone and only read after creation (new
// references are taken with av_buffer_ref, whose reference count is atomic); FFmpeg's hardware
// device contexts are immutable once initialised and may be used from any thread.
unsafe impl Send for CudaDevice {}
// SAFETY: see `Send`: shared use only reads the pointer and takes new references.
unsafe impl Sync for CudaDevice {}

impl Drop for CudaDevice {
    fn drop(&mut self) {
        // SAFETY: `buf` came from av_hwdevice_ctx_create and is unreferenced exactly once here.
        unsafe { ffi::av_buffer_unref(&mut self.buf) };
    }
}

impl std::fmt::Debug for CudaDevice {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "CudaDevice({})", self.ordinal)
    }
}

fn nvdec_err(ordinal: u32, reason: String) -> MediaError {
    MediaError::Nvidia {
        list: ordinal.to_string(),
        reason,
    }
}

impl CudaDevice {
    /// Creates the device context for CUDA device `ordinal`.
    fn create(ordinal: u32) -> Result<Self, MediaError> {
        let name = CString::new(ordinal.to_string())
            .map_err(|e| nvdec_err(ordinal, format!("device name: {e}")))?;
        let mut opts = Dictionary::new();
        opts.set("primary_ctx", "1");
        let mut buf: *mut ffi::AVBufferRef = std::ptr::null_mut();
        // SAFETY: `disown` hands us the AVDictionary, which the call only reads and we free right
        // after with av_dict_free; `buf` is a valid out-pointer; `name` is a NUL-terminated
        // string alive for the call. On failure `buf` stays NULL (checked below).
        let r = unsafe {
            let mut opts = opts.disown();
            let r = ffi::av_hwdevice_ctx_create(
                &mut buf,
                ffi::AVHWDeviceType::AV_HWDEVICE_TYPE_CUDA,
                name.as_ptr(),
                opts,
                0,
            );
            ffi::av_dict_free(&mut opts);
            r
        };
        if r < 0 || buf.is_null() {
            return Err(nvdec_err(
                ordinal,
                format!(
                    "cannot create a CUDA device context for NVDEC: {}",
                    ffmpeg_next::Error::from(r)
                ),
            ));
        }
        Ok(CudaDevice { ordinal, buf })
    }

    /// The process-wide device context of CUDA device `ordinal` (created on first use).
    pub fn shared(ordinal: u32) -> Result<Arc<CudaDevice>, MediaError> {
        static DEVICES: OnceLock<Mutex<BTreeMap<u32, Arc<CudaDevice>>>> = OnceLock::new();
        let mut map = DEVICES
            .get_or_init(Default::default)
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        if let Some(d) = map.get(&ordinal) {
            return Ok(d.clone());
        }
        let d = Arc::new(CudaDevice::create(ordinal)?);
        map.insert(ordinal, d.clone());
        Ok(d)
    }

    /// Gives the (not yet opened) codec context `ctx` a reference to this device, so the
    /// decoder outputs frames in its memory.
    pub fn attach(&self, ctx: &mut codec::context::Context) -> Result<(), MediaError> {
        // SAFETY: `self.buf` is a live AVBufferRef (owned by self); av_buffer_ref returns a new
        // reference or NULL (checked).
        let r = unsafe { ffi::av_buffer_ref(self.buf) };
        if r.is_null() {
            return Err(nvdec_err(self.ordinal, "out of memory".into()));
        }
        // SAFETY: `ctx.as_mut_ptr()` is a valid, not yet opened AVCodecContext. It takes
        // ownership of the reference `r` (avcodec_free_context unrefs hw_device_ctx); any
        // previous reference is released first so none leaks.
        unsafe {
            let c = ctx.as_mut_ptr();
            ffi::av_buffer_unref(&mut (*c).hw_device_ctx);
            (*c).hw_device_ctx = r;
        }
        Ok(())
    }
}
