//! The one owner of the node account's nonce. Every transaction goes through [`TxOwner::submit`]:
//! under one lock it estimates the call (a revert is refused here, nothing is signed), picks the
//! gas price within `-minGasPrice`/`-maxGasPrice` and the next nonce (past every recorded one
//! and the chain's pending count), signs, **records the signed bytes** (`TxSigned`, with what the
//! transaction means for a ticket) and only then broadcasts. [`TxOwner::tick`], run by the chain
//! loop, carries every open nonce on: a receipt is recorded (`TxMined`), bytes the chain never
//! saw (a crash before the broadcast) are broadcast again identically, a transaction past
//! `-transactionTimeout` is replaced at a higher price up to `-maxTransactionReplacements` times
//! (both hashes logged), then given up (`TxAbandoned`). All of it is read from the log, so a
//! restart picks up exactly where the node stopped.

use super::{clock::now_ms, writer::Writer};
use crate::chain::{convert, rpc::Rpc, tx, ChainError};
use crate::commands::transactions::{self as rules, OpenStep, TxPolicy};
use crate::events::{Event, Hash32, TxMined, TxPurpose, TxSigned};
use crate::log::LogStore;
use ethers_core::types::{Address, Bytes, H256, U256, U64};
use ethers_signers::{LocalWallet, Signer};
use std::sync::Arc;

/// Why a transaction was not sent.
#[derive(Debug, thiserror::Error)]
pub enum TxError {
    /// The chain refused it (the estimate reverted, with the contract's reason), or the RPC
    /// failed.
    #[error(transparent)]
    Chain(#[from] ChainError),
    /// The operator's limits forbid it now.
    #[error("{0}")]
    Refused(String),
    /// The log could not record it: nothing was broadcast.
    #[error("event log: {0}")]
    Log(String),
}

/// The account's transaction owner.
pub struct TxOwner<S: LogStore> {
    rpc: Rpc,
    wallet: LocalWallet,
    writer: Arc<Writer<S>>,
    policy: TxPolicy,
    lock: tokio::sync::Mutex<()>,
}

impl<S: LogStore> TxOwner<S> {
    /// The owner of `wallet`'s nonce on `rpc`, recording through `writer`.
    pub fn new(rpc: Rpc, wallet: LocalWallet, writer: Arc<Writer<S>>, policy: TxPolicy) -> Self {
        TxOwner {
            rpc,
            wallet,
            writer,
            policy,
            lock: tokio::sync::Mutex::new(()),
        }
    }

    /// The account.
    pub fn address(&self) -> Address {
        self.wallet.address()
    }

    /// The policy in effect: the flags', with the gas price bounds set at runtime (the `config`
    /// projection: `/setMaxGasPrice`, `/setMinGasPrice`).
    pub fn policy(&self) -> TxPolicy {
        use crate::projections::config::{MAX_GAS_PRICE, MIN_GAS_PRICE};
        let mut policy = self.policy.clone();
        self.writer.read(|p| {
            let s = &p.config.state;
            if let Some(v) = s.wei(MAX_GAS_PRICE) {
                policy.max_gas_price = v.map(U256::from);
            }
            if let Some(v) = s.wei(MIN_GAS_PRICE) {
                policy.min_gas_price = v.map(U256::from);
            }
        });
        policy
    }

    /// The account's key (the CLI API's `/signMessage`).
    pub fn wallet(&self) -> &LocalWallet {
        &self.wallet
    }

    /// The node's writer (the projections the CLI API reads).
    pub fn writer(&self) -> &Arc<Writer<S>> {
        &self.writer
    }

    /// The chain connection.
    pub fn rpc(&self) -> &Rpc {
        &self.rpc
    }

    /// Appends `events` through the node's writer.
    pub(crate) async fn record(&self, events: Vec<Event>) -> Result<(), TxError> {
        self.writer
            .append(now_ms(), events)
            .await
            .map(|_| ())
            .map_err(|e| TxError::Log(e.to_string()))
    }

    /// Signs, records and broadcasts `call` for `purpose`; returns its hash. A failed broadcast
    /// is not an error here: the bytes are recorded, and the next tick sends them again.
    pub async fn submit(&self, call: tx::Call, purpose: TxPurpose) -> Result<H256, TxError> {
        let _nonce_owner = self.lock.lock().await;
        let from = self.wallet.address();
        let estimate = self.rpc.estimate(from, &call).await?;
        let policy = self.policy();
        let price =
            rules::gas_price(&policy, self.rpc.gas_price().await?).map_err(TxError::Refused)?;
        let chain_pending = self.rpc.pending_nonce(from).await?;
        self.writer
            .catch_up()
            .map_err(|e| TxError::Log(e.to_string()))?;
        let nonce = self
            .writer
            .read(|p| rules::next_nonce(&p.transactions.state, chain_pending));
        let gas = rules::gas_limit(&policy, estimate);
        let signed = tx::sign(&self.wallet, self.rpc.chain_id(), nonce, &call, gas, price)?;
        let to = call.to.unwrap_or_default();
        self.record(rules::signed(TxSigned {
            nonce,
            hash: convert::hash(signed.hash),
            to: convert::address(to),
            gas_price: convert::wei(price),
            gas_limit: gas,
            raw: signed.raw.to_vec(),
            purpose,
            replaces: None,
        }))
        .await?;
        if let Err(e) = self.rpc.broadcast(signed.raw).await {
            tracing::warn!(
                "transaction {:?} (nonce {nonce}) recorded but not broadcast yet: {e}",
                signed.hash
            );
        }
        Ok(signed.hash)
    }

    /// Carries every open nonce one step on; returns how many events it recorded.
    pub async fn tick(&self) -> Result<usize, TxError> {
        let _nonce_owner = self.lock.lock().await;
        self.writer
            .catch_up()
            .map_err(|e| TxError::Log(e.to_string()))?;
        let open: Vec<(u64, crate::projections::transactions::AtNonce)> = self.writer.read(|p| {
            p.transactions
                .state
                .open()
                .map(|(n, at)| (n, at.clone()))
                .collect()
        });
        if open.is_empty() {
            return Ok(0);
        }
        let mined_nonce = self.rpc.mined_nonce(self.wallet.address()).await?;
        let mut recorded = 0;
        for (nonce, at) in open {
            let Some(latest) = at.latest().cloned() else {
                continue;
            };
            let mut found = None;
            for sent in at.sent.iter().rev() {
                if let Some(r) = self.rpc.receipt(H256(sent.hash.0)).await? {
                    found = Some((sent.purpose.clone(), r));
                    break;
                }
            }
            let events = if let Some((purpose, r)) = found {
                let m = TxMined {
                    nonce,
                    hash: convert::hash(r.transaction_hash),
                    block: r.block_number.map_or(0, |b| b.as_u64()),
                    block_hash: r.block_hash.map(convert::hash).unwrap_or_default(),
                    success: r.status == Some(U64::from(1)),
                    gas_used: r.gas_used.map_or(0, |g| g.low_u64()),
                };
                // A receipt carries no reason: ask the chain why a redemption reverted.
                let why = match (&purpose, m.success) {
                    (TxPurpose::Redeem { .. }, false) => {
                        self.rpc.revert_reason(r.transaction_hash, m.block).await
                    }
                    _ => None,
                };
                if let Some(why) = &why {
                    tracing::warn!("transaction {} reverted: {why}", m.hash);
                }
                rules::mined(&purpose, m, why.as_deref())
            } else {
                let known = self.rpc.knows(H256(latest.hash.0)).await?;
                let suggested = self.rpc.gas_price().await?;
                let step = rules::open_step(
                    &self.policy(),
                    nonce,
                    &at,
                    now_ms(),
                    known,
                    mined_nonce,
                    suggested,
                );
                match step {
                    OpenStep::Wait => Vec::new(),
                    OpenStep::Rebroadcast(raw) => {
                        tracing::info!(
                            "transaction {} (nonce {nonce}) is unknown to the chain: broadcasting the recorded bytes again",
                            latest.hash
                        );
                        if let Err(e) = self.rpc.broadcast(Bytes::from(raw)).await {
                            tracing::warn!("broadcast of {}: {e}", latest.hash);
                        }
                        Vec::new()
                    }
                    OpenStep::Replace(price) => {
                        recorded += self.replace(nonce, &latest, price).await?;
                        Vec::new()
                    }
                    OpenStep::Abandon(reason) => {
                        tracing::warn!(
                            "transaction {} (nonce {nonce}) given up: {reason}",
                            latest.hash
                        );
                        rules::abandoned(&latest.purpose, nonce, latest.hash, reason)
                    }
                }
            };
            recorded += events.len();
            self.record(events).await?;
        }
        Ok(recorded)
    }

    /// Signs `latest` again at `price` (same nonce, call and gas), records it (with the hash
    /// it replaces) and broadcasts it; returns how many events it recorded.
    async fn replace(
        &self,
        nonce: u64,
        latest: &crate::projections::transactions::Sent,
        price: U256,
    ) -> Result<usize, TxError> {
        let decoded: ethers_core::types::Transaction = ethers_core::utils::rlp::decode(&latest.raw)
            .map_err(|e| TxError::Refused(format!("recorded transaction unreadable: {e}")))?;
        let call = tx::Call {
            to: decoded.to,
            data: decoded.input,
            value: decoded.value,
        };
        let signed = tx::sign(
            &self.wallet,
            self.rpc.chain_id(),
            nonce,
            &call,
            latest.gas_limit,
            price,
        )?;
        let hash: Hash32 = convert::hash(signed.hash);
        tracing::info!(
            "transaction {} (nonce {nonce}) not mined in time: replaced by {hash} at gas price {price}",
            latest.hash
        );
        let events = rules::signed(TxSigned {
            nonce,
            hash,
            to: latest.to,
            gas_price: convert::wei(price),
            gas_limit: latest.gas_limit,
            raw: signed.raw.to_vec(),
            purpose: latest.purpose.clone(),
            replaces: Some(latest.hash),
        });
        let n = events.len();
        self.record(events).await?;
        if let Err(e) = self.rpc.broadcast(signed.raw).await {
            tracing::warn!("broadcast of replacement {hash}: {e}");
        }
        Ok(n)
    }

    /// Waits until the transaction `hash` is mined or given up (the chain loop's ticks record
    /// it); `Ok(true)` when it succeeded.
    pub async fn outcome(&self, hash: H256, within: std::time::Duration) -> Result<bool, TxError> {
        let want = convert::hash(hash);
        let deadline = tokio::time::Instant::now() + within;
        loop {
            self.writer
                .catch_up()
                .map_err(|e| TxError::Log(e.to_string()))?;
            let state = self.writer.read(|p| {
                p.transactions
                    .state
                    .by_hash(&want)
                    .map(|(_, at, _)| at.outcome.clone())
            });
            match state {
                Some(Some(crate::projections::transactions::Outcome::Mined {
                    hash,
                    success,
                    ..
                })) => {
                    if success {
                        return Ok(true);
                    }
                    return Err(TxError::Refused(format!(
                        "transaction failed txHash={hash}"
                    )));
                }
                Some(Some(crate::projections::transactions::Outcome::Abandoned { reason })) => {
                    return Err(TxError::Refused(reason))
                }
                _ => {}
            }
            if tokio::time::Instant::now() >= deadline {
                return Err(TxError::Refused(format!(
                    "transaction {want} not mined yet"
                )));
            }
            tokio::time::sleep(std::time::Duration::from_millis(100)).await;
        }
    }
}
