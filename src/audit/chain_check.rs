//! The log against the chain (`livepeer audit -ethUrl`): what the log claims the chain did —
//! every `WinningTicketTransfer` of a watched sender in the blocks the watcher polled, every
//! transaction of the node's own that it recorded as mined (and how), each watched sender's
//! deposit, reserve and unlock at the last polled block — and the comparison with what the
//! chain says (the caller reads it: logs, receipts, `getSenderInfo` at that block). Pure: the
//! claims are a fold over records, the facts are given.

use super::Discrepancy;
use crate::events::{Address, Envelope, Event, FundsChange, Hash32, TxPurpose, Wei};
use crate::pm::num::wei_to_u256;
use crate::projections::max_float::SenderFunds;
use serde::Serialize;
use std::collections::BTreeMap;

/// A transfer: who paid whom how much, where (the log's or the chain's).
#[derive(Clone, Debug, PartialEq, Eq, PartialOrd, Ord, Serialize)]
pub struct TransferAt {
    /// Block number.
    pub block: u64,
    /// Block hash.
    pub block_hash: Hash32,
    /// The sender.
    pub sender: Address,
    /// The recipient.
    pub recipient: Address,
    /// Amount, wei.
    pub amount: Wei,
}

/// A transaction of the node's own the log recorded as mined.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct MinedClaim {
    /// The `TxMined` seq.
    pub seq: u64,
    /// Block number and hash.
    pub block: (u64, Hash32),
    /// Receipt status 1.
    pub success: bool,
    /// The redeemed ticket, for a redemption.
    pub ticket: Option<Hash32>,
}

/// A receipt as the chain gives it.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Receipt {
    /// Block number and hash.
    pub block: (u64, Hash32),
    /// Status 1.
    pub success: bool,
}

/// A sender's funds: deposit, reserve remaining, withdraw round.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct FundsAt {
    /// Deposit, wei.
    pub deposit: Wei,
    /// Reserve remaining, wei.
    pub reserve: Wei,
    /// Withdraw round (0 = locked).
    pub withdraw_round: u64,
}

/// What the log claims about the chain (a fold over its records).
#[derive(Clone, Debug, Default)]
pub struct ChainClaims {
    /// The chain id of the node's last start.
    pub chain_id: u64,
    /// Its network name.
    pub network: String,
    /// The first and last block the watcher recorded.
    pub span: Option<(u64, u64)>,
    transfers: Vec<(u64, TransferAt)>,
    mined: BTreeMap<Hash32, MinedClaim>,
    txs: BTreeMap<Hash32, Hash32>,
    funds: SenderFunds,
}

impl ChainClaims {
    /// Folds one record.
    pub fn apply(&mut self, env: &Envelope) {
        match &env.event {
            Event::NodeStarted(s) => {
                self.chain_id = s.chain_id;
                self.network = s.network.clone();
            }
            Event::BlockObserved(b) => {
                self.span = Some(match self.span {
                    None => (b.number, b.number),
                    Some((lo, hi)) => (lo.min(b.number), hi.max(b.number)),
                })
            }
            Event::BlockReverted(r) => {
                self.transfers.retain(|(_, t)| t.block_hash != r.hash);
                self.mined.retain(|_, m| m.block.1 != r.hash);
            }
            Event::SenderFundsChanged(c) => {
                if let FundsChange::WinningTicketTransfer { recipient, amount } = &c.change {
                    let t = TransferAt {
                        block: c.pos.block,
                        block_hash: c.pos.block_hash,
                        sender: c.sender,
                        recipient: *recipient,
                        amount: *amount,
                    };
                    self.transfers.push((env.seq, t));
                }
            }
            Event::TxSigned(t) => {
                if let TxPurpose::Redeem { ticket_hash } = &t.purpose {
                    self.txs.insert(t.hash, *ticket_hash);
                }
            }
            Event::TxMined(m) => {
                let claim = MinedClaim {
                    seq: env.seq,
                    block: (m.block, m.block_hash),
                    success: m.success,
                    ticket: self.txs.get(&m.hash).copied(),
                };
                self.mined.insert(m.hash, claim);
            }
            _ => {}
        }
        self.funds.fold(env);
    }

    /// The senders the log holds funds for.
    pub fn senders(&self) -> Vec<Address> {
        self.funds.senders().map(|(a, _)| *a).collect()
    }

    /// The node's mined transactions the chain should hold receipts for.
    pub fn mined_txs(&self) -> Vec<Hash32> {
        self.mined.keys().copied().collect()
    }
}

/// What the chain says, as the caller read it.
#[derive(Clone, Debug, Default)]
pub struct ChainFacts {
    /// Every `WinningTicketTransfer` in the span's blocks after the first (the watcher's first
    /// block is read whole, not by its logs).
    pub transfers: Vec<TransferAt>,
    /// Receipts of the node's mined transactions (`None`: the chain has none).
    pub receipts: BTreeMap<Hash32, Option<Receipt>>,
    /// Each sender's funds at the span's last block (`None`: that state could not be read).
    pub funds: Option<BTreeMap<Address, FundsAt>>,
}

/// The comparison.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize)]
pub struct ChainCheck {
    /// The blocks compared.
    pub span: Option<(u64, u64)>,
    /// Transfers found in both.
    pub transfers_matched: usize,
    /// Transfers on chain to recipients of the node's tickets, in both.
    pub receipts_matched: usize,
    /// Senders whose funds agree.
    pub senders_matched: usize,
    /// What was not compared, and why.
    pub notes: Vec<String>,
    /// Differences.
    pub discrepancies: Vec<Discrepancy>,
}

/// Compares the log's claims with the chain's facts.
pub fn check(claims: &ChainClaims, facts: &ChainFacts) -> ChainCheck {
    let mut out = ChainCheck {
        span: claims.span,
        ..ChainCheck::default()
    };
    let Some((first, last)) = claims.span else {
        out.notes
            .push("the log holds no chain block: nothing to compare".into());
        return out;
    };
    compare_transfers(claims, facts, first, last, &mut out);
    for (hash, claim) in &claims.mined {
        let what = match claim.ticket {
            Some(t) => format!("redemption of ticket {t} (transaction {hash})"),
            None => format!("transaction {hash}"),
        };
        match facts.receipts.get(hash) {
            Some(Some(r)) if r.block == claim.block && r.success == claim.success => {
                out.receipts_matched += 1
            }
            Some(Some(r)) => out.discrepancies.push(Discrepancy {
                seqs: vec![claim.seq],
                what: format!(
                    "{what}: the log says block {} ({}), the chain says block {} ({})",
                    claim.block.0,
                    status(claim.success),
                    r.block.0,
                    status(r.success)
                ),
            }),
            _ => out.discrepancies.push(Discrepancy {
                seqs: vec![claim.seq],
                what: format!(
                    "{what}: the log says mined in block {}, the chain has no receipt",
                    claim.block.0
                ),
            }),
        }
    }
    match &facts.funds {
        None => out.notes.push(format!(
            "senders' funds not compared: the chain node could not give the state at block {last} \
             (not an archive node?)"
        )),
        Some(funds) => compare_funds(claims, funds, last, &mut out),
    }
    out.discrepancies.sort_by(|a, b| a.seqs.cmp(&b.seqs));
    out
}

fn status(success: bool) -> &'static str {
    if success {
        "success"
    } else {
        "reverted"
    }
}

fn compare_transfers(
    claims: &ChainClaims,
    facts: &ChainFacts,
    first: u64,
    last: u64,
    out: &mut ChainCheck,
) {
    let in_span = |b: u64| b > first && b <= last;
    let mut on_chain: Vec<Option<&TransferAt>> = facts
        .transfers
        .iter()
        .filter(|t| in_span(t.block))
        .map(Some)
        .collect();
    for (seq, t) in claims.transfers.iter().filter(|(_, t)| in_span(t.block)) {
        match on_chain.iter().position(|c| *c == Some(t)) {
            Some(i) => {
                on_chain[i] = None;
                out.transfers_matched += 1;
            }
            None => out.discrepancies.push(Discrepancy {
                seqs: vec![*seq],
                what: format!(
                    "WinningTicketTransfer {} → {} of {} wei in block {} is in the log, not on \
                     the chain",
                    t.sender, t.recipient, t.amount, t.block
                ),
            }),
        }
    }
    for t in on_chain.into_iter().flatten() {
        out.discrepancies.push(Discrepancy {
            seqs: vec![],
            what: format!(
                "WinningTicketTransfer {} → {} of {} wei in block {} is on the chain, not in the \
                 log (the watcher missed it)",
                t.sender, t.recipient, t.amount, t.block
            ),
        });
    }
}

fn compare_funds(
    claims: &ChainClaims,
    funds: &BTreeMap<Address, FundsAt>,
    last: u64,
    out: &mut ChainCheck,
) {
    for (sender, f) in claims.funds.senders() {
        let ours = FundsAt {
            deposit: f.deposit,
            reserve: f.reserve_remaining,
            withdraw_round: f.withdraw_round,
        };
        match funds.get(sender) {
            Some(chain) if *chain == ours => out.senders_matched += 1,
            Some(chain) => out.discrepancies.push(Discrepancy {
                seqs: vec![],
                what: format!(
                    "sender {sender} at block {last}: the log's projection holds deposit {} \
                     reserve {} withdrawRound {}, the chain deposit {} reserve {} withdrawRound {}",
                    wei_to_u256(&ours.deposit),
                    wei_to_u256(&ours.reserve),
                    ours.withdraw_round,
                    wei_to_u256(&chain.deposit),
                    wei_to_u256(&chain.reserve),
                    chain.withdraw_round
                ),
            }),
            None => out
                .notes
                .push(format!("sender {sender}: funds not read from the chain")),
        }
    }
}

#[cfg(test)]
#[path = "chain_check_tests.rs"]
mod tests;
