//! Seed tags: how Os that share one recipientRand secret (several O nodes behind one service
//! URI, paid for one registered address) refuse each other's tickets without sharing a nonce
//! set. Each node writes its own tag — the first 8 bytes of keccak256 of its own signing
//! address — into the first 8 bytes of every seed it issues, and accepts only tickets whose
//! params carry it: the params still verify anywhere the secret is known (the HMAC covers the
//! whole seed), but a ticket replayed to a sibling is refused there, and each node's nonce set
//! stays complete for the params it issued (docs/adr/0012-multi-orchestrator-seed-tags.md).

use crate::events::Address;
use ethers_core::{types::U256, utils::keccak256};

/// A node's 8-byte seed tag.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct SeedTag(pub [u8; 8]);

impl SeedTag {
    /// The tag of the node signing with `address`.
    pub fn of(address: &Address) -> SeedTag {
        let h = keccak256(address.0);
        let mut tag = [0u8; 8];
        tag.copy_from_slice(&h[..8]);
        SeedTag(tag)
    }

    /// `random` (32 bytes drawn at the edge) with this tag in its first 8 bytes.
    pub fn seed(&self, mut random: [u8; 32]) -> U256 {
        random[..8].copy_from_slice(&self.0);
        U256::from_big_endian(&random)
    }

    /// The tag a seed carries.
    pub fn in_seed(seed: U256) -> SeedTag {
        let mut b = [0u8; 32];
        seed.to_big_endian(&mut b);
        let mut tag = [0u8; 8];
        tag.copy_from_slice(&b[..8]);
        SeedTag(tag)
    }
}

impl std::fmt::Display for SeedTag {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(&hex::encode(self.0))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_seed_carries_its_nodes_tag_and_nodes_differ() {
        let (a, b) = (
            SeedTag::of(&Address([1; 20])),
            SeedTag::of(&Address([2; 20])),
        );
        assert_ne!(a, b);
        let seed = a.seed([0xab; 32]);
        assert_eq!(SeedTag::in_seed(seed), a);
        assert_ne!(SeedTag::in_seed(seed), b);
        // The rest of the seed is the random draw.
        let mut bytes = [0u8; 32];
        seed.to_big_endian(&mut bytes);
        assert_eq!(&bytes[8..], &[0xab; 24]);
    }
}
