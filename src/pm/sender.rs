//! The B side (`pm/sender.go`, facts §3.7): validating an O's params in the reference's order and
//! texts, starting a session per recipientRandHash, and signing ticket batches with nonces from 1.
//! Signing is pure (the wallet is an argument); the batch's events record what was sent.

use super::{
    num::{float_string, u256_to_wei, wei_to_u256},
    sig,
    ticket::{ticket_ev, Ticket, TicketExpirationParams, TicketParams},
    wire::{
        encode_expiration, encode_ticket_params, PriceInfo, WirePayment, WireSenderParams,
        WireTicketParams,
    },
};
use crate::events::{
    Address, CreationRound, Event, Hash32, Price, SenderSessionStarted, TicketsSent,
};
use crate::projections::{max_float::Funds, nonces::SenderSession};
use ethers_core::types::U256;
use ethers_signers::LocalWallet;
use num_bigint::BigInt;
use num_rational::BigRational;
use num_traits::Signed;

/// `paramsExpiryBuffer`.
pub const PARAMS_EXPIRY_BUFFER: u64 = 1;
/// `-maxTicketEV` default.
pub const DEFAULT_MAX_TICKET_EV: u64 = 3_000_000_000_000;
/// `-maxTotalEV` default.
pub const DEFAULT_MAX_TOTAL_EV: u64 = 20_000_000_000_000;

/// Why a B refuses an O's params.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum SenderError {
    /// No params.
    #[error("ticketParams is nil")]
    NilParams,
    /// Expiration block 0.
    #[error("ticketParams expiration block is 0")]
    ZeroExpiration,
    /// Within one block of expiry: refresh the session.
    #[error("TicketParams expired")]
    Expired,
    /// EV ≥ faceValue.
    #[error("ticket faceValue too low faceValue={0}")]
    FaceValueTooLow(String),
    /// EV above `-maxTicketEV`.
    #[error("ticket EV {ev} > max ticket EV {max}")]
    EvTooHigh {
        /// EV (5 decimals).
        ev: String,
        /// Max (5 decimals).
        max: String,
    },
    /// Our funds are not known yet.
    #[error("could not get sender info: sender funds not observed yet")]
    NoSenderInfo,
    /// Our unlock ends next round or earlier.
    #[error("unable to validate sender: deposit and reserve is set to unlock soon")]
    UnlockSoon,
    /// No reserve.
    #[error("no sender reserve")]
    NoReserve,
    /// No deposit.
    #[error("no sender deposit")]
    NoDeposit,
    /// Σ EV above `-maxTotalEV`.
    #[error("total ticket EV {total} for {n} tickets > max total ticket EV {max}")]
    TotalEvTooHigh {
        /// Total (5 decimals).
        total: String,
        /// Ticket count.
        n: u64,
        /// Max (5 decimals).
        max: String,
    },
    /// faceValue above deposit / depositMultiplier.
    #[error("ticket faceValue {fv} > max faceValue {max}")]
    FaceValueTooHigh {
        /// Face value.
        fv: String,
        /// deposit / multiplier.
        max: String,
    },
    /// Signing failed.
    #[error("error signing ticket for session: {0}")]
    Sign(String),
}

/// The B's limits.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct SenderConfig {
    /// `-maxTicketEV`.
    pub max_ev: BigRational,
    /// `-maxTotalEV`.
    pub max_total_ev: BigRational,
    /// `-depositMultiplier` (≥ 1).
    pub deposit_multiplier: u64,
}

impl Default for SenderConfig {
    fn default() -> Self {
        SenderConfig {
            max_ev: BigRational::from_integer(DEFAULT_MAX_TICKET_EV.into()),
            max_total_ev: BigRational::from_integer(DEFAULT_MAX_TOTAL_EV.into()),
            deposit_multiplier: 1,
        }
    }
}

/// Whether params expiring at `expiration_block` are expired for a B that last saw L1 block
/// `last_l1_block` (`paramsExpiryBuffer`: one block before the O would refuse them); the B then
/// asks the O for fresh ones.
pub fn params_expired(expiration_block: u64, last_l1_block: u64) -> bool {
    i128::from(expiration_block) - i128::from(last_l1_block) <= i128::from(PARAMS_EXPIRY_BUFFER)
}

/// `validateTicketParams(params, n)`: `own_funds` are the B's own funds as observed on chain.
pub fn validate_ticket_params(
    cfg: &SenderConfig,
    params: Option<&TicketParams>,
    n: u64,
    own_funds: Option<&Funds>,
    last_l1_block: u64,
    last_initialized_round: u64,
) -> Result<(), SenderError> {
    let p = params.ok_or(SenderError::NilParams)?;
    if p.expiration_block == 0 {
        return Err(SenderError::ZeroExpiration);
    }
    if params_expired(p.expiration_block, last_l1_block) {
        return Err(SenderError::Expired);
    }
    let ev = ticket_ev(p.face_value, p.win_prob);
    if !ev.is_positive() {
        return Ok(());
    }
    if ev >= super::num::big_int(p.face_value) {
        return Err(SenderError::FaceValueTooLow(p.face_value.to_string()));
    }
    if ev > cfg.max_ev {
        return Err(SenderError::EvTooHigh {
            ev: float_string(&ev, 5),
            max: float_string(&cfg.max_ev, 5),
        });
    }
    let f = own_funds.ok_or(SenderError::NoSenderInfo)?;
    if f.withdraw_round != 0 && f.withdraw_round <= last_initialized_round.saturating_add(1) {
        return Err(SenderError::UnlockSoon);
    }
    if f.reserve_remaining.is_zero() {
        return Err(SenderError::NoReserve);
    }
    if f.deposit.is_zero() {
        return Err(SenderError::NoDeposit);
    }
    let total = &ev * BigRational::from_integer(BigInt::from(n));
    if total > cfg.max_total_ev {
        return Err(SenderError::TotalEvTooHigh {
            total: float_string(&total, 5),
            n,
            max: float_string(&cfg.max_total_ev, 5),
        });
    }
    let max_fv = wei_to_u256(&f.deposit) / U256::from(cfg.deposit_multiplier.max(1));
    if p.face_value > max_fv {
        return Err(SenderError::FaceValueTooHigh {
            fv: p.face_value.to_string(),
            max: max_fv.to_string(),
        });
    }
    Ok(())
}

/// `StartSession(params)`: a new session keyed by recipientRandHash, nonce 0.
pub fn start_session(params: &TicketParams, price: Price) -> Event {
    Event::SenderSessionStarted(SenderSessionStarted {
        recipient: params.recipient,
        recipient_rand_hash: params.recipient_rand_hash,
        face_value: u256_to_wei(params.face_value),
        win_prob: u256_to_wei(params.win_prob),
        expiration_block: params.expiration_block,
        creation: CreationRound {
            round: params.expiration_params.creation_round,
            block_hash: params.expiration_params.creation_round_block_hash,
        },
        seed: Hash32(super::num::be32(params.seed)),
        price,
    })
}

/// The params a session was started with, as typed params.
pub fn session_params(s: &SenderSession) -> TicketParams {
    let p = &s.params;
    TicketParams {
        recipient: p.recipient,
        face_value: wei_to_u256(&p.face_value),
        win_prob: wei_to_u256(&p.win_prob),
        recipient_rand_hash: p.recipient_rand_hash,
        seed: wei_to_u256(&crate::events::Wei(p.seed.0)),
        expiration_block: p.expiration_block,
        expiration_params: TicketExpirationParams {
            creation_round: p.creation.round,
            creation_round_block_hash: p.creation.block_hash,
        },
    }
}

/// `CreateTicketBatch(session, n)` and `genPayment`: a signed payment with nonces
/// `last + 1 ..= last + n` and the `TicketsSent` event; with `n = 0`, only the sender and the
/// expected price (facts §4). When the O gave no usable creation round (round 0 or zero hash), the
/// B's own last initialized round is used (`own_round`).
pub fn create_payment(
    session: &SenderSession,
    n: u32,
    wallet: &LocalWallet,
    sender: Address,
    own_round: TicketExpirationParams,
) -> Result<(WirePayment, Event), SenderError> {
    let params = session_params(session);
    let e = params.expiration_params;
    let expiration = if e.creation_round == 0 || e.creation_round_block_hash == Hash32::default() {
        own_round
    } else {
        e
    };
    let price = session.params.price;
    let first = session.last_nonce.saturating_add(1);
    let mut senders = Vec::with_capacity(n as usize);
    for i in 0..n {
        let nonce = first.saturating_add(i);
        let t = Ticket::new(&params, expiration, sender, nonce, price);
        let s = sig::sign(wallet, &t.hash().0).map_err(|e| SenderError::Sign(e.to_string()))?;
        senders.push(WireSenderParams {
            sender_nonce: nonce,
            sig: s.to_vec(),
        });
    }
    let mut payment = WirePayment {
        ticket_params: None,
        sender: sender.0.to_vec(),
        expiration_params: None,
        ticket_sender_params: senders,
        expected_price: Some(PriceInfo {
            price_per_unit: price.price_per_unit,
            pixels_per_unit: price.pixels_per_unit,
        }),
    };
    // go-livepeer's B (`genPayment`) sends only the sender and the price when it sends no
    // ticket; otherwise it fills ticket params fields 1–6 only: the creation round travels once,
    // in `Payment.expiration_params`, which is what the O reads.
    if n > 0 {
        payment.ticket_params = Some(WireTicketParams {
            expiration_params: None,
            ..encode_ticket_params(&params)
        });
        payment.expiration_params = Some(encode_expiration(&expiration));
    }
    let event = Event::TicketsSent(TicketsSent {
        recipient_rand_hash: params.recipient_rand_hash,
        first_nonce: first,
        count: n,
        ev: super::num::ratio_from_big(&ticket_ev(params.face_value, params.win_prob)),
    });
    Ok((payment, event))
}
