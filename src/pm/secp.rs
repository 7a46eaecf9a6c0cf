//! The two secp256k1 public-key recovery backends behind [`super::sig`]: libsecp256k1 (the C
//! library, through the `secp256k1` crate; the one the node uses) and k256 through ethers'
//! `Signature::recover` (pure Rust, about half the speed; kept for the benchmark and for the
//! test that the two agree). Both take a prehashed 32-byte digest, `r ‖ s` and a recovery id
//! 0–3, refuse the same inputs and recover the same address; neither looks at low s or at v
//! (that is [`super::sig::check_raw`]'s job, done first).

use super::sig::SigError;
use crate::events::Address;
use ethers_core::{
    types::{Signature, H256, U256},
    utils::keccak256,
};
use secp256k1::{
    ecdsa::{RecoverableSignature, RecoveryId},
    Message, Secp256k1, VerifyOnly,
};
use std::sync::LazyLock;

/// One verification-only libsecp256k1 context, built on first use and shared by every thread
/// (a context is immutable once made; recovery needs no signing tables).
static VERIFY: LazyLock<Secp256k1<VerifyOnly>> = LazyLock::new(Secp256k1::verification_only);

/// Recovers the signer's address with libsecp256k1. Refused: a recovery id above 3, r or s zero
/// or ≥ n, no curve point for r, or the point at infinity. A high s is accepted (same signer as
/// its low-s twin with the other recovery id), as k256 through ethers accepts it.
pub fn recover_libsecp(digest: &[u8; 32], rs: &[u8; 64], recid: u8) -> Result<Address, SigError> {
    let id = RecoveryId::from_i32(i32::from(recid)).map_err(|_| SigError::Recover)?;
    let sig = RecoverableSignature::from_compact(rs, id).map_err(|_| SigError::Recover)?;
    let key = VERIFY
        .recover_ecdsa(&Message::from_digest(*digest), &sig)
        .map_err(|_| SigError::Recover)?;
    Ok(address_of(&key.serialize_uncompressed()))
}

/// Recovers the signer's address with k256, exactly as ethers' `Signature::recover` does it
/// (ethers normalises a high s itself). The recovery id is passed to ethers as v, which it takes
/// as is for 0–3; above 3 is refused here, before ethers could reinterpret it.
pub fn recover_k256(digest: &[u8; 32], rs: &[u8; 64], recid: u8) -> Result<Address, SigError> {
    if recid > 3 {
        return Err(SigError::Recover);
    }
    let (r, s) = rs.split_at(32);
    let sig = Signature {
        r: U256::from_big_endian(r),
        s: U256::from_big_endian(s),
        v: u64::from(recid),
    };
    let addr = sig
        .recover(H256::from(*digest))
        .map_err(|_| SigError::Recover)?;
    Ok(Address(addr.0))
}

/// The Ethereum address of an uncompressed public key `0x04 ‖ x ‖ y`: the last 20 bytes of
/// keccak256(x ‖ y).
fn address_of(uncompressed: &[u8; 65]) -> Address {
    let (_, xy) = uncompressed.split_at(1);
    let hash = keccak256(xy);
    let (_, tail) = hash.split_at(12);
    let mut out = [0u8; 20];
    out.copy_from_slice(tail);
    Address(out)
}
