//! Tests of the log mapping: topic hashes against independently derived values, every mapping
//! from a hand-built log, malformed logs, a no-panic property and a fold through `SenderFunds`.

use super::convert;
use super::logs::{event_from_log, is_removed, kind, round_from_log};
use super::topics::{topic0_of, Kind, ALL};
use super::ChainError;
use crate::events::{
    Address, ChainPos, Envelope, Event, FundsChange, Hash32, RoundInitialized, SenderFundsChanged,
    SenderFundsObserved, Wei,
};
use crate::projections::max_float::SenderFunds;
use ethers_core::types::{Bytes, Log, H256, U256, U64};
use ethers_core::utils::keccak256;
use proptest::prelude::*;

const SENDER: [u8; 20] = [0x5e; 20];
const RECIPIENT: [u8; 20] = [0x4e; 20];
const BLOCK_HASH: [u8; 32] = [0xbb; 32];

fn h256(hex: &str) -> H256 {
    let mut out = [0u8; 32];
    out.copy_from_slice(&hex::decode(hex).unwrap());
    H256(out)
}

fn addr_topic(a: [u8; 20]) -> H256 {
    let mut w = [0u8; 32];
    w[12..].copy_from_slice(&a);
    H256(w)
}

fn uint(v: u128) -> [u8; 32] {
    let mut w = [0u8; 32];
    U256::from(v).to_big_endian(&mut w);
    w
}

fn log(kind: Kind, mut topics: Vec<H256>, words: &[[u8; 32]]) -> Log {
    topics.insert(0, kind.topic0());
    Log {
        topics,
        data: Bytes::from(words.concat()),
        block_number: Some(U64::from(1234)),
        block_hash: Some(H256(BLOCK_HASH)),
        log_index: Some(U256::from(7)),
        removed: Some(false),
        ..Log::default()
    }
}

fn pos() -> ChainPos {
    ChainPos {
        block: 1234,
        block_hash: Hash32(BLOCK_HASH),
        log_index: 7,
    }
}

fn funds(change: FundsChange) -> Option<Event> {
    Some(Event::SenderFundsChanged(SenderFundsChanged {
        sender: Address(SENDER),
        change,
        pos: pos(),
    }))
}

fn sender_log(kind: Kind, words: &[[u8; 32]]) -> Log {
    log(kind, vec![addr_topic(SENDER)], words)
}

#[test]
fn topic0_is_keccak_of_the_signature() {
    for k in ALL {
        assert_eq!(k.topic0(), H256(keccak256(k.signature())), "{k:?}");
        assert_eq!(Kind::from_topic0(&k.topic0()), Some(k));
    }
    // Derived with Python eth-hash (pycryptodome), independently of ethers.
    let known = [
        (
            Kind::DepositFunded,
            "5159e237d952190e68d5215430f305831be7c9c8776d1377c76679ae4773413f",
        ),
        (
            Kind::ReserveFunded,
            "b52b99b9e83551fcbd069b559cc3e823e2a1a3bad8ece46561ea77524394c850",
        ),
        (
            Kind::Withdrawal,
            "df273cb619d95419a9cd0ec88123a0538c85064229baa6363788f743fff90deb",
        ),
        (
            Kind::WinningTicketTransfer,
            "8b87351a208c06e3ceee59d80725fd77a23b4129e1b51ca231fc89b40712649c",
        ),
        (
            Kind::Unlock,
            "f7870c5b224cbc19873599e46ccfc7103934650509b1af0c3ce90138377c2004",
        ),
        (
            Kind::UnlockCancelled,
            "fa044b7b93a40365dc68049797c2eb06918523d694e5d56e406cac3eb35578e5",
        ),
        (
            Kind::NewRound,
            "22f2fc17c5daf07db2379b3a03a8ef20a183f761097a58fce219c8a14619e786",
        ),
    ];
    for (k, hex) in known {
        assert_eq!(k.topic0(), h256(hex), "{k:?}");
        assert_eq!(topic0_of(k.signature()), h256(hex), "{k:?}");
    }
    assert_eq!(Kind::from_topic0(&H256::zero()), None);
}

#[test]
fn every_ticket_broker_log_maps_to_its_funds_change() {
    let big = u128::MAX;
    let cases = [
        (
            sender_log(Kind::DepositFunded, &[uint(1_000)]),
            FundsChange::DepositFunded {
                amount: Wei::from_u128(1_000),
            },
        ),
        (
            sender_log(Kind::ReserveFunded, &[uint(big)]),
            FundsChange::ReserveFunded {
                amount: Wei::from_u128(big),
            },
        ),
        (
            sender_log(Kind::Withdrawal, &[uint(5), uint(6)]),
            FundsChange::Withdrawal {
                deposit: Wei::from_u128(5),
                reserve: Wei::from_u128(6),
            },
        ),
        (
            log(
                Kind::WinningTicketTransfer,
                vec![addr_topic(SENDER), addr_topic(RECIPIENT)],
                &[uint(42)],
            ),
            FundsChange::WinningTicketTransfer {
                recipient: Address(RECIPIENT),
                amount: Wei::from_u128(42),
            },
        ),
        (
            sender_log(Kind::Unlock, &[uint(100), uint(u64::MAX as u128)]),
            FundsChange::Unlock {
                start_round: 100,
                end_round: u64::MAX,
            },
        ),
        (
            sender_log(Kind::UnlockCancelled, &[]),
            FundsChange::UnlockCancelled,
        ),
    ];
    for (l, change) in cases {
        assert_eq!(event_from_log(&l), Ok(funds(change)));
    }
    // A full 256-bit amount survives.
    let l = sender_log(Kind::DepositFunded, &[[0xff; 32]]);
    assert_eq!(
        event_from_log(&l),
        Ok(funds(FundsChange::DepositFunded {
            amount: Wei([0xff; 32])
        }))
    );
    assert_eq!(convert::wei(U256::MAX), Wei([0xff; 32]));
}

#[test]
fn new_round_maps_with_the_given_l1_block() {
    let l = log(Kind::NewRound, vec![H256(uint(3_500))], &[[0xab; 32]]);
    let want = RoundInitialized {
        round: 3_500,
        block_hash: Hash32([0xab; 32]),
        l1_block: 19_000_000,
        pos: pos(),
    };
    assert_eq!(round_from_log(&l, 19_000_000), Ok(Some(want)));
    assert_eq!(event_from_log(&l), Err(ChainError::NeedsL1Block));
    // Not a NewRound log: nothing.
    assert_eq!(
        round_from_log(&sender_log(Kind::DepositFunded, &[uint(1)]), 1),
        Ok(None)
    );
}

#[test]
fn other_topics_and_removed_logs_map_to_nothing() {
    let mut other = sender_log(Kind::DepositFunded, &[uint(1)]);
    other.topics[0] = topic0_of("Transfer(address,address,uint256)");
    assert_eq!(event_from_log(&other), Ok(None));
    assert_eq!(kind(&other), None);
    assert_eq!(event_from_log(&Log::default()), Ok(None));

    let mut removed = sender_log(Kind::DepositFunded, &[uint(1)]);
    removed.removed = Some(true);
    assert!(is_removed(&removed));
    assert_eq!(event_from_log(&removed), Ok(None));
    let mut round = log(Kind::NewRound, vec![H256(uint(1))], &[[0; 32]]);
    round.removed = Some(true);
    assert_eq!(round_from_log(&round, 1), Ok(None));
    assert!(!is_removed(&sender_log(Kind::DepositFunded, &[uint(1)])));
}

#[test]
fn malformed_logs_give_typed_errors() {
    // DepositFunded with the amount indexed (3 topics) instead of in data.
    let l = log(
        Kind::DepositFunded,
        vec![addr_topic(SENDER), H256(uint(1))],
        &[],
    );
    assert_eq!(
        event_from_log(&l),
        Err(ChainError::TopicCount {
            event: "DepositFunded",
            expected: 2,
            got: 3
        })
    );
    // WinningTicketTransfer missing its recipient topic.
    let l = sender_log(Kind::WinningTicketTransfer, &[uint(1)]);
    assert!(matches!(
        event_from_log(&l),
        Err(ChainError::TopicCount {
            expected: 3,
            got: 2,
            ..
        })
    ));
    // Withdrawal with one word of data.
    let l = sender_log(Kind::Withdrawal, &[uint(1)]);
    assert_eq!(
        event_from_log(&l),
        Err(ChainError::DataLength {
            event: "Withdrawal",
            expected: 64,
            got: 32
        })
    );
    // Trailing bytes.
    let mut l = sender_log(Kind::DepositFunded, &[uint(1)]);
    l.data = Bytes::from([uint(1).as_slice(), &[0]].concat());
    assert!(matches!(
        event_from_log(&l),
        Err(ChainError::DataLength { got: 33, .. })
    ));
    // A dirty address topic.
    let l = log(Kind::DepositFunded, vec![H256([0xff; 32])], &[uint(1)]);
    assert_eq!(
        event_from_log(&l),
        Err(ChainError::BadAddress {
            event: "DepositFunded",
            index: 1
        })
    );
    // Pending logs.
    for (missing, strip) in [
        (
            "block number",
            (|l: &mut Log| l.block_number = None) as fn(&mut Log),
        ),
        ("block hash", |l: &mut Log| l.block_hash = None),
        ("log index", |l: &mut Log| l.log_index = None),
    ] {
        let mut l = sender_log(Kind::DepositFunded, &[uint(1)]);
        strip(&mut l);
        assert_eq!(
            event_from_log(&l),
            Err(ChainError::Pending {
                event: "DepositFunded",
                missing
            })
        );
    }
    // Integers that do not fit.
    let l = sender_log(Kind::Unlock, &[uint(1), uint(u64::MAX as u128 + 1)]);
    assert_eq!(
        event_from_log(&l),
        Err(ChainError::Overflow {
            event: "Unlock",
            field: "endRound",
            ty: "u64"
        })
    );
    let l = log(Kind::NewRound, vec![H256([0xff; 32])], &[[0; 32]]);
    assert!(matches!(
        round_from_log(&l, 1),
        Err(ChainError::Overflow { field: "round", .. })
    ));
    let mut l = sender_log(Kind::DepositFunded, &[uint(1)]);
    l.log_index = Some(U256::from(u64::from(u32::MAX) + 1));
    assert!(matches!(
        event_from_log(&l),
        Err(ChainError::Overflow {
            field: "logIndex",
            ..
        })
    ));
}

#[test]
fn mapped_logs_fold_into_sender_funds() {
    let mut sf = SenderFunds::default();
    let mut seq = 0;
    let mut fold = |sf: &mut SenderFunds, event: Event| {
        sf.fold(&Envelope::new(seq, seq, Hash32::default(), event));
        seq += 1;
    };
    fold(
        &mut sf,
        Event::SenderFundsObserved(SenderFundsObserved {
            sender: Address(SENDER),
            deposit: Wei::ZERO,
            reserve_remaining: Wei::ZERO,
            claimed_in_round: Wei::ZERO,
            claimed_by_us: Wei::ZERO,
            withdraw_round: 0,
            block: 1_000,
        }),
    );
    let logs = [
        sender_log(Kind::DepositFunded, &[uint(100)]),
        sender_log(Kind::ReserveFunded, &[uint(1_000)]),
        // Larger than the deposit: 100 from the deposit, 50 claimed from the reserve.
        log(
            Kind::WinningTicketTransfer,
            vec![addr_topic(SENDER), addr_topic(RECIPIENT)],
            &[uint(150)],
        ),
        sender_log(Kind::Unlock, &[uint(10), uint(12)]),
    ];
    for l in &logs {
        fold(&mut sf, event_from_log(l).unwrap().unwrap());
    }
    let f = sf.get(&Address(SENDER)).unwrap();
    assert_eq!(f.deposit, Wei::ZERO);
    assert_eq!(f.reserve_remaining, Wei::from_u128(950));
    assert_eq!(f.claimed_in_round, Wei::from_u128(50));
    assert_eq!(f.claimed_by(&Address(RECIPIENT)), U256::from(50));
    assert_eq!(f.withdraw_round, 12);

    let round = log(Kind::NewRound, vec![H256(uint(11))], &[[0xab; 32]]);
    let r = round_from_log(&round, 500).unwrap().unwrap();
    fold(&mut sf, Event::RoundInitialized(r));
    let f = sf.get(&Address(SENDER)).unwrap();
    assert_eq!(f.claimed_in_round, Wei::ZERO);
    assert_eq!(f.claimed_by(&Address(RECIPIENT)), U256::zero());
    assert_eq!(f.reserve_remaining, Wei::from_u128(950));
}

fn any_topic() -> impl Strategy<Value = H256> {
    prop_oneof![
        prop::sample::select(ALL.to_vec()).prop_map(Kind::topic0),
        any::<[u8; 32]>().prop_map(H256),
        (any::<[u8; 20]>()).prop_map(addr_topic),
    ]
}

proptest! {
    #[test]
    fn arbitrary_logs_never_panic(
        topics in prop::collection::vec(any_topic(), 0..5),
        data in prop::collection::vec(any::<u8>(), 0..130),
        block in any::<Option<u64>>(),
        hash in any::<Option<[u8; 32]>>(),
        index in any::<Option<[u8; 32]>>(),
        removed in any::<Option<bool>>(),
        l1 in any::<u64>(),
    ) {
        let l = Log {
            topics,
            data: Bytes::from(data),
            block_number: block.map(U64::from),
            block_hash: hash.map(H256),
            log_index: index.map(|i| U256::from_big_endian(&i)),
            removed,
            ..Log::default()
        };
        let _ = is_removed(&l);
        let _ = event_from_log(&l);
        let _ = round_from_log(&l, l1);
    }
}
