//! A JSON-RPC client of an Ethereum node (ethers' HTTP provider, polling every 50 ms): locally
//! signed transactions with the sender's pending nonce and an estimated gas limit (+25 %), calls,
//! and the devchain's own methods (`anvil_mine`, `evm_snapshot`, `evm_revert`). A revert comes
//! back as a [`ChainError::Reverted`] carrying the node's reason.

use super::ChainError;
use ethers_core::types::{
    transaction::eip2718::TypedTransaction, Address, BlockNumber, Bytes, Filter, Log,
    TransactionReceipt, TransactionRequest, H256, U256, U64,
};
use ethers_providers::{Http, Middleware, Provider};
use ethers_signers::{LocalWallet, Signer};
use std::time::Duration;

/// How often a pending transaction is polled.
pub const POLL: Duration = Duration::from_millis(50);

/// A connection to an Ethereum node.
#[derive(Clone, Debug)]
pub struct Rpc {
    provider: Provider<Http>,
    chain_id: u64,
}

fn rpc_err(e: impl std::fmt::Display) -> ChainError {
    let text = e.to_string();
    match text.split_once("execution reverted") {
        Some((_, reason)) => {
            // `execution reverted: <reason>, data: Some(...)` from ethers: the reason alone.
            let reason = reason.split(", data:").next().unwrap_or_default();
            ChainError::Reverted(
                reason
                    .trim_start_matches(':')
                    .trim()
                    .trim_end_matches(')')
                    .trim_matches('"')
                    .to_string(),
            )
        }
        None => ChainError::Rpc(text),
    }
}

impl Rpc {
    /// Connects to `url` and reads the chain id.
    pub async fn connect(url: &str) -> Result<Rpc, ChainError> {
        let provider = Provider::<Http>::try_from(url)
            .map_err(|e| ChainError::Rpc(format!("{url}: {e}")))?
            .interval(POLL);
        let chain_id = provider.get_chainid().await.map_err(rpc_err)?.as_u64();
        Ok(Rpc { provider, chain_id })
    }

    /// The chain id.
    pub fn chain_id(&self) -> u64 {
        self.chain_id
    }

    /// The latest block number.
    pub async fn block_number(&self) -> Result<u64, ChainError> {
        Ok(self
            .provider
            .get_block_number()
            .await
            .map_err(rpc_err)?
            .as_u64())
    }

    /// The latest block's timestamp, seconds.
    pub async fn latest_time(&self) -> Result<u64, ChainError> {
        let b = self
            .provider
            .get_block(ethers_core::types::BlockNumber::Latest)
            .await
            .map_err(rpc_err)?
            .ok_or_else(|| ChainError::Rpc("no latest block".into()))?;
        Ok(b.timestamp.low_u64())
    }

    /// `eth_call` of `data` on `to` at the latest block.
    pub async fn call(&self, to: Address, data: Bytes) -> Result<Bytes, ChainError> {
        let tx: TypedTransaction = TransactionRequest::new().to(to).data(data).into();
        self.provider.call(&tx, None).await.map_err(rpc_err)
    }

    /// `eth_call` of `data` on `to` in the state after block `block`.
    pub async fn call_at(&self, to: Address, data: Bytes, block: u64) -> Result<Bytes, ChainError> {
        let tx: TypedTransaction = TransactionRequest::new().to(to).data(data).into();
        self.provider
            .call(&tx, Some(BlockNumber::Number(block.into()).into()))
            .await
            .map_err(rpc_err)
    }

    /// An account's ETH balance.
    pub async fn balance(&self, of: Address) -> Result<U256, ChainError> {
        self.provider.get_balance(of, None).await.map_err(rpc_err)
    }

    /// Signs and sends a transaction from `from` (to `to`, or a contract creation) at the
    /// account's pending nonce and the node's gas price, waits for its receipt and fails on a
    /// revert. (The devchain's deployer and tests; a node sends through its `TxOwner`.)
    pub async fn send(
        &self,
        from: &LocalWallet,
        to: Option<Address>,
        data: Bytes,
        value: U256,
    ) -> Result<TransactionReceipt, ChainError> {
        let call = super::tx::Call { to, data, value };
        let nonce = self.pending_nonce(from.address()).await?;
        let gas = self.estimate(from.address(), &call).await?;
        let price = self.gas_price().await?;
        let signed = super::tx::sign(from, self.chain_id, nonce, &call, gas * 5 / 4, price)?;
        let hash = self.broadcast(signed.raw.clone()).await?;
        loop {
            if let Some(receipt) = self.receipt(hash).await? {
                if receipt.status != Some(U64::from(1)) {
                    return Err(ChainError::Reverted(format!(
                        "transaction failed txHash={hash:?}"
                    )));
                }
                return Ok(receipt);
            }
            tokio::time::sleep(POLL).await;
        }
    }

    /// The account's nonce counting its pending transactions.
    pub async fn pending_nonce(&self, of: Address) -> Result<u64, ChainError> {
        Ok(self
            .provider
            .get_transaction_count(of, Some(BlockNumber::Pending.into()))
            .await
            .map_err(rpc_err)?
            .as_u64())
    }

    /// The account's nonce counting only mined transactions.
    pub async fn mined_nonce(&self, of: Address) -> Result<u64, ChainError> {
        Ok(self
            .provider
            .get_transaction_count(of, Some(BlockNumber::Latest.into()))
            .await
            .map_err(rpc_err)?
            .as_u64())
    }

    /// `eth_estimateGas` of `call` from `from`: a revert comes back with its reason.
    pub async fn estimate(&self, from: Address, call: &super::tx::Call) -> Result<u64, ChainError> {
        let tx = call.request(from);
        let gas = self
            .provider
            .estimate_gas(&tx, None)
            .await
            .map_err(rpc_err)?;
        Ok(gas.low_u64())
    }

    /// The node's suggested gas price (`eth_gasPrice`).
    pub async fn gas_price(&self) -> Result<U256, ChainError> {
        self.provider.get_gas_price().await.map_err(rpc_err)
    }

    /// Broadcasts signed bytes; a transaction the node already holds is not an error.
    pub async fn broadcast(&self, raw: Bytes) -> Result<H256, ChainError> {
        let hash = H256::from(ethers_core::utils::keccak256(&raw));
        match self
            .provider
            .request::<_, H256>("eth_sendRawTransaction", [raw])
            .await
        {
            Ok(h) => Ok(h),
            Err(e) if e.to_string().contains("already known") => Ok(hash),
            Err(e) => Err(rpc_err(e)),
        }
    }

    /// The receipt of a mined transaction.
    pub async fn receipt(&self, hash: H256) -> Result<Option<TransactionReceipt>, ChainError> {
        self.provider
            .get_transaction_receipt(hash)
            .await
            .map_err(rpc_err)
    }

    /// Why a mined transaction reverted, as far as the node can tell: the same call (sender,
    /// target, data, value) run again on the state after its block. A receipt carries no
    /// reason, and the state before the block may still have allowed the call (a transaction
    /// earlier in the same block changed it); after the block, the cause is in place. `None`
    /// when the call no longer reverts or the node cannot answer.
    pub async fn revert_reason(&self, hash: H256, block: u64) -> Option<String> {
        let tx = self.provider.get_transaction(hash).await.ok()??;
        let mut req = TransactionRequest::new()
            .from(tx.from)
            .data(tx.input)
            .value(tx.value);
        if let Some(to) = tx.to {
            req = req.to(to);
        }
        let req: TypedTransaction = req.into();
        match self
            .provider
            .call(&req, Some(BlockNumber::Number(block.into()).into()))
            .await
            .map_err(rpc_err)
        {
            Err(ChainError::Reverted(reason)) if !reason.is_empty() => Some(reason),
            _ => None,
        }
    }

    /// Whether the node knows a transaction (pending in its pool, or mined).
    pub async fn knows(&self, hash: H256) -> Result<bool, ChainError> {
        Ok(self
            .provider
            .get_transaction(hash)
            .await
            .map_err(rpc_err)?
            .is_some())
    }

    /// The logs of `addresses` with one of `topic0s`, in blocks `from..=to`.
    pub async fn logs(
        &self,
        addresses: Vec<Address>,
        topic0s: Vec<H256>,
        from: u64,
        to: u64,
    ) -> Result<Vec<Log>, ChainError> {
        let filter = Filter::new()
            .address(addresses)
            .topic0(topic0s)
            .from_block(from)
            .to_block(to);
        self.provider.get_logs(&filter).await.map_err(rpc_err)
    }

    /// Block `number`: its hash, its parent's, and its L1 block number (Arbitrum's
    /// `l1BlockNumber` field; the number itself elsewhere).
    pub async fn block(&self, number: u64) -> Result<(H256, H256, u64), ChainError> {
        let b = self
            .provider
            .get_block(number)
            .await
            .map_err(rpc_err)?
            .ok_or_else(|| ChainError::Rpc(format!("no block {number}")))?;
        block_fields(&b)
    }

    /// Mines `blocks` blocks (anvil).
    pub async fn mine(&self, blocks: u64) -> Result<(), ChainError> {
        self.provider
            .request::<_, serde_json::Value>("anvil_mine", [U256::from(blocks)])
            .await
            .map(|_| ())
            .map_err(rpc_err)
    }

    /// The chain's whole state (anvil's `anvil_dumpState`, an opaque hex string).
    pub async fn dump_state(&self) -> Result<String, ChainError> {
        self.provider
            .request::<_, String>("anvil_dumpState", ())
            .await
            .map_err(rpc_err)
    }

    /// Replaces the chain's state with one `dump_state` gave (anvil's `anvil_loadState`).
    pub async fn load_state(&self, state: &str) -> Result<(), ChainError> {
        self.provider
            .request::<_, bool>("anvil_loadState", [state])
            .await
            .map(|_| ())
            .map_err(rpc_err)
    }

    /// Snapshots the chain's state (anvil); returns the snapshot's id.
    pub async fn snapshot(&self) -> Result<U256, ChainError> {
        self.provider
            .request::<_, U256>("evm_snapshot", ())
            .await
            .map_err(rpc_err)
    }

    /// Returns the chain to a snapshot (anvil).
    pub async fn revert_to(&self, id: U256) -> Result<bool, ChainError> {
        self.provider
            .request::<_, bool>("evm_revert", [id])
            .await
            .map_err(rpc_err)
    }

    /// Turns mining on each transaction on or off (anvil's `evm_setAutomine`).
    pub async fn set_automine(&self, on: bool) -> Result<(), ChainError> {
        self.provider
            .request::<_, serde_json::Value>("evm_setAutomine", [on])
            .await
            .map(|_| ())
            .map_err(rpc_err)
    }

    /// The node's pool of pending transactions (`txpool_content`).
    pub async fn txpool_content(&self) -> Result<serde_json::Value, ChainError> {
        self.provider
            .request::<_, serde_json::Value>("txpool_content", ())
            .await
            .map_err(rpc_err)
    }
}

/// A block's hash, parent hash and L1 block number: Arbitrum's `l1BlockNumber` field (hex) when
/// the node gives one, else the block's own number.
pub fn block_fields(b: &ethers_core::types::Block<H256>) -> Result<(H256, H256, u64), ChainError> {
    let number = b.number.map_or(0, |n| n.as_u64());
    let hash = b
        .hash
        .ok_or_else(|| ChainError::Rpc(format!("block {number} is pending")))?;
    let l1 = match b.other.get("l1BlockNumber") {
        None => number,
        Some(v) => v
            .as_str()
            .and_then(|h| u64::from_str_radix(h.trim_start_matches("0x"), 16).ok())
            .ok_or_else(|| {
                ChainError::Rpc(format!(
                    "block {number}: l1BlockNumber {v} is not a hex number"
                ))
            })?,
    };
    Ok((hash, b.parent_hash, l1))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_arbitrum_block_gives_its_l1_block_number() {
        // Block 0x15156 as an Arbitrum node returned it (recorded), `l1BlockNumber` included.
        let b: ethers_core::types::Block<H256> =
            serde_json::from_str(include_str!("testdata/arbitrum_block.json")).unwrap();
        let (hash, parent, l1) = block_fields(&b).unwrap();
        assert_eq!(l1, 0x8652f9);
        assert_eq!(
            format!("{hash:?}"),
            "0x752dab43f7a2482db39227d46cd307623b26167841e2207e93e7566ab7ab7871"
        );
        assert_eq!(
            format!("{parent:?}"),
            "0x923ad1e27c1d43cb2d2fb09e26d2502ca4b4914a2e0599161d279c6c06117d34"
        );
        // Elsewhere the block number is the L1 block; a malformed field is an error, not 0.
        let mut l1_chain = b.clone();
        l1_chain.other = Default::default();
        assert_eq!(block_fields(&l1_chain).unwrap().2, 0x15156);
        let mut bad = b;
        bad.other
            .insert("l1BlockNumber".into(), serde_json::json!(12));
        assert!(block_fields(&bad).is_err());
    }
}
