//! A B's progress line per live stream, every 10 s at the default level (issue 11: segments
//! in/out, latency, tickets, balance): from the streams projection, segments in, transcoded and
//! failed, seconds of media and the O serving it; from the records appended since the node
//! started ([`Tail`]), the round trip of the stream's segments to its O (the last and the mean:
//! the `took_ms` its `SegmentTranscoded` records carry) and, paid, the tickets sent to that O
//! (`TicketsSent`, whose ticket session names the O); and the credit its session holds on the O
//! (the balances projection). A stream with nothing new since its last line is not repeated.
//! The same [`Tail`] gives `/status` each live stream's source and transcoded bytes since the
//! node started (the reference's per-connection counters, which also start at its start).

use crate::events::{Address, Envelope, Event, Worker};
use crate::log::LogStore;
use crate::node::writer::Writer;
use crate::projections::{Projections, StreamState};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::Duration;

/// How often the lines are written.
pub const EVERY: Duration = Duration::from_secs(10);

/// A stream's round trips: the last, their sum and count (ms).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Trips {
    /// The last segment's.
    pub last_ms: u32,
    /// All of them, added.
    pub sum_ms: u64,
    /// How many.
    pub count: u64,
}

/// What the lines need beyond the projections, folded from the records: each live stream's
/// round trips and O, and the tickets sent to each O.
#[derive(Debug, Default)]
pub struct Tail {
    /// The seq of the next record to fold.
    pub next: u64,
    trips: BTreeMap<String, Trips>,
    orchestrator: BTreeMap<String, Address>,
    tickets: BTreeMap<Address, u64>,
    bytes: BTreeMap<String, (u64, u64)>,
}

/// The tail the progress lines and `/status` share.
pub type SharedTail = Arc<Mutex<Tail>>;

/// A tail from `writer`'s next record on.
pub fn shared<S: LogStore>(writer: &Writer<S>) -> SharedTail {
    Arc::new(Mutex::new(Tail::from(writer.log().head().next_seq)))
}

/// Runs `f` on `tail` once it has folded every record `writer` appended (the tail's lock, then
/// the writer's).
pub fn with_tail<S: LogStore, R>(
    tail: &SharedTail,
    writer: &Writer<S>,
    f: impl FnOnce(&Tail, &Projections) -> R,
) -> R {
    let mut t = tail.lock().unwrap_or_else(PoisonError::into_inner);
    let head = writer.log().head().next_seq;
    let new: Vec<Envelope> = match head > t.next {
        true => writer
            .log()
            .read(t.next, head - 1)
            .filter_map(Result::ok)
            .map(|o| o.envelope)
            .collect(),
        false => Vec::new(),
    };
    writer.read(|p| {
        for env in &new {
            t.observe(env, p);
        }
        f(&t, p)
    })
}

impl Tail {
    /// From the record at `next` on.
    pub fn from(next: u64) -> Tail {
        Tail {
            next,
            ..Tail::default()
        }
    }

    /// Folds one record (`p`: the projections, for a ticket session's O).
    pub fn observe(&mut self, env: &Envelope, p: &Projections) {
        self.next = self.next.max(env.seq + 1);
        match &env.event {
            Event::SegmentReceived(s) => {
                self.bytes.entry(s.stream.clone()).or_default().0 += s.bytes;
            }
            Event::SegmentTranscoded(s) => {
                let out: u64 = s.renditions.iter().map(|r| r.bytes).sum();
                self.bytes.entry(s.stream.clone()).or_default().1 += out;
                let t = self.trips.entry(s.stream.clone()).or_default();
                t.last_ms = s.took_ms;
                t.sum_ms += u64::from(s.took_ms);
                t.count += 1;
                if let Worker::Orchestrator { address, .. } = &s.worker {
                    self.orchestrator.insert(s.stream.clone(), *address);
                }
            }
            Event::TicketsSent(t) => {
                if let Some(s) = p.sender_sessions.state.get(&t.recipient_rand_hash) {
                    *self.tickets.entry(s.params.recipient).or_default() += u64::from(t.count);
                }
            }
            Event::StreamEnded(s) => {
                self.trips.remove(&s.stream);
                self.orchestrator.remove(&s.stream);
                self.bytes.remove(&s.stream);
            }
            _ => {}
        }
    }

    /// The stream's source and transcoded bytes.
    pub fn bytes(&self, stream: &str) -> (u64, u64) {
        self.bytes.get(stream).copied().unwrap_or_default()
    }

    /// The stream's round trips.
    pub fn trips(&self, stream: &str) -> Option<Trips> {
        self.trips.get(stream).copied()
    }

    /// The tickets sent to the O of the stream, when it is paid.
    pub fn tickets(&self, stream: &str) -> Option<u64> {
        self.tickets.get(self.orchestrator.get(stream)?).copied()
    }
}

/// One stream's line: its round trips, the tickets sent to its O and its session's credit on
/// the O (wei) when it pays.
pub fn line(
    stream: &str,
    s: &StreamState,
    trips: Option<Trips>,
    tickets: Option<u64>,
    credit: Option<String>,
) -> String {
    let o = s
        .session
        .as_ref()
        .map(|o| o.orchestrator.as_str())
        .unwrap_or("none");
    let trips = trips
        .filter(|t| t.count > 0)
        .map(|t| {
            format!(
                "; round trip last {:.2} s, mean {:.2} s",
                f64::from(t.last_ms) / 1000.0,
                t.sum_ms as f64 / t.count as f64 / 1000.0
            )
        })
        .unwrap_or_default();
    let tickets = tickets
        .map(|n| format!("; {n} tickets sent to it"))
        .unwrap_or_default();
    let credit = credit
        .map(|c| format!("; credit {c} wei"))
        .unwrap_or_default();
    format!(
        "stream {stream}: segments in {}, transcoded {}, failed {}; {:.1} s of media{trips}; \
         orchestrator {o}{tickets}{credit}",
        s.segments_in,
        s.segments_out,
        s.segments_failed,
        s.duration_ms as f64 / 1000.0
    )
}

/// The B's balance on the session `s` has with its O, when it pays.
fn credit(p: &Projections, s: &StreamState) -> Option<String> {
    let session = &s.session.as_ref()?.session_id;
    let (_, b) = p
        .balances
        .state
        .iter()
        .find(|(a, _)| &a.session == session)?;
    let v = crate::pm::num::ratio_to_big(&b.balance);
    Some(crate::pm::num::float_string(&v, 0))
}

/// Writes the lines until `stop` turns true.
pub async fn run<S: LogStore>(
    writer: Arc<Writer<S>>,
    tail: SharedTail,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut last: BTreeMap<String, (u64, u64, u64)> = BTreeMap::new();
    loop {
        tokio::select! {
            _ = stop.wait_for(|s| *s) => return,
            _ = tokio::time::sleep(EVERY) => {}
        }
        let lines = with_tail(&tail, &writer, |tail, p| {
            let mut lines = Vec::new();
            let mut seen = BTreeMap::new();
            for (id, s) in p.streams.state.live() {
                let counts = (s.segments_in, s.segments_out, s.segments_failed);
                if last.get(id) != Some(&counts) {
                    let (trips, tickets) = (tail.trips(id), tail.tickets(id));
                    lines.push(line(id, s, trips, tickets, credit(p, s)));
                }
                seen.insert(id.clone(), counts);
            }
            last = seen;
            lines
        });
        for l in lines {
            tracing::info!("{l}");
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::*;

    #[test]
    fn the_line_holds_the_streams_round_trips_and_the_tickets_sent_to_its_o() {
        let o = Address([7; 20]);
        let rrh = Hash32([9; 32]);
        let transcoded = |seq_no, took_ms| {
            Event::SegmentTranscoded(SegmentTranscoded {
                stream: "s".into(),
                seq_no,
                worker: Worker::Orchestrator {
                    address: o,
                    uri: "https://o:8935".into(),
                },
                renditions: Vec::new(),
                took_ms,
            })
        };
        let received = |seq_no| {
            Event::SegmentReceived(SegmentReceived {
                stream: "s".into(),
                seq_no,
                duration_ms: 2000,
                bytes: 1000,
            })
        };
        let events = vec![
            Event::StreamStarted(StreamStarted {
                stream: "s".into(),
                source: IngestSource::HttpPush,
                profiles: vec!["P144p30fps16x9".into()],
            }),
            Event::SenderSessionStarted(SenderSessionStarted {
                recipient: o,
                recipient_rand_hash: rrh,
                face_value: Wei::default(),
                win_prob: Wei::default(),
                expiration_block: 0,
                creation: CreationRound::default(),
                seed: Hash32::default(),
                price: Price::default(),
            }),
            received(0),
            Event::TicketsSent(TicketsSent {
                recipient_rand_hash: rrh,
                first_nonce: 1,
                count: 3,
                ev: Ratio::from_u128(1),
            }),
            transcoded(0, 1000),
            received(1),
            Event::TicketsSent(TicketsSent {
                recipient_rand_hash: rrh,
                first_nonce: 4,
                count: 2,
                ev: Ratio::from_u128(1),
            }),
            transcoded(1, 2500),
        ];
        let mut p = Projections::default();
        let mut tail = Tail::from(0);
        for (seq, e) in events.into_iter().enumerate() {
            let env = Envelope::new(seq as u64, 1_000, Hash32::default(), e);
            p.apply(&env);
            tail.observe(&env, &p);
        }
        assert_eq!(tail.next, 8);
        let t = tail.trips("s").unwrap();
        assert_eq!((t.last_ms, t.sum_ms, t.count), (2500, 3500, 2));
        assert_eq!(tail.tickets("s"), Some(5));
        assert_eq!(
            tail.bytes("s"),
            (2000, 0),
            "no rendition bytes in these records"
        );
        let s = &p.streams.state.streams["s"];
        assert_eq!(
            line("s", s, Some(t), tail.tickets("s"), Some("12".into())),
            "stream s: segments in 2, transcoded 2, failed 0; 4.0 s of media; round trip last \
             2.50 s, mean 1.75 s; orchestrator none; 5 tickets sent to it; credit 12 wei"
        );
        assert_eq!(
            line("s", s, None, None, None),
            "stream s: segments in 2, transcoded 2, failed 0; 4.0 s of media; orchestrator none",
            "offchain, before any round trip"
        );
        let end = Event::StreamEnded(StreamEnded {
            stream: "s".into(),
            reason: EndReason::Unpublished,
        });
        tail.observe(&Envelope::new(8, 1_000, Hash32::default(), end), &p);
        assert_eq!((tail.trips("s"), tail.tickets("s")), (None, None));
        assert_eq!(tail.bytes("s"), (0, 0));
    }
}
