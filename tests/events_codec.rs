//! Round-trip properties of every event variant through the record codec. The strategy is built
//! by an exhaustive match, so adding a variant without a strategy does not compile, and the
//! samples must cover every tag.
#![allow(clippy::unwrap_used)]

mod common;

use common::samples::one_of_each;
use livepeer::events::*;
use proptest::prelude::*;

/// `record!(T { field: strategy, .. })`: a strategy for a `T` (a struct or a struct-like enum
/// variant) whose fields each come from their own strategy. Every field must be named: the struct
/// literal it builds would not compile otherwise.
macro_rules! record {
    ($($ty:ident)::+ { $($field:ident: $strategy:expr),+ $(,)? }) => {
        ($($strategy,)+).prop_map(|($($field,)+)| $($ty)::+ { $($field),+ })
    };
}

/// `event!(T { .. })`: the boxed strategy for `Event::T(T { .. })`.
macro_rules! event {
    ($ty:ident { $($fields:tt)* }) => {
        record!($ty { $($fields)* }).prop_map(Event::$ty).boxed()
    };
}

/// The terms a `TicketParamsIssued` and a `SenderSessionStarted` share, after the counterparty
/// (`sender` for the O's params, `recipient` for the B's session).
macro_rules! ticket_terms {
    ($ty:ident, $counterparty:ident) => {
        record!($ty {
            $counterparty: addr(),
            recipient_rand_hash: h32(),
            face_value: wei(),
            win_prob: wei(),
            expiration_block: any::<u64>(),
            creation: creation(),
            seed: h32(),
            price: price(),
        })
    };
}

fn wei() -> impl Strategy<Value = Wei> {
    any::<[u8; 32]>().prop_map(Wei)
}
fn addr() -> impl Strategy<Value = Address> {
    any::<[u8; 20]>().prop_map(Address)
}
fn h32() -> impl Strategy<Value = Hash32> {
    any::<[u8; 32]>().prop_map(Hash32)
}
fn text() -> impl Strategy<Value = String> {
    "[ -~]{0,24}"
}
fn bytes(max: usize) -> impl Strategy<Value = Vec<u8>> {
    prop::collection::vec(any::<u8>(), 0..max)
}
fn ratio() -> impl Strategy<Value = Ratio> {
    record!(Ratio {
        negative: any::<bool>(),
        numer: bytes(70),
        denom: bytes(40),
    })
}
fn price() -> impl Strategy<Value = Price> {
    record!(Price {
        price_per_unit: any::<i64>(),
        pixels_per_unit: any::<i64>(),
    })
}
fn fraction() -> impl Strategy<Value = Fraction> {
    any::<u64>().prop_map(Fraction)
}
fn creation() -> impl Strategy<Value = CreationRound> {
    record!(CreationRound {
        round: any::<u64>(),
        block_hash: h32(),
    })
}
fn pos() -> impl Strategy<Value = ChainPos> {
    record!(ChainPos {
        block: any::<u64>(),
        block_hash: h32(),
        log_index: any::<u32>(),
    })
}
fn account() -> impl Strategy<Value = Account> {
    record!(Account {
        side: prop_oneof![Just(Side::Orchestrator), Just(Side::Broadcaster)],
        counterparty: addr(),
        session: text(),
    })
}
fn winning_ticket() -> impl Strategy<Value = WinningTicket> {
    record!(WinningTicket {
        recipient: addr(),
        sender: addr(),
        face_value: wei(),
        win_prob: wei(),
        nonce: any::<u32>(),
        recipient_rand_hash: h32(),
        creation: creation(),
        expiration_block: any::<u64>(),
        sig: bytes(70),
        seed: h32(),
        price: price(),
        ticket_hash: h32(),
    })
}
fn balance_changed() -> impl Strategy<Value = BalanceChanged> {
    record!(BalanceChanged {
        account: account(),
        amount: ratio(),
        balance: ratio(),
    })
}

/// A strategy for the variant of `kind`. No wildcard arm: a new variant must be added here.
fn strategy_for(kind: &Event) -> BoxedStrategy<Event> {
    match kind {
        Event::NodeStarted(_) => event!(NodeStarted {
            version: text(),
            network: text(),
            chain_id: any::<u64>(),
            roles: prop::collection::vec(text(), 0..4),
        }),
        Event::KvSet(_) => event!(KvSet {
            key: text(),
            value: bytes(64),
        }),
        Event::ConfigChanged(_) => event!(ConfigChanged {
            setting: text(),
            value: text(),
            source: prop_oneof![Just(ConfigSource::Api), Just(ConfigSource::Flag)],
        }),
        Event::LpdbImported(_) => event!(LpdbImported {
            file: text(),
            file_hash: h32(),
            chain_id: any::<u64>(),
            db_version: any::<u32>(),
            events: any::<u32>(),
            summary: text(),
        }),
        Event::TranscoderAttached(_) => event!(TranscoderAttached {
            addr: text(),
            capacity: any::<u32>(),
        }),
        Event::TranscoderDetached(_) => event!(TranscoderDetached { addr: text() }),
        Event::BroadcastSessionOpened(_) => event!(BroadcastSessionOpened {
            stream: text(),
            orchestrator: text(),
            transcoder: text(),
            session_id: text(),
            expiration: any::<i64>(),
            token: bytes(32),
        }),
        Event::StreamStarted(_) => event!(StreamStarted {
            stream: text(),
            source: prop_oneof![
                record!(IngestSource::Rtmp {
                    app: text(),
                    key: text(),
                }),
                Just(IngestSource::HttpPush),
                record!(IngestSource::File { path: text() }),
                record!(IngestSource::Broadcaster { manifest: text() }),
            ],
            profiles: prop::collection::vec(text(), 0..5),
        }),
        Event::StreamEnded(_) => event!(StreamEnded {
            stream: text(),
            reason: prop_oneof![
                Just(EndReason::Unpublished),
                Just(EndReason::IdleTimeout),
                text().prop_map(EndReason::Error),
                Just(EndReason::NodeRestarted)
            ],
        }),
        Event::SegmentReceived(_) => event!(SegmentReceived {
            stream: text(),
            seq_no: any::<u64>(),
            duration_ms: any::<u32>(),
            bytes: any::<u64>(),
        }),
        Event::SegmentTranscoded(_) => {
            let rendition = record!(Rendition {
                profile: text(),
                width: any::<u32>(),
                height: any::<u32>(),
                frames: any::<u32>(),
                pixels: any::<u64>(),
                bytes: any::<u64>(),
            });
            event!(SegmentTranscoded {
                stream: text(),
                seq_no: any::<u64>(),
                worker: prop_oneof![
                    Just(Worker::Local),
                    record!(Worker::Orchestrator {
                        address: addr(),
                        uri: text(),
                    }),
                    record!(Worker::Transcoder { addr: text() }),
                ],
                renditions: prop::collection::vec(rendition, 0..5),
                took_ms: any::<u32>(),
            })
        }
        Event::SegmentFailed(_) => event!(SegmentFailed {
            stream: text(),
            seq_no: any::<u64>(),
            reason: text(),
            retryable: any::<bool>(),
        }),
        Event::TicketParamsIssued(_) => ticket_terms!(TicketParamsIssued, sender)
            .prop_map(Event::TicketParamsIssued)
            .boxed(),
        Event::TicketReceived(_) => event!(TicketReceived {
            sender: addr(),
            session: text(),
            recipient_rand_hash: h32(),
            nonce: any::<u32>(),
            ticket_hash: h32(),
            expiration_block: any::<u64>(),
            outcome: prop_oneof![
                record!(TicketOutcome::Accepted {
                    won: any::<bool>(),
                    ev: ratio(),
                }),
                record!(TicketOutcome::Rejected {
                    reason: text(),
                    fatal: any::<bool>(),
                    won: any::<bool>(),
                }),
            ],
        }),
        Event::WinningTicketQueued(_) => winning_ticket()
            .prop_map(|t| Event::WinningTicketQueued(Box::new(t)))
            .boxed(),
        Event::RevealedTicketQueued(_) => record!(RevealedTicket {
            ticket: winning_ticket(),
            recipient_rand: h32(),
        })
        .prop_map(|t| Event::RevealedTicketQueued(Box::new(t)))
        .boxed(),
        Event::TxSigned(_) => event!(TxSigned {
            nonce: any::<u64>(),
            hash: h32(),
            to: addr(),
            gas_price: wei(),
            gas_limit: any::<u64>(),
            raw: bytes(200),
            purpose: prop_oneof![
                h32().prop_map(|ticket_hash| TxPurpose::Redeem { ticket_hash }),
                any::<u64>().prop_map(|round| TxPurpose::Reward { round }),
                any::<u64>().prop_map(|round| TxPurpose::InitializeRound { round }),
                text().prop_map(|name| TxPurpose::Action { name }),
            ],
            replaces: proptest::option::of(h32()),
        }),
        Event::TxMined(_) => event!(TxMined {
            nonce: any::<u64>(),
            hash: h32(),
            block: any::<u64>(),
            block_hash: h32(),
            success: any::<bool>(),
            gas_used: any::<u64>(),
        }),
        Event::TxAbandoned(_) => event!(TxAbandoned {
            nonce: any::<u64>(),
            hash: h32(),
            reason: text(),
        }),
        Event::RedemptionHeld(_) => event!(RedemptionHeld {
            ticket_hash: h32(),
            reason: text(),
            l1_block: any::<u64>(),
        }),
        Event::BalanceExpired(_) => event!(BalanceExpired {
            account: account(),
            left: ratio(),
        }),
        Event::OrchestratorSelected(_) => event!(OrchestratorSelected {
            stream: text(),
            candidates: prop::collection::vec(
                record!(SelectionCandidate {
                    uri: text(),
                    address: addr(),
                    stake: wei(),
                    price: price(),
                    probability: fraction(),
                }),
                0..4
            ),
            draw: fraction(),
            chosen: text(),
        }),
        Event::StreamAuthDecided(_) => {
            let rung = record!(LadderProfile {
                name: text(),
                width: any::<u32>(),
                height: any::<u32>(),
                bitrate: any::<u64>(),
                fps: any::<u32>(),
                fps_den: any::<u32>(),
                profile: text(),
                gop: text(),
            });
            event!(StreamAuthDecided {
                url: text(),
                requested: text(),
                decision: prop_oneof![
                    record!(AdmittedStream {
                        stream: text(),
                        key: text(),
                        profiles: prop::collection::vec(rung, 0..4),
                        timeout_multiplier: any::<u32>(),
                    })
                    .prop_map(AuthDecision::Admitted),
                    record!(AuthDecision::Refused { reason: text() }),
                    record!(AuthDecision::Unusable { reason: text() }),
                ],
            })
        }
        Event::TicketForwarded(_) => event!(TicketForwarded {
            ticket_hash: h32(),
            redeemer: text(),
        }),
        Event::RoundInitScheduled(_) => event!(RoundInitScheduled {
            round: any::<u64>(),
            delay_ms: any::<u64>(),
        }),
        Event::MaxFloatReported(_) => event!(MaxFloatReported {
            sender: addr(),
            max_float: wei(),
        }),
        Event::RedemptionSubmitted(_) => event!(RedemptionSubmitted {
            ticket_hash: h32(),
            tx_hash: h32(),
        }),
        Event::RedemptionConfirmed(_) => event!(RedemptionConfirmed {
            ticket_hash: h32(),
            tx_hash: h32(),
            block: any::<u64>(),
        }),
        Event::RedemptionFailed(_) => event!(RedemptionFailed {
            ticket_hash: h32(),
            reason: text(),
            retryable: any::<bool>(),
        }),
        Event::BalanceCredited(_) => balance_changed().prop_map(Event::BalanceCredited).boxed(),
        Event::BalanceDebited(_) => balance_changed().prop_map(Event::BalanceDebited).boxed(),
        Event::FixedPriceSet(_) => event!(FixedPriceSet {
            account: account(),
            price: price(),
        }),
        Event::SessionClosed(_) => account().prop_map(Event::SessionClosed).boxed(),
        Event::SenderSessionStarted(_) => ticket_terms!(SenderSessionStarted, recipient)
            .prop_map(Event::SenderSessionStarted)
            .boxed(),
        Event::TicketSessionFor(_) => event!(TicketSessionFor {
            recipient_rand_hash: h32(),
            session_id: text(),
        }),
        Event::TicketsSent(_) => event!(TicketsSent {
            recipient_rand_hash: h32(),
            first_nonce: any::<u32>(),
            count: any::<u32>(),
            ev: ratio(),
        }),
        Event::BlockObserved(_) => event!(BlockObserved {
            number: any::<u64>(),
            hash: h32(),
            parent: h32(),
            l1_number: any::<u64>(),
        }),
        Event::BlockReverted(_) => event!(BlockReverted {
            number: any::<u64>(),
            hash: h32(),
        }),
        Event::RoundInitialized(_) => event!(RoundInitialized {
            round: any::<u64>(),
            block_hash: h32(),
            l1_block: any::<u64>(),
            pos: pos(),
        }),
        Event::PoolSizeChanged(_) => event!(PoolSizeChanged {
            round: any::<u64>(),
            size: any::<u64>(),
        }),
        Event::SenderFundsObserved(_) => event!(SenderFundsObserved {
            sender: addr(),
            deposit: wei(),
            reserve_remaining: wei(),
            claimed_in_round: wei(),
            claimed_by_us: wei(),
            withdraw_round: any::<u64>(),
            block: any::<u64>(),
        }),
        Event::SenderFundsChanged(_) => event!(SenderFundsChanged {
            sender: addr(),
            change: prop_oneof![
                record!(FundsChange::DepositFunded { amount: wei() }),
                record!(FundsChange::ReserveFunded { amount: wei() }),
                record!(FundsChange::Withdrawal {
                    deposit: wei(),
                    reserve: wei(),
                }),
                record!(FundsChange::WinningTicketTransfer {
                    recipient: addr(),
                    amount: wei(),
                }),
                record!(FundsChange::Unlock {
                    start_round: any::<u64>(),
                    end_round: any::<u64>(),
                }),
                Just(FundsChange::UnlockCancelled),
            ],
            pos: pos(),
        }),
        Event::OrchestratorObserved(_) => event!(OrchestratorObserved {
            address: addr(),
            service_uri: text(),
            activation_round: any::<u64>(),
            deactivation_round: any::<u64>(),
            total_stake: wei(),
            price: price(),
            block: any::<u64>(),
        }),
        Event::UnbondingLockChanged(_) => event!(UnbondingLockChanged {
            delegator: addr(),
            lock_id: any::<u64>(),
            change: prop_oneof![
                record!(LockChange::Created {
                    amount: wei(),
                    withdraw_round: any::<u64>(),
                }),
                Just(LockChange::Rebonded),
                Just(LockChange::Withdrawn),
            ],
            pos: pos(),
        }),
    }
}

fn any_event() -> impl Strategy<Value = Event> {
    prop::sample::select(one_of_each()).prop_flat_map(|kind| strategy_for(&kind))
}

#[test]
fn samples_cover_every_variant() {
    let tags: std::collections::BTreeSet<u32> = one_of_each().iter().map(Event::tag).collect();
    let all: std::collections::BTreeSet<u32> = (0..EVENT_COUNT).collect();
    assert_eq!(
        tags, all,
        "tests/common/samples.rs must hold one sample of every variant"
    );
    for (i, name) in EVENT_NAMES.iter().enumerate() {
        let sample = one_of_each()
            .into_iter()
            .find(|e| e.tag() == i as u32)
            .unwrap();
        assert_eq!(sample.name(), *name);
    }
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(2_000))]

    #[test]
    fn every_variant_round_trips(event in any_event(), seq in any::<u64>(), at in any::<u64>(), prev in h32()) {
        let env = Envelope::new(seq, at, prev, event);
        let bytes = encode_record(&env);
        prop_assert_eq!(decode_record(&bytes), Ok(env.clone()));
        // Truncation anywhere is a typed error, never a panic or a wrong value.
        let cut = bytes.len() / 2;
        prop_assert!(decode_record(&bytes[..cut]).is_err());
        let mut longer = bytes.clone();
        longer.push(0);
        prop_assert_eq!(decode_record(&longer), Err(DecodeError::TrailingBytes(1)));
    }

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..300)) {
        let _ = decode_record(&bytes);
        let mut with_header = encode_record(&Envelope::new(0, 0, Hash32::default(), one_of_each()[0].clone()));
        with_header.truncate(39);
        with_header.extend_from_slice(&bytes);
        let _ = decode_record(&with_header);
    }
}
