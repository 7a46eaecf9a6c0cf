//! One decode, a whole ladder: demux a segment, decode its video once, and feed every rendition
//! worker (one thread each) from the same decoded frames; audio packets go to every rendition.

use super::{
    audio::AudioTranscoder,
    encoder::EncoderKind,
    ffi::{codecpar_facts, frame_ref, CodecparFacts},
    fps::Ratio,
    mux::Container,
    profile::VideoProfile,
    rendition::{self, Msg, RenditionOutput, RenditionState, SegmentInfo},
    MediaError,
};
use ffmpeg_next::{codec, decoder, format, media};
use std::{
    path::PathBuf,
    sync::{
        atomic::{AtomicBool, Ordering},
        mpsc::{sync_channel, SyncSender},
        Arc,
    },
};

/// Where a segment comes from.
#[derive(Clone, Debug)]
pub enum SegmentInput {
    /// A file on disk.
    File(PathBuf),
    /// Bytes in memory (as received over the network).
    Bytes(Vec<u8>),
}

/// How a ladder transcodes.
#[derive(Clone, Debug)]
pub struct LadderConfig {
    /// The renditions.
    pub profiles: Vec<VideoProfile>,
    /// Output container.
    pub container: Container,
    /// Encoder for every rendition.
    pub encoder: EncoderKind,
    /// Decoder threads (frame threading).
    pub decoder_threads: usize,
    /// Decode on this CUDA device with NVDEC (`h264_cuvid`) instead of the CPU.
    pub nvdec_gpu: Option<u32>,
}

/// The result of one segment.
#[derive(Clone, Debug, Default)]
pub struct SegmentOutput {
    /// One entry per profile, in profile order.
    pub renditions: Vec<RenditionOutput>,
    /// Frames decoded from the input.
    pub decoded_frames: u64,
    /// True when the input had no video: each rendition is the input returned as is.
    pub audio_only: bool,
    /// Duration of the decoded video in seconds.
    pub duration_s: f64,
    /// Decoded frames stayed in GPU memory (NVDEC) and were scaled there (`scale_cuda`).
    pub gpu_frames: bool,
}

struct OpenDecoder {
    key: (codec::Id, CodecparFacts),
    dec: decoder::Video,
}

/// A stream's decoder and per-rendition state, reused across its segments.
pub struct Ladder {
    cfg: LadderConfig,
    decoder: Option<OpenDecoder>,
    renditions: Vec<RenditionState>,
}

/// Whether audio of codec `id` from demuxer `input_format` can be copied as is. ADTS AAC (from
/// MPEG-TS) would need the `aac_adtstoasc` filter for MP4, which FFmpeg does not insert with
/// `empty_moov`: it is re-encoded instead.
fn copies_audio(container: Container, id: codec::Id, input_format: &str) -> bool {
    let adts_into_mp4 = container == Container::FragmentedMp4
        && id == codec::Id::AAC
        && (input_format.contains("mpegts") || input_format == "aac");
    container.carries_audio(id) && !adts_into_mp4
}

fn rotation_of(stream: &format::stream::Stream) -> u32 {
    use ffmpeg_next::codec::packet::side_data::Type;
    stream
        .side_data()
        .find(|sd| sd.kind() == Type::DisplayMatrix)
        .and_then(|sd| super::geometry::rotation_from_display_matrix(sd.data()))
        .unwrap_or(0)
}

impl Ladder {
    /// A ladder for `cfg`; nothing is opened until the first segment.
    pub fn new(cfg: LadderConfig) -> Self {
        let renditions = cfg
            .profiles
            .iter()
            .cloned()
            .map(RenditionState::new)
            .collect();
        Ladder {
            cfg,
            decoder: None,
            renditions,
        }
    }

    /// The configuration.
    pub fn config(&self) -> &LadderConfig {
        &self.cfg
    }

    /// Transcodes one segment. `abort` is polled while demuxing and decoding; when it turns true
    /// the transcode stops early with an `Internal("transcode aborted")` error (the session
    /// layer, which set it, reports [`MediaError::Timeout`] to its caller).
    pub fn transcode(
        &mut self,
        input: &SegmentInput,
        abort: Arc<AtomicBool>,
    ) -> Result<SegmentOutput, MediaError> {
        let flag = abort.clone();
        let mut ictx = match input {
            SegmentInput::File(p) => {
                let len = std::fs::metadata(p)
                    .map_err(|e| MediaError::io(p, e))?
                    .len();
                if len == 0 {
                    return Err(MediaError::EmptyInput);
                }
                format::input_with_interrupt(p, move || flag.load(Ordering::Relaxed))
                    .map_err(|e| MediaError::Demux(format!("{}: {e}", p.display())))?
            }
            SegmentInput::Bytes(b) => {
                if b.is_empty() {
                    return Err(MediaError::EmptyInput);
                }
                let io = format::context::StreamIo::from_read_seek(std::io::Cursor::new(b.clone()))
                    .map_err(|e| MediaError::Demux(e.to_string()))?;
                format::input_from_stream_with_interrupt(io, None, None, move || {
                    flag.load(Ordering::Relaxed)
                })
                .map_err(|e| MediaError::Demux(e.to_string()))?
            }
        };
        let video = ictx.streams().best(media::Type::Video).map(|s| s.index());
        let audio = ictx.streams().best(media::Type::Audio).map(|s| s.index());
        let Some(vidx) = video else {
            if audio.is_none() {
                return Err(MediaError::NoStreams);
            }
            return audio_only(input, &self.cfg.profiles);
        };
        let (vpar, vtb, frame_rate, rotation) = {
            let s = ictx.stream(vidx).ok_or(MediaError::NoStreams)?;
            let fr = s.avg_frame_rate();
            let fr = if fr.numerator() > 0 && fr.denominator() > 0 {
                Ratio::new(fr.numerator().into(), fr.denominator().into())
            } else {
                Ratio::new(30, 1)
            };
            (s.parameters(), s.time_base(), fr, rotation_of(&s))
        };
        let mut reencode = None;
        let input_format = ictx.format().name().to_string();
        let input_format = input_format.as_str();
        let audio_info = match audio.and_then(|i| ictx.stream(i)) {
            Some(s) if copies_audio(self.cfg.container, s.parameters().id(), input_format) => {
                Some((s.parameters(), s.time_base()))
            }
            Some(s) => {
                let t = AudioTranscoder::open(&s.parameters(), s.time_base())?;
                let out = t.output();
                reencode = Some(t);
                Some(out)
            }
            None => None,
        };
        self.ensure_decoder(&vpar)?;
        let info = SegmentInfo {
            time_base: vtb,
            frame_rate,
            rotation,
            audio: audio_info,
            container: self.cfg.container,
            encoder: self.cfg.encoder.clone(),
        };
        let Some(dec) = self.decoder.as_mut() else {
            return Err(MediaError::Internal("decoder not open".into()));
        };
        let renditions = &mut self.renditions;
        std::thread::scope(|scope| {
            let mut senders = Vec::new();
            let mut handles = Vec::new();
            for state in renditions.iter_mut() {
                // Two frames of slack: enough to absorb per-frame cost jitter between renditions;
                // every queued frame keeps a 1080p decoder buffer (3 MB) alive.
                let (tx, rx) = sync_channel::<Msg>(2);
                senders.push(tx);
                let info = info.clone();
                handles.push(scope.spawn(move || rendition::run_segment(state, &info, rx)));
            }
            let fed = feed(
                &mut ictx,
                dec,
                (vidx, audio),
                reencode.as_mut(),
                &senders,
                &abort,
            );
            let end = fed.as_ref().ok().and_then(|f| f.end_pts);
            for tx in &senders {
                let _ = tx.send(Msg::End(end));
            }
            drop(senders);
            let mut outputs = Vec::new();
            let mut first_err = None;
            for h in handles {
                match h.join() {
                    Ok(Ok(o)) => outputs.push(o),
                    Ok(Err(e)) => {
                        first_err.get_or_insert(e);
                    }
                    Err(_) => {
                        first_err.get_or_insert(MediaError::Internal(
                            "rendition worker panicked".into(),
                        ));
                    }
                }
            }
            let fed = fed?;
            if let Some(e) = first_err {
                return Err(e);
            }
            Ok(SegmentOutput {
                renditions: outputs,
                decoded_frames: fed.frames,
                gpu_frames: fed.gpu_frames,
                audio_only: false,
                duration_s: match (fed.start_pts, fed.end_pts) {
                    (Some(a), Some(b)) => (b - a) as f64 * f64::from(vtb),
                    _ => 0.0,
                },
            })
        })
    }

    fn ensure_decoder(&mut self, par: &codec::Parameters) -> Result<(), MediaError> {
        let facts = codecpar_facts(par);
        if self.cfg.nvdec_gpu.is_some() && !facts.is_yuv420() {
            return Err(MediaError::GpuPixelFormat(facts.pixel_format_name()));
        }
        let key = (par.id(), facts);
        if self.decoder.as_ref().is_some_and(|d| d.key == key) {
            return Ok(());
        }
        self.decoder = Some(OpenDecoder {
            key,
            dec: super::decode::open_decoder(par, self.cfg.decoder_threads, self.cfg.nvdec_gpu)?,
        });
        Ok(())
    }
}

/// Demuxes and decodes, sending every decoded frame and audio packet to every worker.
fn feed(
    ictx: &mut format::context::Input,
    dec: &mut OpenDecoder,
    (vidx, aidx): (usize, Option<usize>),
    mut reencode: Option<&mut AudioTranscoder>,
    senders: &[SyncSender<Msg>],
    abort: &AtomicBool,
) -> Result<super::decode::Decoded, MediaError> {
    let mut state = super::decode::DecodeState::default();
    if let Some(s) = ictx.stream(vidx) {
        // One frame at the nominal rate, until packet durations or pts steps say otherwise.
        let (fr, tb) = (s.avg_frame_rate(), s.time_base());
        if fr.numerator() > 0 && tb.numerator() > 0 {
            let ticks = (i64::from(fr.denominator()) * i64::from(tb.denominator()))
                / (i64::from(fr.numerator()) * i64::from(tb.numerator()));
            state.set_nominal_duration(ticks);
        }
    }
    for (stream, packet) in ictx.packets() {
        if abort.load(Ordering::Relaxed) {
            return Err(MediaError::Internal("transcode aborted".into()));
        }
        let i = stream.index();
        if i == vidx {
            if !state.primed && !packet.is_key() {
                continue; // nothing decodes before the first keyframe
            }
            state.primed = true;
            state.send(&mut dec.dec, &packet)?;
            state.drain(&mut dec.dec, senders)?;
        } else if Some(i) == aidx {
            match reencode.as_deref_mut() {
                None => send_all(senders, || Ok(Msg::Audio(packet.clone())))?,
                Some(t) => {
                    let mut out = Vec::new();
                    t.push(&packet, &mut out)?;
                    for p in out {
                        send_all(senders, || Ok(Msg::Audio(p.clone())))?;
                    }
                }
            }
        }
    }
    if let Some(t) = reencode {
        let mut out = Vec::new();
        t.finish(&mut out)?;
        for p in out {
            send_all(senders, || Ok(Msg::Audio(p.clone())))?;
        }
    }
    if abort.load(Ordering::Relaxed) {
        return Err(MediaError::Internal("transcode aborted".into()));
    }
    let result = state.finish(&mut dec.dec, senders);
    dec.dec.flush();
    result
}

pub(super) fn send_all(
    senders: &[SyncSender<Msg>],
    mut make: impl FnMut() -> Result<Msg, MediaError>,
) -> Result<(), MediaError> {
    for tx in senders {
        // A worker that stopped early has reported its own error; keep feeding the others.
        let _ = tx.send(make()?);
    }
    Ok(())
}

pub(super) fn share(f: &ffmpeg_next::frame::Video) -> Result<Msg, MediaError> {
    frame_ref(f).map(Msg::Video)
}

fn audio_only(
    input: &SegmentInput,
    profiles: &[VideoProfile],
) -> Result<SegmentOutput, MediaError> {
    let bytes = match input {
        SegmentInput::File(p) => std::fs::read(p).map_err(|e| MediaError::io(p, e))?,
        SegmentInput::Bytes(b) => b.clone(),
    };
    Ok(SegmentOutput {
        renditions: profiles
            .iter()
            .map(|p| RenditionOutput {
                name: p.name.clone(),
                data: bytes.clone(),
                ..Default::default()
            })
            .collect(),
        decoded_frames: 0,
        audio_only: true,
        duration_s: 0.0,
        gpu_frames: false,
    })
}
