//! The CLI API's chain side (`api::cli::ChainPort`) over the node's account: the chain actions
//! through its one transaction owner (each transaction recorded before it is sent, answered
//! once mined), reads of the account and the protocol by `eth_call`, personal signatures.

use super::cli_chain_reads::word;
use super::txs::TxOwner;
use crate::api::cli::chain_info::{
    ConfigTx, Delegator, ProtocolParameters, TokenPools, Transcoder, UnbondingLock,
};
use crate::api::cli::port::SenderInfo;
use crate::api::cli::{ChainPort, ChainRead, CliError};
use crate::chain::actions::{Action, Contracts, ROUTES};
use crate::chain::{calls, controller::get_contract};
use crate::events::TxPurpose;
use crate::log::LogStore;
use ethers_core::types::{Address, U256};
use ethers_signers::Signer;
use std::collections::BTreeMap;
use std::{sync::Arc, time::Duration};

/// How long an action waits for each of its transactions to be mined.
pub const ACTION_TIMEOUT: Duration = Duration::from_secs(120);

/// The CLI API over a node's account.
pub struct CliChain<S: LogStore> {
    /// The transaction owner.
    pub txs: Arc<TxOwner<S>>,
    /// The contracts.
    pub contracts: Contracts,
}

impl<S: LogStore> CliChain<S> {
    /// `eth_call` of `sig(args)` on `to`: the answer's bytes.
    pub(super) async fn call(
        &self,
        to: Address,
        sig: &str,
        args: &[ethers_core::abi::Token],
    ) -> Result<Vec<u8>, String> {
        let data = calls::calldata(sig, args).map_err(|e| e.to_string())?;
        let out = self
            .txs
            .rpc()
            .call(to, data)
            .await
            .map_err(|e| e.to_string())?;
        Ok(out.to_vec())
    }
}

#[tonic::async_trait]
impl<S: LogStore> ChainPort for CliChain<S> {
    async fn action(
        &self,
        route: &str,
        form: &BTreeMap<String, String>,
    ) -> Result<Vec<String>, CliError> {
        if !ROUTES.contains(&route) {
            return Err(CliError::NotFound);
        }
        let mut action = Action::from_form(route, form).map_err(CliError::BadRequest)?;
        let prefix = match route {
            "claimEarnings" => "Error claiming earnings: ",
            "requestTokens" => "Error requesting tokens from faucet: ",
            _ => "",
        };
        let failed = |e: String| CliError::Failed(format!("{prefix}{e}"));
        match action {
            Action::ClaimEarnings(_) => action = Action::ClaimEarnings(self.claim_round().await?),
            Action::RequestTokens => self.faucet_ready().await?,
            _ => {}
        }
        let name = action.route().to_string();
        let calls = action
            .calls(&self.contracts, self.txs.address())
            .map_err(|e| failed(e.to_string()))?;
        // `/vote` words its failures as the reference's `voteHandler`.
        let error = |stage: &str, e: String| match (route, stage) {
            ("vote", _) => {
                CliError::Failed(format!("unable to {stage} vote transaction err={e:?}"))
            }
            (_, "mine") => failed(format!("{name}: {e}")),
            _ => failed(e),
        };
        let mut hashes = Vec::new();
        for call in calls {
            let purpose = TxPurpose::Action { name: name.clone() };
            let hash = self
                .txs
                .submit(call, purpose)
                .await
                .map_err(|e| error("submit", e.to_string()))?;
            tracing::info!("{name}: transaction {hash:?} sent");
            self.txs
                .outcome(hash, ACTION_TIMEOUT)
                .await
                .map_err(|e| error("mine", e.to_string()))?;
            hashes.push(format!("{hash:?}"));
        }
        Ok(hashes)
    }

    fn eth_addr(&self) -> String {
        ethers_core::utils::to_checksum(&self.txs.address(), None)
    }

    async fn read(&self, what: ChainRead) -> Result<String, String> {
        let me = self.txs.address();
        let c = &self.contracts;
        let v = match what {
            ChainRead::EthBalance => self
                .txs
                .rpc()
                .balance(me)
                .await
                .map_err(|e| e.to_string())?,
            ChainRead::TokenBalance => word(
                &self
                    .call(c.token, "balanceOf(address)", &[calls::address(me)])
                    .await?,
                0,
            )?,
            ChainRead::CurrentRound => word(
                &self.call(c.rounds_manager, "currentRound()", &[]).await?,
                0,
            )?,
            ChainRead::UnlockPeriod => {
                word(&self.call(c.ticket_broker, "unlockPeriod()", &[]).await?, 0)?
            }
            ChainRead::RoundInitialized => {
                let v = self
                    .uint(c.rounds_manager, "currentRoundInitialized()", &[])
                    .await?;
                return Ok((!v.is_zero()).to_string());
            }
        };
        Ok(v.to_string())
    }

    async fn sender_info(&self) -> Result<SenderInfo, String> {
        let me = self.txs.address();
        let out = self
            .call(
                self.contracts.ticket_broker,
                "getSenderInfo(address)",
                &[calls::address(me)],
            )
            .await?;
        Ok(SenderInfo {
            deposit: word(&out, 0)?.to_string(),
            withdraw_round: word(&out, 1)?.to_string(),
            funds_remaining: word(&out, 2)?.to_string(),
            claimed_in_current_round: word(&out, 3)?.to_string(),
        })
    }

    async fn contract_addresses(&self) -> BTreeMap<String, String> {
        let c = &self.contracts;
        let mut m: BTreeMap<String, Address> = [
            ("Controller", self.contracts.controller),
            ("LivepeerToken", c.token),
            ("TicketBroker", c.ticket_broker),
            ("RoundsManager", c.rounds_manager),
            ("BondingManager", c.bonding_manager),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        for name in ["LivepeerTokenFaucet", "Minter"] {
            let a = get_contract(self.txs.rpc(), self.contracts.controller, name)
                .await
                .unwrap_or_default();
            m.insert(name.into(), a);
        }
        // go-ethereum's `common.Address` marshals as lower-case hex (`MarshalText`).
        m.into_iter()
            .map(|(k, v)| (k, format!("0x{}", hex::encode(v.0))))
            .collect()
    }

    async fn sign(&self, message: &[u8]) -> Result<Vec<u8>, String> {
        let sig = self
            .txs
            .wallet()
            .sign_message(message)
            .await
            .map_err(|e| e.to_string())?;
        Ok(sig.to_vec())
    }

    async fn sign_hash(&self, hash: [u8; 32]) -> Result<Vec<u8>, String> {
        let sig = self
            .txs
            .wallet()
            .sign_hash(hash.into())
            .map_err(|e| e.to_string())?;
        Ok(sig.to_vec())
    }

    async fn transcoder(&self) -> Result<Transcoder, String> {
        self.transcoder_at(self.txs.address()).await
    }

    async fn transcoder_pool(&self) -> Result<Vec<Transcoder>, String> {
        self.pool().await
    }

    async fn delegator(&self) -> Result<Delegator, String> {
        self.delegator_of(self.txs.address()).await
    }

    async fn earnings_pool(&self, round: u64) -> Result<TokenPools, String> {
        self.earnings_pool_of(self.txs.address(), round).await
    }

    async fn protocol_parameters(&self) -> Result<ProtocolParameters, String> {
        self.params().await
    }

    async fn unbonding_locks(&self, withdrawable: bool) -> Result<Vec<UnbondingLock>, String> {
        self.locks(withdrawable).await
    }

    async fn send_config(&self, tx: ConfigTx) -> Result<String, String> {
        let (sig, args, to) = match &tx {
            ConfigTx::Rates {
                reward_cut,
                fee_share,
            } => (
                "transcoder(uint256,uint256)",
                vec![calls::uint(*reward_cut), calls::uint(*fee_share)],
                self.contracts.bonding_manager,
            ),
            ConfigTx::ServiceUri(uri) => (
                "setServiceURI(string)",
                vec![ethers_core::abi::Token::String(uri.clone())],
                self.contracts.service_registry,
            ),
        };
        let data = calls::calldata(sig, &args).map_err(|e| e.to_string())?;
        let call = crate::chain::tx::Call::new(to, data, U256::zero());
        let purpose = TxPurpose::Action {
            name: "setOrchestratorConfig".into(),
        };
        let hash = self
            .txs
            .submit(call, purpose)
            .await
            .map_err(|e| e.to_string())?;
        self.txs
            .outcome(hash, ACTION_TIMEOUT)
            .await
            .map_err(|e| e.to_string())?;
        Ok(format!("{hash:?}"))
    }
}

impl<S: LogStore> CliChain<S> {
    /// `/claimEarnings`' end round: the current one, once it is initialised.
    async fn claim_round(&self) -> Result<U256, CliError> {
        let failed = |e: String| CliError::Failed(format!("Error claiming earnings: {e}"));
        let rm = self.contracts.rounds_manager;
        let init = self
            .uint(rm, "currentRoundInitialized()", &[])
            .await
            .map_err(failed)?;
        if init.is_zero() {
            return Err(failed("Round not initialized".into()));
        }
        self.uint(rm, "currentRound()", &[]).await.map_err(failed)
    }

    /// `/requestTokens` refuses before the faucet's next valid request time.
    async fn faucet_ready(&self) -> Result<(), CliError> {
        let f = CliError::Failed;
        let me = [calls::address(self.txs.address())];
        let next = self
            .uint(self.contracts.faucet, "nextValidRequest(address)", &me)
            .await
            .map_err(|e| {
                f(format!(
                    "Unable to get the time for the next valid request from faucet: {e}"
                ))
            })?
            .low_u64();
        let now = self
            .txs
            .rpc()
            .latest_time()
            .await
            .map_err(|e| f(format!("Unable to get latest block: {e}")))?;
        if next != 0 && next > now {
            return Err(f(format!(
                "Error requesting tokens from faucet: can only request tokens once every hour, please wait {} more minutes",
                (next - now) / 60
            )));
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_api_knows_every_chain_action() {
        assert_eq!(
            crate::api::cli::chain::ACTIONS,
            crate::chain::actions::ROUTES
        );
    }
}
