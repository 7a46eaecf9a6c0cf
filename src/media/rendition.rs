//! One rendition of one segment: scale graph, frame-rate conversion, keyframes, encoder, muxer.
//!
//! Runs on its own thread, fed decoded frames (shared references) and audio packets by the
//! ladder. Its [`RenditionState`] lives in the stream's session, so frame-rate and keyframe
//! timing continue across segments.

use super::{
    aspect::{self, SourceGeometry, H264_LIMITS},
    encoder::{self, EncoderConfig, EncoderKind},
    filter::{filter_spec, InputFormat, ScaleGraph},
    fps::{FpsConverter, Ratio},
    gop::KeyframeClock,
    mux::{Container, SegmentMuxer},
    profile::VideoProfile,
    MediaError,
};
use ffmpeg_next::{codec, frame, picture, Packet, Rational};
use std::sync::mpsc::Receiver;

/// A message from the ladder's decode loop to a rendition worker.
pub enum Msg {
    /// A decoded video frame (a reference to the shared buffers), pts in the stream time base.
    Video(frame::Video),
    /// A compressed audio packet to copy.
    Audio(Packet),
    /// End of the segment; the video ends at this pts (last frame pts + its duration).
    End(Option<i64>),
}

/// Facts about the segment's input every worker needs.
#[derive(Clone)]
pub struct SegmentInfo {
    /// Video stream time base.
    pub time_base: Rational,
    /// Source frame rate (for passthrough renditions).
    pub frame_rate: Ratio,
    /// Display rotation, degrees clockwise.
    pub rotation: u32,
    /// Audio stream parameters and time base, when audio is carried.
    pub audio: Option<(codec::Parameters, Rational)>,
    /// Output container.
    pub container: Container,
    /// Encoder to use.
    pub encoder: EncoderKind,
}

/// Per-stream state of one rendition (kept across segments).
#[derive(Clone, Debug)]
pub struct RenditionState {
    /// The profile being produced.
    pub profile: VideoProfile,
    fps: Option<FpsConverter>,
    keyframes: Option<KeyframeClock>,
}

impl RenditionState {
    /// Fresh state for `profile`.
    pub fn new(profile: VideoProfile) -> Self {
        RenditionState {
            profile,
            fps: None,
            keyframes: None,
        }
    }
}

/// One encoded rendition segment.
#[derive(Clone, Debug, Default)]
pub struct RenditionOutput {
    /// Profile name.
    pub name: String,
    /// The muxed segment.
    pub data: Vec<u8>,
    /// Output width (of the last encoded frame).
    pub width: u32,
    /// Output height (of the last encoded frame).
    pub height: u32,
    /// Encoded frames.
    pub frames: u64,
    /// Σ width × height over encoded frames: what the network bills.
    pub pixels: u64,
    /// Seconds this rendition's worker spent scaling, encoding and muxing (not waiting for
    /// frames); renditions run in parallel, so these overlap.
    pub busy_s: f64,
}

struct ActiveEncoder {
    enc: ffmpeg_next::encoder::Video,
    width: u32,
    height: u32,
}

struct Worker<'a> {
    state: &'a mut RenditionState,
    info: &'a SegmentInfo,
    graph: Option<ScaleGraph>,
    enc: Option<ActiveEncoder>,
    mux: Option<SegmentMuxer>,
    pending_audio: Vec<Packet>,
    held: Option<frame::Video>,
    segment_start: bool,
    continuity_checked: bool,
    out: RenditionOutput,
}

/// Runs one rendition over one segment's messages.
pub fn run_segment(
    state: &mut RenditionState,
    info: &SegmentInfo,
    rx: Receiver<Msg>,
) -> Result<RenditionOutput, MediaError> {
    let name = state.profile.name.clone();
    let mut w = Worker {
        state,
        info,
        graph: None,
        enc: None,
        mux: None,
        pending_audio: Vec::new(),
        held: None,
        segment_start: true,
        continuity_checked: false,
        out: RenditionOutput {
            name,
            ..Default::default()
        },
    };
    let tb = Ratio::new(
        i64::from(info.time_base.numerator()),
        i64::from(info.time_base.denominator()),
    );
    if w.state.fps.is_none() {
        w.state.fps = w
            .state
            .profile
            .frame_rate()
            .map(|(n, d)| FpsConverter::new(Ratio::new(n.into(), d.into()), tb));
    }
    if w.state.keyframes.is_none() {
        w.state.keyframes = Some(KeyframeClock::new(w.state.profile.gop, tb));
    }
    let mut busy = std::time::Duration::ZERO;
    while let Ok(msg) = rx.recv() {
        let t = std::time::Instant::now();
        match msg {
            Msg::Video(f) => w.on_decoded(f)?,
            Msg::Audio(p) => w.on_audio(p)?,
            Msg::End(end) => {
                let mut out = w.finish(end)?;
                out.busy_s = (busy + t.elapsed()).as_secs_f64();
                return Ok(out);
            }
        }
        busy += t.elapsed();
    }
    Err(MediaError::Internal(
        "segment input ended without an end marker".into(),
    ))
}

impl Worker<'_> {
    fn on_decoded(&mut self, f: frame::Video) -> Result<(), MediaError> {
        if !self.continuity_checked {
            self.continuity_checked = true;
            if let Some(pts) = f.pts() {
                if self.state.fps.as_ref().is_some_and(|c| c.rewound(pts)) {
                    // A repeated segment or a restarted clock: convert it as a stream's first.
                    self.restart_clocks();
                }
            }
        }
        let fmt = InputFormat::of(&f);
        if self.graph.as_ref().is_some_and(|g| g.input != fmt) {
            // Mid-segment resolution or format change: drain and rebuild for the new aspect.
            self.drain_graph(true)?;
            self.graph = None;
        }
        if self.graph.is_none() {
            let geo = SourceGeometry {
                width: fmt.width,
                height: fmt.height,
                sar_num: u32::try_from(fmt.sar.0).unwrap_or(0),
                sar_den: u32::try_from(fmt.sar.1).unwrap_or(0),
                rotation: self.info.rotation,
            };
            let p = &self.state.profile;
            let (w, h) = aspect::fit(geo, (p.width, p.height), H264_LIMITS);
            let gpu = fmt.format == ffmpeg_next::format::Pixel::CUDA;
            let spec = filter_spec(gpu, f.is_interlaced(), self.info.rotation, w, h);
            self.graph = Some(ScaleGraph::new(fmt, self.info.time_base, spec, &f)?);
        }
        if let Some(g) = self.graph.as_mut() {
            g.push(&f)?;
        }
        self.drain_graph(false)
    }

    fn drain_graph(&mut self, eof: bool) -> Result<(), MediaError> {
        let mut ready = Vec::new();
        if let Some(g) = self.graph.as_mut() {
            if eof {
                g.finish()?;
            }
            while let Some(s) = g.pull()? {
                ready.push(s);
            }
        }
        for s in ready {
            self.on_scaled(s)?;
        }
        Ok(())
    }

    fn restart_clocks(&mut self) {
        let tb = Ratio::new(
            i64::from(self.info.time_base.numerator()),
            i64::from(self.info.time_base.denominator()),
        );
        self.state.fps = self
            .state
            .profile
            .frame_rate()
            .map(|(n, d)| FpsConverter::new(Ratio::new(n.into(), d.into()), tb));
        self.state.keyframes = Some(KeyframeClock::new(self.state.profile.gop, tb));
    }

    fn on_scaled(&mut self, s: frame::Video) -> Result<(), MediaError> {
        let Some(pts) = s.pts() else {
            return Ok(()); // a frame without a timestamp cannot be placed
        };
        match self.state.fps.as_mut() {
            None => self.encode(s, pts).map(|_| ()),
            Some(conv) => {
                let slots: Vec<i64> = conv.advance_to(pts).map(|k| conv.slot_pts(k)).collect();
                if let Some(mut h) = self.held.take() {
                    for p in slots {
                        h = self.encode(h, p)?;
                    }
                }
                self.held = Some(s);
                Ok(())
            }
        }
    }

    /// Encodes `f` at `pts`; hands the frame back so it can be sent again (frame duplication).
    fn encode(&mut self, mut f: frame::Video, pts: i64) -> Result<frame::Video, MediaError> {
        let (w, h) = (f.width(), f.height());
        if self
            .enc
            .as_ref()
            .is_some_and(|e| (e.width, e.height) != (w, h))
        {
            self.flush_encoder()?;
        }
        if self.enc.is_none() {
            self.open_encoder(w, h)?;
        }
        let key = self
            .state
            .keyframes
            .as_mut()
            .is_some_and(|k| k.is_keyframe(pts, self.segment_start));
        self.segment_start = false;
        f.set_pts(Some(pts));
        f.set_kind(if key {
            picture::Type::I
        } else {
            picture::Type::None
        });
        let Some(active) = self.enc.as_mut() else {
            return Err(MediaError::Internal("encoder vanished".into()));
        };
        active.enc.send_frame(&f).map_err(|e| MediaError::Encode {
            encoder: self.info.encoder.codec_name().into(),
            reason: e.to_string(),
        })?;
        self.out.frames += 1;
        self.out.pixels += u64::from(w) * u64::from(h);
        self.out.width = w;
        self.out.height = h;
        self.drain_packets()?;
        Ok(f)
    }

    fn open_encoder(&mut self, width: u32, height: u32) -> Result<(), MediaError> {
        let p = &self.state.profile;
        let tb = self.info.time_base;
        let frame_rate = p
            .frame_rate()
            .map(|(n, d)| Ratio::new(n.into(), d.into()))
            .unwrap_or(self.info.frame_rate);
        let cfg = EncoderConfig {
            kind: self.info.encoder.clone(),
            width,
            height,
            time_base: Ratio::new(tb.numerator().into(), tb.denominator().into()),
            frame_rate,
            bitrate: p.bitrate,
            profile: p.profile,
            gop_frames: KeyframeClock::gop_frames(p.gop, frame_rate),
            global_header: self.info.container == Container::FragmentedMp4,
        };
        let enc = encoder::open(&cfg)?;
        if self.mux.is_none() {
            let audio = self.info.audio.as_ref().map(|(par, _)| par);
            let mut mux = SegmentMuxer::open(self.info.container, &enc, audio)?;
            if let Some((_, atb)) = &self.info.audio {
                for pkt in self.pending_audio.drain(..) {
                    mux.write_audio(pkt, *atb)?;
                }
            }
            self.mux = Some(mux);
        }
        self.enc = Some(ActiveEncoder { enc, width, height });
        Ok(())
    }

    fn drain_packets(&mut self) -> Result<(), MediaError> {
        let (Some(active), Some(mux)) = (self.enc.as_mut(), self.mux.as_mut()) else {
            return Ok(());
        };
        let tb = active.enc.time_base();
        let mut pkt = Packet::empty();
        while active.enc.receive_packet(&mut pkt).is_ok() {
            mux.write_video(pkt, tb)?;
            pkt = Packet::empty();
        }
        Ok(())
    }

    fn flush_encoder(&mut self) -> Result<(), MediaError> {
        if let Some(active) = self.enc.as_mut() {
            active.enc.send_eof().map_err(|e| MediaError::Encode {
                encoder: self.info.encoder.codec_name().into(),
                reason: format!("flush: {e}"),
            })?;
            self.drain_packets()?;
        }
        self.enc = None;
        Ok(())
    }

    fn on_audio(&mut self, p: Packet) -> Result<(), MediaError> {
        match (self.mux.as_mut(), &self.info.audio) {
            (Some(m), Some((_, tb))) => m.write_audio(p, *tb),
            _ => {
                self.pending_audio.push(p);
                Ok(())
            }
        }
    }

    fn finish(mut self, end: Option<i64>) -> Result<RenditionOutput, MediaError> {
        self.drain_graph(true)?;
        if let (Some(conv), Some(end)) = (self.state.fps.as_mut(), end) {
            let slots: Vec<i64> = conv.finish(end).map(|k| conv.slot_pts(k)).collect();
            if let Some(mut h) = self.held.take() {
                for p in slots {
                    h = self.encode(h, p)?;
                }
            }
        }
        self.flush_encoder()?;
        if let Some(mux) = self.mux.take() {
            self.out.data = mux.finish()?;
        }
        Ok(self.out)
    }
}
