//! recipientRand and its hash. The O derives `recipientRand = uint256(HMAC-SHA256(secret, msg))`
//! where `msg` concatenates, with Go's minimal big-endian bytes and no separators: seed, sender
//! (20 bytes), faceValue, winProb, expiration block, price numerator, price denominator (reduced)
//! and the auxData. `recipientRandHash = keccak256(u256(recipientRand))`.
//!
//! The secret is an argument: loading or creating it is I/O and lives outside `pm`.

use super::{
    num::{be32, min_be, min_be_u64},
    ticket::TicketExpirationParams,
};
use crate::events::{Address, Hash32, Price};
use ethers_core::{types::U256, utils::keccak256};
use hmac::{Hmac, Mac};
use num_integer::Integer;
use sha2::Sha256;

/// The O's HMAC key for recipientRand (kept across restarts, never logged).
#[derive(Clone, PartialEq, Eq)]
pub struct RandSecret(pub [u8; 32]);

impl std::fmt::Debug for RandSecret {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str("RandSecret(..)")
    }
}

/// Everything the HMAC covers.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct RandInputs {
    /// The params' seed.
    pub seed: U256,
    /// The sender the params were issued to.
    pub sender: Address,
    /// Face value.
    pub face_value: U256,
    /// Win probability.
    pub win_prob: U256,
    /// Params expiration block.
    pub expiration_block: u64,
    /// Price per pixel (reduced before hashing).
    pub price: Price,
    /// Creation round and hash.
    pub expiration: TicketExpirationParams,
}

/// A price reduced as Go's `big.Rat` would hold it: (|num| bytes, den bytes).
fn reduced_price_bytes(p: Price) -> (Vec<u8>, Vec<u8>) {
    let num = i128::from(p.price_per_unit);
    let den = i128::from(p.pixels_per_unit);
    if den == 0 {
        return (min_be_u128(num.unsigned_abs()), min_be_u64(1));
    }
    let g = num.gcd(&den).max(1);
    (
        min_be_u128((num / g).unsigned_abs()),
        min_be_u128((den / g).unsigned_abs()),
    )
}

fn min_be_u128(v: u128) -> Vec<u8> {
    crate::events::strip(&v.to_be_bytes())
}

/// The HMAC message.
pub fn rand_message(i: &RandInputs) -> Vec<u8> {
    let (pn, pd) = reduced_price_bytes(i.price);
    let mut msg = Vec::with_capacity(32 * 4 + 20 + 8 + 64);
    msg.extend_from_slice(&min_be(i.seed));
    msg.extend_from_slice(&i.sender.0);
    msg.extend_from_slice(&min_be(i.face_value));
    msg.extend_from_slice(&min_be(i.win_prob));
    msg.extend_from_slice(&min_be_u64(i.expiration_block));
    msg.extend_from_slice(&pn);
    msg.extend_from_slice(&pd);
    msg.extend_from_slice(&i.expiration.aux_data());
    msg
}

/// recipientRand for these inputs under `secret`.
pub fn recipient_rand(secret: &RandSecret, i: &RandInputs) -> U256 {
    // HMAC accepts keys of any length, so this cannot fail; fall back to zero rather than panic.
    match Hmac::<Sha256>::new_from_slice(&secret.0) {
        Ok(mut mac) => {
            mac.update(&rand_message(i));
            U256::from_big_endian(&mac.finalize().into_bytes())
        }
        Err(_) => U256::zero(),
    }
}

/// keccak256(u256(rand)).
pub fn recipient_rand_hash(rand: U256) -> Hash32 {
    Hash32(keccak256(be32(rand)))
}
