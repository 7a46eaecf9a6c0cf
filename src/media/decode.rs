//! Opening the video decoder (CPU or NVDEC) and draining it into the rendition workers.

use super::{
    ladder::{send_all, share},
    rendition::Msg,
    MediaError,
};
use ffmpeg_next::{codec, decoder, frame, Dictionary, Packet};
use std::sync::mpsc::SyncSender;

/// Opens a decoder for `par`: the CPU decoder with `threads` frame threads, or `h264_cuvid` on
/// CUDA device `gpu`, whose frames stay in GPU memory.
pub fn open_decoder(
    par: &codec::Parameters,
    threads: usize,
    gpu: Option<u32>,
) -> Result<decoder::Video, MediaError> {
    let id = par.id();
    let codec = match gpu {
        Some(_) if id == codec::Id::H264 => decoder::find_by_name("h264_cuvid"),
        Some(_) => {
            return Err(MediaError::NoDecoder(format!(
                "{id:?} on NVDEC (only H.264 input is wired)"
            )))
        }
        None => decoder::find(id),
    }
    .ok_or_else(|| MediaError::NoDecoder(format!("{id:?}")))?;
    // Allocate the context with the codec (keeps the decoder's own defaults), then copy parameters.
    let mut ctx = codec::context::Context::new_with_codec(codec);
    ctx.set_parameters(par.clone())
        .map_err(|e| MediaError::Decode(format!("parameters: {e}")))?;
    if gpu.is_none() {
        ctx.set_threading(codec::threading::Config {
            kind: codec::threading::Type::Frame,
            count: threads,
            safe: false,
        });
    }
    let mut opts = Dictionary::new();
    if let Some(g) = gpu {
        // With a device context the decoder outputs CUDA frames, scaled on the GPU
        // (`scale_cuda`); without one, h264_cuvid would copy each picture to system memory.
        super::cuda_device::CudaDevice::shared(g)?.attach(&mut ctx)?;
        opts.set("gpu", &g.to_string());
    }
    ctx.decoder()
        .open_as_with(codec, opts)
        .and_then(|o| o.video())
        .map_err(|e| MediaError::Decode(format!("open {}: {e}", codec.name())))
}

/// Counters of one segment's decode.
#[derive(Default)]
pub struct DecodeState {
    /// A keyframe has been fed to the decoder in this segment.
    pub primed: bool,
    /// Frames decoded.
    pub frames: u64,
    first_pts: Option<i64>,
    last_pts: Option<i64>,
    last_duration: i64,
    errors: u32,
    last_error: String,
    gpu_frames: bool,
}

/// The decode loop's result.
pub struct Decoded {
    /// Frames decoded.
    pub frames: u64,
    /// End of the video: last pts plus its duration.
    pub end_pts: Option<i64>,
    /// First decoded pts.
    pub start_pts: Option<i64>,
    /// The decoder handed out frames in GPU memory (NVDEC with a CUDA device context).
    pub gpu_frames: bool,
}

impl DecodeState {
    /// The frame duration to assume before any is measured (a one-frame segment still lasts
    /// one frame).
    pub fn set_nominal_duration(&mut self, ticks: i64) {
        if ticks > 0 {
            self.last_duration = ticks;
        }
    }

    /// Sends a packet; corrupt packets are counted, not fatal (the next keyframe recovers).
    pub fn send(&mut self, dec: &mut decoder::Video, pkt: &Packet) -> Result<(), MediaError> {
        if pkt.duration() > 0 {
            self.last_duration = pkt.duration();
        }
        if let Err(e) = dec.send_packet(pkt) {
            self.errors += 1;
            self.last_error = e.to_string();
        }
        Ok(())
    }

    /// Receives every ready frame and shares it with the workers.
    pub fn drain(
        &mut self,
        dec: &mut decoder::Video,
        senders: &[SyncSender<Msg>],
    ) -> Result<(), MediaError> {
        let mut f = frame::Video::empty();
        while dec.receive_frame(&mut f).is_ok() {
            let Some(pts) = f.timestamp() else {
                continue;
            };
            if self.last_pts.is_some_and(|p| pts <= p) {
                continue; // out-of-order or duplicate timestamp: not placeable
            }
            if let Some(prev) = self.last_pts {
                self.last_duration = pts - prev;
            }
            self.last_pts = Some(pts);
            self.first_pts.get_or_insert(pts);
            f.set_pts(Some(pts));
            self.frames += 1;
            self.gpu_frames |= f.format() == ffmpeg_next::format::Pixel::CUDA;
            send_all(senders, || share(&f))?;
        }
        Ok(())
    }

    /// Drains the decoder at the end of the segment.
    pub fn finish(
        mut self,
        dec: &mut decoder::Video,
        senders: &[SyncSender<Msg>],
    ) -> Result<Decoded, MediaError> {
        if !self.primed {
            return Err(MediaError::NoKeyframe);
        }
        let _ = dec.send_eof();
        self.drain(dec, senders)?;
        if self.frames == 0 {
            return Err(MediaError::Decode(if self.errors > 0 {
                format!(
                    "no frame decoded ({} bad packets, last: {})",
                    self.errors, self.last_error
                )
            } else {
                "no frame decoded".into()
            }));
        }
        Ok(Decoded {
            frames: self.frames,
            end_pts: self.last_pts.map(|p| p + self.last_duration.max(1)),
            start_pts: self.first_pts,
            gpu_frames: self.gpu_frames,
        })
    }
}
