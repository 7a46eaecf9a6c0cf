//! A transaction to sign: the call, its gas and gas price, and the signed bytes (legacy
//! transactions with the chain id, EIP-155), so the signing is separate from the sending and a
//! node can record the exact bytes before they leave.

use super::ChainError;
use ethers_core::types::{
    transaction::eip2718::TypedTransaction, Address, Bytes, TransactionRequest, H256, U256,
};
use ethers_signers::{LocalWallet, Signer};

/// What a transaction does: `to` (none: a contract creation), its data and the ETH it carries.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Call {
    /// The contract called.
    pub to: Option<Address>,
    /// The calldata.
    pub data: Bytes,
    /// ETH sent along, in wei.
    pub value: U256,
}

impl Call {
    /// A call of `data` on `to` carrying `value`.
    pub fn new(to: Address, data: Bytes, value: U256) -> Call {
        Call {
            to: Some(to),
            data,
            value,
        }
    }

    /// The unsigned request from `from`.
    pub fn request(&self, from: Address) -> TypedTransaction {
        let mut req = TransactionRequest::new()
            .from(from)
            .data(self.data.clone())
            .value(self.value);
        if let Some(to) = self.to {
            req = req.to(to);
        }
        req.into()
    }
}

/// A signed transaction.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Signed {
    /// Its hash (keccak256 of `raw`).
    pub hash: H256,
    /// The RLP bytes to broadcast.
    pub raw: Bytes,
}

/// Signs `call` from `wallet` at `nonce` with `gas` and `gas_price` for chain `chain_id`.
pub fn sign(
    wallet: &LocalWallet,
    chain_id: u64,
    nonce: u64,
    call: &Call,
    gas: u64,
    gas_price: U256,
) -> Result<Signed, ChainError> {
    let wallet = wallet.clone().with_chain_id(chain_id);
    let mut tx = call.request(wallet.address());
    tx.set_nonce(nonce);
    tx.set_chain_id(chain_id);
    tx.set_gas(gas);
    tx.set_gas_price(gas_price);
    let sig = wallet
        .sign_transaction_sync(&tx)
        .map_err(|e| ChainError::Rpc(format!("signing: {e}")))?;
    let raw = tx.rlp_signed(&sig);
    Ok(Signed {
        hash: H256::from(ethers_core::utils::keccak256(&raw)),
        raw,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_hash_is_the_keccak_of_the_signed_bytes_and_signing_is_deterministic() {
        let wallet: LocalWallet =
            "0x59c6995e998f97a5a0044966f0945389dc9e86dae88c7a8412f4603b6b78690d"
                .parse()
                .unwrap();
        let call = Call::new(
            Address::repeat_byte(7),
            Bytes::from(vec![1, 2, 3]),
            U256::from(5),
        );
        let a = sign(&wallet, 1337, 4, &call, 50_000, U256::from(10)).unwrap();
        let b = sign(&wallet, 1337, 4, &call, 50_000, U256::from(10)).unwrap();
        assert_eq!(a, b, "RFC 6979 signatures: the same bytes after a restart");
        let decoded: ethers_core::types::Transaction =
            ethers_core::utils::rlp::decode(&a.raw).unwrap();
        assert_eq!(decoded.hash, a.hash);
        assert_eq!(decoded.nonce, U256::from(4));
        assert_eq!(decoded.recover_from().unwrap(), wallet.address());
        assert_eq!(decoded.chain_id, Some(U256::from(1337)));
    }
}
