//! An independent model of facts §3.9 for the property tests: max float recomputed from the raw
//! log events with signed big integers, written without the projection's code.

use livepeer::events::{Address, Envelope, Event, FundsChange, Wei};
use num_bigint::BigInt;
use num_traits::Zero;
use std::collections::BTreeMap;

/// §3.9 recomputed from the raw events with signed integers, clamping at zero as the chain would.
pub fn model_max_float(log: &[Envelope], us: Address, sender: Address) -> Option<BigInt> {
    let z = || BigInt::zero();
    let w = |x: &Wei| BigInt::from_bytes_be(num_bigint::Sign::Plus, &x.0);
    let clamp = |x: BigInt| {
        if x < BigInt::zero() {
            BigInt::zero()
        } else {
            x
        }
    };
    let mut f: Option<[BigInt; 4]> = None; // deposit, reserve, claimed round, claimed us
    let mut pool = z();
    let mut tickets = BTreeMap::new();
    let mut in_flight = BTreeMap::new();
    for env in log {
        match &env.event {
            Event::SenderFundsObserved(o) if o.sender == sender => {
                f = Some([
                    w(&o.deposit),
                    w(&o.reserve_remaining),
                    w(&o.claimed_in_round),
                    w(&o.claimed_by_us),
                ]);
            }
            Event::SenderFundsChanged(c) if c.sender == sender => {
                if let Some([d, r, cr, cu]) = f.as_mut() {
                    match &c.change {
                        FundsChange::DepositFunded { amount } => *d += w(amount),
                        FundsChange::ReserveFunded { amount } => *r += w(amount),
                        FundsChange::Withdrawal { .. } => {
                            *d = z();
                            *r = z();
                            *cr = z();
                            *cu = z();
                        }
                        FundsChange::WinningTicketTransfer { recipient, amount } => {
                            let a = w(amount);
                            if *d < a {
                                let diff = &a - &*d;
                                *d = z();
                                *r = clamp(&*r - &diff);
                                *cr += &diff;
                                if *recipient == us {
                                    *cu += &diff;
                                }
                            } else {
                                *d -= a;
                            }
                        }
                        _ => {}
                    }
                }
            }
            Event::RoundInitialized(_) => {
                if let Some([_, _, cr, cu]) = f.as_mut() {
                    *cr = z();
                    *cu = z();
                }
            }
            Event::PoolSizeChanged(p) => pool = BigInt::from(p.size),
            Event::WinningTicketQueued(t) => {
                tickets.insert(t.ticket_hash, (t.sender, w(&t.face_value)));
            }
            Event::RedemptionSubmitted(s) => {
                if let Some(t) = tickets.get(&s.ticket_hash) {
                    in_flight.insert(s.ticket_hash, t.clone());
                }
            }
            Event::RedemptionConfirmed(c) => {
                in_flight.remove(&c.ticket_hash);
            }
            Event::RedemptionFailed(x) => {
                in_flight.remove(&x.ticket_hash);
            }
            _ => {}
        }
    }
    let [d, r, cr, cu] = f?;
    let alloc = if pool.is_zero() {
        z()
    } else {
        clamp((r + cr) / &pool - cu)
    };
    let pending: BigInt = in_flight
        .values()
        .filter(|(s, _)| *s == sender)
        .map(|(_, v)| v.clone())
        .sum();
    Some(if pending > z() && d >= &pending * 3 {
        alloc
    } else {
        clamp(alloc - pending)
    })
}
