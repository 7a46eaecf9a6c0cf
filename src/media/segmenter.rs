//! RTMP ingest's segmenter: FLV tags in, MPEG-TS segments of about 2 s out, cut at the first
//! video keyframe at or after the target duration. A remux, not a transcode: libavformat's FLV
//! demuxer reads the tags through a pipe and its MPEG-TS muxer writes each segment to memory
//! (turning FLV's length-prefixed H.264 into Annex B and raw AAC into ADTS on the way), with
//! timestamps kept (`mpegts_copyts`), so consecutive segments continue each other.

use super::{mux::SharedBuf, MediaError};
use ffmpeg_next::{codec, encoder, format, media, Dictionary, Rational};
use std::{
    io::Read,
    sync::mpsc::{sync_channel, Receiver, SyncSender},
    thread::JoinHandle,
};

/// FLV tag types.
pub mod tag {
    /// Audio.
    pub const AUDIO: u8 = 8;
    /// Video.
    pub const VIDEO: u8 = 9;
    /// Script data (metadata).
    pub const SCRIPT: u8 = 18;
}

/// One cut segment.
#[derive(Clone, Debug)]
pub struct Segment {
    /// 0, 1, 2, … within the stream.
    pub seq: u64,
    /// Duration in milliseconds.
    pub duration_ms: u32,
    /// MPEG-TS bytes.
    pub data: Vec<u8>,
}

/// Tags buffered between the RTMP connection and the segmenter thread.
const PIPE_TAGS: usize = 1024;

struct ChannelReader {
    rx: Receiver<Vec<u8>>,
    cur: Vec<u8>,
    pos: usize,
}

impl Read for ChannelReader {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        while self.pos >= self.cur.len() {
            match self.rx.recv() {
                Ok(next) => {
                    self.cur = next;
                    self.pos = 0;
                }
                Err(_) => return Ok(0), // the publisher is gone: end of stream
            }
        }
        let n = buf.len().min(self.cur.len() - self.pos);
        buf[..n].copy_from_slice(&self.cur[self.pos..self.pos + n]);
        self.pos += n;
        Ok(n)
    }
}

/// The FLV file header (audio and video flagged) and the first, zero, previous-tag size.
fn flv_header() -> Vec<u8> {
    vec![b'F', b'L', b'V', 1, 0x05, 0, 0, 0, 9, 0, 0, 0, 0]
}

/// One FLV tag with its trailing previous-tag size.
pub fn flv_tag(tag_type: u8, timestamp_ms: u32, data: &[u8]) -> Vec<u8> {
    let len = data.len().min(0xFF_FFFF);
    let mut out = Vec::with_capacity(len + 15);
    out.push(tag_type);
    out.extend_from_slice(&(len as u32).to_be_bytes()[1..]);
    out.extend_from_slice(&timestamp_ms.to_be_bytes()[1..]);
    out.push((timestamp_ms >> 24) as u8);
    out.extend_from_slice(&[0, 0, 0]);
    out.extend_from_slice(&data[..len]);
    out.extend_from_slice(&((len + 11) as u32).to_be_bytes());
    out
}

/// A running segmenter for one published stream.
pub struct FlvSegmenter {
    tx: Option<SyncSender<Vec<u8>>>,
    thread: Option<JoinHandle<Result<(), MediaError>>>,
}

impl FlvSegmenter {
    /// Starts a segmenter cutting at `target_ms`; `on_segment` gets each segment on the
    /// segmenter's thread.
    pub fn start(
        target_ms: u32,
        on_segment: impl FnMut(Segment) + Send + 'static,
    ) -> Result<Self, MediaError> {
        let (tx, rx) = sync_channel::<Vec<u8>>(PIPE_TAGS);
        tx.send(flv_header())
            .map_err(|_| MediaError::Internal("segmenter pipe closed".into()))?;
        let reader = ChannelReader {
            rx,
            cur: Vec::new(),
            pos: 0,
        };
        let thread = std::thread::Builder::new()
            .name("lp-segmenter".into())
            .spawn(move || run(reader, target_ms, on_segment))
            .map_err(|e| MediaError::Internal(format!("spawn segmenter: {e}")))?;
        Ok(FlvSegmenter {
            tx: Some(tx),
            thread: Some(thread),
        })
    }

    /// A handle that feeds raw tag bytes ([`flv_tag`]) into the pipe, for callers that must not
    /// block (try first, then wait elsewhere).
    pub fn sender(&self) -> SyncSender<Vec<u8>> {
        match &self.tx {
            Some(tx) => tx.clone(),
            // Finished: a sender whose receiver is gone, so every send fails.
            None => sync_channel(0).0,
        }
    }

    /// Feeds one FLV tag (blocks while the segmenter is [`PIPE_TAGS`] tags behind).
    pub fn push_tag(&self, tag_type: u8, timestamp_ms: u32, data: &[u8]) -> Result<(), MediaError> {
        let tx = self
            .tx
            .as_ref()
            .ok_or_else(|| MediaError::Internal("segmenter finished".into()))?;
        tx.send(flv_tag(tag_type, timestamp_ms, data))
            .map_err(|_| MediaError::Demux("the segmenter stopped (undecodable FLV?)".into()))
    }

    /// Ends the stream: the last segment is cut and handed over before this returns.
    pub fn finish(mut self) -> Result<(), MediaError> {
        self.tx = None;
        match self.thread.take().map(JoinHandle::join) {
            Some(Ok(r)) => r,
            Some(Err(_)) => Err(MediaError::Internal("segmenter panicked".into())),
            None => Ok(()),
        }
    }
}

impl Drop for FlvSegmenter {
    fn drop(&mut self) {
        self.tx = None;
        if let Some(t) = self.thread.take() {
            let _ = t.join();
        }
    }
}

struct OpenSegment {
    out: format::context::Output,
    buf: SharedBuf,
    /// Input stream index → (output index, input time base, output time base).
    map: Vec<Option<(usize, Rational, Rational)>>,
    start_ms: i64,
}

fn seg_err(what: &str, e: impl std::fmt::Display) -> MediaError {
    MediaError::Mux(format!("segment {what}: {e}"))
}

/// What a segment copies from the input: (input index, parameters, input time base).
type Inputs = [(usize, codec::Parameters, Rational)];

fn open_segment(
    inputs: &Inputs,
    nb_streams: usize,
    start_ms: i64,
) -> Result<OpenSegment, MediaError> {
    let buf = SharedBuf::default();
    let io = format::context::StreamIo::from_write(buf.clone()).map_err(|e| seg_err("io", e))?;
    let mut out =
        format::output_to_stream(io, None, Some("mpegts")).map_err(|e| seg_err("open", e))?;
    let mut map = vec![None; nb_streams];
    for (i, par, tb) in inputs {
        let mut st = out
            .add_stream(encoder::find(codec::Id::None))
            .map_err(|e| seg_err("add stream", e))?;
        st.set_parameters(super::ffi::without_codec_tag(par));
        if let Some(slot) = map.get_mut(*i) {
            *slot = Some((st.index(), *tb, Rational(1, 90_000)));
        }
    }
    let mut opts = Dictionary::new();
    opts.set("mpegts_copyts", "1");
    out.write_header_with(opts)
        .map_err(|e| seg_err("header", e))?;
    for (o, _, tb) in map.iter_mut().flatten() {
        if let Some(s) = out.stream(*o) {
            *tb = s.time_base();
        }
    }
    Ok(OpenSegment {
        out,
        buf,
        map,
        start_ms,
    })
}

fn close_segment(mut s: OpenSegment) -> Result<Vec<u8>, MediaError> {
    s.out.write_trailer().map_err(|e| seg_err("trailer", e))?;
    drop(s.out);
    let v = s
        .buf
        .0
        .lock()
        .map_err(|_| MediaError::Mux("segment buffer poisoned".into()))?;
    Ok(v.clone())
}

fn run(
    reader: ChannelReader,
    target_ms: u32,
    mut on_segment: impl FnMut(Segment),
) -> Result<(), MediaError> {
    let io = format::context::StreamIo::from_read(reader)
        .map_err(|e| MediaError::Demux(e.to_string()))?;
    let mut opts = Dictionary::new();
    // Start cutting within a second even when the stream has no audio to wait for.
    opts.set("analyzeduration", "1000000");
    let mut ictx =
        format::input_from_stream_with_interrupt(io, Some("rtmp.flv"), Some(opts), || false)
            .map_err(|e| MediaError::Demux(format!("FLV from RTMP: {e}")))?;
    let video = ictx
        .streams()
        .best(media::Type::Video)
        .map(|s| s.index())
        .ok_or(MediaError::NoStreams)?;
    let audio = ictx.streams().best(media::Type::Audio).map(|s| s.index());
    let wanted: Vec<usize> = std::iter::once(video).chain(audio).collect();
    let inputs: Vec<(usize, codec::Parameters, Rational)> = wanted
        .iter()
        .filter_map(|&i| ictx.stream(i).map(|s| (i, s.parameters(), s.time_base())))
        .collect();
    let nb_streams = ictx.nb_streams() as usize;
    let mut seq = 0u64;
    let mut seg: Option<OpenSegment> = None;
    let mut last_ms = 0i64;
    let mut frame_ms = 33i64;
    let to_ms = |pts: i64, tb: Rational| {
        pts * 1000 * i64::from(tb.numerator()) / i64::from(tb.denominator().max(1))
    };
    for (stream, mut pkt) in ictx.packets() {
        let (idx, tb) = (stream.index(), stream.time_base());
        {
            if !wanted.contains(&idx) {
                continue;
            }
            let Some(pts) = pkt.pts().or(pkt.dts()) else {
                continue;
            };
            let ms = to_ms(pts, tb);
            let key = idx == video && pkt.is_key();
            if idx == video && ms > last_ms {
                frame_ms = (ms - last_ms).clamp(1, 1000);
                last_ms = ms;
            }
            let cut = match &seg {
                None => !key, // nothing before the first keyframe
                Some(s) => key && ms - s.start_ms >= i64::from(target_ms),
            };
            if seg.is_none() && cut {
                continue;
            }
            if key && (seg.is_none() || cut) {
                if let Some(done) = seg.take() {
                    let duration_ms = u32::try_from(ms - done.start_ms).unwrap_or(0);
                    on_segment(Segment {
                        seq,
                        duration_ms,
                        data: close_segment(done)?,
                    });
                    seq += 1;
                }
                seg = Some(open_segment(&inputs, nb_streams, ms)?);
            }
            let Some(s) = seg.as_mut() else { continue };
            let Some((o, in_tb, out_tb)) = s.map.get(idx).copied().flatten() else {
                continue;
            };
            pkt.set_stream(o);
            pkt.set_position(-1);
            pkt.rescale_ts(in_tb, out_tb);
            pkt.write_interleaved(&mut s.out)
                .map_err(|e| seg_err("packet", e))?;
        }
    }
    if let Some(done) = seg.take() {
        let duration_ms = u32::try_from(last_ms + frame_ms - done.start_ms).unwrap_or(0);
        on_segment(Segment {
            seq,
            duration_ms,
            data: close_segment(done)?,
        });
    }
    Ok(())
}
