//! The B's streams (held in the streams projection): admission of a publisher or of a pushed
//! segment, the end when the publisher stops, the idle end of pushed streams (`httpPushTimeout`,
//! 60 s without a segment, from the stream's last event), and the end at start-up of every stream
//! a killed B left open.

use crate::events::{EndReason, Event, IngestSource, SegmentReceived, StreamEnded, StreamStarted};
use crate::projections::{StreamState, Streams};

/// `httpPushTimeout`: a pushed stream without segments for this long has ended.
pub const PUSH_IDLE_MS: u64 = 60_000;

/// A stream the B ingests (not an O session).
fn is_ingest(s: &StreamState) -> bool {
    !matches!(s.source, IngestSource::Broadcaster { .. })
}

/// Whether ingest stream `id` is live (started and not ended).
pub fn live(streams: &Streams, id: &str) -> bool {
    streams
        .streams
        .get(id)
        .is_some_and(|s| is_ingest(s) && s.ended.is_none())
}

/// The live ingest stream a push to `name` belongs to: the stream the B's auth webhook admitted
/// `name` as (go-livepeer's `internalManifests`), while that one is live, else `name` itself
/// while live.
pub fn live_route<'a>(streams: &'a Streams, name: &'a str) -> Option<&'a str> {
    streams
        .routes
        .get(name)
        .map(String::as_str)
        .filter(|s| live(streams, s))
        .or_else(|| live(streams, name).then_some(name))
}

/// A publisher starts `stream` (or a pushed segment arrives): `StreamStarted` unless it is live.
/// A stream published again after it ended starts anew under the same name.
pub fn begin(
    streams: &Streams,
    stream: &str,
    source: IngestSource,
    profiles: &[String],
) -> Vec<Event> {
    if live(streams, stream) {
        return Vec::new();
    }
    vec![Event::StreamStarted(StreamStarted {
        stream: stream.to_string(),
        source,
        profiles: profiles.to_vec(),
    })]
}

/// A segment of `stream` arrived (cut from RTMP or pushed): the stream's start if needed, then
/// `SegmentReceived`.
pub fn segment_in(
    streams: &Streams,
    stream: &str,
    source: IngestSource,
    profiles: &[String],
    received: SegmentReceived,
) -> Vec<Event> {
    let mut events = begin(streams, stream, source, profiles);
    events.push(Event::SegmentReceived(received));
    events
}

/// The publisher of `stream` stopped: `StreamEnded` if it is live.
pub fn end(streams: &Streams, stream: &str, reason: EndReason) -> Vec<Event> {
    if !live(streams, stream) {
        return Vec::new();
    }
    vec![Event::StreamEnded(StreamEnded {
        stream: stream.to_string(),
        reason,
    })]
}

/// Ends every live pushed stream idle for [`PUSH_IDLE_MS`] at `now_ms`. RTMP streams end when
/// their publisher disconnects, however long it pauses.
pub fn end_idle(streams: &Streams, now_ms: u64) -> Vec<Event> {
    streams
        .streams
        .iter()
        .filter(|(_, s)| {
            s.source == IngestSource::HttpPush
                && s.ended.is_none()
                && now_ms.saturating_sub(s.last_ms) >= PUSH_IDLE_MS
        })
        .map(|(id, _)| {
            Event::StreamEnded(StreamEnded {
                stream: id.clone(),
                reason: EndReason::IdleTimeout,
            })
        })
        .collect()
}

/// At start-up: every stream the previous run left live has lost its publisher (its connection
/// died with the process), so it ends with [`EndReason::NodeRestarted`].
pub fn end_at_restart(streams: &Streams) -> Vec<Event> {
    streams
        .streams
        .iter()
        .filter(|(_, s)| is_ingest(s) && s.ended.is_none())
        .map(|(id, _)| {
            Event::StreamEnded(StreamEnded {
                stream: id.clone(),
                reason: EndReason::NodeRestarted,
            })
        })
        .collect()
}

/// `-currentManifest`: the ingest stream that started last.
pub fn current(streams: &Streams) -> Option<&str> {
    streams
        .streams
        .iter()
        .filter(|(_, s)| is_ingest(s))
        .max_by_key(|(_, s)| s.started_ms)
        .map(|(id, _)| id.as_str())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::testing::{fold, pushed_stream, session_started};

    fn received(stream: &str, seq_no: u64) -> SegmentReceived {
        SegmentReceived {
            stream: stream.into(),
            seq_no,
            duration_ms: 2000,
            bytes: 10,
        }
    }

    #[test]
    fn a_stream_starts_once_and_again_after_it_ended() {
        let empty = fold(&[]);
        let first = segment_in(&empty, "s", IngestSource::HttpPush, &[], received("s", 0));
        assert!(matches!(first[0], Event::StreamStarted(_)));
        assert!(matches!(first[1], Event::SegmentReceived(_)));
        let live = fold(&[(0, first[0].clone()), (0, first[1].clone())]);
        let next = segment_in(&live, "s", IngestSource::HttpPush, &[], received("s", 1));
        assert_eq!(next.len(), 1, "no second start: {next:?}");
        let ended = end(&live, "s", EndReason::Unpublished);
        assert_eq!(ended.len(), 1);
        let after = fold(&[(0, first[0].clone()), (1, ended[0].clone())]);
        assert_eq!(
            end(&after, "s", EndReason::Unpublished),
            vec![],
            "ends once"
        );
        assert_eq!(
            begin(&after, "s", IngestSource::HttpPush, &[]).len(),
            1,
            "published again"
        );
    }

    #[test]
    fn pushed_streams_idle_out_rtmp_streams_do_not() {
        let rtmp = Event::StreamStarted(StreamStarted {
            stream: "r".into(),
            source: IngestSource::Rtmp {
                app: "r".into(),
                key: String::new(),
            },
            profiles: vec![],
        });
        let s = fold(&[(0, pushed_stream("p")), (0, rtmp)]);
        assert_eq!(end_idle(&s, 59_999), vec![]);
        assert_eq!(
            end_idle(&s, 60_000),
            vec![Event::StreamEnded(StreamEnded {
                stream: "p".into(),
                reason: EndReason::IdleTimeout
            })]
        );
    }

    #[test]
    fn the_current_stream_is_the_latest_started() {
        let s = fold(&[
            (0, pushed_stream("a")),
            (5, pushed_stream("b")),
            (9, session_started("o")),
        ]);
        assert_eq!(current(&s), Some("b"));
        assert_eq!(current(&fold(&[])), None);
    }

    #[test]
    fn a_restart_ends_what_was_live_and_leaves_o_sessions_alone() {
        let s = fold(&[
            (0, pushed_stream("a")),
            (0, pushed_stream("b")),
            (0, session_started("o")),
            (
                1,
                Event::StreamEnded(StreamEnded {
                    stream: "b".into(),
                    reason: EndReason::Unpublished,
                }),
            ),
        ]);
        assert_eq!(
            end_at_restart(&s),
            vec![Event::StreamEnded(StreamEnded {
                stream: "a".into(),
                reason: EndReason::NodeRestarted
            })]
        );
    }

    #[test]
    fn a_renamed_push_follows_its_route_while_the_stream_is_live() {
        let admitted = Event::StreamAuthDecided(crate::events::StreamAuthDecided {
            url: "http://b/live/ext/0.ts".into(),
            requested: "ext".into(),
            decision: crate::events::AuthDecision::Admitted(crate::events::AdmittedStream {
                stream: "int".into(),
                key: String::new(),
                profiles: Vec::new(),
                timeout_multiplier: 1,
            }),
        });
        let mut log = vec![
            (0, admitted),
            (0, pushed_stream("int")),
            (1, pushed_stream("x")),
        ];
        let s = fold(&log);
        assert_eq!(live_route(&s, "ext"), Some("int"));
        assert_eq!(live_route(&s, "x"), Some("x"));
        assert_eq!(live_route(&s, "y"), None);
        log.push((
            2,
            Event::StreamEnded(StreamEnded {
                stream: "int".into(),
                reason: EndReason::IdleTimeout,
            }),
        ));
        assert_eq!(live_route(&fold(&log), "ext"), None);
    }
}
