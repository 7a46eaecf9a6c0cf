//! B side: what the B paid each O in tickets, and for which stream. A ticket session
//! (`SenderSessionStarted`, keyed by the params' recipientRandHash) names its O exactly; the
//! tickets signed in it (`TicketsSent`) are summed per session. Since `TicketSessionFor` the B
//! records with each ticket session the O session it pays for, and that session's
//! `BroadcastSessionOpened` names the stream: the tickets are that stream's, exactly. A log
//! written before (no link) says only which streams the B opened sessions with at the session's
//! O (`BroadcastSessionOpened`, its URI mapped to the O's address by the chain's
//! `OrchestratorObserved`, or the only O the B started ticket sessions with). When the O served
//! one stream of the B, its unlinked tickets are that stream's, exactly; when it served several,
//! they are listed against the O with no stream (`stream: null`) rather than split by a guess.

use super::PaidTo;
use crate::events::{Address, Event, Hash32};
use crate::pm::num::{ratio_from_big, ratio_to_big};
use num_rational::BigRational;
use num_traits::Zero;
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// What a B paid one O for one stream (or, `stream` none, for streams the log cannot tell
/// apart).
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct PaidFor {
    /// The O's address.
    pub recipient: String,
    /// The stream, when the log shows which one the tickets paid for.
    pub stream: Option<String>,
    /// Tickets signed.
    pub tickets: u64,
    /// Their total expected value, wei.
    pub ev: String,
}

/// The fold: ticket sessions, tickets per session, the B's sessions with Os.
#[derive(Clone, Debug, Default)]
pub struct Paid {
    /// recipientRandHash → the O.
    recipients: BTreeMap<Hash32, Address>,
    /// recipientRandHash → the O session it pays for (`TicketSessionFor`).
    links: BTreeMap<Hash32, String>,
    /// Tickets and EV per (O, recipientRandHash).
    sent: BTreeMap<(Address, Hash32), (u64, BigRational)>,
    /// The O session id → (stream, O's URI).
    pub(super) streams: BTreeMap<String, (String, String)>,
    /// O's URI → address, from the chain's orchestrators.
    uris: BTreeMap<String, Address>,
}

impl Paid {
    /// Folds one event.
    pub fn apply(&mut self, event: &Event) {
        match event {
            Event::SenderSessionStarted(s) => {
                self.recipients.insert(s.recipient_rand_hash, s.recipient);
            }
            Event::TicketSessionFor(l) => {
                self.links
                    .insert(l.recipient_rand_hash, l.session_id.clone());
            }
            Event::TicketsSent(t) => {
                let to = self
                    .recipients
                    .get(&t.recipient_rand_hash)
                    .copied()
                    .unwrap_or_default();
                let e = self
                    .sent
                    .entry((to, t.recipient_rand_hash))
                    .or_insert((0, BigRational::zero()));
                e.0 += u64::from(t.count);
                e.1 += ratio_to_big(&t.ev) * BigRational::from_integer(t.count.into());
            }
            Event::BroadcastSessionOpened(o) => {
                self.streams.insert(
                    o.session_id.clone(),
                    (o.stream.clone(), o.orchestrator.clone()),
                );
            }
            Event::OrchestratorObserved(o) => {
                self.uris.insert(o.service_uri.clone(), o.address);
            }
            _ => {}
        }
    }

    /// The streams the B opened sessions with at `to`: by the chain's URI of each session's O,
    /// or every stream when `to` is the only O the B started ticket sessions with.
    fn streams_of(&self, to: &Address, only_recipient: bool) -> Vec<String> {
        let out: BTreeSet<&String> = self
            .streams
            .values()
            .filter(|(_, uri)| only_recipient || self.uris.get(uri) == Some(to))
            .map(|(s, _)| s)
            .collect();
        out.into_iter().cloned().collect()
    }

    /// The stream a ticket session paid for, when the B recorded its O session
    /// (`TicketSessionFor`) and that session's stream (`BroadcastSessionOpened`).
    fn linked_stream(&self, rrh: &Hash32) -> Option<&String> {
        let session = self.links.get(rrh)?;
        self.streams.get(session).map(|(stream, _)| stream)
    }

    /// Per (O, stream) rows and per-O totals.
    pub fn report(&self) -> (Vec<PaidFor>, Vec<PaidTo>) {
        let mut per: BTreeMap<(Address, Option<String>), (u64, BigRational)> = BTreeMap::new();
        let mut totals: BTreeMap<Address, (u64, BigRational)> = BTreeMap::new();
        // Every session a B opens on a chain starts a ticket session with its O first.
        let recipients: BTreeSet<&Address> = self.recipients.values().collect();
        let only = recipients.len() == 1;
        // The streams each O served by the old rule (its URI's sessions, or all of them when it
        // is the only O), and with every stream a linked ticket session of it paid for.
        let mut unlinked: BTreeMap<Address, Vec<String>> = BTreeMap::new();
        let mut served: BTreeMap<Address, BTreeSet<String>> = BTreeMap::new();
        for ((to, rrh), (n, ev)) in &self.sent {
            let old = unlinked
                .entry(*to)
                .or_insert_with(|| self.streams_of(to, only));
            let streams = served
                .entry(*to)
                .or_insert_with(|| old.iter().cloned().collect());
            let stream = match (self.linked_stream(rrh), old.as_slice()) {
                (Some(linked), _) => {
                    streams.insert(linked.clone());
                    Some(linked.clone())
                }
                (None, [one]) => Some(one.clone()),
                (None, _) => None,
            };
            for e in [
                per.entry((*to, stream)).or_insert((0, BigRational::zero())),
                totals.entry(*to).or_insert((0, BigRational::zero())),
            ] {
                e.0 += n;
                e.1 += ev;
            }
        }
        let rows = per
            .into_iter()
            .map(|((to, stream), (n, ev))| PaidFor {
                recipient: to.to_string(),
                stream,
                tickets: n,
                ev: ratio_from_big(&ev).to_string(),
            })
            .collect();
        let totals = totals
            .into_iter()
            .map(|(to, (n, ev))| PaidTo {
                recipient: to.to_string(),
                tickets: n,
                ev: ratio_from_big(&ev).to_string(),
                streams: served.remove(&to).unwrap_or_default().into_iter().collect(),
            })
            .collect();
        (rows, totals)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{
        BroadcastSessionOpened, CreationRound, OrchestratorObserved, Price, Ratio,
        SenderSessionStarted, TicketSessionFor, TicketsSent, Wei,
    };

    fn started(o: Address, rrh: u8) -> Event {
        Event::SenderSessionStarted(SenderSessionStarted {
            recipient: o,
            recipient_rand_hash: Hash32([rrh; 32]),
            face_value: Wei::default(),
            win_prob: Wei::default(),
            expiration_block: 0,
            creation: CreationRound::default(),
            seed: Hash32::default(),
            price: Price::default(),
        })
    }

    fn sent(rrh: u8, count: u32, ev: u128) -> Event {
        Event::TicketsSent(TicketsSent {
            recipient_rand_hash: Hash32([rrh; 32]),
            first_nonce: 0,
            count,
            ev: Ratio::from_u128(ev),
        })
    }

    fn linked(rrh: u8, session: &str) -> Event {
        Event::TicketSessionFor(TicketSessionFor {
            recipient_rand_hash: Hash32([rrh; 32]),
            session_id: session.into(),
        })
    }

    fn opened(stream: &str, uri: &str, session: &str) -> Event {
        Event::BroadcastSessionOpened(BroadcastSessionOpened {
            stream: stream.into(),
            orchestrator: uri.into(),
            transcoder: uri.into(),
            session_id: session.into(),
            expiration: 0,
            token: Vec::new(),
        })
    }

    fn observed(o: Address, uri: &str) -> Event {
        Event::OrchestratorObserved(OrchestratorObserved {
            address: o,
            service_uri: uri.into(),
            activation_round: 1,
            deactivation_round: 0,
            total_stake: Wei::default(),
            price: Price::default(),
            block: 1,
        })
    }

    fn fold(events: &[Event]) -> (Vec<PaidFor>, Vec<PaidTo>) {
        let mut p = Paid::default();
        for e in events {
            p.apply(e);
        }
        p.report()
    }

    fn row(o: Address, stream: Option<&str>, tickets: u64, ev: &str) -> PaidFor {
        PaidFor {
            recipient: o.to_string(),
            stream: stream.map(String::from),
            tickets,
            ev: ev.into(),
        }
    }

    #[test]
    fn each_os_tickets_are_its_streams_when_it_served_one() {
        let (o1, o2) = (Address([1; 20]), Address([2; 20]));
        let (rows, totals) = fold(&[
            observed(o1, "https://o1"),
            observed(o2, "https://o2"),
            started(o1, 10),
            opened("a", "https://o1", "s1"),
            started(o2, 20),
            opened("b", "https://o2", "s2"),
            sent(10, 3, 5),
            sent(20, 1, 7),
            // Fresh params from o1's answer: a new ticket session for the same stream.
            started(o1, 11),
            sent(11, 2, 5),
        ]);
        assert_eq!(
            rows,
            vec![row(o1, Some("a"), 5, "25"), row(o2, Some("b"), 1, "7")]
        );
        assert_eq!(totals[0].streams, vec!["a".to_string()]);
        assert_eq!((totals[0].tickets, totals[0].ev.as_str()), (5, "25"));
    }

    /// Two streams on one O, three tickets for one and one for the other, in a log written
    /// before `TicketSessionFor`: it names each ticket session's O but not its stream, so the
    /// O's total is exact and its split is not made up.
    #[test]
    fn two_streams_on_one_o_are_not_split_by_a_guess() {
        let o = Address([1; 20]);
        let (rows, totals) = fold(&[
            started(o, 10),
            opened("a", "https://o", "s1"),
            started(o, 20),
            opened("b", "https://o", "s2"),
            sent(10, 3, 5),
            sent(20, 1, 5),
        ]);
        assert_eq!(rows, vec![row(o, None, 4, "20")]);
        assert_eq!(totals.len(), 1);
        assert_eq!(totals[0].streams, vec!["a".to_string(), "b".to_string()]);
        assert_eq!((totals[0].tickets, totals[0].ev.as_str()), (4, "20"));
    }

    /// The same two streams with each ticket session linked to its O session (as the B records
    /// them since `TicketSessionFor`): each stream's tickets are exact, and they add up to the
    /// O's total. Fresh params mid-stream (a second ticket session for `a`) keep the stream.
    #[test]
    fn linked_ticket_sessions_give_each_stream_its_exact_sum() {
        let o = Address([1; 20]);
        let (rows, totals) = fold(&[
            started(o, 10),
            linked(10, "s1"),
            opened("a", "https://o", "s1"),
            started(o, 20),
            linked(20, "s2"),
            opened("b", "https://o", "s2"),
            sent(10, 2, 5),
            sent(20, 1, 7),
            started(o, 11),
            linked(11, "s1"),
            sent(11, 1, 5),
        ]);
        assert_eq!(
            rows,
            vec![row(o, Some("a"), 3, "15"), row(o, Some("b"), 1, "7")]
        );
        assert_eq!(totals.len(), 1);
        assert_eq!(totals[0].streams, vec!["a".to_string(), "b".to_string()]);
        assert_eq!((totals[0].tickets, totals[0].ev.as_str()), (4, "22"));
    }

    /// Linked sessions on two Os whose URIs the log cannot map to addresses: the links alone
    /// give each O its stream; an unlinked session of the same O stays `stream: null`.
    #[test]
    fn links_need_no_uri_and_unlinked_sessions_keep_the_old_rule() {
        let (o1, o2) = (Address([1; 20]), Address([2; 20]));
        let (rows, totals) = fold(&[
            started(o1, 10),
            linked(10, "s1"),
            opened("a", "https://o1", "s1"),
            started(o2, 20),
            linked(20, "s2"),
            opened("b", "https://o2", "s2"),
            started(o1, 30),
            sent(10, 3, 5),
            sent(20, 1, 5),
            sent(30, 1, 5),
        ]);
        assert_eq!(
            rows,
            vec![
                row(o1, None, 1, "5"),
                row(o1, Some("a"), 3, "15"),
                row(o2, Some("b"), 1, "5"),
            ]
        );
        assert_eq!(totals[0].streams, vec!["a".to_string()]);
        assert_eq!(totals[1].streams, vec!["b".to_string()]);
    }
}
