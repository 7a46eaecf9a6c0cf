//! The `Transcoder` seam the node uses, with the FFmpeg implementation ([`SessionManager`]) and
//! an always-compiled fake for `--dev` runs and tests of other modules.

use super::{
    ladder::{SegmentInput, SegmentOutput},
    mux::Container,
    profile::VideoProfile,
    rendition::RenditionOutput,
    session::SessionManager,
    MediaError,
};

/// Transcodes the segments of streams into ladders. Blocking: call it from a blocking thread
/// (`tokio::task::spawn_blocking`), never on an async executor thread.
pub trait Transcoder: Send + Sync {
    /// Transcodes the next segment of `stream` into `profiles`.
    fn transcode(
        &self,
        stream: &str,
        profiles: &[VideoProfile],
        input: SegmentInput,
    ) -> Result<SegmentOutput, MediaError>;

    /// The same, muxed as `container` (MPEG-TS or fragmented MP4). Transcoders that only make
    /// MPEG-TS refuse MP4 with a clear error.
    fn transcode_into(
        &self,
        stream: &str,
        profiles: &[VideoProfile],
        container: Container,
        input: SegmentInput,
    ) -> Result<SegmentOutput, MediaError> {
        match container {
            Container::MpegTs => self.transcode(stream, profiles, input),
            Container::FragmentedMp4 => {
                Err(MediaError::Mux("this transcoder makes MPEG-TS only".into()))
            }
        }
    }

    /// The stream ended: free what it holds.
    fn end(&self, stream: &str);
}

impl Transcoder for SessionManager {
    fn transcode(
        &self,
        stream: &str,
        profiles: &[VideoProfile],
        input: SegmentInput,
    ) -> Result<SegmentOutput, MediaError> {
        SessionManager::transcode(self, stream, profiles, input)
    }

    fn transcode_into(
        &self,
        stream: &str,
        profiles: &[VideoProfile],
        container: Container,
        input: SegmentInput,
    ) -> Result<SegmentOutput, MediaError> {
        SessionManager::transcode_into(self, stream, profiles, container, input)
    }

    fn end(&self, stream: &str) {
        SessionManager::end(self, stream);
    }
}

/// A transcoder that decodes nothing: every rendition is the input bytes, sized as requested,
/// with `frames_per_segment` frames billed. Deterministic, instant, no FFmpeg.
#[derive(Clone, Debug)]
pub struct FakeTranscoder {
    /// Frames reported per rendition and segment.
    pub frames_per_segment: u64,
}

impl Default for FakeTranscoder {
    fn default() -> Self {
        FakeTranscoder {
            frames_per_segment: 60,
        }
    }
}

impl Transcoder for FakeTranscoder {
    fn transcode(
        &self,
        _stream: &str,
        profiles: &[VideoProfile],
        input: SegmentInput,
    ) -> Result<SegmentOutput, MediaError> {
        let data = match input {
            SegmentInput::File(p) => std::fs::read(&p).map_err(|e| MediaError::io(&p, e))?,
            SegmentInput::Bytes(b) => b,
        };
        if data.is_empty() {
            return Err(MediaError::EmptyInput);
        }
        let n = self.frames_per_segment;
        Ok(SegmentOutput {
            renditions: profiles
                .iter()
                .map(|p| RenditionOutput {
                    name: p.name.clone(),
                    data: data.clone(),
                    width: p.width,
                    height: p.height,
                    frames: n,
                    pixels: u64::from(p.width) * u64::from(p.height) * n,
                    busy_s: 0.0,
                })
                .collect(),
            decoded_frames: n,
            audio_only: false,
            duration_s: n as f64 / 30.0,
            gpu_frames: false,
        })
    }

    fn end(&self, _stream: &str) {}
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fake_bills_requested_sizes_and_rejects_empty_input() {
        let t: Box<dyn Transcoder> = Box::new(FakeTranscoder::default());
        let profiles = super::super::profile::parse_transcoding_options("P240p30fps16x9").unwrap();
        let out = t
            .transcode("s", &profiles, SegmentInput::Bytes(vec![1, 2, 3]))
            .unwrap();
        assert_eq!(out.renditions[0].pixels, 426 * 240 * 60);
        assert_eq!(out.renditions[0].data, vec![1, 2, 3]);
        assert!(matches!(
            t.transcode("s", &profiles, SegmentInput::Bytes(vec![])),
            Err(MediaError::EmptyInput)
        ));
    }
}
