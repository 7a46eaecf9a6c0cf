//! The few raw FFmpeg calls ffmpeg-next does not wrap: sharing a decoded frame by reference.
#![allow(unsafe_code)]

use super::MediaError;
use ffmpeg_next::{codec, ffi, filter, format, frame};

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
    /// The pixel format, for the formats this module needs to tell apart.
    pub fn pixel(&self) -> format::Pixel {
        use format::Pixel as P;
        const KNOWN: [P; 14] = [
            P::YUV420P,
            P::YUVJ420P,
            P::NV12,
            P::YUV422P,
            P::YUVJ422P,
            P::YUV444P,
            P::YUVJ444P,
            P::YUV420P10LE,
            P::YUV422P10LE,
            P::YUV444P10LE,
            P::YUV420P12LE,
            P::YUV422P12LE,
            P::P010LE,
            P::GRAY8,
        ];
        KNOWN
            .into_iter()
            .find(|&p| ffi::AVPixelFormat::from(p) as i32 == self.format)
            .unwrap_or(P::None)
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
        match self.pixel() {
            format::Pixel::None => format!("pixel format #{}", self.format),
            p => p
                .descriptor()
                .map_or_else(|| format!("{p:?}"), |d| d.name().to_string()),
        }
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

/// A copy of `par` with the container-specific codec tag cleared, so a stream copied from one
/// container (MPEG-TS stream type 15 for AAC) can be muxed into another (MP4's `mp4a`).
pub fn without_codec_tag(par: &codec::Parameters) -> codec::Parameters {
    let mut out = par.clone();
    // SAFETY: `out` owns a valid AVCodecParameters (the clone above); codec_tag is a plain u32
    // field the muxer reads at write_header, and 0 means "choose the tag for this container".
    unsafe {
        (*out.as_mut_ptr()).codec_tag = 0;
    }
    out
}

/// Hands the hardware frames context of `frame` (CUDA frames from NVDEC) to the buffer source
/// `src`, so a graph can take GPU frames (`scale_cuda`). Call before the graph is configured.
pub fn attach_hw_frames(src: &mut filter::Context, frame: &frame::Video) -> Result<(), MediaError> {
    let fail = |what: &str| MediaError::Filter {
        graph: "buffer (CUDA frames)".into(),
        reason: what.into(),
    };
    // SAFETY: `frame.as_ptr()` is a valid AVFrame for the duration of the call; its
    // hw_frames_ctx is either NULL (checked) or a valid AVBufferRef that we only read.
    let hw = unsafe { (*frame.as_ptr()).hw_frames_ctx };
    if hw.is_null() {
        return Err(fail("the decoded frame has no hardware frames context"));
    }
    // SAFETY: av_buffersrc_parameters_alloc returns a zeroed struct with unset (-1) formats or
    // NULL (checked). We set only hw_frames_ctx, which av_buffersrc_parameters_set references
    // (av_buffer_ref) rather than takes; `src.as_mut_ptr()` is the graph's live buffer source.
    // The parameters struct is freed with av_free as its documentation requires.
    unsafe {
        let par = ffi::av_buffersrc_parameters_alloc();
        if par.is_null() {
            return Err(fail("out of memory"));
        }
        (*par).hw_frames_ctx = hw;
        let r = ffi::av_buffersrc_parameters_set(src.as_mut_ptr(), par);
        ffi::av_free(par.cast());
        if r < 0 {
            return Err(fail(&format!(
                "av_buffersrc_parameters_set: {}",
                ffmpeg_next::Error::from(r)
            )));
        }
    }
    Ok(())
}
