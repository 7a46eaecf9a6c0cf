//! The redeemer's messages (`net.Ticket`, `MaxFloatReq`, `MaxFloatUpdate`; facts §1.2, §3.11) ↔
//! the core's types. An O hands a queued winning ticket to its redeemer as go-livepeer's
//! `server/redeemer.go` client does: ticket params fields 1–4 and 6 (no seed, no expiration
//! params inside), the creation round in field 3, one sender param, and the revealed
//! recipientRand as minimal big-endian bytes. The redeemer side parses it back with every length
//! checked.

use super::proto::net;
use crate::events::{Address, WinningTicket};
use crate::pm::{
    error::NumError,
    num::{address_from, hash_from, min_be, min_be_u64, u256_from_be, u64_from_be, wei_to_u256},
    wire::{encode_expiration, parse_expiration},
    Ticket, TicketExpirationParams,
};
use ethers_core::types::U256;

/// A ticket as the redeemer receives it: the ticket (its hash is what the contract checks), the
/// sender's signature and the recipientRand to reveal.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct QueuedTicket {
    /// The ticket (`price` is not on the wire and stays zero; it is not hashed).
    pub ticket: Ticket,
    /// The sender's signature, as sent.
    pub sig: Vec<u8>,
    /// The recipientRand.
    pub recipient_rand: U256,
}

/// Why a `net.Ticket` cannot be redeemed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RedeemerWireError {
    /// No `ticket_params`.
    #[error("ticket params missing")]
    NoTicketParams,
    /// No `sender_params`.
    #[error("ticket sender params missing")]
    NoSenderParams,
    /// A field of the wrong length or size.
    #[error(transparent)]
    Num(#[from] NumError),
}

/// The `QueueTicket` request for a queued winning ticket and its recipientRand.
pub fn queue_ticket_request(t: &WinningTicket, recipient_rand: U256) -> net::Ticket {
    let expiration = TicketExpirationParams {
        creation_round: t.creation.round,
        creation_round_block_hash: t.creation.block_hash,
    };
    net::Ticket {
        ticket_params: Some(net::TicketParams {
            recipient: t.recipient.0.to_vec(),
            face_value: min_be(wei_to_u256(&t.face_value)),
            win_prob: min_be(wei_to_u256(&t.win_prob)),
            recipient_rand_hash: t.recipient_rand_hash.0.to_vec(),
            seed: Vec::new(),
            expiration_block: min_be_u64(t.expiration_block),
            expiration_params: None,
        }),
        sender: t.sender.0.to_vec(),
        expiration_params: Some(encode_expiration(&expiration).into()),
        sender_params: Some(net::TicketSenderParams {
            sender_nonce: t.nonce,
            sig: t.sig.clone(),
        }),
        recipient_rand: min_be(recipient_rand),
    }
}

/// Parses a `QueueTicket` request (redeemer side).
pub fn queued_ticket_from_proto(t: &net::Ticket) -> Result<QueuedTicket, RedeemerWireError> {
    let p = t
        .ticket_params
        .as_ref()
        .ok_or(RedeemerWireError::NoTicketParams)?;
    let s = t
        .sender_params
        .as_ref()
        .ok_or(RedeemerWireError::NoSenderParams)?;
    let expiration = parse_expiration(t.expiration_params.clone().map(Into::into).as_ref())?;
    Ok(QueuedTicket {
        ticket: Ticket {
            recipient: address_from(&p.recipient, "ticket recipient")?,
            sender: address_from(&t.sender, "sender")?,
            face_value: u256_from_be(&p.face_value, "faceValue")?,
            win_prob: u256_from_be(&p.win_prob, "winProb")?,
            sender_nonce: s.sender_nonce,
            recipient_rand_hash: hash_from(&p.recipient_rand_hash, "recipientRandHash")?,
            expiration,
            params_expiration_block: u64_from_be(&p.expiration_block, "expiration block")?,
            price: Default::default(),
        },
        sig: s.sig.clone(),
        recipient_rand: u256_from_be(&t.recipient_rand, "recipientRand")?,
    })
}

/// `MaxFloatReq` for a sender.
pub fn max_float_request(sender: Address) -> net::MaxFloatReq {
    net::MaxFloatReq {
        sender: sender.0.to_vec(),
    }
}

/// The sender a `MaxFloatReq` asks about.
pub fn max_float_sender(req: &net::MaxFloatReq) -> Result<Address, NumError> {
    address_from(&req.sender, "sender")
}

/// A `MaxFloatUpdate` (minimal big-endian).
pub fn max_float_update(max_float: U256) -> net::MaxFloatUpdate {
    net::MaxFloatUpdate {
        max_float: min_be(max_float),
    }
}

/// The max float a `MaxFloatUpdate` carries.
pub fn max_float_from_update(u: &net::MaxFloatUpdate) -> Result<U256, NumError> {
    u256_from_be(&u.max_float, "max float")
}
