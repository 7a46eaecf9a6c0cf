//! The CLI API's chain records (`api::cli::chain_info`) read for the node's account: an
//! orchestrator's and a delegator's state and the protocol's parameters by `eth_call` (as
//! go-livepeer's `eth/client.go` assembles them), the registered pool walked in the
//! BondingManager's order with each orchestrator's price from the `orchestrators` projection,
//! and the account's unbonding locks from the `unbonding` projection, completed from the chain
//! for ids the log has not seen (locks made before the node watched the account).

use super::cli_chain::CliChain;
use crate::api::cli::chain_info::{
    delegator_status, transcoder_status, Delegator, ProtocolParameters, TokenPools, Transcoder,
    UnbondingLock,
};
use crate::chain::{calls, controller::get_contract};
use crate::log::LogStore;
use ethers_core::abi::{decode, ParamType, Token};
use ethers_core::types::{Address, U256};
use std::collections::BTreeMap;

/// The `i`th 32-byte word of an answer.
pub(super) fn word(out: &[u8], i: usize) -> Result<U256, String> {
    out.get(i * 32..(i + 1) * 32)
        .map(U256::from_big_endian)
        .ok_or_else(|| format!("{} bytes of answer", out.len()))
}

fn hex(a: Address) -> String {
    format!("{a:?}")
}

fn word_address(out: &[u8], i: usize) -> Result<Address, String> {
    let w = word(out, i)?;
    let mut b = [0u8; 32];
    w.to_big_endian(&mut b);
    Ok(Address::from_slice(&b[12..]))
}

impl<S: LogStore> CliChain<S> {
    /// One uint answer of `sig` on `to`.
    pub(super) async fn uint(
        &self,
        to: Address,
        sig: &str,
        args: &[Token],
    ) -> Result<U256, String> {
        word(&self.call(to, sig, args).await?, 0)
    }

    async fn at(&self, name: &str) -> Result<Address, String> {
        get_contract(self.txs.rpc(), self.contracts.controller, name)
            .await
            .map_err(|e| e.to_string())
    }

    /// `GetTranscoder(addr)`: its BondingManager record, status, stake, activity and URI.
    pub(super) async fn transcoder_at(&self, addr: Address) -> Result<Transcoder, String> {
        let bm = self.contracts.bonding_manager;
        let a = [calls::address(addr)];
        let t = self.call(bm, "getTranscoder(address)", &a).await?;
        let status = self.uint(bm, "transcoderStatus(address)", &a).await?;
        let status = transcoder_status(status.low_u64())
            .filter(|_| status < U256::from(256))
            .ok_or("unknown transcoder status")?;
        let stake = self.uint(bm, "transcoderTotalStake(address)", &a).await?;
        let active = self.uint(bm, "isActiveTranscoder(address)", &a).await?;
        let uri = self
            .call(
                self.contracts.service_registry,
                "getServiceURI(address)",
                &a,
            )
            .await?;
        let uri = match decode(&[ParamType::String], &uri).map_err(|e| e.to_string())?[..] {
            [Token::String(ref s)] => s.clone(),
            _ => String::new(),
        };
        let w = |i| word(&t, i).map(|v| v.to_string());
        Ok(Transcoder {
            address: hex(addr),
            service_uri: uri,
            last_reward_round: w(0)?,
            reward_cut: w(1)?,
            fee_share: w(2)?,
            last_active_stake_update_round: w(3)?,
            activation_round: w(4)?,
            deactivation_round: w(5)?,
            delegated_stake: stake.to_string(),
            active: !active.is_zero(),
            status: status.into(),
            price_per_pixel: None,
        })
    }

    /// `TranscoderPool()`: the pool in order, each with the price it was last seen advertising
    /// (0 when the node has not seen it).
    pub(super) async fn pool(&self) -> Result<Vec<Transcoder>, String> {
        let bm = self.contracts.bonding_manager;
        let prices: BTreeMap<[u8; 20], crate::events::Price> = self.txs.writer().read(|p| {
            p.orchestrators
                .state
                .known
                .iter()
                .map(|(a, (o, _))| (a.0, o.price))
                .collect()
        });
        let mut out = Vec::new();
        let first = self.call(bm, "getFirstTranscoderInPool()", &[]).await?;
        let mut next = word_address(&first, 0)?;
        while !next.is_zero() && out.len() < 1000 {
            let mut t = self.transcoder_at(next).await?;
            let zero = crate::events::Price {
                price_per_unit: 0,
                pixels_per_unit: 1,
            };
            let seen = prices.get(&next.0).filter(|p| p.pixels_per_unit > 0);
            t.price_per_pixel = Some(seen.copied().unwrap_or(zero));
            out.push(t);
            let a = [calls::address(next)];
            next = word_address(
                &self
                    .call(bm, "getNextTranscoderInPool(address)", &a)
                    .await?,
                0,
            )?;
        }
        Ok(out)
    }

    /// `GetDelegator(me)`; a pending amount the contract does not answer is -1.
    /// `GetTranscoderEarningsPoolForRound(addr, round)`.
    pub(super) async fn earnings_pool_of(
        &self,
        addr: Address,
        round: u64,
    ) -> Result<TokenPools, String> {
        let bm = self.contracts.bonding_manager;
        let a = [calls::address(addr), Token::Uint(U256::from(round))];
        let sig = "getTranscoderEarningsPoolForRound(address,uint256)";
        let out = self.call(bm, sig, &a).await?;
        let w = |i| word(&out, i).map(|v| v.to_string());
        Ok(TokenPools {
            total_stake: w(0)?,
            transcoder_reward_cut: w(1)?,
            transcoder_fee_share: w(2)?,
            cumulative_reward_factor: w(3)?,
            cumulative_fee_factor: w(4)?,
        })
    }

    pub(super) async fn delegator_of(&self, me: Address) -> Result<Delegator, String> {
        let bm = self.contracts.bonding_manager;
        let a = [calls::address(me)];
        let d = self.call(bm, "getDelegator(address)", &a).await?;
        let status = self.uint(bm, "delegatorStatus(address)", &a).await?;
        let status = delegator_status(status.low_u64())
            .filter(|_| status < U256::from(256))
            .ok_or("unknown delegator status")?;
        let round = self
            .uint(self.contracts.rounds_manager, "currentRound()", &[])
            .await?;
        let pending = |out: Vec<u8>| word(&out, 0).map_or("-1".to_string(), |v| v.to_string());
        let ar = [calls::address(me), calls::uint(round)];
        let stake = self.call(bm, "pendingStake(address,uint256)", &ar).await?;
        let fees = self.call(bm, "pendingFees(address,uint256)", &ar).await?;
        let w = |i| word(&d, i).map(|v| v.to_string());
        Ok(Delegator {
            address: hex(me),
            bonded_amount: w(0)?,
            fees: w(1)?,
            delegate_address: hex(word_address(&d, 2)?),
            delegated_amount: w(3)?,
            start_round: w(4)?,
            last_claim_round: w(5)?,
            next_unbonding_lock_id: w(6)?,
            pending_stake: pending(stake),
            pending_fees: pending(fees),
            status: status.into(),
        })
    }

    /// The protocol's parameters; the total supply is the token's on L1 (chain 1 or 4), the
    /// Minter's global supply elsewhere.
    pub(super) async fn params(&self) -> Result<ProtocolParameters, String> {
        let c = &self.contracts;
        let (bm, rm) = (c.bonding_manager, c.rounds_manager);
        let minter = self.at("Minter").await?;
        let s = |v: U256| v.to_string();
        let l1 = matches!(self.txs.rpc().chain_id(), 1 | 4);
        let total_supply = if l1 {
            self.uint(c.token, "totalSupply()", &[]).await?
        } else {
            self.uint(minter, "getGlobalTotalSupply()", &[]).await?
        };
        Ok(ProtocolParameters {
            num_active_transcoders: s(self.uint(bm, "getTranscoderPoolMaxSize()", &[]).await?),
            round_length: s(self.uint(rm, "roundLength()", &[]).await?),
            round_lock_amount: s(self.uint(rm, "roundLockAmount()", &[]).await?),
            unbonding_period: self.uint(bm, "unbondingPeriod()", &[]).await?.low_u64(),
            inflation: s(self.uint(minter, "inflation()", &[]).await?),
            inflation_change: s(self.uint(minter, "inflationChange()", &[]).await?),
            target_bonding_rate: s(self.uint(minter, "targetBondingRate()", &[]).await?),
            total_bonded: s(self.uint(bm, "getTotalBonded()", &[]).await?),
            total_supply: s(total_supply),
            paused: !self.uint(c.controller, "paused()", &[]).await?.is_zero(),
        })
    }

    /// The account's unused unbonding locks by id (only those withdrawable in the current
    /// round, when asked).
    pub(super) async fn locks(&self, withdrawable: bool) -> Result<Vec<UnbondingLock>, String> {
        let me = self.txs.address();
        let mut known: BTreeMap<u64, Option<(U256, u64)>> = self.txs.writer().read(|p| {
            p.unbonding
                .state
                .locks
                .iter()
                .filter(|((d, _), _)| d.0 == me.0)
                .map(|((_, id), l)| {
                    let open =
                        (!l.closed).then(|| (U256::from_big_endian(&l.amount.0), l.withdraw_round));
                    (*id, open)
                })
                .collect()
        });
        let bm = self.contracts.bonding_manager;
        let d = self
            .call(bm, "getDelegator(address)", &[calls::address(me)])
            .await?;
        let next = word(&d, 6)?.min(U256::from(10_000)).low_u64();
        let missing: Vec<u64> = (0..next).filter(|id| !known.contains_key(id)).collect();
        for id in missing {
            let args = [calls::address(me), calls::uint(id)];
            let l = self
                .call(bm, "getDelegatorUnbondingLock(address,uint256)", &args)
                .await?;
            let (amount, round) = (word(&l, 0)?, word(&l, 1)?);
            known.insert(id, (!round.is_zero()).then(|| (amount, round.low_u64())));
        }
        let now = if withdrawable {
            let rm = self.contracts.rounds_manager;
            Some(self.uint(rm, "currentRound()", &[]).await?.low_u64())
        } else {
            None
        };
        Ok(known
            .into_iter()
            .filter_map(|(id, l)| l.map(|(a, r)| (id, a, r)))
            .filter(|(_, _, r)| now.is_none_or(|now| *r <= now))
            .map(|(id, amount, withdraw_round)| UnbondingLock {
                id,
                delegator: hex(me),
                amount: amount.to_string(),
                withdraw_round,
            })
            .collect())
    }
}
