//! One rendition's libavfilter graph: deinterlace, rotate, scale, 8-bit 4:2:0 (see ADR 0003).

use super::MediaError;
use ffmpeg_next::{filter, format::Pixel, frame, Rational, Rescale};

/// What a graph was built for; a frame that differs needs a new graph.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct InputFormat {
    /// Width of the decoded frames.
    pub width: u32,
    /// Height of the decoded frames.
    pub height: u32,
    /// Pixel format of the decoded frames.
    pub format: Pixel,
    /// Sample aspect ratio (num, den); (0, 1) when unknown.
    pub sar: (i32, i32),
}

impl InputFormat {
    /// The format of a decoded frame.
    pub fn of(f: &frame::Video) -> Self {
        let sar = f.aspect_ratio();
        InputFormat {
            width: f.width(),
            height: f.height(),
            format: f.format(),
            sar: (sar.numerator(), sar.denominator().max(1)),
        }
    }
}

/// The filter chain text for one rendition. Pure, so it is unit-tested. With `gpu`, frames are
/// CUDA frames from NVDEC: deinterlaced and scaled on the GPU, then downloaded as 8-bit 4:2:0
/// for the encoder (rotation, rare, is applied after the download).
pub fn filter_spec(gpu: bool, deinterlace: bool, rotation: u32, width: u32, height: u32) -> String {
    let mut parts = Vec::new();
    let transpose = match rotation {
        90 => Some("transpose=clock"),
        180 => Some("hflip,vflip"),
        270 => Some("transpose=cclock"),
        _ => None,
    };
    if gpu {
        if deinterlace {
            parts.push("yadif_cuda=mode=send_frame:deint=interlaced".to_string());
        }
        // Scale before the quarter turn: the pre-rotation size has the sides swapped.
        let (w, h) = if rotation % 180 == 90 {
            (height, width)
        } else {
            (width, height)
        };
        parts.push(format!("scale_cuda={w}:{h}:format=yuv420p"));
        parts.push("hwdownload".into());
        parts.push("format=yuv420p".into());
        parts.extend(transpose.map(String::from));
    } else {
        if deinterlace {
            parts.push("yadif=mode=send_frame:deint=interlaced".to_string());
        }
        parts.extend(transpose.map(String::from));
        parts.push(format!("scale={width}:{height}"));
    }
    parts.push("setsar=1".into());
    parts.push("format=yuv420p".into());
    parts.join(",")
}

/// A configured graph: push decoded frames in, pull scaled frames out.
pub struct ScaleGraph {
    graph: filter::Graph,
    spec: String,
    /// The input it was built for.
    pub input: InputFormat,
    time_base: Rational,
}

impl ScaleGraph {
    /// Builds `spec` for frames of `input` with timestamps in `time_base`. For hardware (CUDA)
    /// frames, `first` supplies the hardware frames context.
    pub fn new(
        input: InputFormat,
        time_base: Rational,
        spec: String,
        first: &frame::Video,
    ) -> Result<Self, MediaError> {
        let err = |reason: String| MediaError::Filter {
            graph: spec.clone(),
            reason,
        };
        let mut graph = filter::Graph::new();
        let args = format!(
            "video_size={}x{}:pix_fmt={}:time_base={}/{}:pixel_aspect={}/{}",
            input.width,
            input.height,
            ffmpeg_next::ffi::AVPixelFormat::from(input.format) as i32,
            time_base.numerator(),
            time_base.denominator(),
            input.sar.0.max(0),
            input.sar.1.max(1),
        );
        let buffer = filter::find("buffer").ok_or_else(|| err("no buffer filter".into()))?;
        let sink = filter::find("buffersink").ok_or_else(|| err("no buffersink filter".into()))?;
        graph
            .add(&buffer, "in", &args)
            .map_err(|e| err(format!("buffer {args}: {e}")))?;
        graph
            .add(&sink, "out", "")
            .map_err(|e| err(e.to_string()))?;
        if input.format == Pixel::CUDA {
            let mut src = graph
                .get("in")
                .ok_or_else(|| err("buffer missing".into()))?;
            super::ffi::attach_hw_frames(&mut src, first)?;
        }
        graph
            .output("in", 0)
            .and_then(|p| p.input("out", 0))
            .and_then(|p| p.parse(&spec))
            .map_err(|e| err(e.to_string()))?;
        graph.validate().map_err(|e| err(e.to_string()))?;
        Ok(ScaleGraph {
            graph,
            spec,
            input,
            time_base,
        })
    }

    fn ctx_err(&self, what: &str) -> MediaError {
        MediaError::Filter {
            graph: self.spec.clone(),
            reason: format!("{what} missing"),
        }
    }

    /// Pushes a frame (a reference; its buffers are handed to the graph).
    pub fn push(&mut self, f: &frame::Video) -> Result<(), MediaError> {
        let spec = self.spec.clone();
        let mut ctx = self.graph.get("in").ok_or_else(|| self.ctx_err("in"))?;
        ctx.source().add(f).map_err(|e| MediaError::Filter {
            graph: spec,
            reason: format!("push: {e}"),
        })
    }

    /// Signals the end of input, so delayed frames (deinterlacing) come out.
    pub fn finish(&mut self) -> Result<(), MediaError> {
        let spec = self.spec.clone();
        let mut ctx = self.graph.get("in").ok_or_else(|| self.ctx_err("in"))?;
        ctx.source().flush().map_err(|e| MediaError::Filter {
            graph: spec,
            reason: format!("flush: {e}"),
        })
    }

    /// Pulls the next ready frame, if any, with its pts in the input time base (yadif, for
    /// one, halves the graph's output time base).
    pub fn pull(&mut self) -> Result<Option<frame::Video>, MediaError> {
        let mut ctx = self.graph.get("out").ok_or_else(|| self.ctx_err("out"))?;
        let mut out = frame::Video::empty();
        let mut sink = ctx.sink();
        match sink.frame(&mut out) {
            Ok(()) => {
                let sink_tb = sink.time_base();
                if sink_tb != self.time_base && sink_tb.numerator() > 0 {
                    let pts = out.pts().map(|p| p.rescale(sink_tb, self.time_base));
                    out.set_pts(pts);
                }
                Ok(Some(out))
            }
            Err(ffmpeg_next::Error::Eof) => Ok(None),
            Err(ffmpeg_next::Error::Other { errno })
                if errno == ffmpeg_next::util::error::EAGAIN =>
            {
                Ok(None)
            }
            Err(e) => Err(MediaError::Filter {
                graph: self.spec.clone(),
                reason: format!("pull: {e}"),
            }),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn spec_orders_deinterlace_rotate_scale_format() {
        assert_eq!(
            filter_spec(false, false, 0, 640, 360),
            "scale=640:360,setsar=1,format=yuv420p"
        );
        assert_eq!(
            filter_spec(false, true, 90, 360, 640),
            "yadif=mode=send_frame:deint=interlaced,transpose=clock,scale=360:640,setsar=1,format=yuv420p"
        );
    }

    #[test]
    fn gpu_spec_scales_on_the_device_then_downloads() {
        assert_eq!(
            filter_spec(true, false, 0, 640, 360),
            "scale_cuda=640:360:format=yuv420p,hwdownload,format=yuv420p,setsar=1,format=yuv420p"
        );
        assert_eq!(
            filter_spec(true, true, 90, 360, 640),
            "yadif_cuda=mode=send_frame:deint=interlaced,scale_cuda=640:360:format=yuv420p,hwdownload,format=yuv420p,transpose=clock,setsar=1,format=yuv420p"
        );
    }
}
