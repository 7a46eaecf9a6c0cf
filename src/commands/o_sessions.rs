//! The O's transcoding sessions (one per B session id, held in the streams projection with the
//! source `Broadcaster`): which are open, the `-maxSessions` capacity rule, the end a B asks for
//! (`EndTranscodingSession`) and the idle end (`transcodeLoopTimeout`, 70 s without a segment,
//! counted from the session's last event — so sessions restored after a restart idle out too and
//! never hold capacity hostage).

use crate::events::{EndReason, Event, IngestSource, StreamEnded};
use crate::projections::{StreamState, Streams};

/// `transcodeLoopTimeout`: a session without segments for this long is closed.
pub const SESSION_IDLE_MS: u64 = 70_000;

fn is_session(s: &StreamState) -> bool {
    matches!(s.source, IngestSource::Broadcaster { .. }) && s.ended.is_none()
}

/// Whether session `id` is open at `now_ms` (started, not ended, not idle).
pub fn is_open(streams: &Streams, id: &str, now_ms: u64) -> bool {
    streams
        .streams
        .get(id)
        .is_some_and(|s| is_session(s) && now_ms.saturating_sub(s.last_ms) < SESSION_IDLE_MS)
}

/// Ids of the sessions open at `now_ms`.
pub fn open_sessions(streams: &Streams, now_ms: u64) -> Vec<&str> {
    streams
        .streams
        .keys()
        .filter(|id| is_open(streams, id, now_ms))
        .map(String::as_str)
        .collect()
}

/// `CheckCapacity`: a segment of an open session always fits; a new session fits while fewer
/// than `max_sessions` are open.
pub fn has_capacity(streams: &Streams, id: &str, max_sessions: u32, now_ms: u64) -> bool {
    is_open(streams, id, now_ms) || open_sessions(streams, now_ms).len() < max_sessions as usize
}

/// `EndTranscodingSession` (the token already checked): ends the session if it is live.
pub fn end(streams: &Streams, id: &str) -> Vec<Event> {
    match streams.streams.get(id) {
        Some(s) if is_session(s) => vec![Event::StreamEnded(StreamEnded {
            stream: id.to_string(),
            reason: EndReason::Unpublished,
        })],
        _ => Vec::new(),
    }
}

/// Ends every live session idle for [`SESSION_IDLE_MS`] at `now_ms`.
pub fn close_idle(streams: &Streams, now_ms: u64) -> Vec<Event> {
    streams
        .streams
        .iter()
        .filter(|(_, s)| is_session(s) && now_ms.saturating_sub(s.last_ms) >= SESSION_IDLE_MS)
        .map(|(id, _)| {
            Event::StreamEnded(StreamEnded {
                stream: id.clone(),
                reason: EndReason::IdleTimeout,
            })
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::commands::testing::{fold, session_started};

    #[test]
    fn capacity_counts_open_sessions_only() {
        let s = fold(&[(0, session_started("a")), (10, session_started("b"))]);
        assert!(
            has_capacity(&s, "a", 2, 1_000),
            "a known session always fits"
        );
        assert!(!has_capacity(&s, "c", 2, 1_000), "two of two open");
        assert!(has_capacity(&s, "c", 3, 1_000));
        // Both idle 70 s after their last event: capacity is free again.
        assert!(has_capacity(&s, "c", 2, 70_010));
        assert!(!is_open(&s, "a", 70_000));
    }

    #[test]
    fn idle_sessions_close_from_their_last_event() {
        let s = fold(&[(0, session_started("a")), (50_000, session_started("b"))]);
        assert_eq!(close_idle(&s, 69_999), vec![]);
        let ended = close_idle(&s, 70_000);
        assert_eq!(
            ended,
            vec![Event::StreamEnded(StreamEnded {
                stream: "a".into(),
                reason: EndReason::IdleTimeout
            })]
        );
        let s = fold(&[(0, session_started("a")), (1, ended[0].clone())]);
        assert_eq!(close_idle(&s, 1_000_000), vec![], "ended once");
        assert_eq!(end(&s, "a"), vec![], "ended once");
    }

    #[test]
    fn end_applies_to_live_sessions() {
        let s = fold(&[(0, session_started("a"))]);
        assert_eq!(end(&s, "a").len(), 1);
        assert_eq!(end(&s, "zz"), vec![]);
    }
}
