//! The other signed preimages that ride with payments (facts §1.4): video profile IDs
//! (first 4 bytes of keccak256(name)) and `SegTranscodingMetadata.Flatten()`, the message a B
//! signs for `SegData.sig`.

use ethers_core::{types::U256, utils::keccak256};

/// The 4-byte ID of a profile name.
pub fn profile_id(name: &str) -> [u8; 4] {
    let h = keccak256(name.as_bytes());
    [h[0], h[1], h[2], h[3]]
}

/// `Flatten()`: manifest id bytes ‖ u256(seq) ‖ 32-byte segment hash ‖ ASCII lowercase hex of the
/// concatenated profile IDs.
pub fn seg_flatten(manifest_id: &str, seq: u64, seg_hash: &[u8; 32], profiles: &[&str]) -> Vec<u8> {
    let mut out = Vec::with_capacity(manifest_id.len() + 64 + 8 * profiles.len());
    out.extend_from_slice(manifest_id.as_bytes());
    out.extend_from_slice(&super::num::be32(U256::from(seq)));
    out.extend_from_slice(seg_hash);
    let ids: Vec<u8> = profiles.iter().flat_map(|p| profile_id(p)).collect();
    out.extend_from_slice(hex::encode(ids).as_bytes());
    out
}

/// The message a B signs for `SegData.sig`: keccak256(flatten).
pub fn seg_sig_message(
    manifest_id: &str,
    seq: u64,
    seg_hash: &[u8; 32],
    profiles: &[&str],
) -> [u8; 32] {
    keccak256(seg_flatten(manifest_id, seq, seg_hash, profiles))
}
