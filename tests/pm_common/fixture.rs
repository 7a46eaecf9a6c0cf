//! Pre-signed fixtures for the property tests: two senders, three params each (one that always
//! wins), and a one-ticket payment per params and nonce, signed once per test binary.

use super::{addr, payment, price, wallet, World};
use ethers_core::types::U256;
use livepeer::events::Address;
use livepeer::pm::{recipient_rand, recipient_rand_hash, wire::WirePayment, RandInputs};
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
                    // Always wins: faceValue = EV, winProb = 2^256 − 1.
                    p.face_value = w.cfg.ev;
                    p.win_prob = U256::MAX;
                    p.recipient_rand_hash = recipient_rand_hash(recipient_rand(
                        &w.secret,
                        &RandInputs {
                            seed: p.seed,
                            sender: addr(b),
                            face_value: p.face_value,
                            win_prob: p.win_prob,
                            expiration_block: p.expiration_block,
                            price: price(),
                            expiration: p.expiration_params,
                        },
                    ));
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
