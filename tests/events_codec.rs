//! Round-trip properties of every event variant through the record codec. The strategy is built
//! by an exhaustive match, so adding a variant without a strategy does not compile, and the
//! samples must cover every tag.
#![allow(clippy::unwrap_used)]

mod common;

use common::samples::one_of_each;
use livepeer::events::*;
use proptest::prelude::*;

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
fn ratio() -> impl Strategy<Value = Ratio> {
    (
        any::<bool>(),
        prop::collection::vec(any::<u8>(), 0..70),
        prop::collection::vec(any::<u8>(), 0..40),
    )
        .prop_map(|(negative, numer, denom)| Ratio {
            negative,
            numer,
            denom,
        })
}
fn price() -> impl Strategy<Value = Price> {
    (any::<i64>(), any::<i64>()).prop_map(|(price_per_unit, pixels_per_unit)| Price {
        price_per_unit,
        pixels_per_unit,
    })
}
fn creation() -> impl Strategy<Value = CreationRound> {
    (any::<u64>(), h32()).prop_map(|(round, block_hash)| CreationRound { round, block_hash })
}
fn pos() -> impl Strategy<Value = ChainPos> {
    (any::<u64>(), h32(), any::<u32>()).prop_map(|(block, block_hash, log_index)| ChainPos {
        block,
        block_hash,
        log_index,
    })
}
fn account() -> impl Strategy<Value = Account> {
    (
        prop_oneof![Just(Side::Orchestrator), Just(Side::Broadcaster)],
        addr(),
        text(),
    )
        .prop_map(|(side, counterparty, session)| Account {
            side,
            counterparty,
            session,
        })
}
fn balance_changed() -> impl Strategy<Value = BalanceChanged> {
    (account(), ratio(), ratio()).prop_map(|(account, amount, balance)| BalanceChanged {
        account,
        amount,
        balance,
    })
}

/// A strategy for the variant of `kind`. No wildcard arm: a new variant must be added here.
fn strategy_for(kind: &Event) -> BoxedStrategy<Event> {
    match kind {
        Event::NodeStarted(_) => (
            text(),
            text(),
            any::<u64>(),
            prop::collection::vec(text(), 0..4),
        )
            .prop_map(|(version, network, chain_id, roles)| {
                Event::NodeStarted(NodeStarted {
                    version,
                    network,
                    chain_id,
                    roles,
                })
            })
            .boxed(),
        Event::KvSet(_) => (text(), prop::collection::vec(any::<u8>(), 0..64))
            .prop_map(|(key, value)| Event::KvSet(KvSet { key, value }))
            .boxed(),
        Event::StreamStarted(_) => {
            let source = prop_oneof![
                (text(), text()).prop_map(|(app, key)| IngestSource::Rtmp { app, key }),
                Just(IngestSource::HttpPush),
                text().prop_map(|path| IngestSource::File { path }),
                text().prop_map(|manifest| IngestSource::Broadcaster { manifest }),
            ];
            (text(), source, prop::collection::vec(text(), 0..5))
                .prop_map(|(stream, source, profiles)| {
                    Event::StreamStarted(StreamStarted {
                        stream,
                        source,
                        profiles,
                    })
                })
                .boxed()
        }
        Event::StreamEnded(_) => {
            let reason = prop_oneof![
                Just(EndReason::Unpublished),
                Just(EndReason::IdleTimeout),
                text().prop_map(EndReason::Error),
                Just(EndReason::NodeRestarted)
            ];
            (text(), reason)
                .prop_map(|(stream, reason)| Event::StreamEnded(StreamEnded { stream, reason }))
                .boxed()
        }
        Event::SegmentReceived(_) => (text(), any::<u64>(), any::<u32>(), any::<u64>())
            .prop_map(|(stream, seq_no, duration_ms, bytes)| {
                Event::SegmentReceived(SegmentReceived {
                    stream,
                    seq_no,
                    duration_ms,
                    bytes,
                })
            })
            .boxed(),
        Event::SegmentTranscoded(_) => {
            let worker = prop_oneof![
                Just(Worker::Local),
                (addr(), text()).prop_map(|(address, uri)| Worker::Orchestrator { address, uri }),
                text().prop_map(|addr| Worker::Transcoder { addr }),
            ];
            let rendition = (
                text(),
                any::<u32>(),
                any::<u32>(),
                any::<u32>(),
                any::<u64>(),
                any::<u64>(),
            )
                .prop_map(
                    |(profile, width, height, frames, pixels, bytes)| Rendition {
                        profile,
                        width,
                        height,
                        frames,
                        pixels,
                        bytes,
                    },
                );
            (
                text(),
                any::<u64>(),
                worker,
                prop::collection::vec(rendition, 0..5),
                any::<u32>(),
            )
                .prop_map(|(stream, seq_no, worker, renditions, took_ms)| {
                    Event::SegmentTranscoded(SegmentTranscoded {
                        stream,
                        seq_no,
                        worker,
                        renditions,
                        took_ms,
                    })
                })
                .boxed()
        }
        Event::SegmentFailed(_) => (text(), any::<u64>(), text(), any::<bool>())
            .prop_map(|(stream, seq_no, reason, retryable)| {
                Event::SegmentFailed(SegmentFailed {
                    stream,
                    seq_no,
                    reason,
                    retryable,
                })
            })
            .boxed(),
        Event::TicketParamsIssued(_) => (
            addr(),
            h32(),
            wei(),
            wei(),
            any::<u64>(),
            creation(),
            h32(),
            price(),
        )
            .prop_map(
                |(
                    sender,
                    recipient_rand_hash,
                    face_value,
                    win_prob,
                    expiration_block,
                    creation,
                    seed,
                    price,
                )| {
                    Event::TicketParamsIssued(TicketParamsIssued {
                        sender,
                        recipient_rand_hash,
                        face_value,
                        win_prob,
                        expiration_block,
                        creation,
                        seed,
                        price,
                    })
                },
            )
            .boxed(),
        Event::TicketReceived(_) => {
            let outcome = prop_oneof![
                (any::<bool>(), ratio()).prop_map(|(won, ev)| TicketOutcome::Accepted { won, ev }),
                (text(), any::<bool>(), any::<bool>()).prop_map(|(reason, fatal, won)| {
                    TicketOutcome::Rejected { reason, fatal, won }
                }),
            ];
            (
                addr(),
                text(),
                h32(),
                any::<u32>(),
                h32(),
                any::<u64>(),
                outcome,
            )
                .prop_map(
                    |(
                        sender,
                        session,
                        recipient_rand_hash,
                        nonce,
                        ticket_hash,
                        expiration_block,
                        outcome,
                    )| {
                        Event::TicketReceived(TicketReceived {
                            sender,
                            session,
                            recipient_rand_hash,
                            nonce,
                            ticket_hash,
                            expiration_block,
                            outcome,
                        })
                    },
                )
                .boxed()
        }
        Event::WinningTicketQueued(_) => (
            (addr(), addr(), wei(), wei(), any::<u32>(), h32()),
            (
                creation(),
                any::<u64>(),
                prop::collection::vec(any::<u8>(), 0..70),
                h32(),
                price(),
                h32(),
            ),
        )
            .prop_map(
                |(
                    (recipient, sender, face_value, win_prob, nonce, recipient_rand_hash),
                    (creation, expiration_block, sig, seed, price, ticket_hash),
                )| {
                    Event::WinningTicketQueued(Box::new(WinningTicket {
                        recipient,
                        sender,
                        face_value,
                        win_prob,
                        nonce,
                        recipient_rand_hash,
                        creation,
                        expiration_block,
                        sig,
                        seed,
                        price,
                        ticket_hash,
                    }))
                },
            )
            .boxed(),
        Event::RedemptionSubmitted(_) => (h32(), h32())
            .prop_map(|(ticket_hash, tx_hash)| {
                Event::RedemptionSubmitted(RedemptionSubmitted {
                    ticket_hash,
                    tx_hash,
                })
            })
            .boxed(),
        Event::RedemptionConfirmed(_) => (h32(), h32(), any::<u64>())
            .prop_map(|(ticket_hash, tx_hash, block)| {
                Event::RedemptionConfirmed(RedemptionConfirmed {
                    ticket_hash,
                    tx_hash,
                    block,
                })
            })
            .boxed(),
        Event::RedemptionFailed(_) => (h32(), text(), any::<bool>())
            .prop_map(|(ticket_hash, reason, retryable)| {
                Event::RedemptionFailed(RedemptionFailed {
                    ticket_hash,
                    reason,
                    retryable,
                })
            })
            .boxed(),
        Event::BalanceCredited(_) => balance_changed().prop_map(Event::BalanceCredited).boxed(),
        Event::BalanceDebited(_) => balance_changed().prop_map(Event::BalanceDebited).boxed(),
        Event::FixedPriceSet(_) => (account(), price())
            .prop_map(|(account, price)| Event::FixedPriceSet(FixedPriceSet { account, price }))
            .boxed(),
        Event::SessionClosed(_) => account().prop_map(Event::SessionClosed).boxed(),
        Event::SenderSessionStarted(_) => (
            addr(),
            h32(),
            wei(),
            wei(),
            any::<u64>(),
            creation(),
            h32(),
            price(),
        )
            .prop_map(
                |(
                    recipient,
                    recipient_rand_hash,
                    face_value,
                    win_prob,
                    expiration_block,
                    creation,
                    seed,
                    price,
                )| {
                    Event::SenderSessionStarted(SenderSessionStarted {
                        recipient,
                        recipient_rand_hash,
                        face_value,
                        win_prob,
                        expiration_block,
                        creation,
                        seed,
                        price,
                    })
                },
            )
            .boxed(),
        Event::TicketsSent(_) => (h32(), any::<u32>(), any::<u32>(), ratio())
            .prop_map(|(recipient_rand_hash, first_nonce, count, ev)| {
                Event::TicketsSent(TicketsSent {
                    recipient_rand_hash,
                    first_nonce,
                    count,
                    ev,
                })
            })
            .boxed(),
        Event::BlockObserved(_) => (any::<u64>(), h32(), h32(), any::<u64>())
            .prop_map(|(number, hash, parent, l1_number)| {
                Event::BlockObserved(BlockObserved {
                    number,
                    hash,
                    parent,
                    l1_number,
                })
            })
            .boxed(),
        Event::BlockReverted(_) => (any::<u64>(), h32())
            .prop_map(|(number, hash)| Event::BlockReverted(BlockReverted { number, hash }))
            .boxed(),
        Event::RoundInitialized(_) => (any::<u64>(), h32(), any::<u64>(), pos())
            .prop_map(|(round, block_hash, l1_block, pos)| {
                Event::RoundInitialized(RoundInitialized {
                    round,
                    block_hash,
                    l1_block,
                    pos,
                })
            })
            .boxed(),
        Event::PoolSizeChanged(_) => (any::<u64>(), any::<u64>())
            .prop_map(|(round, size)| Event::PoolSizeChanged(PoolSizeChanged { round, size }))
            .boxed(),
        Event::SenderFundsObserved(_) => (
            addr(),
            wei(),
            wei(),
            wei(),
            wei(),
            any::<u64>(),
            any::<u64>(),
        )
            .prop_map(
                |(
                    sender,
                    deposit,
                    reserve_remaining,
                    claimed_in_round,
                    claimed_by_us,
                    withdraw_round,
                    block,
                )| {
                    Event::SenderFundsObserved(SenderFundsObserved {
                        sender,
                        deposit,
                        reserve_remaining,
                        claimed_in_round,
                        claimed_by_us,
                        withdraw_round,
                        block,
                    })
                },
            )
            .boxed(),
        Event::SenderFundsChanged(_) => {
            let change = prop_oneof![
                wei().prop_map(|amount| FundsChange::DepositFunded { amount }),
                wei().prop_map(|amount| FundsChange::ReserveFunded { amount }),
                (wei(), wei())
                    .prop_map(|(deposit, reserve)| FundsChange::Withdrawal { deposit, reserve }),
                (addr(), wei()).prop_map(|(recipient, amount)| {
                    FundsChange::WinningTicketTransfer { recipient, amount }
                }),
                (any::<u64>(), any::<u64>()).prop_map(|(start_round, end_round)| {
                    FundsChange::Unlock {
                        start_round,
                        end_round,
                    }
                }),
                Just(FundsChange::UnlockCancelled),
            ];
            (addr(), change, pos())
                .prop_map(|(sender, change, pos)| {
                    Event::SenderFundsChanged(SenderFundsChanged {
                        sender,
                        change,
                        pos,
                    })
                })
                .boxed()
        }
        Event::OrchestratorObserved(_) => (
            addr(),
            text(),
            any::<u64>(),
            any::<u64>(),
            wei(),
            price(),
            any::<u64>(),
        )
            .prop_map(
                |(
                    address,
                    service_uri,
                    activation_round,
                    deactivation_round,
                    total_stake,
                    price,
                    block,
                )| {
                    Event::OrchestratorObserved(OrchestratorObserved {
                        address,
                        service_uri,
                        activation_round,
                        deactivation_round,
                        total_stake,
                        price,
                        block,
                    })
                },
            )
            .boxed(),
        Event::UnbondingLockChanged(_) => {
            let change = prop_oneof![
                (wei(), any::<u64>()).prop_map(|(amount, withdraw_round)| LockChange::Created {
                    amount,
                    withdraw_round
                }),
                Just(LockChange::Rebonded),
                Just(LockChange::Withdrawn),
            ];
            (addr(), any::<u64>(), change, pos())
                .prop_map(|(delegator, lock_id, change, pos)| {
                    Event::UnbondingLockChanged(UnbondingLockChanged {
                        delegator,
                        lock_id,
                        change,
                        pos,
                    })
                })
                .boxed()
        }
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
