//! What the chain read routes answer, in go-livepeer's JSON shapes: `lpTypes.Transcoder`
//! (`/orchestratorInfo`, `/registeredOrchestrators`), `lpTypes.Delegator` (`/delegatorInfo`),
//! `lpTypes.ProtocolParameters` (`/protocolParameters`), `common.DBUnbondingLock`
//! (`/unbondingLocks`) and `lpTypes.TokenPools` (`/orchestratorEarningPoolsForRound`). Numbers are decimal texts (Go's `*big.Int`: any size, `null` when
//! absent); addresses are lower-case hex as go-ethereum's `common.Address` marshals them.

use super::json::{rat, Obj};
use crate::events::Price;

/// A registered orchestrator (`lpTypes.Transcoder`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Transcoder {
    /// Its account, `0x` lower-case hex.
    pub address: String,
    /// Its ServiceRegistry URI.
    pub service_uri: String,
    /// The last round it called reward.
    pub last_reward_round: String,
    /// Its reward cut, millionths.
    pub reward_cut: String,
    /// Its fee share, millionths.
    pub fee_share: String,
    /// Its total stake.
    pub delegated_stake: String,
    /// The round it became active.
    pub activation_round: String,
    /// The round it stops being active.
    pub deactivation_round: String,
    /// The last round its active stake changed.
    pub last_active_stake_update_round: String,
    /// Active in the current round.
    pub active: bool,
    /// `Registered` or `Not Registered`.
    pub status: String,
    /// Its advertised price (`/registeredOrchestrators`; `None`: `null`).
    pub price_per_pixel: Option<Price>,
}

/// The transcoder status names of `ParseTranscoderStatus`.
pub fn transcoder_status(code: u64) -> Option<&'static str> {
    match code {
        0 => Some("Not Registered"),
        1 => Some("Registered"),
        _ => None,
    }
}

/// The delegator status names of `ParseDelegatorStatus`.
pub fn delegator_status(code: u64) -> Option<&'static str> {
    match code {
        0 => Some("Pending"),
        1 => Some("Bonded"),
        2 => Some("Unbonded"),
        _ => None,
    }
}

impl Transcoder {
    /// Its JSON object.
    pub fn json(&self) -> String {
        Obj::new()
            .str("Address", &self.address)
            .str("ServiceURI", &self.service_uri)
            .num("LastRewardRound", &self.last_reward_round)
            .num("RewardCut", &self.reward_cut)
            .num("FeeShare", &self.fee_share)
            .num("DelegatedStake", &self.delegated_stake)
            .num("ActivationRound", &self.activation_round)
            .num("DeactivationRound", &self.deactivation_round)
            .num(
                "LastActiveStakeUpdateRound",
                &self.last_active_stake_update_round,
            )
            .raw("Active", self.active.to_string())
            .str("Status", &self.status)
            .raw("PricePerPixel", rat(self.price_per_pixel.as_ref()))
            .text()
    }
}

/// The node's account as a delegator (`lpTypes.Delegator`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Delegator {
    /// The account.
    pub address: String,
    /// Bonded LPT.
    pub bonded_amount: String,
    /// Fees collected.
    pub fees: String,
    /// The orchestrator it is bonded to.
    pub delegate_address: String,
    /// Stake delegated to it.
    pub delegated_amount: String,
    /// The round its bond started.
    pub start_round: String,
    /// The last round it claimed earnings.
    pub last_claim_round: String,
    /// Its next unbonding lock's id.
    pub next_unbonding_lock_id: String,
    /// Stake including unclaimed rewards (`-1`: the contract did not say).
    pub pending_stake: String,
    /// Fees including unclaimed ones (`-1`: the contract did not say).
    pub pending_fees: String,
    /// `Pending`, `Bonded` or `Unbonded`.
    pub status: String,
}

impl Delegator {
    /// Its JSON object.
    pub fn json(&self) -> String {
        Obj::new()
            .str("Address", &self.address)
            .num("BondedAmount", &self.bonded_amount)
            .num("Fees", &self.fees)
            .str("DelegateAddress", &self.delegate_address)
            .num("DelegatedAmount", &self.delegated_amount)
            .num("StartRound", &self.start_round)
            .num("LastClaimRound", &self.last_claim_round)
            .num("NextUnbondingLockId", &self.next_unbonding_lock_id)
            .num("PendingStake", &self.pending_stake)
            .num("PendingFees", &self.pending_fees)
            .str("Status", &self.status)
            .text()
    }
}

/// The protocol's parameters (`lpTypes.ProtocolParameters`; the fields of the retired
/// verification protocol stay `null`/zero as the reference leaves them).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct ProtocolParameters {
    /// The active set's size.
    pub num_active_transcoders: String,
    /// Blocks per round.
    pub round_length: String,
    /// The share of a round that is locked, millionths.
    pub round_lock_amount: String,
    /// Rounds an unbonding lock waits.
    pub unbonding_period: u64,
    /// Inflation per round, billionths.
    pub inflation: String,
    /// Its change per round, billionths.
    pub inflation_change: String,
    /// The bonding rate inflation aims at, billionths.
    pub target_bonding_rate: String,
    /// LPT bonded.
    pub total_bonded: String,
    /// LPT in existence.
    pub total_supply: String,
    /// The Controller is paused.
    pub paused: bool,
}

impl ProtocolParameters {
    /// Its JSON object.
    pub fn json(&self) -> String {
        let null = "null";
        Obj::new()
            .num("NumActiveTranscoders", &self.num_active_transcoders)
            .num("RoundLength", &self.round_length)
            .num("RoundLockAmount", &self.round_lock_amount)
            .raw("UnbondingPeriod", self.unbonding_period.to_string())
            .raw("VerificationRate", "0")
            .raw("VerificationPeriod", null)
            .raw("SlashingPeriod", null)
            .raw("FailedVerificationSlashAmount", null)
            .raw("MissedVerificationSlashAmount", null)
            .raw("DoubleClaimSegmentSlashAmount", null)
            .raw("FinderFee", null)
            .num("Inflation", &self.inflation)
            .num("InflationChange", &self.inflation_change)
            .num("TargetBondingRate", &self.target_bonding_rate)
            .str("VerificationCodeHash", "")
            .num("TotalBonded", &self.total_bonded)
            .num("TotalSupply", &self.total_supply)
            .raw("Paused", self.paused.to_string())
            .text()
    }
}

/// One pending unbonding lock (`common.DBUnbondingLock`).
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct UnbondingLock {
    /// Its id.
    pub id: u64,
    /// The delegator.
    pub delegator: String,
    /// LPT unbonding.
    pub amount: String,
    /// The round it can be withdrawn.
    pub withdraw_round: u64,
}

impl UnbondingLock {
    /// Its JSON object.
    pub fn json(&self) -> String {
        Obj::new()
            .raw("ID", self.id.to_string())
            .str("Delegator", &self.delegator)
            .num("Amount", &self.amount)
            .raw("WithdrawRound", self.withdraw_round.to_string())
            .text()
    }
}

/// A JSON array of `items`.
pub fn array(items: impl IntoIterator<Item = String>) -> String {
    format!("[{}]", items.into_iter().collect::<Vec<_>>().join(","))
}

/// A change `/setOrchestratorConfig` sends to the chain.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum ConfigTx {
    /// `transcoder(rewardCut, feeShare)`, millionths.
    Rates {
        /// Reward cut.
        reward_cut: u64,
        /// Fee share.
        fee_share: u64,
    },
    /// `setServiceURI(uri)`.
    ServiceUri(String),
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shapes_are_the_references() {
        let t = Transcoder {
            address: "0xab".into(),
            status: "Registered".into(),
            reward_cut: "100000".into(),
            ..Transcoder::default()
        };
        let j: serde_json::Value = serde_json::from_str(&t.json()).unwrap_or_default();
        assert_eq!(j["RewardCut"], 100000);
        assert_eq!(j["LastRewardRound"], serde_json::Value::Null);
        assert_eq!(j["PricePerPixel"], serde_json::Value::Null);
        let p = ProtocolParameters::default().json();
        assert!(p.starts_with(r#"{"NumActiveTranscoders":null,"#), "{p}");
        assert!(p.ends_with(r#""TotalSupply":null,"Paused":false}"#), "{p}");
        let l = UnbondingLock {
            id: 2,
            delegator: "0xcd".into(),
            amount: "5".into(),
            withdraw_round: 9,
        };
        assert_eq!(
            array([l.json()]),
            r#"[{"ID":2,"Delegator":"0xcd","Amount":5,"WithdrawRound":9}]"#
        );
        assert_eq!(array(Vec::new()), "[]");
    }
}

/// go-livepeer's `lpTypes.TokenPools`: an orchestrator's earnings pool for a round
/// (`/orchestratorEarningPoolsForRound`), decimal.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct TokenPools {
    /// `TotalStake`.
    pub total_stake: String,
    /// `TranscoderRewardCut`.
    pub transcoder_reward_cut: String,
    /// `TranscoderFeeShare`.
    pub transcoder_fee_share: String,
    /// `CumulativeRewardFactor`.
    pub cumulative_reward_factor: String,
    /// `CumulativeFeeFactor`.
    pub cumulative_fee_factor: String,
}

impl TokenPools {
    /// Go's JSON (`*big.Int` fields as numbers).
    pub fn json(&self) -> String {
        Obj::new()
            .num("TotalStake", &self.total_stake)
            .num("TranscoderRewardCut", &self.transcoder_reward_cut)
            .num("TranscoderFeeShare", &self.transcoder_fee_share)
            .num("CumulativeRewardFactor", &self.cumulative_reward_factor)
            .num("CumulativeFeeFactor", &self.cumulative_fee_factor)
            .text()
    }
}
