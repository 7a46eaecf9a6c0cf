//! The log against the chain: agreeing facts match, each kind of difference is named with its
//! seq, and a reverted block takes its claims back.

use super::*;
use crate::events::{
    BlockObserved, BlockReverted, ChainPos, SenderFundsChanged, SenderFundsObserved, TxMined,
    TxSigned,
};

const B: Address = Address([0xb; 20]);
const O: Address = Address([0x0; 20]);

fn records(events: Vec<Event>) -> ChainClaims {
    let mut c = ChainClaims::default();
    for (i, e) in events.into_iter().enumerate() {
        c.apply(&Envelope::new(i as u64, 0, Hash32::default(), e));
    }
    c
}

fn block(n: u64) -> Event {
    Event::BlockObserved(BlockObserved {
        number: n,
        hash: Hash32([n as u8; 32]),
        parent: Hash32([n as u8 - 1; 32]),
        l1_number: n,
    })
}

fn observed(deposit: u128, block: u64) -> Event {
    Event::SenderFundsObserved(SenderFundsObserved {
        sender: B,
        deposit: Wei::from_u128(deposit),
        reserve_remaining: Wei::from_u128(50),
        claimed_in_round: Wei::ZERO,
        claimed_by_us: Wei::ZERO,
        withdraw_round: 0,
        block,
    })
}

fn transfer(amount: u128, n: u64) -> (Event, TransferAt) {
    let t = TransferAt {
        block: n,
        block_hash: Hash32([n as u8; 32]),
        sender: B,
        recipient: O,
        amount: Wei::from_u128(amount),
    };
    let e = Event::SenderFundsChanged(SenderFundsChanged {
        sender: B,
        change: FundsChange::WinningTicketTransfer {
            recipient: O,
            amount: t.amount,
        },
        pos: ChainPos {
            block: n,
            block_hash: t.block_hash,
            log_index: 0,
        },
    });
    (e, t)
}

fn redeemed(n: u64, success: bool) -> Vec<Event> {
    let hash = Hash32([0x77; 32]);
    vec![
        Event::TxSigned(TxSigned {
            nonce: 0,
            hash,
            to: Address([0xbb; 20]),
            gas_price: Wei::from_u128(1),
            gas_limit: 1,
            raw: vec![],
            purpose: TxPurpose::Redeem {
                ticket_hash: Hash32([0x11; 32]),
            },
            replaces: None,
        }),
        Event::TxMined(TxMined {
            nonce: 0,
            hash,
            block: n,
            block_hash: Hash32([n as u8; 32]),
            success,
            gas_used: 1,
        }),
    ]
}

fn funds(deposit: u128) -> Option<BTreeMap<Address, FundsAt>> {
    Some(BTreeMap::from([(
        B,
        FundsAt {
            deposit: Wei::from_u128(deposit),
            reserve: Wei::from_u128(50),
            withdraw_round: 0,
        },
    )]))
}

fn receipt(n: u64, success: bool) -> BTreeMap<Hash32, Option<Receipt>> {
    BTreeMap::from([(
        Hash32([0x77; 32]),
        Some(Receipt {
            block: (n, Hash32([n as u8; 32])),
            success,
        }),
    )])
}

#[test]
fn a_log_that_agrees_with_the_chain_matches_everything() {
    let (e, t) = transfer(40, 3);
    let mut events = vec![block(1), observed(100, 1), block(2)];
    events.extend(redeemed(3, true));
    events.extend([e, block(3)]);
    let claims = records(events);
    let facts = ChainFacts {
        transfers: vec![t],
        receipts: receipt(3, true),
        funds: funds(60),
    };
    let c = check(&claims, &facts);
    assert_eq!(c.discrepancies, vec![], "{c:?}");
    assert_eq!(
        (
            c.span,
            c.transfers_matched,
            c.receipts_matched,
            c.senders_matched
        ),
        (Some((1, 3)), 1, 1, 1)
    );
}

#[test]
fn each_difference_is_named_with_its_seq() {
    let (e, t) = transfer(40, 3);
    let mut events = vec![block(1), observed(100, 1), block(2)];
    events.extend(redeemed(3, true));
    events.extend([e, block(3)]);
    let claims = records(events);
    // The chain: the transfer paid 39, the transaction reverted, the deposit is 61.
    let facts = ChainFacts {
        transfers: vec![TransferAt {
            amount: Wei::from_u128(39),
            ..t
        }],
        receipts: receipt(3, false),
        funds: funds(61),
    };
    let c = check(&claims, &facts);
    let whats: Vec<(&[u64], &str)> = c
        .discrepancies
        .iter()
        .map(|d| (d.seqs.as_slice(), d.what.as_str()))
        .collect();
    assert_eq!(whats.len(), 4, "{whats:#?}");
    assert!(whats[0]
        .1
        .contains("of 39 wei in block 3 is on the chain, not in the log"));
    assert!(whats[1]
        .1
        .contains("deposit 60 reserve 50 withdrawRound 0, the chain deposit 61"));
    assert_eq!(whats[2].0, &[4]);
    assert!(whats[2]
        .1
        .contains("the log says block 3 (success), the chain says block 3 (reverted)"));
    assert_eq!(whats[3].0, &[5]);
    assert!(whats[3]
        .1
        .contains("of 40 wei in block 3 is in the log, not on the chain"));
}

#[test]
fn a_reverted_block_takes_its_claims_back_and_a_missing_state_is_a_note() {
    let (e, _) = transfer(40, 3);
    let mut events = vec![block(1), observed(100, 1), block(2)];
    events.extend(redeemed(3, true));
    events.extend([
        e,
        Event::BlockReverted(BlockReverted {
            number: 3,
            hash: Hash32([3; 32]),
        }),
        block(4),
    ]);
    let claims = records(events);
    let facts = ChainFacts {
        transfers: vec![],
        receipts: BTreeMap::new(),
        funds: None,
    };
    let c = check(&claims, &facts);
    assert_eq!(c.discrepancies, vec![], "{c:?}");
    assert!(c.notes[0].contains("not an archive node"), "{:?}", c.notes);
    assert!(check(&ChainClaims::default(), &facts).notes[0].contains("no chain block"));
}
