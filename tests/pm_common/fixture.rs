//! Pre-signed fixtures for the property tests: two senders, three params each (one that always
//! wins), and a one-ticket payment per params and nonce, signed once per test binary.

use super::{addr, payment, wallet, World};
use livepeer::events::Address;
use livepeer::pm::wire::WirePayment;
use std::collections::BTreeMap;
use std::sync::OnceLock;

pub const NONCES: u32 = 8;

/// Params index × nonce → a pre-signed one-ticket payment.
pub struct Fixture {
    pub o: Address,
    pub secret: livepeer::pm::RandSecret,
    pub senders: Vec<Address>,
    pub payments: BTreeMap<(usize, u32), WirePayment>,
}

pub fn fixture() -> &'static Fixture {
    static F: OnceLock<Fixture> = OnceLock::new();
    F.get_or_init(|| {
        let w = World::new();
        let bs = [wallet(2), wallet(3)];
        let mut params = Vec::new();
        for (si, b) in bs.iter().enumerate() {
            for seed in 0..3u64 {
                let mut p = w.issue_unchecked(addr(b), 100 + seed);
                if seed == 0 {
                    w.always_win(&mut p, addr(b));
                }
                params.push((si, p));
            }
        }
        let mut payments = BTreeMap::new();
        for (pi, (si, p)) in params.iter().enumerate() {
            for n in 1..=NONCES {
                payments.insert((pi, n), payment(&bs[*si], p, n, 1));
            }
        }
        Fixture {
            o: w.me(),
            secret: w.secret.clone(),
            senders: bs.iter().map(addr).collect(),
            payments,
        }
    })
}
