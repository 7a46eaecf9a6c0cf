//! Balance decisions on both sides (facts §3.12). O: debit price × encoded pixels, and the
//! sufficient-balance rule. B: `StageUpdate` (reserve the balance, send enough tickets to cover
//! `max(fee, ticket EV)`) and `completeBalanceUpdate` once the segment's fate is known, so unused
//! credit carries over to the next segment.

use super::{
    error::NumError,
    num::{big_int, ratio_from_big, ratio_to_big},
};
use crate::events::{Account, BalanceChanged, Event, Price};
use crate::projections::balances::Balances;
use ethers_core::types::U256;
use num_bigint::BigInt;
use num_integer::Integer;
use num_rational::BigRational;
use num_traits::{Signed, Zero};

/// A price as an exact rational; pixelsPerUnit ≤ 0 is refused.
pub fn price_rat(p: Price) -> Result<BigRational, NumError> {
    if p.pixels_per_unit <= 0 {
        return Err(NumError::DivisionByZero("price per pixel"));
    }
    Ok(BigRational::new(
        p.price_per_unit.into(),
        p.pixels_per_unit.into(),
    ))
}

/// The event that moves `account` by `delta` (credit when ≥ 0, debit otherwise), or none when
/// `delta` is zero.
pub fn move_balance(balances: &Balances, account: &Account, delta: &BigRational) -> Option<Event> {
    if delta.is_zero() {
        return None;
    }
    let balance = super::rat::add(&ratio_to_big(&balances.balance(account)), delta);
    let change = BalanceChanged {
        account: account.clone(),
        amount: ratio_from_big(&delta.abs()),
        balance: ratio_from_big(&balance),
    };
    Some(if delta.is_negative() {
        Event::BalanceDebited(change)
    } else {
        Event::BalanceCredited(change)
    })
}

/// O: debit `price × pixels` after a segment was transcoded (`DebitFees`).
pub fn decide_debit(
    balances: &Balances,
    account: &Account,
    price: Price,
    pixels: u64,
) -> Result<Vec<Event>, NumError> {
    let fee = price_rat(price)? * BigRational::from_integer(BigInt::from(pixels));
    Ok(move_balance(balances, account, &-fee).into_iter().collect())
}

/// O: whether the session may transcode (`SufficientBalance`): always when the price is 0,
/// otherwise when the balance is at least the ticket EV.
pub fn sufficient_balance(balances: &Balances, account: &Account, price: Price, ev: U256) -> bool {
    if price.price_per_unit <= 0 {
        return true;
    }
    ratio_to_big(&balances.balance(account)) >= big_int(ev)
}

/// What `StageUpdate` decided for one segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Staged {
    /// The balance taken out of the session (the session reads zero until completion).
    pub existing: BigRational,
    /// Tickets to send.
    pub num_tickets: u64,
    /// Their total EV.
    pub new_credit: BigRational,
    /// Events: the reserve as a debit of the whole balance.
    pub events: Vec<Event>,
}

/// B: `StageUpdate(minCredit, ev)` with `minCredit = max(fee, ev)`.
pub fn stage_update(
    balances: &Balances,
    account: &Account,
    fee: &BigRational,
    ev: &BigRational,
) -> Result<Staged, NumError> {
    let existing = ratio_to_big(&balances.balance(account));
    let min_credit = if fee > ev { fee.clone() } else { ev.clone() };
    let events: Vec<Event> = move_balance(balances, account, &-existing.clone())
        .into_iter()
        .collect();
    if existing >= min_credit {
        return Ok(Staged {
            existing,
            num_tickets: 0,
            new_credit: BigRational::zero(),
            events,
        });
    }
    if !ev.is_positive() {
        return Err(NumError::DivisionByZero(
            "tickets = (minCredit − existing) / ev",
        ));
    }
    let need = (&min_credit - &existing) / ev;
    let n = need.numer().div_ceil(need.denom());
    let num_tickets = u64::try_from(n).map_err(|_| NumError::TooLarge {
        what: "ticket count",
        bits: 64,
    })?;
    Ok(Staged {
        existing,
        num_tickets,
        new_credit: ev * BigRational::from_integer(num_tickets.into()),
        events,
    })
}

/// How a staged segment ended (`completeBalanceUpdate`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum SegmentFate {
    /// Never sent: the reserved balance goes back.
    Staged,
    /// Sent, but no usable reply: the credit is considered spent.
    CreditSpent,
    /// A result came back: the O charged `debit`.
    Received {
        /// The fee the O reported (price × encoded pixels).
        debit: BigRational,
    },
}

/// B: the events that complete a staged update. `balances` must already include the stage's
/// events (the session reads zero plus anything credited since).
pub fn complete_update(
    balances: &Balances,
    account: &Account,
    staged: &Staged,
    fate: &SegmentFate,
) -> Vec<Event> {
    let delta = match fate {
        SegmentFate::Staged => staged.existing.clone(),
        SegmentFate::CreditSpent => BigRational::zero(),
        SegmentFate::Received { debit } => &staged.existing + &staged.new_credit - debit,
    };
    move_balance(balances, account, &delta)
        .into_iter()
        .collect()
}

/// The balance TTL: a session untouched this long is closed (`AddressBalances`' ticker).
pub const BALANCE_TTL_MS: u64 = 600_000;

/// Sessions idle for longer than `ttl_ms` at `now_ms`: the events that close them, each with
/// what it held.
pub fn stale_sessions(balances: &Balances, now_ms: u64, ttl_ms: u64) -> Vec<Event> {
    balances
        .iter()
        .filter(|(_, s)| now_ms.saturating_sub(s.last_update_ms) > ttl_ms)
        .map(|(a, s)| {
            Event::BalanceExpired(crate::events::BalanceExpired {
                account: a.clone(),
                left: s.balance.clone(),
            })
        })
        .collect()
}
