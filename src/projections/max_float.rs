//! A sender's funds and the O's max float for it (facts §3.9), folded from chain facts
//! (`SenderFundsObserved`, TicketBroker logs, `RoundInitialized`, `PoolSizeChanged`) and from our
//! own redemptions in flight (`RedemptionSubmitted` until its outcome).
//!
//! `reserveAlloc = (fundsRemaining + claimedInCurrentRound) / poolSize − claimedByUs` (0 when the
//! pool is empty); `maxFloat = reserveAlloc` when `deposit ≥ 3 × pending`, else
//! `reserveAlloc − pending`. On chain none of these can be negative, so every field and result
//! saturates at zero instead of underflowing.

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
    /// Reserve claimed this round by us.
    pub claimed_by_us: Wei,
    /// Withdraw round (0 = locked).
    pub withdraw_round: u64,
}

/// Senders' funds, pool size and our redemptions in flight.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SenderFunds {
    us: Address,
    pool_size: u64,
    senders: BTreeMap<Address, Funds>,
    /// Winning tickets we hold: hash → (sender, face value).
    tickets: BTreeMap<Hash32, (Address, Wei)>,
    /// Tickets whose redemption transaction is in flight.
    in_flight: BTreeMap<Hash32, (Address, Wei)>,
}

impl SenderFunds {
    /// Projection name.
    pub const NAME: &'static str = "sender_funds";
    /// Fold version.
    pub const VERSION: u32 = 1;

    /// An empty projection for the claimant `us` (the O's own address).
    pub fn new(us: Address) -> Self {
        SenderFunds {
            us,
            ..Default::default()
        }
    }

    /// Folds one record.
    pub fn apply(&mut self, env: &Envelope) {
        match &env.event {
            Event::SenderFundsObserved(o) => {
                self.senders.insert(
                    o.sender,
                    Funds {
                        deposit: o.deposit,
                        reserve_remaining: o.reserve_remaining,
                        claimed_in_round: o.claimed_in_round,
                        claimed_by_us: o.claimed_by_us,
                        withdraw_round: o.withdraw_round,
                    },
                );
            }
            Event::SenderFundsChanged(c) => {
                // As the reference's watcher: logs only update a sender already read whole.
                if let Some(f) = self.senders.get_mut(&c.sender) {
                    apply_change(f, &c.change, &self.us);
                }
            }
            Event::RoundInitialized(_) => {
                for f in self.senders.values_mut() {
                    f.claimed_in_round = Wei::ZERO;
                    f.claimed_by_us = Wei::ZERO;
                }
            }
            Event::PoolSizeChanged(p) => self.pool_size = p.size,
            Event::WinningTicketQueued(t) => {
                self.tickets.insert(t.ticket_hash, (t.sender, t.face_value));
            }
            Event::RedemptionSubmitted(s) => {
                if let Some(t) = self.tickets.get(&s.ticket_hash) {
                    self.in_flight.insert(s.ticket_hash, *t);
                }
            }
            Event::RedemptionConfirmed(c) => {
                self.in_flight.remove(&c.ticket_hash);
                self.tickets.remove(&c.ticket_hash);
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

    /// `reserveAlloc(sender)`; `None` for a sender never observed.
    pub fn reserve_alloc(&self, sender: &Address) -> Option<U256> {
        let f = self.senders.get(sender)?;
        if self.pool_size == 0 {
            return Some(U256::zero());
        }
        let reserve =
            wei_to_u256(&f.reserve_remaining).saturating_add(wei_to_u256(&f.claimed_in_round));
        let share = reserve / U256::from(self.pool_size);
        Some(share.saturating_sub(wei_to_u256(&f.claimed_by_us)))
    }

    /// `maxFloat(sender)`; `None` for a sender never observed.
    pub fn max_float(&self, sender: &Address) -> Option<U256> {
        let alloc = self.reserve_alloc(sender)?;
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

    /// `availableFunds(sender) = reserveAlloc + deposit − pending`.
    pub fn available_funds(&self, sender: &Address) -> Option<U256> {
        let alloc = self.reserve_alloc(sender)?;
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

fn apply_change(f: &mut Funds, change: &FundsChange, us: &Address) {
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
            f.claimed_by_us = Wei::ZERO;
        }
        FundsChange::WinningTicketTransfer { recipient, amount } => {
            let (deposit, amount) = (w(&f.deposit), w(amount));
            if deposit < amount {
                let diff = amount - deposit;
                f.deposit = Wei::ZERO;
                f.reserve_remaining = u256_to_wei(w(&f.reserve_remaining).saturating_sub(diff));
                f.claimed_in_round = u256_to_wei(w(&f.claimed_in_round).saturating_add(diff));
                if recipient == us {
                    f.claimed_by_us = u256_to_wei(w(&f.claimed_by_us).saturating_add(diff));
                }
            } else {
                f.deposit = u256_to_wei(deposit - amount);
            }
        }
        FundsChange::Unlock { end_round, .. } => f.withdraw_round = *end_round,
        FundsChange::UnlockCancelled => f.withdraw_round = 0,
    }
}
