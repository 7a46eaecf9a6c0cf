//! What a node reads when it first starts on a chain, beside the head block: the last
//! initialised round (its block hash and start block) and the active pool it started with — as
//! the events a node that lived through that round's `NewRound` recorded, so a fresh node and an
//! old one hold the same chain view. The `NewRound` log is looked for in the last
//! [`LOOKBACK`] blocks; an older one (rounds last a day on Arbitrum) is read by calls, its
//! position then being the head block with `log_index` [`NOT_A_LOG`]. State as of the log's
//! block that the RPC node no longer keeps (a node that is not an archive keeps ~128 blocks) is
//! read as of the head instead.

use super::{calls, convert, logs, rpc::Rpc, topics, watch, ChainError};
use crate::events::{ChainPos, Event, Hash32, RoundInitialized};
use ethers_core::{abi::Token, types::U256};

/// Blocks searched back from the head for the round's `NewRound` log (one `eth_getLogs`).
pub const LOOKBACK: u64 = 2_000;

/// The log index of a round read by calls rather than from its log.
pub const NOT_A_LOG: u32 = u32::MAX;

async fn word(
    rpc: &Rpc,
    w: watch::Watched,
    signature: &str,
    args: &[Token],
    block: u64,
) -> Result<U256, ChainError> {
    let out = rpc
        .call_at(w.rounds_manager, calls::calldata(signature, args)?, block)
        .await?;
    out.get(..32)
        .map(U256::from_big_endian)
        .ok_or_else(|| ChainError::Rpc(format!("{signature}: {} bytes", out.len())))
}

async fn number(
    rpc: &Rpc,
    w: watch::Watched,
    signature: &str,
    block: u64,
) -> Result<u64, ChainError> {
    convert::to_u64(word(rpc, w, signature, &[], block).await?)
        .ok_or_else(|| ChainError::Rpc(format!("{signature}: out of range")))
}

/// The start block of round `round`, as of `block` (`currentRoundStartBlock()` less whole
/// rounds when `round` is not the current one).
async fn start_block(
    rpc: &Rpc,
    w: watch::Watched,
    round: u64,
    block: u64,
) -> Result<u64, ChainError> {
    let current = number(rpc, w, "currentRound()", block).await?;
    let start = number(rpc, w, "currentRoundStartBlock()", block).await?;
    if current <= round {
        return Ok(start);
    }
    let length = number(rpc, w, "roundLength()", block).await?;
    Ok(start.saturating_sub((current - round).saturating_mul(length)))
}

/// The events of the last initialised round as of `head` (hash `head_hash`): `RoundInitialized`
/// and the active pool; none before round 1 is initialised.
pub async fn current_round(
    rpc: &Rpc,
    w: watch::Watched,
    head: u64,
    head_hash: Hash32,
) -> Result<Vec<Event>, ChainError> {
    let round = number(rpc, w, "lastInitializedRound()", head).await?;
    if round == 0 {
        return Ok(Vec::new());
    }
    let found = rpc
        .logs(
            vec![w.rounds_manager],
            vec![topics::Kind::NewRound.topic0()],
            head.saturating_sub(LOOKBACK - 1),
            head,
        )
        .await?;
    let mut from_log = None;
    for log in found.iter().rev() {
        let Some(at) = log.block_number.map(|b| b.as_u64()) else {
            continue;
        };
        if let Some(mut r) = logs::round_from_log(log, 0)?.filter(|r| r.round == round) {
            // A node that keeps no state that old (not an archive node) is read at the head.
            let at = match start_block(rpc, w, round, at).await {
                Ok(start) => {
                    r.l1_block = start;
                    at
                }
                Err(_) => {
                    r.l1_block = start_block(rpc, w, round, head).await?;
                    head
                }
            };
            from_log = Some((r, at));
            break;
        }
    }
    let (r, at) = match from_log {
        Some(found) => found,
        None => {
            let hash = word(
                rpc,
                w,
                "blockHashForRound(uint256)",
                &[calls::uint(round)],
                head,
            )
            .await?;
            let mut bytes = [0u8; 32];
            hash.to_big_endian(&mut bytes);
            let r = RoundInitialized {
                round,
                block_hash: Hash32(bytes),
                l1_block: start_block(rpc, w, round, head).await?,
                pos: ChainPos {
                    block: head,
                    block_hash: head_hash,
                    log_index: NOT_A_LOG,
                },
            };
            (r, head)
        }
    };
    let mut events = vec![Event::RoundInitialized(r)];
    let pool = match watch::active_pool(rpc, w, round, at).await {
        Err(_) if at != head => watch::active_pool(rpc, w, round, head).await?,
        read => read?,
    };
    events.extend(pool);
    Ok(events)
}
