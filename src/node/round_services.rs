//! The round services of an O on a chain, run by its chain loop: `reward` once per round while
//! its account is an active orchestrator (`-reward`), and round initialisation
//! (`-initializeRound`) after a random delay drawn here and recorded (`RoundInitScheduled`).
//! The rules are `commands::round_services`; this file reads the chain, draws, records and sends.

use super::{clock::now_ms, txs::TxError, txs::TxOwner, writer::Writer};
use crate::chain::{calls, tx::Call, ChainError};
use crate::commands::round_services::{init_step, reward_due, InitStep};
use crate::events::{Address, TxPurpose};
use crate::log::LogStore;
use ethers_core::types::U256;
use rand::Rng;
use std::sync::{Arc, Mutex, PoisonError};

/// The services' settings and state.
pub struct RoundServices<S: LogStore> {
    /// The account's transaction owner.
    pub txs: Arc<TxOwner<S>>,
    /// The node's writer.
    pub writer: Arc<Writer<S>>,
    /// `-reward`.
    pub reward: Option<bool>,
    /// `-initializeRound`: the longest delay, in ms.
    pub initialize_max_delay_ms: Option<u64>,
    /// The BondingManager and RoundsManager.
    pub contracts: crate::chain::actions::Contracts,
    /// The last round a reward was attempted in (a throttle, not state of record: a refused
    /// estimate is tried again next round, or after a restart).
    pub tried_reward: Mutex<u64>,
}

impl<S: LogStore> RoundServices<S> {
    /// The services `-reward`, `-initializeRound` and `-initializeRoundMaxDelay` ask for, sending
    /// through `chain`'s transaction owner.
    pub fn configured(
        chain: &super::chain_loop::ChainLoop<S>,
        writer: Arc<Writer<S>>,
        args: &super::args::NodeArgs,
    ) -> Result<Self, String> {
        let max_delay = super::args::go_duration(&args.initialize_round_max_delay)
            .map_err(|e| format!("-initializeRoundMaxDelay: {e}"))?;
        Ok(RoundServices {
            txs: chain.txs.clone(),
            writer,
            reward: args.reward,
            initialize_max_delay_ms: args
                .initialize_round
                .then_some(max_delay.as_millis() as u64),
            contracts: chain.contracts,
            tried_reward: Default::default(),
        })
    }

    /// One pass, after the chain loop's poll.
    pub async fn tick(&self) -> Result<(), TxError> {
        self.writer
            .catch_up()
            .map_err(|e| TxError::Log(e.to_string()))?;
        let me = Address(self.txs.address().0);
        if let Some(round) = self.writer.read(|p| reward_due(p, me, self.reward)) {
            let first = {
                let mut tried = self
                    .tried_reward
                    .lock()
                    .unwrap_or_else(PoisonError::into_inner);
                std::mem::replace(&mut *tried, round) != round
            };
            if first {
                let call = Call::new(
                    self.contracts.bonding_manager,
                    calls::calldata("reward()", &[])?,
                    U256::zero(),
                );
                match self.txs.submit(call, TxPurpose::Reward { round }).await {
                    Ok(hash) => tracing::info!("reward for round {round}: transaction {hash:?}"),
                    Err(e) => tracing::warn!("reward for round {round} not sent: {e}"),
                }
            }
        }
        if let Some(max) = self.initialize_max_delay_ms {
            self.initialize(max).await?;
        }
        Ok(())
    }

    async fn word(&self, signature: &str) -> Result<U256, ChainError> {
        let out = self
            .txs
            .rpc()
            .call(
                self.contracts.rounds_manager,
                calls::calldata(signature, &[])?,
            )
            .await?;
        Ok(U256::from_big_endian(out.get(..32).unwrap_or_default()))
    }

    async fn initialize(&self, max_ms: u64) -> Result<(), TxError> {
        if !self.word("currentRoundInitialized()").await?.is_zero() {
            return Ok(());
        }
        let current = self.word("currentRound()").await?.low_u64();
        let draw = rand::thread_rng().gen_range(0..=max_ms);
        let step = self
            .writer
            .read(|p| init_step(p, current, false, now_ms(), draw));
        match step {
            InitStep::Wait => {}
            InitStep::Schedule(e) => {
                tracing::info!("round {current} is not initialised: initialising it in {draw} ms");
                self.writer
                    .append(now_ms(), vec![crate::events::Event::RoundInitScheduled(e)])
                    .await
                    .map_err(|e| TxError::Log(e.to_string()))?;
            }
            InitStep::Send(round) => {
                let call = Call::new(
                    self.contracts.rounds_manager,
                    calls::calldata("initializeRound()", &[])?,
                    U256::zero(),
                );
                match self
                    .txs
                    .submit(call, TxPurpose::InitializeRound { round })
                    .await
                {
                    Ok(hash) => tracing::info!("initializing round {round}: transaction {hash:?}"),
                    Err(e) => tracing::warn!("round {round} not initialised by us: {e}"),
                }
            }
        }
        Ok(())
    }
}
