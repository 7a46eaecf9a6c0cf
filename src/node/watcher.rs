//! The chain watcher of a node on a chain: every `-blockPollingInterval` it asks for the head
//! block (one call while idle); when there are new blocks it reads their Livepeer logs and the
//! head (`chain::watch`: two more calls) and appends them through the writer — the funds logs of
//! every sender, rounds, the last block seen — so the projections (sender funds and max float,
//! rounds, the chain view) follow the chain. It resumes after the last block in the log; a first
//! start begins at the current head, with the round the chain is in (`chain::first_sync`).
//!
//! Reorgs: each poll that finds new blocks checks that the last block it recorded is still
//! canonical (the new block's parent, or the recorded block's hash read again). When it is not,
//! the recorded blocks above the last common one get `BlockReverted` (and so do the blocks of the
//! node's own transactions above it whose receipts are gone), every sender the node
//! knows is read whole again as of the head (`SenderFundsObserved`; some effects, a `Withdrawal`,
//! cannot be inverted) and the head is recorded — so the projections equal a fresh sync.

use super::{clock::now_ms, writer::Writer};
use crate::chain::{
    convert, first_sync,
    rpc::Rpc,
    watch::{block_observed, observe_sender, poll, Watched},
    ChainError,
};
use crate::events::{BlockReverted, Event, Hash32};
use crate::log::LogStore;
use ethers_core::types::Address;

/// Blocks read in one poll at most (a node far behind catches up over several polls).
pub const MAX_RANGE: u64 = 2_000;

/// One poll: appends what blocks after the last one seen hold; returns how many events.
pub async fn poll_once<S: LogStore>(
    rpc: &Rpc,
    w: Watched,
    writer: &Writer<S>,
) -> Result<usize, ChainError> {
    let head = rpc.block_number().await?;
    let (last, known) = writer.read(|p| {
        (
            p.blocks.state.last_block(),
            p.sender_funds.state.senders().map(|(a, _)| *a).collect(),
        )
    });
    let events = match last {
        None => {
            // First start: the round the chain is in, then the head's logs and the head.
            let block = rpc.block(head).await?;
            let round = first_sync::current_round(rpc, w, head, convert::hash(block.0)).await?;
            first_start(round, poll(rpc, w, head, head, block, &known).await?)
        }
        Some((n, _)) if head == n => return Ok(0),
        Some((n, hash)) => {
            let to = head.min(n + MAX_RANGE - 1);
            let block = rpc.block(to).await?;
            let parent = if to == n + 1 {
                block.1
            } else if head > n {
                rpc.block(n).await?.0
            } else {
                Default::default()
            };
            if head > n && convert::hash(parent) == hash {
                poll(rpc, w, n + 1, to, block, &known).await?
            } else {
                reorg(rpc, w, writer, head).await?
            }
        }
    };
    let n = events.len();
    writer
        .append(now_ms(), events)
        .await
        .map_err(|e| ChainError::Rpc(format!("event log: {e}")))?;
    Ok(n)
}

/// A first start's events: the round the chain is in (`first_sync`), then the head block's
/// polled events less those it already holds — when the round's `NewRound` log is in the head
/// block, the poll reads the same `RoundInitialized` and active pool, which are recorded once.
fn first_start(round: Vec<Event>, polled: Vec<Event>) -> Vec<Event> {
    let mut events = round;
    let known = events.len();
    for e in polled {
        if !events.iter().take(known).any(|k| *k == e) {
            events.push(e);
        }
    }
    events
}

/// The events of a reorg seen at `head`: the recorded blocks no longer canonical reverted,
/// every known sender read whole again, the head recorded.
async fn reorg<S: LogStore>(
    rpc: &Rpc,
    w: Watched,
    writer: &Writer<S>,
    head: u64,
) -> Result<Vec<Event>, ChainError> {
    let (recorded, senders): (Vec<(u64, Hash32)>, Vec<crate::events::Address>) = writer.read(|p| {
        (
            p.blocks
                .state
                .blocks
                .iter()
                .map(|(n, (h, _))| (*n, *h))
                .collect(),
            p.sender_funds.state.senders().map(|(a, _)| *a).collect(),
        )
    });
    let mut events = Vec::new();
    let mut common = 0;
    for (number, hash) in recorded.into_iter().rev() {
        let canonical = number <= head && convert::hash(rpc.block(number).await?.0) == hash;
        if canonical {
            common = number;
            break;
        }
        events.push(Event::BlockReverted(BlockReverted { number, hash }));
    }
    // The node's own transactions mined above the fork, in blocks it may never have polled:
    // each one whose receipt is gone (or moved) has its block reverted too, so the redemption
    // or reward is in flight again and its bytes are sent anew.
    let mined = writer.read(|p| p.transactions.state.mined_above(common));
    for (number, block_hash, tx) in mined {
        let receipt = rpc.receipt(ethers_core::types::H256(tx.0)).await?;
        let still = receipt.and_then(|r| r.block_hash).map(convert::hash) == Some(block_hash);
        let reverted = Event::BlockReverted(BlockReverted {
            number,
            hash: block_hash,
        });
        if !still && !events.contains(&reverted) {
            events.push(reverted);
        }
    }
    tracing::warn!(
        "chain reorg: {} recorded blocks are no longer canonical; re-reading {} senders at block {head}",
        events.len(),
        senders.len()
    );
    for s in senders {
        events.push(observe_sender(rpc, w, Address::from(s.0), head).await?);
    }
    events.push(block_observed(head, rpc.block(head).await?));
    Ok(events)
}

/// Reads `sender`'s funds whole (as of the last block seen) when the node has not met it yet:
/// its deposit may predate the node's first block, and the funds projection only folds the logs
/// of senders it read whole.
pub async fn meet_sender<S: LogStore>(
    rpc: &Rpc,
    w: Watched,
    writer: &Writer<S>,
    sender: crate::events::Address,
) -> Result<(), ChainError> {
    let (known, block) = writer.read(|p| {
        (
            p.sender_funds.state.get(&sender).is_some(),
            p.blocks.state.last_block().map(|(n, _)| n),
        )
    });
    let Some(block) = block.filter(|_| !known) else {
        return Ok(());
    };
    let e = observe_sender(rpc, w, Address::from(sender.0), block).await?;
    writer
        .append(now_ms(), vec![e])
        .await
        .map(|_| ())
        .map_err(|e| ChainError::Rpc(format!("event log: {e}")))
}

#[cfg(test)]
mod tests {
    use super::first_start;
    use crate::events::{
        BlockObserved, ChainPos, Event, Hash32, PoolSizeChanged, RoundInitialized,
    };

    #[test]
    fn a_first_start_records_a_round_whose_log_is_in_the_head_block_once() {
        let round = Event::RoundInitialized(RoundInitialized {
            round: 2,
            block_hash: Hash32([1; 32]),
            l1_block: 100,
            pos: ChainPos {
                block: 101,
                block_hash: Hash32([2; 32]),
                log_index: 3,
            },
        });
        let pool = Event::PoolSizeChanged(PoolSizeChanged { round: 2, size: 1 });
        let head = Event::BlockObserved(BlockObserved {
            number: 101,
            hash: Hash32([2; 32]),
            parent: Hash32([4; 32]),
            l1_number: 101,
        });
        let polled = vec![round.clone(), pool.clone(), head.clone()];
        assert_eq!(
            first_start(vec![round.clone(), pool.clone()], polled),
            vec![round.clone(), pool.clone(), head.clone()]
        );
        // A round read from an older block: the head's poll adds only the head.
        assert_eq!(
            first_start(vec![round.clone(), pool.clone()], vec![head.clone()]),
            vec![round, pool, head]
        );
    }
}
