//! EIP-191 personal-sign signatures as go-livepeer makes and checks them (`crypto/verify.go`).
//!
//! Verification looks at the raw 65 bytes first — length 65, v ∈ {27, 28}, s ≤ n/2 — because
//! both recovery backends accept a high s (the same signer as its low-s twin) and ethers
//! accepts other v values. Only then does it recover over
//! `keccak256("\x19Ethereum Signed Message:\n" ‖ len ‖ msg)`, an already-hashed message, with
//! libsecp256k1 ([`super::secp`]; ADR 0011). The k256 path that was used before stays available
//! as [`recover_digest_k256`] for the benchmark and the agreement test.

use super::secp::{recover_k256, recover_libsecp};
use crate::events::Address;
use ethers_core::{
    types::{Signature, H256, U256},
    utils::keccak256,
};
use ethers_signers::LocalWallet;

/// secp256k1 n / 2; a signature with a larger s is refused (EIP-2).
pub const HALF_N: [u8; 32] = [
    0x7f, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
    0x5d, 0x57, 0x6e, 0x73, 0x57, 0xa4, 0x50, 0x1d, 0xdf, 0xe9, 0x2f, 0x46, 0x68, 0x1b, 0x20, 0xa0,
];

/// Why a signature was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SigError {
    /// Not 65 bytes.
    #[error("signature is {0} bytes, want 65")]
    Length(usize),
    /// v is not 27 or 28.
    #[error("signature v is {0}, want 27 or 28")]
    BadV(u8),
    /// s is in the upper half of the curve order.
    #[error("signature s is above n/2")]
    HighS,
    /// The curve math failed (r or s zero or out of range, no point).
    #[error("signature does not recover a public key")]
    Recover,
    /// Signing failed.
    #[error("signing failed: {0}")]
    Sign(String),
}

/// The EIP-191 digest `keccak256("\x19Ethereum Signed Message:\n" ‖ len(msg) ‖ msg)`.
pub fn personal_digest(msg: &[u8]) -> [u8; 32] {
    use std::io::Write;
    // A ticket hash (32 bytes) or any message up to 256 bytes is hashed from the stack.
    let mut stack = [0u8; 26 + 20 + 256];
    let mut w = std::io::Cursor::new(&mut stack[..]);
    let fits = msg.len() <= 256
        && write!(w, "\x19Ethereum Signed Message:\n{}", msg.len()).is_ok()
        && w.write_all(msg).is_ok();
    if fits {
        let n = w.position() as usize;
        return keccak256(stack.get(..n).unwrap_or_default());
    }
    let prefix = format!("\x19Ethereum Signed Message:\n{}", msg.len());
    let mut buf = Vec::with_capacity(prefix.len() + msg.len());
    buf.extend_from_slice(prefix.as_bytes());
    buf.extend_from_slice(msg);
    keccak256(buf)
}

/// The raw-byte checks of go-livepeer `VerifySig`: length, v and low s.
pub fn check_raw(sig: &[u8]) -> Result<(), SigError> {
    if sig.len() != 65 {
        return Err(SigError::Length(sig.len()));
    }
    let v = sig.get(64).copied().unwrap_or_default();
    if v != 27 && v != 28 {
        return Err(SigError::BadV(v));
    }
    if sig.get(32..64).unwrap_or_default() > &HALF_N[..] {
        return Err(SigError::HighS);
    }
    Ok(())
}

/// Recovers the signer of `msg` (personal-sign) after the raw checks.
pub fn recover(msg: &[u8], sig: &[u8]) -> Result<Address, SigError> {
    check_raw(sig)?;
    recover_digest(&personal_digest(msg), sig)
}

/// Recovers from an already prefixed digest with libsecp256k1; `sig` should have passed
/// `check_raw` (the length and v are checked again here, low s is not).
pub fn recover_digest(digest: &[u8; 32], sig: &[u8]) -> Result<Address, SigError> {
    let (rs, recid) = split(sig)?;
    recover_libsecp(digest, rs, recid)
}

/// [`recover_digest`] through k256 (ethers' `Signature::recover`), the path used before
/// libsecp256k1: same inputs, same answers, about half the speed.
pub fn recover_digest_k256(digest: &[u8; 32], sig: &[u8]) -> Result<Address, SigError> {
    let (rs, recid) = split(sig)?;
    recover_k256(digest, rs, recid)
}

/// v as go-livepeer writes it (27 or 28) to a recovery id (0 or 1).
pub fn recovery_id(v: u8) -> Result<u8, SigError> {
    match v {
        27 | 28 => Ok(v - 27),
        _ => Err(SigError::BadV(v)),
    }
}

/// The 65 wire bytes as `r ‖ s` and a recovery id.
fn split(sig: &[u8]) -> Result<(&[u8; 64], u8), SigError> {
    let (rs, v) = sig
        .split_first_chunk::<64>()
        .ok_or(SigError::Length(sig.len()))?;
    match v {
        [v] => Ok((rs, recovery_id(*v)?)),
        _ => Err(SigError::Length(sig.len())),
    }
}

/// `VerifySig(addr, msg, sig)`: true when `sig` is a canonical personal-sign signature of `msg`
/// by `addr`.
pub fn verify(addr: &Address, msg: &[u8], sig: &[u8]) -> bool {
    matches!(recover(msg, sig), Ok(a) if a == *addr)
}

/// Signs `msg` with personal-sign, giving the 65 bytes `r ‖ s ‖ v` with v ∈ {27, 28}.
pub fn sign(wallet: &LocalWallet, msg: &[u8]) -> Result<[u8; 65], SigError> {
    let s = wallet
        .sign_hash(H256::from(personal_digest(msg)))
        .map_err(|e| SigError::Sign(e.to_string()))?;
    Ok(to_bytes(&s))
}

/// The 65-byte wire form of an ethers signature.
pub fn to_bytes(s: &Signature) -> [u8; 65] {
    let mut out = [0u8; 65];
    s.r.to_big_endian(&mut out[..32]);
    s.s.to_big_endian(&mut out[32..64]);
    out[64] = u8::try_from(s.v).unwrap_or(0);
    out
}

/// Flips a signature to its high-s twin (same signer, s' = n − s, v toggled). For tests of the
/// raw checks: ethers would still recover it.
pub fn high_s_twin(sig: &[u8; 65]) -> [u8; 65] {
    let n = U256::from_big_endian(&[
        0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff,
        0xfe, 0xba, 0xae, 0xdc, 0xe6, 0xaf, 0x48, 0xa0, 0x3b, 0xbf, 0xd2, 0x5e, 0x8c, 0xd0, 0x36,
        0x41, 0x41,
    ]);
    let s = U256::from_big_endian(&sig[32..64]);
    let mut out = *sig;
    n.saturating_sub(s).to_big_endian(&mut out[32..64]);
    out[64] = if sig[64] == 27 { 28 } else { 27 };
    out
}
