//! Tickets and their parameters, and the ticket hash exactly as the TicketBroker computes it:
//! `keccak256(recipient ‖ sender ‖ u256(faceValue) ‖ u256(winProb) ‖ u256(nonce) ‖
//! recipientRandHash ‖ auxData)`, packed by hand (never ethers' `encode_packed`), with auxData
//! empty only when both the creation round and its block hash are zero.

use super::num::{be32, u256_to_big};
use crate::events::{Address, Hash32, Price};
use ethers_core::{types::U256, utils::keccak256};
use num_bigint::{BigInt, BigUint, Sign};
use num_rational::BigRational;

/// `maxWinProb` = 2^256 − 1.
pub const MAX_WIN_PROB: U256 = U256::MAX;

/// The round a ticket was created in and that round's L1 block hash (go-livepeer
/// `TicketExpirationParams`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct TicketExpirationParams {
    /// Creation round.
    pub creation_round: u64,
    /// The creation round's L1 block hash.
    pub creation_round_block_hash: Hash32,
}

impl TicketExpirationParams {
    /// `AuxData()`: empty when both fields are zero, else `u256(round) ‖ blockHash` (64 bytes).
    pub fn aux_data(&self) -> Vec<u8> {
        if self.creation_round == 0 && self.creation_round_block_hash == Hash32::default() {
            return Vec::new();
        }
        let mut out = Vec::with_capacity(64);
        out.extend_from_slice(&be32(U256::from(self.creation_round)));
        out.extend_from_slice(&self.creation_round_block_hash.0);
        out
    }
}

/// The params an O issues for a sender (go-livepeer `TicketParams`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TicketParams {
    /// The O's address.
    pub recipient: Address,
    /// Face value in wei.
    pub face_value: U256,
    /// Win probability over 2^256 − 1.
    pub win_prob: U256,
    /// keccak256(u256(recipientRand)).
    pub recipient_rand_hash: Hash32,
    /// The O's HMAC seed.
    pub seed: U256,
    /// L1 block from which the params are expired.
    pub expiration_block: u64,
    /// Creation round and hash the O asks for.
    pub expiration_params: TicketExpirationParams,
}

/// One ticket's sender part (go-livepeer `TicketSenderParams`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct TicketSenderParams {
    /// The sender's nonce.
    pub sender_nonce: u32,
    /// The 65-byte signature as sent.
    pub sig: Vec<u8>,
}

/// A ticket (go-livepeer `Ticket`). `params_expiration_block` and `price` are not hashed.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Ticket {
    /// Recipient (the O).
    pub recipient: Address,
    /// Sender (the B).
    pub sender: Address,
    /// Face value.
    pub face_value: U256,
    /// Win probability.
    pub win_prob: U256,
    /// Sender nonce.
    pub sender_nonce: u32,
    /// recipientRandHash.
    pub recipient_rand_hash: Hash32,
    /// Creation round and hash (the auxData).
    pub expiration: TicketExpirationParams,
    /// Params expiration block (not hashed).
    pub params_expiration_block: u64,
    /// Price per pixel the params were issued at (not hashed).
    pub price: Price,
}

impl Ticket {
    /// Builds the ticket for one sender param (`NewTicket`).
    pub fn new(
        params: &TicketParams,
        expiration: TicketExpirationParams,
        sender: Address,
        sender_nonce: u32,
        price: Price,
    ) -> Self {
        Ticket {
            recipient: params.recipient,
            sender,
            face_value: params.face_value,
            win_prob: params.win_prob,
            sender_nonce,
            recipient_rand_hash: params.recipient_rand_hash,
            expiration,
            params_expiration_block: params.expiration_block,
            price,
        }
    }

    /// The packed preimage of the hash (168 bytes, or 232 with the auxData).
    pub fn flatten(&self) -> Vec<u8> {
        let (buf, len) = self.packed();
        buf.get(..len).unwrap_or_default().to_vec()
    }

    /// The preimage in a fixed buffer, and its length.
    fn packed(&self) -> ([u8; 232], usize) {
        let mut buf = [0u8; 232];
        let parts: [&[u8]; 6] = [
            &self.recipient.0,
            &self.sender.0,
            &be32(self.face_value),
            &be32(self.win_prob),
            &be32(U256::from(self.sender_nonce)),
            &self.recipient_rand_hash.0,
        ];
        let mut at = 0;
        for p in parts {
            buf[at..at + p.len()].copy_from_slice(p);
            at += p.len();
        }
        let e = &self.expiration;
        if e.creation_round != 0 || e.creation_round_block_hash != Hash32::default() {
            buf[at..at + 32].copy_from_slice(&be32(U256::from(e.creation_round)));
            buf[at + 32..at + 64].copy_from_slice(&e.creation_round_block_hash.0);
            at += 64;
        }
        (buf, at)
    }

    /// The ticket hash (as `TicketBroker.getTicketHash`).
    pub fn hash(&self) -> Hash32 {
        let (buf, len) = self.packed();
        Hash32(keccak256(buf.get(..len).unwrap_or_default()))
    }

    /// The ticket's expected value, exactly.
    pub fn ev(&self) -> BigRational {
        ticket_ev(self.face_value, self.win_prob)
    }
}

/// Ticket EV = faceValue × winProb / (2^256 − 1), as an exact rational (reduced).
pub fn ticket_ev(face_value: U256, win_prob: U256) -> BigRational {
    // k = faceValue × winProb < 2^512; k ≡ high + low (mod 2^256 − 1), since 2^256 ≡ 1.
    let k = face_value.full_mul(win_prob);
    let mut bytes = [0u8; 64];
    k.to_big_endian(&mut bytes);
    let (high, low) = (
        U256::from_big_endian(&bytes[..32]),
        U256::from_big_endian(&bytes[32..]),
    );
    let (mut r, carry) = high.overflowing_add(low);
    if carry {
        r += U256::one();
    }
    // r ≡ k (mod every prime of 2^256 − 1), so gcd(k, 2^256 − 1) is the product of the primes
    // that divide r (all of them when r is 0 or 2^256 − 1 itself).
    let g = super::max_divisors::gcd_with_divisor(&r.0, super::max_divisors::ALL);
    let k = BigUint::from_bytes_be(&bytes);
    let (n, d) = if g == U256::one() {
        (k, MAX_WIN_PROB)
    } else {
        (k / u256_to_big(g), MAX_WIN_PROB / g)
    };
    BigRational::new_raw(
        BigInt::from_biguint(Sign::Plus, n),
        BigInt::from_biguint(Sign::Plus, u256_to_big(d)),
    )
}
