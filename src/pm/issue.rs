//! The O issuing ticket params to a sender (`recipient.TicketParams`, facts §3.5): face value
//! from the redemption cost or the EV, capped by the sender's max float and `-maxFaceValue`;
//! winProb from the EV; expiry 40 L1 blocks ahead; creation round with the zero-hash fallback.
//! The seed is an argument (randomness comes from the edge) and the event records it.

use super::{
    error::NumError,
    num::{be32, mul, u256_to_wei},
    recipient_rand::{recipient_rand, recipient_rand_hash, RandInputs, RandSecret},
    ticket::{TicketExpirationParams, TicketParams},
    win::win_prob,
};
use crate::events::{Address, CreationRound, Event, Hash32, Price, TicketParamsIssued};
use ethers_core::types::U256;

/// `paramsExpirationBlock`: params stay valid for this many L1 blocks.
pub const PARAMS_EXPIRATION_BLOCKS: u64 = 40;
/// `evMultiplier`.
pub const EV_MULTIPLIER: u64 = 100;
/// `avgGasPrice` = 3 gwei.
pub const AVG_GAS_PRICE: u64 = 3_000_000_000;
/// `-ticketEV` default (wei).
pub const DEFAULT_TICKET_EV: u64 = 8_000_000_000;
/// `txCostMultiplier` default.
pub const DEFAULT_TX_COST_MULTIPLIER: u64 = 100;
/// redeemGas on Arbitrum.
pub const REDEEM_GAS_ARBITRUM: u64 = 1_200_000;

/// Why params could not be issued.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum IssueError {
    /// The sender's max float cannot carry a ticket of at least the EV.
    #[error("insufficient sender reserve")]
    InsufficientSenderReserve,
    /// The sender's funds were never observed.
    #[error("could not get max float for sender {0}: sender funds not observed yet")]
    UnknownSender(String),
    /// Arithmetic on the inputs failed.
    #[error(transparent)]
    Num(#[from] NumError),
}

/// The O's payment settings.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct IssueConfig {
    /// `-ticketEV`.
    pub ev: U256,
    /// Gas of one redemption.
    pub redeem_gas: u64,
    /// `txCostMultiplier`.
    pub tx_cost_multiplier: u64,
    /// `-maxFaceValue` (0 = no cap).
    pub max_face_value: U256,
}

impl Default for IssueConfig {
    fn default() -> Self {
        IssueConfig {
            ev: U256::from(DEFAULT_TICKET_EV),
            redeem_gas: REDEEM_GAS_ARBITRUM,
            tx_cost_multiplier: DEFAULT_TX_COST_MULTIPLIER,
            max_face_value: U256::zero(),
        }
    }
}

/// The chain's view of rounds for the creation params.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct RoundView {
    /// Last initialized round.
    pub last_initialized_round: u64,
    /// Its L1 block hash (zero on some Arbitrum rounds).
    pub last_initialized_block_hash: Hash32,
    /// The previous round's L1 block hash.
    pub pre_last_initialized_block_hash: Hash32,
}

/// Inputs of one issuance.
#[derive(Clone, Copy, Debug)]
pub struct IssueInput {
    /// Our address.
    pub recipient: Address,
    /// The sender the params are for.
    pub sender: Address,
    /// The price quoted to the sender.
    pub price: Price,
    /// Current gas price (wei).
    pub gas_price: U256,
    /// `maxFloat(sender)` from the funds projection (`None`: never observed).
    pub max_float: Option<U256>,
    /// Last seen L1 block.
    pub last_l1_block: u64,
    /// Rounds.
    pub rounds: RoundView,
    /// 32 random bytes from the edge.
    pub seed: U256,
}

/// `faceValue(sender)`.
pub fn face_value(cfg: &IssueConfig, gas_price: U256, max_float: U256) -> Result<U256, IssueError> {
    let tx_cost = mul(U256::from(cfg.redeem_gas), gas_price, "txCost")?;
    let mut fv = mul(tx_cost, U256::from(cfg.tx_cost_multiplier), "faceValue")?;
    if fv < cfg.ev {
        fv = mul(cfg.ev, U256::from(EV_MULTIPLIER), "faceValue = EV × 100")?;
    }
    fv = fv.min(max_float);
    if !cfg.max_face_value.is_zero() {
        fv = fv.min(cfg.max_face_value);
    }
    if fv < cfg.ev {
        return Err(IssueError::InsufficientSenderReserve);
    }
    let avg_cost = mul(
        U256::from(cfg.redeem_gas),
        U256::from(AVG_GAS_PRICE),
        "avg txCost",
    )?;
    if fv < tx_cost && fv < avg_cost {
        return Err(IssueError::InsufficientSenderReserve);
    }
    Ok(fv)
}

/// Creation params: the last initialized round, or the round before when its hash is zero.
pub fn expiration_params(r: &RoundView) -> TicketExpirationParams {
    if r.last_initialized_block_hash == Hash32::default() {
        TicketExpirationParams {
            creation_round: r.last_initialized_round.saturating_sub(1),
            creation_round_block_hash: r.pre_last_initialized_block_hash,
        }
    } else {
        TicketExpirationParams {
            creation_round: r.last_initialized_round,
            creation_round_block_hash: r.last_initialized_block_hash,
        }
    }
}

/// Issues params and the event that records them.
pub fn issue_params(
    cfg: &IssueConfig,
    secret: &RandSecret,
    i: &IssueInput,
) -> Result<(TicketParams, Event), IssueError> {
    let fv = if i.price.price_per_unit > 0 {
        let max_float = i
            .max_float
            .ok_or_else(|| IssueError::UnknownSender(super::receive::hex_address(&i.sender)))?;
        face_value(cfg, i.gas_price, max_float)?
    } else {
        U256::zero()
    };
    let wp = win_prob(cfg.ev, fv)?;
    let expiration_block = i.last_l1_block.saturating_add(PARAMS_EXPIRATION_BLOCKS);
    let expiration = expiration_params(&i.rounds);
    let rand = recipient_rand(
        secret,
        &RandInputs {
            seed: i.seed,
            sender: i.sender,
            face_value: fv,
            win_prob: wp,
            expiration_block,
            price: i.price,
            expiration,
        },
    );
    let params = TicketParams {
        recipient: i.recipient,
        face_value: fv,
        win_prob: wp,
        recipient_rand_hash: recipient_rand_hash(rand),
        seed: i.seed,
        expiration_block,
        expiration_params: expiration,
    };
    let event = Event::TicketParamsIssued(TicketParamsIssued {
        sender: i.sender,
        recipient_rand_hash: params.recipient_rand_hash,
        face_value: u256_to_wei(fv),
        win_prob: u256_to_wei(wp),
        expiration_block,
        creation: CreationRound {
            round: expiration.creation_round,
            block_hash: expiration.creation_round_block_hash,
        },
        seed: Hash32(be32(i.seed)),
        price: i.price,
    });
    Ok((params, event))
}
