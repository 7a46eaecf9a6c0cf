//! In-memory output of one rendition segment: MPEG-TS or fragmented MP4.

use super::MediaError;
use ffmpeg_next::{codec, encoder, format, Dictionary, Packet, Rational};
use std::{
    io::Write,
    sync::{Arc, Mutex},
};

/// Output container of the renditions.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Default)]
pub enum Container {
    /// MPEG transport stream (`.ts`), the network's default.
    #[default]
    MpegTs,
    /// Fragmented MP4 (`.mp4`).
    FragmentedMp4,
}

impl Container {
    /// File extension, as the reference names segments.
    pub fn extension(self) -> &'static str {
        match self {
            Container::MpegTs => "ts",
            Container::FragmentedMp4 => "mp4",
        }
    }

    /// MIME type of a segment in this container.
    pub fn mime(self) -> &'static str {
        match self {
            Container::MpegTs => "video/mp2t",
            Container::FragmentedMp4 => "video/mp4",
        }
    }

    fn muxer(self) -> &'static str {
        match self {
            Container::MpegTs => "mpegts",
            Container::FragmentedMp4 => "mp4",
        }
    }

    /// Whether an audio codec can be copied into this container as is.
    pub fn carries_audio(self, id: codec::Id) -> bool {
        use codec::Id;
        match self {
            Container::MpegTs => matches!(
                id,
                Id::AAC | Id::MP3 | Id::MP2 | Id::AC3 | Id::EAC3 | Id::OPUS
            ),
            Container::FragmentedMp4 => {
                matches!(
                    id,
                    Id::AAC | Id::MP3 | Id::AC3 | Id::EAC3 | Id::OPUS | Id::FLAC | Id::ALAC
                )
            }
        }
    }
}

#[derive(Clone, Default)]
pub(super) struct SharedBuf(pub(super) Arc<Mutex<Vec<u8>>>);

impl Write for SharedBuf {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut v = self
            .0
            .lock()
            .map_err(|_| std::io::Error::other("output buffer poisoned"))?;
        v.extend_from_slice(buf);
        Ok(buf.len())
    }
    fn flush(&mut self) -> std::io::Result<()> {
        Ok(())
    }
}

/// A muxer writing one segment to memory.
pub struct SegmentMuxer {
    out: format::context::Output,
    buf: SharedBuf,
    video_tb: Rational,
    audio: Option<(usize, Rational)>,
}

fn mux_err(what: &str, e: impl std::fmt::Display) -> MediaError {
    MediaError::Mux(format!("{what}: {e}"))
}

impl SegmentMuxer {
    /// Opens a muxer with one video stream (from `video`) and optionally one copied audio stream.
    pub fn open(
        container: Container,
        video: &encoder::Video,
        audio: Option<&codec::Parameters>,
    ) -> Result<Self, MediaError> {
        let buf = SharedBuf::default();
        let io =
            format::context::StreamIo::from_write(buf.clone()).map_err(|e| mux_err("io", e))?;
        let mut out = format::output_to_stream(io, None, Some(container.muxer()))
            .map_err(|e| mux_err("open", e))?;
        let mut vs = out
            .add_stream_with(video)
            .map_err(|e| mux_err("add video", e))?;
        vs.set_time_base(video.time_base());
        let audio_index = match audio {
            Some(par) => {
                let mut st = out
                    .add_stream(encoder::find(codec::Id::None))
                    .map_err(|e| mux_err("add audio", e))?;
                st.set_parameters(super::ffi::without_codec_tag(par));
                Some(st.index())
            }
            None => None,
        };
        let mut opts = Dictionary::new();
        match container {
            Container::MpegTs => opts.set("mpegts_copyts", "1"),
            Container::FragmentedMp4 => {
                opts.set("movflags", "frag_keyframe+empty_moov+default_base_moof")
            }
        }
        out.write_header_with(opts)
            .map_err(|e| mux_err("header", e))?;
        let video_tb = out
            .stream(0)
            .map(|s| s.time_base())
            .unwrap_or(video.time_base());
        let audio = audio_index.and_then(|i| out.stream(i).map(|s| (i, s.time_base())));
        Ok(SegmentMuxer {
            out,
            buf,
            video_tb,
            audio,
        })
    }

    /// Writes an encoded video packet with timestamps in `tb`.
    pub fn write_video(&mut self, mut pkt: Packet, tb: Rational) -> Result<(), MediaError> {
        pkt.set_stream(0);
        pkt.rescale_ts(tb, self.video_tb);
        pkt.write_interleaved(&mut self.out)
            .map_err(|e| mux_err("video packet", e))
    }

    /// Writes a copied audio packet with timestamps in `tb` (dropped when there is no audio stream).
    pub fn write_audio(&mut self, mut pkt: Packet, tb: Rational) -> Result<(), MediaError> {
        let Some((index, out_tb)) = self.audio else {
            return Ok(());
        };
        pkt.set_stream(index);
        pkt.set_position(-1);
        pkt.rescale_ts(tb, out_tb);
        pkt.write_interleaved(&mut self.out)
            .map_err(|e| mux_err("audio packet", e))
    }

    /// Finishes the segment and returns its bytes.
    pub fn finish(mut self) -> Result<Vec<u8>, MediaError> {
        self.out
            .write_trailer()
            .map_err(|e| mux_err("trailer", e))?;
        drop(self.out);
        let v = self
            .buf
            .0
            .lock()
            .map_err(|_| MediaError::Mux("output buffer poisoned".into()))?;
        Ok(v.clone())
    }
}
