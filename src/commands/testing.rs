//! Fixtures for the rules' unit tests: projections folded from hand-written events.

use crate::events::{Envelope, Event, IngestSource, StreamStarted};
use crate::projections::{Projection, Streams};

/// The streams projection after `events` (`(at_ms, event)`, seq in order).
pub fn fold(events: &[(u64, Event)]) -> Streams {
    let mut s = Streams::default();
    for (seq, (at_ms, event)) in events.iter().enumerate() {
        s.apply(&Envelope::new(
            seq as u64,
            *at_ms,
            Default::default(),
            event.clone(),
        ));
    }
    s
}

/// An O session `id` starting (a B's segments arriving).
pub fn session_started(id: &str) -> Event {
    Event::StreamStarted(StreamStarted {
        stream: id.into(),
        source: IngestSource::Broadcaster {
            manifest: format!("m-{id}"),
        },
        profiles: vec!["P240p30fps16x9".into()],
    })
}

/// A B stream `id` starting from HTTP push.
pub fn pushed_stream(id: &str) -> Event {
    Event::StreamStarted(StreamStarted {
        stream: id.into(),
        source: IngestSource::HttpPush,
        profiles: vec!["P240p30fps16x9".into()],
    })
}
