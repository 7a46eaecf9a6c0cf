//! A small paid history through the real payment decisions (`pm_common`'s World: the O's
//! `decide_payment`, its debit, the redemption transactions' events): two winning tickets, one
//! replayed; one redeemed and paid in full by a `WinningTicketTransfer`, the other's
//! transaction reverted after its sender withdrew. Written to a real fjall log for the binary.
#![allow(dead_code, clippy::unwrap_used)]

use crate::pm_common::{addr, o_account, payment, price, World};
use ethers_signers::LocalWallet;
use livepeer::commands::transactions::{mined, signed};
use livepeer::events::{
    Address, ChainPos, Envelope, Event, FundsChange, Hash32, SenderFundsChanged,
    TicketParamsIssued, TxMined, TxPurpose, TxSigned, Wei,
};
use livepeer::log::{Expect, FjallLog};
use livepeer::pm::{accounting::decide_debit, num::u256_to_wei, TicketParams};
use std::path::Path;

/// The session the payments go to.
pub const SESSION: &str = "sess-1";

/// The history and what a test needs to name in it.
pub struct Story {
    pub world: World,
    pub b: LocalWallet,
    pub params: TicketParams,
    /// Ticket hashes of nonces 1 and 2.
    pub a: Hash32,
    pub bt: Hash32,
    pub tx_a: Hash32,
    pub tx_b: Hash32,
}

/// The events of a TicketParamsIssued for `params` (as the O records them when issuing).
pub fn issued(p: &TicketParams, sender: Address) -> Event {
    Event::TicketParamsIssued(TicketParamsIssued {
        sender,
        recipient_rand_hash: p.recipient_rand_hash,
        face_value: u256_to_wei(p.face_value),
        win_prob: u256_to_wei(p.win_prob),
        expiration_block: p.expiration_block,
        creation: livepeer::events::CreationRound {
            round: p.expiration_params.creation_round,
            block_hash: p.expiration_params.creation_round_block_hash,
        },
        seed: Hash32(livepeer::pm::num::be32(p.seed)),
        price: price(),
    })
}

fn tx(nonce: u64, hash: Hash32, ticket: Hash32) -> TxSigned {
    TxSigned {
        nonce,
        hash,
        to: Address([0x7b; 20]),
        gas_price: Wei::from_u128(1_000_000_000),
        gas_limit: 500_000,
        raw: vec![1, 2, 3],
        purpose: TxPurpose::Redeem {
            ticket_hash: ticket,
        },
        replaces: None,
    }
}

fn receipt(nonce: u64, hash: Hash32, block: u64, success: bool) -> TxMined {
    TxMined {
        nonce,
        hash,
        block,
        block_hash: Hash32([block as u8; 32]),
        success,
        gas_used: 100_000,
    }
}

/// Builds the story.
pub fn story() -> Story {
    let mut w = World::new();
    let b = w.fund_b();
    let sender = addr(&b);
    w.new_round(crate::pm_common::ROUND);
    let mut params = w.issue(sender, 1);
    w.always_win(&mut params, sender);
    w.append(vec![issued(&params, sender)]);
    let first = w.decide(&payment(&b, &params, 1, 2), SESSION);
    assert!(first.error.is_none(), "{:?}", first.error);
    w.append(first.events.clone());
    let debit = decide_debit(
        &w.proj.balances,
        &o_account(sender, SESSION),
        price(),
        1_000,
    )
    .unwrap();
    w.append(debit);
    // The B sends nonce 2 again.
    let replay = w.decide(&payment(&b, &params, 2, 1), SESSION);
    assert!(replay.error.is_some());
    w.append(replay.events.clone());
    let hashes: Vec<Hash32> = first
        .events
        .iter()
        .filter_map(|e| match e {
            Event::TicketReceived(t) => Some(t.ticket_hash),
            _ => None,
        })
        .collect();
    let (a, bt) = (hashes[0], hashes[1]);
    let face = u256_to_wei(params.face_value);
    // The params expire; ticket A is redeemed and paid in full.
    w.advance_l1(params.expiration_block);
    let (tx_a, tx_b) = (Hash32([0xa1; 32]), Hash32([0xb2; 32]));
    let purpose = |t| TxPurpose::Redeem { ticket_hash: t };
    w.append(signed(tx(0, tx_a, a)));
    w.append(mined(&purpose(a), receipt(0, tx_a, 6_000, true), None));
    w.append(vec![Event::SenderFundsChanged(SenderFundsChanged {
        sender,
        change: FundsChange::WinningTicketTransfer {
            recipient: w.me(),
            amount: face,
        },
        pos: ChainPos {
            block: 6_000,
            block_hash: Hash32([6_000u64 as u8; 32]),
            log_index: 0,
        },
    })]);
    // The sender withdraws everything; ticket B's transaction reverts.
    w.append(vec![Event::SenderFundsChanged(SenderFundsChanged {
        sender,
        change: FundsChange::Withdrawal {
            deposit: Wei::ZERO,
            reserve: Wei::ZERO,
        },
        pos: ChainPos {
            block: 6_001,
            block_hash: Hash32([0x61; 32]),
            log_index: 0,
        },
    })]);
    w.append(signed(tx(1, tx_b, bt)));
    w.append(mined(&purpose(bt), receipt(1, tx_b, 6_002, false), None));
    Story {
        world: w,
        b,
        params,
        a,
        bt,
        tx_a,
        tx_b,
    }
}

/// The time of record `seq` in the written log.
pub fn at(seq: u64) -> u64 {
    1_764_000_000_000 + seq * 10
}

/// Writes `log` as a node's event log in `datadir` (seqs from 0, times from `at`).
pub fn write(datadir: &Path, log: &[Envelope]) {
    let l = FjallLog::open_dir(datadir).unwrap();
    let events = log.iter().map(|e| (at(e.seq), e.event.clone())).collect();
    l.append_blocking(events, Expect::Any).unwrap();
    l.close();
}
