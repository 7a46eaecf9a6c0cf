//! Audio the output container cannot carry as is (PCM, Vorbis, ...) is re-encoded to AAC once
//! per segment, and the AAC packets go to every rendition like copied ones.

use super::MediaError;
use ffmpeg_next::{
    codec, decoder, encoder, filter, format::Sample, frame, ChannelLayout, Packet, Rational,
    Rescale,
};

/// Bitrate of re-encoded audio.
pub const AAC_BITRATE: usize = 128_000;

/// Decoder → resampling graph (planar float, 1024-sample frames) → AAC encoder.
pub struct AudioTranscoder {
    dec: decoder::Audio,
    graph: filter::Graph,
    enc: encoder::Audio,
    in_tb: Rational,
    rate: i32,
}

fn err(what: &str, e: impl std::fmt::Display) -> MediaError {
    MediaError::Encode {
        encoder: "aac".into(),
        reason: format!("{what}: {e}"),
    }
}

impl AudioTranscoder {
    /// Opens the chain for an input audio stream with parameters `par` and time base `tb`.
    pub fn open(par: &codec::Parameters, tb: Rational) -> Result<Self, MediaError> {
        let id = par.id();
        let dcodec =
            decoder::find(id).ok_or_else(|| MediaError::NoDecoder(format!("audio {id:?}")))?;
        let mut dctx = codec::context::Context::new_with_codec(dcodec);
        dctx.set_parameters(par.clone())
            .map_err(|e| err("audio parameters", e))?;
        let dec = dctx
            .decoder()
            .audio()
            .map_err(|e| err("open audio decoder", e))?;
        let rate = i32::try_from(dec.rate())
            .map_err(|e| err("sample rate", e))?
            .max(8000);
        let layout = match dec.channel_layout() {
            l if l.bits() != 0 => l,
            _ => ChannelLayout::default(i32::from(dec.channels().max(1))),
        };
        let ecodec = encoder::find(codec::Id::AAC).ok_or_else(|| err("find", "no AAC encoder"))?;
        let mut enc = codec::context::Context::new_with_codec(ecodec)
            .encoder()
            .audio()
            .map_err(|e| err("context", e))?;
        enc.set_rate(rate);
        enc.set_channel_layout(layout);
        enc.set_channels(layout.channels());
        enc.set_format(Sample::F32(ffmpeg_next::format::sample::Type::Planar));
        enc.set_bit_rate(AAC_BITRATE);
        enc.set_time_base(Rational::new(1, rate));
        // AudioSpecificConfig in extradata: MP4 needs it, and the MPEG-TS muxer builds ADTS from it.
        enc.set_flags(codec::Flags::GLOBAL_HEADER);
        let enc = enc.open_as(ecodec).map_err(|e| err("open", e))?;

        let mut graph = filter::Graph::new();
        let args = format!(
            "time_base=1/{rate}:sample_rate={}:sample_fmt={}:channel_layout=0x{:x}",
            dec.rate(),
            dec.format().name(),
            layout.bits()
        );
        let abuffer = filter::find("abuffer").ok_or_else(|| err("graph", "no abuffer"))?;
        let asink = filter::find("abuffersink").ok_or_else(|| err("graph", "no abuffersink"))?;
        graph
            .add(&abuffer, "in", &args)
            .map_err(|e| err(&args, e))?;
        graph.add(&asink, "out", "").map_err(|e| err("sink", e))?;
        let spec = format!(
            "aresample={rate},aformat=sample_fmts=fltp:channel_layouts=0x{:x}",
            layout.bits()
        );
        graph
            .output("in", 0)
            .and_then(|p| p.input("out", 0))
            .and_then(|p| p.parse(&spec))
            .map_err(|e| err(&spec, e))?;
        graph.validate().map_err(|e| err("validate", e))?;
        if let Some(mut out) = graph.get("out") {
            out.sink().set_frame_size(enc.frame_size());
        }
        Ok(AudioTranscoder {
            dec,
            graph,
            enc,
            in_tb: tb,
            rate,
        })
    }

    /// Muxer parameters and time base of the AAC packets.
    pub fn output(&self) -> (codec::Parameters, Rational) {
        (
            codec::Parameters::from(&self.enc),
            Rational::new(1, self.rate),
        )
    }

    /// Decodes `pkt` and appends any AAC packets that are ready.
    pub fn push(&mut self, pkt: &Packet, out: &mut Vec<Packet>) -> Result<(), MediaError> {
        if self.dec.send_packet(pkt).is_err() {
            return Ok(()); // a corrupt audio packet is skipped, as players do
        }
        self.drain_decoder(out)
    }

    fn drain_decoder(&mut self, out: &mut Vec<Packet>) -> Result<(), MediaError> {
        let mut f = frame::Audio::empty();
        while self.dec.receive_frame(&mut f).is_ok() {
            let pts = f
                .timestamp()
                .map(|p| p.rescale(self.in_tb, Rational::new(1, self.rate)));
            f.set_pts(pts);
            if let Some(mut src) = self.graph.get("in") {
                src.source().add(&f).map_err(|e| err("filter push", e))?;
            }
            self.drain_graph(out)?;
        }
        Ok(())
    }

    fn drain_graph(&mut self, out: &mut Vec<Packet>) -> Result<(), MediaError> {
        let Some(mut sink) = self.graph.get("out") else {
            return Ok(());
        };
        let mut f = frame::Audio::empty();
        while sink.sink().frame(&mut f).is_ok() {
            self.enc.send_frame(&f).map_err(|e| err("encode", e))?;
            let mut p = Packet::empty();
            while self.enc.receive_packet(&mut p).is_ok() {
                out.push(p);
                p = Packet::empty();
            }
        }
        Ok(())
    }

    /// Flushes decoder, graph and encoder at the end of the segment.
    pub fn finish(&mut self, out: &mut Vec<Packet>) -> Result<(), MediaError> {
        let _ = self.dec.send_eof();
        self.drain_decoder(out)?;
        if let Some(mut src) = self.graph.get("in") {
            let _ = src.source().flush();
        }
        self.drain_graph(out)?;
        let _ = self.enc.send_eof();
        let mut p = Packet::empty();
        while self.enc.receive_packet(&mut p).is_ok() {
            out.push(p);
            p = Packet::empty();
        }
        Ok(())
    }
}
