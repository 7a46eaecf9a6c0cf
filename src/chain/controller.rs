//! The protocol's Controller: the one address a node is given (`-ethController`, or built in for
//! the live networks, facts §0); every other contract is looked up through it by id
//! (`getContract(keccak256(name))`, selector `0xe16c7d98`, devchain-real-contracts.md §6).

use super::{rpc::Rpc, ChainError};
use ethers_core::types::{Address, Bytes};
use ethers_core::utils::keccak256;

/// Controllers of the live networks (go-livepeer's `configOptions`).
pub const KNOWN_CONTROLLERS: &[(&str, &str)] = &[
    (
        "arbitrum-one-mainnet",
        "0xD8E8328501E9645d16Cf49539efC04f734606ee4",
    ),
    ("mainnet", "0xf96d54e490317c557a967abfa5d6e33006be69b3"),
];

/// `getContract(bytes32)`.
const GET_CONTRACT: [u8; 4] = [0xe1, 0x6c, 0x7d, 0x98];

/// The address the Controller at `controller` has registered for `name` (zero when none).
pub async fn get_contract(
    rpc: &Rpc,
    controller: Address,
    name: &str,
) -> Result<Address, ChainError> {
    let mut data = GET_CONTRACT.to_vec();
    data.extend_from_slice(&keccak256(name.as_bytes()));
    let out = rpc.call(controller, Bytes::from(data)).await?;
    if out.len() != 32 || out[..12].iter().any(|b| *b != 0) {
        return Err(ChainError::Rpc(format!(
            "{controller:?} answered getContract({name}) with {} bytes: not a Livepeer Controller",
            out.len()
        )));
    }
    Ok(Address::from_slice(&out[12..]))
}
