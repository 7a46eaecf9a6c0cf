//! The contract functions a node calls or sends, by canonical signature (the ABI test checks
//! each against the real artifacts), and their calldata. The ticket tuple is
//! `(recipient, sender, faceValue, winProb, senderNonce, recipientRandHash, auxData)`.

use super::ChainError;
use crate::events::WinningTicket;
use ethers_core::abi::{encode, Token};
use ethers_core::types::{Address, Bytes, U256};
use ethers_core::utils::keccak256;

/// The ticket tuple's ABI type.
pub const TICKET: &str = "(address,address,uint256,uint256,uint256,bytes32,bytes)";

/// `(contract artifact, canonical signature)` of every function the node uses.
pub const FUNCTIONS: &[(&str, &str)] = &[
    ("pm/TicketBroker", "fundDeposit()"),
    ("pm/TicketBroker", "fundReserve()"),
    ("pm/TicketBroker", "fundDepositAndReserve(uint256,uint256)"),
    ("pm/TicketBroker", "unlock()"),
    ("pm/TicketBroker", "cancelUnlock()"),
    ("pm/TicketBroker", "withdraw()"),
    ("pm/TicketBroker", "getSenderInfo(address)"),
    ("pm/TicketBroker", "claimedReserve(address,address)"),
    ("pm/TicketBroker", "claimableReserve(address,address)"),
    ("pm/TicketBroker", "usedTickets(bytes32)"),
    ("pm/TicketBroker", "unlockPeriod()"),
    (
        "pm/TicketBroker",
        "getTicketHash((address,address,uint256,uint256,uint256,bytes32,bytes))",
    ),
    (
        "pm/TicketBroker",
        "redeemWinningTicket((address,address,uint256,uint256,uint256,bytes32,bytes),bytes,uint256)",
    ),
    ("bonding/BondingManager", "bond(uint256,address)"),
    ("bonding/BondingManager", "unbond(uint256)"),
    ("bonding/BondingManager", "rebond(uint256)"),
    ("bonding/BondingManager", "withdrawStake(uint256)"),
    ("bonding/BondingManager", "withdrawFees(address,uint256)"),
    ("bonding/BondingManager", "pendingFees(address,uint256)"),
    ("bonding/BondingManager", "reward()"),
    ("bonding/BondingManager", "transcoder(uint256,uint256)"),
    ("bonding/BondingManager", "isRegisteredTranscoder(address)"),
    ("bonding/BondingManager", "isActiveTranscoder(address)"),
    ("rounds/RoundsManager", "initializeRound()"),
    ("rounds/RoundsManager", "currentRound()"),
    ("rounds/RoundsManager", "currentRoundInitialized()"),
    ("rounds/RoundsManager", "blockHashForRound(uint256)"),
    ("rounds/RoundsManager", "lastInitializedRound()"),
    ("rounds/RoundsManager", "roundLength()"),
    ("rounds/RoundsManager", "currentRoundStartBlock()"),
    ("ServiceRegistry", "setServiceURI(string)"),
    ("token/LivepeerToken", "approve(address,uint256)"),
    ("token/LivepeerToken", "balanceOf(address)"),
    ("token/LivepeerToken", "transfer(address,uint256)"),
    ("token/LivepeerToken", "totalSupply()"),
    ("token/LivepeerTokenFaucet", "request()"),
    ("token/LivepeerTokenFaucet", "nextValidRequest(address)"),
    ("bonding/BondingManager", "claimEarnings(uint256)"),
    ("bonding/BondingManager", "getTranscoder(address)"),
    ("bonding/BondingManager", "transcoderStatus(address)"),
    ("bonding/BondingManager", "transcoderTotalStake(address)"),
    ("bonding/BondingManager", "getFirstTranscoderInPool()"),
    ("bonding/BondingManager", "getNextTranscoderInPool(address)"),
    ("bonding/BondingManager", "getDelegator(address)"),
    ("bonding/BondingManager", "delegatorStatus(address)"),
    ("bonding/BondingManager", "pendingStake(address,uint256)"),
    ("bonding/BondingManager", "getDelegatorUnbondingLock(address,uint256)"),
    ("bonding/BondingManager", "getTranscoderPoolMaxSize()"),
    (
        "bonding/BondingManager",
        "getTranscoderEarningsPoolForRound(address,uint256)",
    ),
    ("bonding/BondingManager", "getTotalBonded()"),
    ("bonding/BondingManager", "unbondingPeriod()"),
    ("rounds/RoundsManager", "roundLockAmount()"),
    ("token/Minter", "inflation()"),
    ("token/Minter", "inflationChange()"),
    ("token/Minter", "targetBondingRate()"),
    ("token/Minter", "getGlobalTotalSupply()"),
    ("ServiceRegistry", "getServiceURI(address)"),
    ("Controller", "paused()"),
    ("polling/Poll", "vote(uint256)"),
];

/// The 4-byte selector of a canonical signature.
pub fn selector(signature: &str) -> [u8; 4] {
    let h = keccak256(signature.as_bytes());
    [h[0], h[1], h[2], h[3]]
}

/// Calldata: `signature`'s selector and the ABI encoding of `args`. The signature must be one
/// of [`FUNCTIONS`] (so the ABI test covers it).
pub fn calldata(signature: &str, args: &[Token]) -> Result<Bytes, ChainError> {
    if !FUNCTIONS.iter().any(|(_, s)| *s == signature) {
        return Err(ChainError::Rpc(format!(
            "{signature}: not a known contract function"
        )));
    }
    let mut data = selector(signature).to_vec();
    data.extend_from_slice(&encode(args));
    Ok(data.into())
}

/// A uint argument.
pub fn uint(v: impl Into<U256>) -> Token {
    Token::Uint(v.into())
}

/// An address argument.
pub fn address(a: Address) -> Token {
    Token::Address(a)
}

/// The ticket tuple of a winning ticket (auxData = creationRound ‖ its block hash, 64 bytes).
pub fn ticket_tuple(t: &WinningTicket) -> Token {
    let mut aux = [0u8; 64];
    U256::from(t.creation.round).to_big_endian(&mut aux[..32]);
    aux[32..].copy_from_slice(&t.creation.block_hash.0);
    Token::Tuple(vec![
        Token::Address(Address::from(t.recipient.0)),
        Token::Address(Address::from(t.sender.0)),
        Token::Uint(U256::from_big_endian(&t.face_value.0)),
        Token::Uint(U256::from_big_endian(&t.win_prob.0)),
        Token::Uint(U256::from(t.nonce)),
        Token::FixedBytes(t.recipient_rand_hash.0.to_vec()),
        Token::Bytes(aux.to_vec()),
    ])
}

/// `redeemWinningTicket(ticket, sig, recipientRand)`.
pub fn redeem_winning_ticket(t: &WinningTicket, rand: U256) -> Result<Bytes, ChainError> {
    calldata(
        "redeemWinningTicket((address,address,uint256,uint256,uint256,bytes32,bytes),bytes,uint256)",
        &[ticket_tuple(t), Token::Bytes(t.sig.clone()), Token::Uint(rand)],
    )
}

/// `getTicketHash(ticket)`.
pub fn get_ticket_hash(t: &WinningTicket) -> Result<Bytes, ChainError> {
    calldata(
        "getTicketHash((address,address,uint256,uint256,uint256,bytes32,bytes))",
        &[ticket_tuple(t)],
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn selectors_are_the_measured_ones() {
        // devchain-real-contracts.md §6.
        let known = [
            ("fundDepositAndReserve(uint256,uint256)", "511f4073"),
            ("redeemWinningTicket((address,address,uint256,uint256,uint256,bytes32,bytes),bytes,uint256)", "ec8b3cb6"),
            ("getTicketHash((address,address,uint256,uint256,uint256,bytes32,bytes))", "b03fa864"),
            ("withdrawFees(address,uint256)", "ad3b1b47"),
            ("initializeRound()", "d4807fb2"),
            ("bond(uint256,address)", "b78d27dc"),
        ];
        for (sig, hex) in known {
            assert_eq!(hex::encode(selector(sig)), hex, "{sig}");
        }
        assert!(calldata("nope()", &[]).is_err());
    }
}
