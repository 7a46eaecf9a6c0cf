//! Redeemed tickets against the chain's `WinningTicketTransfer`s: each confirmed redemption is
//! matched with the transfer from its sender to its recipient in its block (reorged blocks'
//! transfers no longer count), showing face value, amount paid and any shortfall. This contract
//! version pays an underfunded sender in part: a shortfall equal to what the sender lacked (its
//! deposit plus the recipient's reserve allocation, just before the transfer) is explained.

use super::{tickets::Winner, Discrepancy};
use crate::events::{Address, Hash32, Wei};
use crate::pm::num::wei_to_u256;
use serde::Serialize;
use std::collections::BTreeMap;

/// A `WinningTicketTransfer` the log recorded.
#[derive(Clone, Debug)]
pub(super) struct Transfer {
    pub seq: u64,
    pub sender: Address,
    pub recipient: Address,
    pub amount: Wei,
    pub block: u64,
    pub block_hash: Hash32,
    /// The sender's deposit plus the recipient's reserve allocation before it.
    pub available: ethers_core::types::U256,
    pub reverted: bool,
}

/// A confirmed redemption and what the chain paid for it.
#[derive(Clone, Debug, PartialEq, Eq, Serialize)]
pub struct Redemption {
    /// The ticket hash.
    pub ticket_hash: String,
    /// The block it was redeemed in.
    pub block: u64,
    /// The seq of the confirmation.
    pub confirmed_seq: u64,
    /// Face value, wei.
    pub face_value: String,
    /// Amount the transfer paid, wei (none when the log holds no transfer).
    pub paid: Option<String>,
    /// Face value − paid, wei.
    pub shortfall: Option<String>,
    /// The seq of the transfer.
    pub transfer_seq: Option<u64>,
    /// How the payment is explained (or why it is not).
    pub note: String,
}

/// Matches every standing confirmation with a transfer. `polled_past(seq, block)`: whether the
/// watcher recorded a block at or past `block` after `seq` (so a missing transfer is missing).
pub(super) fn match_transfers(
    winners: &BTreeMap<Hash32, Winner>,
    transfers: &[Transfer],
    watched: &dyn Fn(&Address) -> bool,
    polled_past: &dyn Fn(u64, u64) -> bool,
    out: &mut Vec<Discrepancy>,
) -> Vec<Redemption> {
    let mut used = vec![false; transfers.len()];
    let mut rows = Vec::new();
    let mut confirmed: Vec<(&Hash32, &Winner, u64, u64)> = winners
        .iter()
        .filter_map(|(h, w)| w.confirmed.map(|(b, s)| (h, w, b, s)))
        .collect();
    confirmed.sort_by_key(|c| c.3);
    for (h, w, block, seq) in confirmed {
        let face = wei_to_u256(&w.face);
        let candidates = |exact: bool| {
            transfers.iter().enumerate().position(|(i, t)| {
                !used[i]
                    && !t.reverted
                    && t.sender == w.sender
                    && Some(t.recipient) == w.recipient
                    && t.block == block
                    && (!exact || wei_to_u256(&t.amount) == face)
            })
        };
        let found = candidates(true).or_else(|| candidates(false));
        let mut row = Redemption {
            ticket_hash: h.to_string(),
            block,
            confirmed_seq: seq,
            face_value: w.face.to_string(),
            paid: None,
            shortfall: None,
            transfer_seq: None,
            note: String::new(),
        };
        match found {
            Some(i) => {
                used[i] = true;
                let t = &transfers[i];
                let paid = wei_to_u256(&t.amount);
                let short = face.saturating_sub(paid);
                row.paid = Some(t.amount.to_string());
                row.shortfall = Some(short.to_string());
                row.transfer_seq = Some(t.seq);
                row.note = if short.is_zero() {
                    "paid in full".into()
                } else if paid == face.min(t.available) {
                    format!(
                        "paid in part: the sender had {} wei (deposit + reserve allocation)",
                        t.available
                    )
                } else {
                    out.push(Discrepancy {
                        seqs: vec![seq, t.seq],
                        what: format!(
                            "ticket {h}: paid {paid} of {face} wei, though the sender had {} wei",
                            t.available
                        ),
                    });
                    "UNEXPLAINED shortfall".into()
                };
            }
            None if !watched(&w.sender) => {
                row.note = "no transfer in the log: this node does not watch the sender".into()
            }
            None if polled_past(seq, block) => {
                out.push(Discrepancy {
                    seqs: vec![seq],
                    what: format!(
                        "ticket {h}: redeemed in block {block}, but the watcher recorded no WinningTicketTransfer there"
                    ),
                });
                row.note = "UNEXPLAINED: no transfer in its block".into();
            }
            None => {
                row.note =
                    "transfer not observed yet: the log ends before the watcher polled its block"
                        .into()
            }
        }
        rows.push(row);
    }
    rows
}
