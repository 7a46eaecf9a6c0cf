//! What one poll of the chain becomes: the Livepeer logs of a block range, in chain order, mapped
//! to events (`SenderFundsChanged` for the TicketBroker's funds logs of every sender — a sender
//! met for the first time is read whole first, as of the block before, `SenderFundsObserved`, so
//! the funds projection can fold its logs —, `RoundInitialized` for `NewRound` with its round's
//! start block, followed by the active pool it starts with; `UnbondingLockChanged` for the node's
//! own unbonding locks), then the last block (`BlockObserved`). After a reorg, [`observe_sender`] reads
//! senders whole again. The node's watcher does the polling and appends the result.

use super::{convert, logs, rpc::Rpc, topics, ChainError};
use crate::events::{self, BlockObserved, Event, SenderFundsObserved};
use ethers_core::types::{Address, Bytes, H256};
use ethers_core::utils::keccak256;
use std::collections::BTreeSet;

/// `RoundsManager.currentRoundStartBlock()`.
const CURRENT_ROUND_START_BLOCK: [u8; 4] = [0x8f, 0xa1, 0x48, 0xf2];

/// The contracts a node watches, and who it is.
#[derive(Clone, Copy, Debug)]
pub struct Watched {
    /// The TicketBroker (senders' funds).
    pub ticket_broker: Address,
    /// The RoundsManager (rounds).
    pub rounds_manager: Address,
    /// The tickets' recipient: the node's own address or `-ethOrchAddr` (the reserve it has
    /// claimed is part of a sender's funds; its unbonding locks are watched).
    pub me: Address,
    /// The BondingManager (the active pool).
    pub bonding_manager: Address,
    /// The ServiceRegistry (orchestrators' service URIs).
    pub service_registry: Address,
}

fn selector(signature: &str) -> Vec<u8> {
    keccak256(signature.as_bytes())[..4].to_vec()
}

fn words(out: &[u8], n: usize, what: &str) -> Result<Vec<ethers_core::types::U256>, ChainError> {
    if out.len() < 32 * n {
        return Err(ChainError::Rpc(format!("{what}: {} bytes", out.len())));
    }
    Ok(out
        .chunks(32)
        .take(n)
        .map(ethers_core::types::U256::from_big_endian)
        .collect())
}

fn address_arg(data: &mut Vec<u8>, a: Address) {
    data.extend_from_slice(&[0u8; 12]);
    data.extend_from_slice(a.as_bytes());
}

/// Reads `sender`'s funds whole, as of block `block` (`getSenderInfo`, and the reserve this node
/// has claimed, `claimedReserve`).
pub async fn observe_sender(
    rpc: &Rpc,
    w: Watched,
    sender: Address,
    block: u64,
) -> Result<Event, ChainError> {
    let mut data = selector("getSenderInfo(address)");
    address_arg(&mut data, sender);
    let info = rpc.call_at(w.ticket_broker, data.into(), block).await?;
    let v = words(&info, 4, "getSenderInfo")?;
    let mut data = selector("claimedReserve(address,address)");
    address_arg(&mut data, sender);
    address_arg(&mut data, w.me);
    let ours = rpc.call_at(w.ticket_broker, data.into(), block).await?;
    let ours = words(&ours, 1, "claimedReserve")?;
    Ok(Event::SenderFundsObserved(SenderFundsObserved {
        sender: convert::address(sender),
        deposit: convert::wei(v[0]),
        withdraw_round: convert::to_u64(v[1]).unwrap_or(u64::MAX),
        reserve_remaining: convert::wei(v[2]),
        claimed_in_round: convert::wei(v[3]),
        claimed_by_us: convert::wei(ours[0]),
        block,
    }))
}

/// The events of blocks `from..=head` (`head_block`: its hash, parent and L1 number, already
/// read): their logs in order, senders not in `known` read whole first, then the head block.
pub async fn poll(
    rpc: &Rpc,
    w: Watched,
    from: u64,
    head: u64,
    head_block: (H256, H256, u64),
    known: &BTreeSet<events::Address>,
) -> Result<Vec<Event>, ChainError> {
    let mut known = known.clone();
    let mut found = rpc
        .logs(
            vec![w.ticket_broker, w.rounds_manager, w.bonding_manager],
            topics::ALL.iter().map(|k| k.topic0()).collect(),
            from,
            head,
        )
        .await?;
    found.sort_by_key(|l| (l.block_number, l.log_index));
    let mut events = Vec::new();
    for log in &found {
        if logs::is_removed(log) {
            continue;
        }
        let from_broker = log.address == w.ticket_broker;
        match logs::kind(log) {
            Some(topics::Kind::NewRound) if log.address == w.rounds_manager => {
                // As of the log's block: a range may hold several rounds.
                let at = log.block_number.map_or(head, |b| b.as_u64());
                let out = rpc
                    .call_at(
                        w.rounds_manager,
                        Bytes::from(CURRENT_ROUND_START_BLOCK.to_vec()),
                        at,
                    )
                    .await?;
                let start = out
                    .get(..32)
                    .and_then(|b| <&[u8; 32]>::try_from(b).ok())
                    .and_then(|b| convert::to_u64(convert::word(b)))
                    .ok_or_else(|| ChainError::Rpc("currentRoundStartBlock: bad answer".into()))?;
                if let Some(r) = logs::round_from_log(log, start)? {
                    let round = r.round;
                    events.push(Event::RoundInitialized(r));
                    events.extend(active_pool(rpc, w, round, at).await?);
                }
            }
            Some(topics::Kind::Unbond | topics::Kind::Rebond | topics::Kind::WithdrawStake)
                if log.address == w.bonding_manager =>
            {
                // The node's own unbonding locks (its stake), for the operator's views.
                if let Some(Event::UnbondingLockChanged(c)) = logs::event_from_log(log)? {
                    if c.delegator == convert::address(w.me) {
                        events.push(Event::UnbondingLockChanged(c));
                    }
                }
            }
            Some(_) if from_broker => {
                if let Some(e) = logs::event_from_log(log)? {
                    if let Event::SenderFundsChanged(c) = &e {
                        if known.insert(c.sender) {
                            let before = c.pos.block.saturating_sub(1);
                            let sender = Address::from(c.sender.0);
                            events.push(observe_sender(rpc, w, sender, before).await?);
                        }
                    }
                    events.push(e);
                }
            }
            _ => {}
        }
    }
    events.push(block_observed(head, head_block));
    Ok(events)
}

/// `BlockObserved` for block `number` as `Rpc::block` read it (hash, parent, L1 number).
pub fn block_observed(number: u64, (hash, parent, l1): (H256, H256, u64)) -> Event {
    Event::BlockObserved(BlockObserved {
        number,
        hash: convert::hash(hash),
        parent: convert::hash(parent),
        l1_number: l1,
    })
}

async fn call_words(
    rpc: &Rpc,
    to: Address,
    data: Vec<u8>,
    block: u64,
    n: usize,
    what: &str,
) -> Result<Vec<ethers_core::types::U256>, ChainError> {
    let out = rpc.call_at(to, data.into(), block).await?;
    words(&out, n, what)
}

fn with_address(signature: &str, a: Address) -> Vec<u8> {
    let mut data = selector(signature);
    address_arg(&mut data, a);
    data
}

/// The active pool as of `block`, read when round `round` starts: its size (`PoolSizeChanged`,
/// which the reserve a sender owes each orchestrator depends on) and each orchestrator's
/// activation and deactivation rounds, total stake and service URI (`OrchestratorObserved`, the
/// orchestrator cache). The price is not on chain: it comes with discovery.
pub async fn active_pool(
    rpc: &Rpc,
    w: Watched,
    round: u64,
    block: u64,
) -> Result<Vec<Event>, ChainError> {
    let bm = w.bonding_manager;
    let size = call_words(
        rpc,
        bm,
        selector("getTranscoderPoolSize()"),
        block,
        1,
        "pool size",
    )
    .await?[0];
    let size = convert::to_u64(size).unwrap_or(0);
    let mut events = vec![Event::PoolSizeChanged(events::PoolSizeChanged {
        round,
        size,
    })];
    let as_address = |w: ethers_core::types::U256| {
        let mut b = [0u8; 32];
        w.to_big_endian(&mut b);
        Address::from_slice(&b[12..])
    };
    let first = call_words(
        rpc,
        bm,
        selector("getFirstTranscoderInPool()"),
        block,
        1,
        "pool",
    )
    .await?[0];
    let mut next = as_address(first);
    for _ in 0..size {
        if next == Address::zero() {
            break;
        }
        let t = call_words(
            rpc,
            bm,
            with_address("getTranscoder(address)", next),
            block,
            10,
            "getTranscoder",
        )
        .await?;
        let stake = call_words(
            rpc,
            bm,
            with_address("transcoderTotalStake(address)", next),
            block,
            1,
            "stake",
        )
        .await?[0];
        let uri_out = rpc
            .call_at(
                w.service_registry,
                with_address("getServiceURI(address)", next).into(),
                block,
            )
            .await?;
        let uri = ethers_core::abi::decode(&[ethers_core::abi::ParamType::String], &uri_out)
            .ok()
            .and_then(|t| t.into_iter().next())
            .and_then(|t| t.into_string())
            .unwrap_or_default();
        events.push(Event::OrchestratorObserved(events::OrchestratorObserved {
            address: convert::address(next),
            service_uri: uri,
            activation_round: convert::to_u64(t[4]).unwrap_or(u64::MAX),
            deactivation_round: convert::to_u64(t[5]).unwrap_or(u64::MAX),
            total_stake: convert::wei(stake),
            price: events::Price::default(),
            block,
        }));
        let n = call_words(
            rpc,
            bm,
            with_address("getNextTranscoderInPool(address)", next),
            block,
            1,
            "pool",
        )
        .await?[0];
        next = as_address(n);
    }
    Ok(events)
}
