//! The few raw FFmpeg calls ffmpeg-next does not wrap: sharing a decoded frame by reference.
#![allow(unsafe_code)]

use super::MediaError;
use ffmpeg_next::{codec, ffi, format, frame};

/// A new reference to `src`'s buffers (no pixel copy), so one decoded frame can feed every
/// rendition. `frame::Video::clone` would copy the pixels.
pub fn frame_ref(src: &frame::Video) -> Result<frame::Video, MediaError> {
    // SAFETY: `src.as_ptr()` is a valid AVFrame owned by `src` for the duration of the call.
    // av_frame_clone returns a newly allocated AVFrame holding new references (or NULL on
    // failure, checked below); ownership passes to the returned `frame::Video`, which frees it
    // with av_frame_free on drop. Buffer reference counts are atomic, so the clone may be used on
    // another thread while `src` is dropped.
    let ptr = unsafe { ffi::av_frame_clone(src.as_ptr()) };
    if ptr.is_null() {
        return Err(MediaError::Internal(
            "av_frame_clone failed (out of memory)".into(),
        ));
    }
    // SAFETY: `ptr` is a non-null AVFrame we own exclusively (see above).
    Ok(unsafe { frame::Video::wrap(ptr) })
}

/// The parts of an `AVCodecParameters` ffmpeg-next has no accessor for.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CodecparFacts {
    /// Coded width.
    pub width: i32,
    /// Coded height.
    pub height: i32,
    /// Raw `AVPixelFormat` number (-1 when unknown).
    pub format: i32,
    /// Codec extradata (SPS/PPS for H.264 in MP4).
    pub extradata: Vec<u8>,
}

impl CodecparFacts {
    /// The pixel format.
    pub fn pixel(&self) -> format::Pixel {
        if self.format < 0 {
            return format::Pixel::None;
        }
        // SAFETY: AVPixelFormat is a C enum of i32 values; FFmpeg wrote this value into
        // codecpar->format, so it is one of the enum's values for the linked library.
        let raw: ffi::AVPixelFormat =
            unsafe { std::mem::transmute::<i32, ffi::AVPixelFormat>(self.format) };
        format::Pixel::from(raw)
    }

    /// True for 8-bit 4:2:0 formats NVDEC/NVENC take (planar or interleaved).
    pub fn is_yuv420(&self) -> bool {
        matches!(
            self.pixel(),
            format::Pixel::YUV420P
                | format::Pixel::YUVJ420P
                | format::Pixel::NV12
                | format::Pixel::None
        )
    }

    /// Human-readable pixel format name.
    pub fn pixel_format_name(&self) -> String {
        self.pixel()
            .descriptor()
            .map(|d| d.name().to_string())
            .unwrap_or_else(|| format!("pixel format #{}", self.format))
    }
}

/// Reads width, height, pixel format and extradata from codec parameters.
pub fn codecpar_facts(par: &codec::Parameters) -> CodecparFacts {
    // SAFETY: `par.as_ptr()` points to a valid AVCodecParameters owned by `par` for this call.
    // extradata is either NULL or points to `extradata_size` readable bytes (FFmpeg's invariant
    // for codec parameters); we copy them out before returning.
    unsafe {
        let p = &*par.as_ptr();
        let extradata = if p.extradata.is_null() || p.extradata_size <= 0 {
            Vec::new()
        } else {
            std::slice::from_raw_parts(p.extradata, p.extradata_size as usize).to_vec()
        };
        CodecparFacts {
            width: p.width,
            height: p.height,
            format: p.format,
            extradata,
        }
    }
}
