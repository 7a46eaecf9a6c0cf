//! Streams and their segments: what is live, what was transcoded, the pixels billed.

use super::Projection;
use crate::events::{EndReason, Envelope, Event, IngestSource};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One stream's state.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct StreamState {
    /// Where its media comes from.
    pub source: IngestSource,
    /// Profiles it is transcoded to.
    pub profiles: Vec<String>,
    /// When it started.
    pub started_ms: u64,
    /// When and why it ended, if it did.
    pub ended: Option<(u64, EndReason)>,
    /// Segments received.
    pub segments_in: u64,
    /// Segments transcoded.
    pub segments_out: u64,
    /// Segments failed.
    pub segments_failed: u64,
    /// Σ pixels over all renditions.
    pub pixels: u64,
    /// Σ source duration in ms.
    pub duration_ms: u64,
    /// Highest segment number seen.
    pub last_seq_no: Option<u64>,
}

/// All streams seen, by id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Streams {
    /// Stream id → state.
    pub streams: BTreeMap<String, StreamState>,
}

impl Streams {
    /// Streams that have not ended.
    pub fn live(&self) -> impl Iterator<Item = (&String, &StreamState)> {
        self.streams.iter().filter(|(_, s)| s.ended.is_none())
    }
}

impl Projection for Streams {
    const NAME: &'static str = "streams";
    const VERSION: u32 = 1;

    fn apply(&mut self, env: &Envelope) {
        match &env.event {
            Event::StreamStarted(e) => {
                self.streams.insert(
                    e.stream.clone(),
                    StreamState {
                        source: e.source.clone(),
                        profiles: e.profiles.clone(),
                        started_ms: env.at_ms,
                        ended: None,
                        segments_in: 0,
                        segments_out: 0,
                        segments_failed: 0,
                        pixels: 0,
                        duration_ms: 0,
                        last_seq_no: None,
                    },
                );
            }
            Event::StreamEnded(e) => {
                if let Some(s) = self.streams.get_mut(&e.stream) {
                    s.ended = Some((env.at_ms, e.reason.clone()));
                }
            }
            Event::SegmentReceived(e) => {
                if let Some(s) = self.streams.get_mut(&e.stream) {
                    s.segments_in += 1;
                    s.duration_ms += u64::from(e.duration_ms);
                    s.last_seq_no = Some(s.last_seq_no.map_or(e.seq_no, |n| n.max(e.seq_no)));
                }
            }
            Event::SegmentTranscoded(e) => {
                if let Some(s) = self.streams.get_mut(&e.stream) {
                    s.segments_out += 1;
                    s.pixels = s.pixels.saturating_add(
                        e.renditions
                            .iter()
                            .map(|r| r.pixels)
                            .fold(0u64, u64::saturating_add),
                    );
                }
            }
            Event::SegmentFailed(e) => {
                if let Some(s) = self.streams.get_mut(&e.stream) {
                    s.segments_failed += 1;
                }
            }
            _ => {}
        }
    }
}
