//! `net.TicketParams`, `TicketSenderParams`, `TicketExpirationParams`, `PriceInfo` and the
//! payment part of `OrchestratorInfo` (`ticket_params`, `price_info`) ↔ the payment core's types,
//! both directions. Field copies only: the typed checks (lengths, 256-bit bounds) stay in
//! `pm::wire`, so the O and the B parse the same way whichever edge the bytes came through.

use super::proto::net;
use crate::events::Price;
use crate::pm::{
    error::NumError,
    wire::{
        encode_ticket_params, parse_ticket_params, PriceInfo, WireExpirationParams,
        WireSenderParams, WireTicketParams,
    },
    TicketParams,
};

impl From<net::TicketExpirationParams> for WireExpirationParams {
    fn from(p: net::TicketExpirationParams) -> Self {
        WireExpirationParams {
            creation_round: p.creation_round,
            creation_round_block_hash: p.creation_round_block_hash,
        }
    }
}

impl From<WireExpirationParams> for net::TicketExpirationParams {
    fn from(p: WireExpirationParams) -> Self {
        net::TicketExpirationParams {
            creation_round: p.creation_round,
            creation_round_block_hash: p.creation_round_block_hash,
        }
    }
}

impl From<net::TicketParams> for WireTicketParams {
    fn from(p: net::TicketParams) -> Self {
        WireTicketParams {
            recipient: p.recipient,
            face_value: p.face_value,
            win_prob: p.win_prob,
            recipient_rand_hash: p.recipient_rand_hash,
            seed: p.seed,
            expiration_block: p.expiration_block,
            expiration_params: p.expiration_params.map(Into::into),
        }
    }
}

impl From<WireTicketParams> for net::TicketParams {
    fn from(p: WireTicketParams) -> Self {
        net::TicketParams {
            recipient: p.recipient,
            face_value: p.face_value,
            win_prob: p.win_prob,
            recipient_rand_hash: p.recipient_rand_hash,
            seed: p.seed,
            expiration_block: p.expiration_block,
            expiration_params: p.expiration_params.map(Into::into),
        }
    }
}

impl From<net::TicketSenderParams> for WireSenderParams {
    fn from(p: net::TicketSenderParams) -> Self {
        WireSenderParams {
            sender_nonce: p.sender_nonce,
            sig: p.sig,
        }
    }
}

impl From<WireSenderParams> for net::TicketSenderParams {
    fn from(p: WireSenderParams) -> Self {
        net::TicketSenderParams {
            sender_nonce: p.sender_nonce,
            sig: p.sig,
        }
    }
}

/// Keeps `pricePerUnit` and `pixelsPerUnit`; `capability` and `constraint` (fields 3–4) only
/// qualify AI/BYOC prices in `capabilities_prices`, which the transcoding payment path ignores.
impl From<net::PriceInfo> for PriceInfo {
    fn from(p: net::PriceInfo) -> Self {
        PriceInfo {
            price_per_unit: p.price_per_unit,
            pixels_per_unit: p.pixels_per_unit,
        }
    }
}

impl From<PriceInfo> for net::PriceInfo {
    fn from(p: PriceInfo) -> Self {
        net::PriceInfo {
            price_per_unit: p.price_per_unit,
            pixels_per_unit: p.pixels_per_unit,
            capability: 0,
            constraint: String::new(),
        }
    }
}

impl From<Price> for net::PriceInfo {
    fn from(p: Price) -> Self {
        net::PriceInfo {
            price_per_unit: p.price_per_unit,
            pixels_per_unit: p.pixels_per_unit,
            capability: 0,
            constraint: String::new(),
        }
    }
}

/// Params as an O sends them in `OrchestratorInfo.ticket_params` (with `expiration_params`).
pub fn ticket_params_to_proto(p: &TicketParams) -> net::TicketParams {
    encode_ticket_params(p).into()
}

/// Params as a B receives them in `OrchestratorInfo.ticket_params`, every length checked.
pub fn ticket_params_from_proto(p: &net::TicketParams) -> Result<TicketParams, NumError> {
    parse_ticket_params(&WireTicketParams::from(p.clone()))
}

/// Why a B cannot use an O's `OrchestratorInfo` for payments.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum InfoError {
    /// A ticket-params field of the wrong length or size.
    #[error("invalid ticket params: {0}")]
    TicketParams(#[from] NumError),
    /// `price_info.pixelsPerUnit` is 0 (go-livepeer `common.RatPriceInfo`).
    #[error("pixels per unit is 0")]
    PixelsPerUnitZero,
    /// `price_info.pixelsPerUnit` is negative (a price we would have to flip the sign of).
    #[error("pixels per unit is negative")]
    PixelsPerUnitNegative,
}

/// What a B needs from an O's info to pay it: the params (absent offchain) and the price.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PaymentInfo {
    /// `ticket_params`, parsed; `None` in offchain mode.
    pub ticket_params: Option<TicketParams>,
    /// `price_info`; `None` when the O sent none.
    pub price: Option<Price>,
}

/// Reads the payment part of an `OrchestratorInfo` (B side).
pub fn payment_info_from_proto(info: &net::OrchestratorInfo) -> Result<PaymentInfo, InfoError> {
    let ticket_params = info
        .ticket_params
        .as_ref()
        .map(ticket_params_from_proto)
        .transpose()?;
    let price = match &info.price_info {
        None => None,
        Some(p) if p.pixels_per_unit == 0 => return Err(InfoError::PixelsPerUnitZero),
        Some(p) if p.pixels_per_unit < 0 => return Err(InfoError::PixelsPerUnitNegative),
        Some(p) => Some(Price {
            price_per_unit: p.price_per_unit,
            pixels_per_unit: p.pixels_per_unit,
        }),
    };
    Ok(PaymentInfo {
        ticket_params,
        price,
    })
}

/// Fills the payment part of an `OrchestratorInfo` (O side): `ticket_params` (`None` offchain)
/// and `price_info`.
pub fn set_payment_info(info: &mut net::OrchestratorInfo, pay: &PaymentInfo) {
    info.ticket_params = pay.ticket_params.as_ref().map(ticket_params_to_proto);
    info.price_info = pay.price.map(Into::into);
}
