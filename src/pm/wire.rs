//! The payment as it arrives on the wire (mirrors proto `net.Payment`; the gRPC layer maps
//! proto ↔ these), and its parsing into typed params with every length checked: integers longer
//! than 32 bytes, addresses that are not 20 bytes and hashes that are not 32 are typed errors.

use super::{
    error::NumError,
    num::{address_from, hash_from, min_be, min_be_u64, u256_from_be, u64_from_be},
    ticket::{TicketExpirationParams, TicketParams},
};
use crate::events::{Hash32, Price};

/// `net.TicketExpirationParams`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WireExpirationParams {
    /// `creation_round` (int64).
    pub creation_round: i64,
    /// `creation_round_block_hash` (bytes).
    pub creation_round_block_hash: Vec<u8>,
}

/// `net.TicketParams`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WireTicketParams {
    /// `recipient` (20 bytes).
    pub recipient: Vec<u8>,
    /// `face_value` (big-endian).
    pub face_value: Vec<u8>,
    /// `win_prob` (big-endian).
    pub win_prob: Vec<u8>,
    /// `recipient_rand_hash` (32 bytes).
    pub recipient_rand_hash: Vec<u8>,
    /// `seed` (big-endian).
    pub seed: Vec<u8>,
    /// `expiration_block` (big-endian).
    pub expiration_block: Vec<u8>,
    /// `expiration_params`.
    pub expiration_params: Option<WireExpirationParams>,
}

/// `net.TicketSenderParams`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WireSenderParams {
    /// `sender_nonce`.
    pub sender_nonce: u32,
    /// `sig` (65 bytes expected).
    pub sig: Vec<u8>,
}

/// `net.PriceInfo`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct PriceInfo {
    /// `pricePerUnit`.
    pub price_per_unit: i64,
    /// `pixelsPerUnit`.
    pub pixels_per_unit: i64,
}

/// `net.Payment`.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct WirePayment {
    /// `ticket_params`.
    pub ticket_params: Option<WireTicketParams>,
    /// `sender` (20 bytes).
    pub sender: Vec<u8>,
    /// `expiration_params` (the ones the tickets were made with).
    pub expiration_params: Option<WireExpirationParams>,
    /// `ticket_sender_params`.
    pub ticket_sender_params: Vec<WireSenderParams>,
    /// `expected_price` (the O's `price_info`, echoed).
    pub expected_price: Option<PriceInfo>,
}

impl From<PriceInfo> for Price {
    fn from(p: PriceInfo) -> Price {
        Price {
            price_per_unit: p.price_per_unit,
            pixels_per_unit: p.pixels_per_unit,
        }
    }
}

/// Parses expiration params; a missing message is the zero value (auxData empty).
pub fn parse_expiration(
    w: Option<&WireExpirationParams>,
) -> Result<TicketExpirationParams, NumError> {
    let Some(w) = w else {
        return Ok(TicketExpirationParams::default());
    };
    let creation_round = u64::try_from(w.creation_round).map_err(|_| NumError::Negative {
        what: "creation round",
    })?;
    let creation_round_block_hash = if w.creation_round_block_hash.is_empty() {
        Hash32::default()
    } else {
        hash_from(&w.creation_round_block_hash, "creation round block hash")?
    };
    Ok(TicketExpirationParams {
        creation_round,
        creation_round_block_hash,
    })
}

/// Parses ticket params, checking every field's length.
pub fn parse_ticket_params(w: &WireTicketParams) -> Result<TicketParams, NumError> {
    Ok(TicketParams {
        recipient: address_from(&w.recipient, "ticket recipient")?,
        face_value: u256_from_be(&w.face_value, "faceValue")?,
        win_prob: u256_from_be(&w.win_prob, "winProb")?,
        recipient_rand_hash: hash_from(&w.recipient_rand_hash, "recipientRandHash")?,
        seed: u256_from_be(&w.seed, "seed")?,
        expiration_block: u64_from_be(&w.expiration_block, "expiration block")?,
        expiration_params: parse_expiration(w.expiration_params.as_ref())?,
    })
}

/// The wire form of params an O issues (`orchestrator.TicketParams`).
pub fn encode_ticket_params(p: &TicketParams) -> WireTicketParams {
    WireTicketParams {
        recipient: p.recipient.0.to_vec(),
        face_value: min_be(p.face_value),
        win_prob: min_be(p.win_prob),
        recipient_rand_hash: p.recipient_rand_hash.0.to_vec(),
        seed: min_be(p.seed),
        expiration_block: min_be_u64(p.expiration_block),
        expiration_params: Some(encode_expiration(&p.expiration_params)),
    }
}

/// The wire form of expiration params.
pub fn encode_expiration(e: &TicketExpirationParams) -> WireExpirationParams {
    WireExpirationParams {
        creation_round: i64::try_from(e.creation_round).unwrap_or(i64::MAX),
        creation_round_block_hash: e.creation_round_block_hash.0.to_vec(),
    }
}
