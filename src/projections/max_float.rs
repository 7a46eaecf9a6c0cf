//! A sender's funds and the O's max float for it (facts §3.9), folded from chain facts
//! (`SenderFundsObserved`, TicketBroker logs, `RoundInitialized`, `PoolSizeChanged`) and from our
//! own redemptions in flight (`RedemptionSubmitted` until its outcome).
//!
//! `reserveAlloc = (fundsRemaining + claimedInCurrentRound) / poolSize − claimedByUs` (0 when the
//! pool is empty); `maxFloat = reserveAlloc` when `deposit ≥ 3 × pending`, else
//! `reserveAlloc − pending`. On chain none of these can be negative, so every field and result
//! saturates at zero instead of underflowing.
//!
//! The claimant ("us") is a query argument, so the projection is built from the log alone: a
//! whole observation records what the observing node had claimed, and `WinningTicketTransfer`
//! logs add to the claimed amount of their recipient.

use super::Projection;
use crate::events::{Address, Envelope, Event, FundsChange, Hash32, Wei};
use crate::pm::num::{u256_to_wei, wei_to_u256};
use ethers_core::types::U256;
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// `minDepositPendingRatio`.
pub const MIN_DEPOSIT_PENDING_RATIO: u64 = 3;

/// What the chain says about one sender.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Funds {
    /// Deposit.
    pub deposit: Wei,
    /// Reserve remaining.
    pub reserve_remaining: Wei,
    /// Reserve claimed this round by all claimants.
    pub claimed_in_round: Wei,
    /// Reserve claimed this round by the observing node, as of the last whole observation.
    pub observed_claimed_by_us: Wei,
    /// Reserve claimed this round per claimant since the last whole observation.
    pub claimed_since: BTreeMap<Address, Wei>,
    /// Withdraw round (0 = locked).
    pub withdraw_round: u64,
}

impl Funds {
    /// Reserve claimed this round by `us` (the node that observed these funds).
    pub fn claimed_by(&self, us: &Address) -> U256 {
        let since = self
            .claimed_since
            .get(us)
            .map(wei_to_u256)
            .unwrap_or_default();
        wei_to_u256(&self.observed_claimed_by_us).saturating_add(since)
    }
}

/// Senders' funds, pool size and our redemptions in flight.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SenderFunds {
    pool_size: u64,
    senders: BTreeMap<Address, Funds>,
    /// Winning tickets we hold: hash → (sender, face value).
    tickets: BTreeMap<Hash32, (Address, Wei)>,
    /// Tickets whose redemption transaction is in flight.
    in_flight: BTreeMap<Hash32, (Address, Wei)>,
    /// Max floats this O's redeemer reported, by sender.
    reported: BTreeMap<Address, Wei>,
    /// Redeemed tickets still within the reorg window: hash → (sender, face value, block). A
    /// reverted block puts its redemptions back in flight.
    confirmed: BTreeMap<Hash32, (Address, Wei, u64)>,
}

impl SenderFunds {
    /// Folds one record.
    pub fn fold(&mut self, env: &Envelope) {
        match &env.event {
            Event::SenderFundsObserved(o) => {
                self.senders.insert(
                    o.sender,
                    Funds {
                        deposit: o.deposit,
                        reserve_remaining: o.reserve_remaining,
                        claimed_in_round: o.claimed_in_round,
                        observed_claimed_by_us: o.claimed_by_us,
                        claimed_since: BTreeMap::new(),
                        withdraw_round: o.withdraw_round,
                    },
                );
            }
            Event::SenderFundsChanged(c) => {
                // As the reference's watcher: logs only update a sender already read whole.
                if let Some(f) = self.senders.get_mut(&c.sender) {
                    apply_change(f, &c.change);
                }
            }
            Event::RoundInitialized(_) => {
                for f in self.senders.values_mut() {
                    f.claimed_in_round = Wei::ZERO;
                    f.observed_claimed_by_us = Wei::ZERO;
                    f.claimed_since.clear();
                }
            }
            Event::PoolSizeChanged(p) => self.pool_size = p.size,
            Event::MaxFloatReported(r) => {
                self.reported.insert(r.sender, r.max_float);
            }
            Event::TicketForwarded(f) => {
                self.tickets.remove(&f.ticket_hash);
            }
            Event::WinningTicketQueued(t) => {
                self.tickets.insert(t.ticket_hash, (t.sender, t.face_value));
            }
            Event::RevealedTicketQueued(t) => {
                let t = &t.ticket;
                self.tickets.insert(t.ticket_hash, (t.sender, t.face_value));
            }
            Event::RedemptionSubmitted(s) => {
                if let Some(t) = self.tickets.get(&s.ticket_hash) {
                    self.in_flight.insert(s.ticket_hash, *t);
                }
            }
            Event::RedemptionConfirmed(c) => {
                self.in_flight.remove(&c.ticket_hash);
                if let Some((sender, face)) = self.tickets.remove(&c.ticket_hash) {
                    self.confirmed
                        .insert(c.ticket_hash, (sender, face, c.block));
                }
            }
            Event::BlockReverted(r) => {
                let undone: Vec<Hash32> = self
                    .confirmed
                    .iter()
                    .filter(|(_, (_, _, block))| *block == r.number)
                    .map(|(h, _)| *h)
                    .collect();
                for h in undone {
                    if let Some((sender, face, _)) = self.confirmed.remove(&h) {
                        self.tickets.insert(h, (sender, face));
                        self.in_flight.insert(h, (sender, face));
                    }
                }
            }
            Event::BlockObserved(b) => {
                let window = super::BLOCK_WINDOW as u64;
                self.confirmed
                    .retain(|_, (_, _, block)| block.saturating_add(window) >= b.number);
            }
            Event::RedemptionFailed(f) => {
                self.in_flight.remove(&f.ticket_hash);
                if !f.retryable {
                    self.tickets.remove(&f.ticket_hash);
                }
            }
            _ => {}
        }
    }

    /// The max float this O's redeemer last reported for `sender`.
    pub fn reported(&self, sender: &Address) -> Option<U256> {
        self.reported.get(sender).map(wei_to_u256)
    }

    /// The sender's funds, if they were observed.
    pub fn get(&self, sender: &Address) -> Option<&Funds> {
        self.senders.get(sender)
    }

    /// The active pool size.
    pub fn pool_size(&self) -> u64 {
        self.pool_size
    }

    /// Σ face values of the sender's tickets being redeemed.
    pub fn pending(&self, sender: &Address) -> U256 {
        self.in_flight
            .values()
            .filter(|(s, _)| s == sender)
            .fold(U256::zero(), |acc, (_, fv)| {
                acc.saturating_add(wei_to_u256(fv))
            })
    }

    /// `reserveAlloc(sender)` for the claimant `us`; `None` for a sender never observed.
    pub fn reserve_alloc(&self, sender: &Address, us: &Address) -> Option<U256> {
        let f = self.senders.get(sender)?;
        if self.pool_size == 0 {
            return Some(U256::zero());
        }
        let reserve =
            wei_to_u256(&f.reserve_remaining).saturating_add(wei_to_u256(&f.claimed_in_round));
        let share = reserve / U256::from(self.pool_size);
        Some(share.saturating_sub(f.claimed_by(us)))
    }

    /// `maxFloat(sender)` for the claimant `us`; `None` for a sender never observed.
    pub fn max_float(&self, sender: &Address, us: &Address) -> Option<U256> {
        let alloc = self.reserve_alloc(sender, us)?;
        let deposit = wei_to_u256(&self.senders.get(sender)?.deposit);
        let pending = self.pending(sender);
        let ratio_ok = !pending.is_zero()
            && deposit >= pending.saturating_mul(U256::from(MIN_DEPOSIT_PENDING_RATIO));
        Some(if ratio_ok {
            alloc
        } else {
            alloc.saturating_sub(pending)
        })
    }

    /// `availableFunds(sender) = reserveAlloc + deposit − pending` for the claimant `us`.
    pub fn available_funds(&self, sender: &Address, us: &Address) -> Option<U256> {
        let alloc = self.reserve_alloc(sender, us)?;
        let deposit = wei_to_u256(&self.senders.get(sender)?.deposit);
        Some(
            alloc
                .saturating_add(deposit)
                .saturating_sub(self.pending(sender)),
        )
    }

    /// Every observed sender.
    pub fn senders(&self) -> impl Iterator<Item = (&Address, &Funds)> {
        self.senders.iter()
    }
}

fn apply_change(f: &mut Funds, change: &FundsChange) {
    let w = wei_to_u256;
    match change {
        FundsChange::DepositFunded { amount } => {
            f.deposit = u256_to_wei(w(&f.deposit).saturating_add(w(amount)));
        }
        FundsChange::ReserveFunded { amount } => {
            f.reserve_remaining = u256_to_wei(w(&f.reserve_remaining).saturating_add(w(amount)));
        }
        FundsChange::Withdrawal { .. } => {
            f.deposit = Wei::ZERO;
            f.reserve_remaining = Wei::ZERO;
            f.claimed_in_round = Wei::ZERO;
            f.observed_claimed_by_us = Wei::ZERO;
            f.claimed_since.clear();
        }
        FundsChange::WinningTicketTransfer { recipient, amount } => {
            let (deposit, amount) = (w(&f.deposit), w(amount));
            if deposit < amount {
                let diff = amount - deposit;
                f.deposit = Wei::ZERO;
                f.reserve_remaining = u256_to_wei(w(&f.reserve_remaining).saturating_sub(diff));
                f.claimed_in_round = u256_to_wei(w(&f.claimed_in_round).saturating_add(diff));
                let c = f.claimed_since.entry(*recipient).or_default();
                *c = u256_to_wei(w(c).saturating_add(diff));
            } else {
                f.deposit = u256_to_wei(deposit - amount);
            }
        }
        FundsChange::Unlock { end_round, .. } => f.withdraw_round = *end_round,
        FundsChange::UnlockCancelled => f.withdraw_round = 0,
    }
}

impl Projection for SenderFunds {
    const NAME: &'static str = "sender_funds";
    const VERSION: u32 = 3;

    fn apply(&mut self, env: &Envelope) {
        self.fold(env);
    }
}
