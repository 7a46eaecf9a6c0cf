//! Streams and their segments: what is live, what was transcoded, the pixels billed, when each
//! stream last showed life (its sessions idle out from there, restarts included), and the recent
//! transcoded segments a B lists in its HLS playlists, and a B stream's session with its O; and
//! what a B's auth webhook decided for its live streams (`StreamAuthDecided`): each admitted
//! stream's ladder and timeout multiplier, and the pushed names it renamed, until the stream ends.

use super::Projection;
use crate::events::{
    AuthDecision, BroadcastSessionOpened, EndReason, Envelope, Event, IngestSource, LadderProfile,
};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Segments a live media playlist lists (`LIVE_LIST_LENGTH`).
pub const RECENT_SEGMENTS: usize = 6;

/// A rendition's output size, as its latest segment reported it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VariantSize {
    /// Profile name.
    pub profile: String,
    /// Width.
    pub width: u32,
    /// Height.
    pub height: u32,
}

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
    /// `at_ms` of the stream's latest event (idle time counts from here).
    pub last_ms: u64,
    /// The latest transcoded segments, `(seq, duration ms)`, oldest first, at most
    /// [`RECENT_SEGMENTS`].
    pub recent: Vec<(u64, u32)>,
    /// The renditions' sizes (from the first transcoded segment, then from each segment that
    /// produced the same number of renditions).
    pub variants: Vec<VariantSize>,
    /// Duration of each received segment not transcoded yet, by seq (the playlist needs it).
    pub pending: BTreeMap<u64, u32>,
    /// A B stream's session with an O, while the stream is live.
    pub session: Option<BroadcastSessionOpened>,
}

impl StreamState {
    fn touch(&mut self, at_ms: u64) {
        self.last_ms = self.last_ms.max(at_ms);
    }
}

/// The ladder and segment timeout multiplier a B's auth webhook admitted a stream with.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct AdmittedLadder {
    /// The renditions asked of the Os.
    pub profiles: Vec<LadderProfile>,
    /// Its segment timeouts are multiplied by this.
    pub timeout_multiplier: u32,
}

/// All streams seen, by id.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Streams {
    /// Stream id → state.
    pub streams: BTreeMap<String, StreamState>,
    /// Stream id → the ladder its auth webhook admitted it with, until it ends (a stream
    /// without one runs the B's own).
    pub ladders: BTreeMap<String, AdmittedLadder>,
    /// Requested name → the manifest id the auth webhook admitted it as, where the two differ
    /// (go-livepeer's `internalManifests`), until that stream ends.
    pub routes: BTreeMap<String, String>,
}

impl Streams {
    /// Streams that have not ended.
    pub fn live(&self) -> impl Iterator<Item = (&String, &StreamState)> {
        self.streams.iter().filter(|(_, s)| s.ended.is_none())
    }
}

impl Projection for Streams {
    const NAME: &'static str = "streams";
    const VERSION: u32 = 3;

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
                        last_ms: env.at_ms,
                        recent: Vec::new(),
                        variants: Vec::new(),
                        pending: BTreeMap::new(),
                        session: None,
                    },
                );
            }
            Event::StreamAuthDecided(e) => {
                if let AuthDecision::Admitted(a) = &e.decision {
                    self.ladders.insert(
                        a.stream.clone(),
                        AdmittedLadder {
                            profiles: a.profiles.clone(),
                            timeout_multiplier: a.timeout_multiplier,
                        },
                    );
                    if e.requested != a.stream {
                        self.routes.insert(e.requested.clone(), a.stream.clone());
                    }
                }
            }
            Event::StreamEnded(e) => {
                self.ladders.remove(&e.stream);
                self.routes.retain(|_, s| *s != e.stream);
                if let Some(s) = self.streams.get_mut(&e.stream) {
                    s.ended = Some((env.at_ms, e.reason.clone()));
                    s.pending.clear();
                    s.session = None;
                    s.touch(env.at_ms);
                }
            }
            Event::SegmentReceived(e) => {
                if let Some(s) = self.streams.get_mut(&e.stream) {
                    s.segments_in += 1;
                    s.duration_ms += u64::from(e.duration_ms);
                    s.last_seq_no = Some(s.last_seq_no.map_or(e.seq_no, |n| n.max(e.seq_no)));
                    s.pending.insert(e.seq_no, e.duration_ms);
                    s.touch(env.at_ms);
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
                    s.touch(env.at_ms);
                    let duration = s.pending.remove(&e.seq_no).unwrap_or(0);
                    let same = s.variants.len() == e.renditions.len()
                        && s.variants.iter().zip(&e.renditions).all(|(v, r)| {
                            v.profile == r.profile && v.width == r.width && v.height == r.height
                        });
                    if !same && (s.variants.is_empty() || s.variants.len() == e.renditions.len()) {
                        s.variants = e
                            .renditions
                            .iter()
                            .map(|r| VariantSize {
                                profile: r.profile.clone(),
                                width: r.width,
                                height: r.height,
                            })
                            .collect();
                    }
                    if !s.recent.iter().any(|(seq, _)| *seq == e.seq_no) {
                        let at = s.recent.partition_point(|(seq, _)| *seq < e.seq_no);
                        s.recent.insert(at, (e.seq_no, duration));
                        if s.recent.len() > RECENT_SEGMENTS {
                            s.recent.remove(0);
                        }
                    }
                }
            }
            Event::BroadcastSessionOpened(e) => {
                if let Some(s) = self.streams.get_mut(&e.stream) {
                    s.session = Some(e.clone());
                    s.touch(env.at_ms);
                }
            }
            Event::SegmentFailed(e) => {
                if let Some(s) = self.streams.get_mut(&e.stream) {
                    s.segments_failed += 1;
                    s.pending.remove(&e.seq_no);
                    s.touch(env.at_ms);
                }
            }
            _ => {}
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{AdmittedStream, StreamAuthDecided, StreamEnded, StreamStarted};

    fn fold(events: &[Event]) -> Streams {
        let mut s = Streams::default();
        for (seq, e) in events.iter().enumerate() {
            s.apply(&Envelope::new(
                seq as u64,
                1_000 + seq as u64,
                Default::default(),
                e.clone(),
            ));
        }
        s
    }

    fn rung(name: &str, height: u32) -> LadderProfile {
        LadderProfile {
            name: name.into(),
            width: height * 16 / 9,
            height,
            bitrate: 250_000,
            fps: 30,
            fps_den: 1,
            profile: "H264Main".into(),
            gop: "2.5".into(),
        }
    }

    fn decided(requested: &str, decision: AuthDecision) -> Event {
        Event::StreamAuthDecided(StreamAuthDecided {
            url: format!("http://b/live/{requested}/0.ts"),
            requested: requested.into(),
            decision,
        })
    }

    #[test]
    fn a_fresh_fold_knows_the_admitted_ladder_and_route_until_the_stream_ends() {
        let ladder = vec![rung("a", 180), rung("custom_160x90_90000", 90)];
        let mut log = vec![
            decided(
                "pushed",
                AuthDecision::Admitted(AdmittedStream {
                    stream: "intmid".into(),
                    key: String::new(),
                    profiles: ladder.clone(),
                    timeout_multiplier: 3,
                }),
            ),
            Event::StreamStarted(StreamStarted {
                stream: "intmid".into(),
                source: IngestSource::HttpPush,
                profiles: ladder.iter().map(|p| p.name.clone()).collect(),
            }),
            decided(
                "other",
                AuthDecision::Refused {
                    reason: "status=403 error=no".into(),
                },
            ),
        ];
        // A restart folds the same log afresh: what the webhook decided is still known.
        let live = fold(&log);
        let want = AdmittedLadder {
            profiles: ladder,
            timeout_multiplier: 3,
        };
        assert_eq!(live.ladders.get("intmid"), Some(&want));
        assert_eq!(
            live.routes.get("pushed").map(String::as_str),
            Some("intmid")
        );
        assert_eq!((live.ladders.len(), live.routes.len()), (1, 1));
        assert_eq!(live, fold(&log));

        log.push(Event::StreamEnded(StreamEnded {
            stream: "intmid".into(),
            reason: EndReason::IdleTimeout,
        }));
        let ended = fold(&log);
        assert!(
            ended.ladders.is_empty() && ended.routes.is_empty(),
            "{ended:?}"
        );
        assert!(ended.streams["intmid"].ended.is_some());
    }
}
