//! ethers integers, addresses and hashes → our fixed-width types (`Wei`, `Address`, `Hash32`),
//! so that no ethers type reaches a stored event.

use crate::events::{Address, Hash32, Wei};
use ethers_core::types::{H160, H256, U256};

/// `U256` → `Wei` (32 bytes, big-endian).
pub fn wei(v: U256) -> Wei {
    let mut out = [0u8; 32];
    v.to_big_endian(&mut out);
    Wei(out)
}

/// `H160` → `Address`.
pub fn address(a: H160) -> Address {
    Address(a.0)
}

/// `H256` → `Hash32`.
pub fn hash(h: H256) -> Hash32 {
    Hash32(h.0)
}

/// A 32-byte ABI word as a `U256`.
pub fn word(w: &[u8; 32]) -> U256 {
    U256::from_big_endian(w)
}

/// A `U256` as a `u64`, if it fits.
pub fn to_u64(v: U256) -> Option<u64> {
    (v.bits() <= 64).then(|| v.low_u64())
}

/// A `U256` as a `u32`, if it fits.
pub fn to_u32(v: U256) -> Option<u32> {
    to_u64(v).and_then(|x| u32::try_from(x).ok())
}

/// An ABI-encoded address word (12 zero bytes, then the address), if the padding is zero.
pub fn address_word(w: &[u8; 32]) -> Option<Address> {
    if w[..12].iter().any(|b| *b != 0) {
        return None;
    }
    let mut a = [0u8; 20];
    a.copy_from_slice(&w[12..]);
    Some(Address(a))
}
