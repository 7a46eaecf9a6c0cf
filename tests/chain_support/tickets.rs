//! Tickets on the devchain as a test makes and checks them: the round they are created in, a
//! ticket a B's wallet signs, whether the broker marked it used (and waiting until it is), and
//! a B's signed `GetOrchestrator` request and segment signature.

use super::{call, contract};
use ethers_core::abi::Token;
use ethers_core::types::{Address as EthAddress, U256};
use ethers_signers::{LocalWallet, Signer};
use livepeer::chain::rpc::Rpc;
use livepeer::events::{Address, CreationRound, Hash32, WinningTicket};
use livepeer::pm::{num::u256_to_wei, recipient_rand_hash, sig, Ticket, TicketExpirationParams};
use livepeer::projections::nonces::SenderSession;
use std::time::Duration;

/// The current round and its block hash, as tickets' creation round.
pub async fn creation_round(rpc: &Rpc, chain: &serde_json::Value) -> CreationRound {
    let rm = contract(chain, "RoundsManager");
    let round = call(rpc, rm, "currentRound()", &[]).await[0].as_u64();
    let arg = [Token::Uint(round.into())];
    let hash = call(rpc, rm, "blockHashForRound(uint256)", &arg).await[0];
    let mut block_hash = [0u8; 32];
    hash.to_big_endian(&mut block_hash);
    CreationRound {
        round,
        block_hash: Hash32(block_hash),
    }
}

pub fn ours(a: EthAddress) -> Address {
    Address(a.0)
}

/// A ticket from `b` to `o` signed by `b`'s key, and the recipientRand it was made with.
pub fn ticket(
    b: &LocalWallet,
    o: Address,
    nonce: u32,
    face: U256,
    creation: CreationRound,
    exp: u64,
    rand: U256,
) -> WinningTicket {
    let t = Ticket {
        recipient: o,
        sender: ours(b.address()),
        face_value: face,
        win_prob: U256::MAX,
        sender_nonce: nonce,
        recipient_rand_hash: recipient_rand_hash(rand),
        expiration: TicketExpirationParams {
            creation_round: creation.round,
            creation_round_block_hash: creation.block_hash,
        },
        params_expiration_block: exp,
        price: Default::default(),
    };
    let signature = sig::sign(b, &t.hash().0).unwrap();
    WinningTicket {
        recipient: o,
        sender: t.sender,
        face_value: u256_to_wei(face),
        win_prob: u256_to_wei(U256::MAX),
        nonce,
        recipient_rand_hash: t.recipient_rand_hash,
        creation,
        expiration_block: exp,
        sig: signature.to_vec(),
        seed: Hash32::default(),
        price: Default::default(),
        ticket_hash: t.hash(),
    }
}

pub async fn used(rpc: &Rpc, broker: EthAddress, t: &WinningTicket) -> bool {
    let args = [Token::FixedBytes(t.ticket_hash.0.to_vec())];
    !call(rpc, broker, "usedTickets(bytes32)", &args).await[0].is_zero()
}

/// Waits (mining a block each 300 ms, as a live chain would move on) until every ticket is used.
pub async fn wait_used(rpc: &Rpc, broker: EthAddress, tickets: &[WinningTicket]) {
    for _ in 0..100 {
        let mut all = true;
        for t in tickets {
            all &= used(rpc, broker, t).await;
        }
        if all {
            return;
        }
        rpc.mine(1).await.unwrap();
        tokio::time::sleep(Duration::from_millis(300)).await;
    }
    panic!("tickets not redeemed within 30 s");
}

/// A B's signed `GetOrchestrator` request.
pub fn request(b: &LocalWallet) -> livepeer::api::info::InfoRequest {
    let checksummed = ethers_core::utils::to_checksum(&b.address(), None);
    let msg = ethers_core::utils::keccak256(checksummed.as_bytes());
    livepeer::api::info::InfoRequest {
        address: b.address().0.to_vec(),
        sig: sig::sign(b, &msg).unwrap().to_vec(),
    }
}

/// The B's `SegData.sig` over `m`.
pub fn sign_segment(b: &LocalWallet, m: &livepeer::api::segment::SegMeta) -> Vec<u8> {
    let msg = livepeer::node::orchestrator::paid::segment_message(m);
    sig::sign(b, &msg).unwrap().to_vec()
}

/// A B's sender session (nonce 0) on the ticket params and price of the O's answer `info`.
pub fn sender_session(info: &livepeer::api::info::OrchInfo) -> SenderSession {
    let price = livepeer::events::Price {
        price_per_unit: info.price_per_unit,
        pixels_per_unit: info.pixels_per_unit,
    };
    let params = info.ticket_params.clone().unwrap();
    let livepeer::events::Event::SenderSessionStarted(started) =
        livepeer::pm::sender::start_session(&params, price)
    else {
        unreachable!("start_session starts a session")
    };
    SenderSession {
        params: started,
        last_nonce: 0,
    }
}
