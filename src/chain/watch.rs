//! What one poll of the chain becomes: the Livepeer logs of a block range, in chain order, mapped
//! to events (`SenderFundsChanged` for the TicketBroker's funds logs of every sender,
//! `RoundInitialized` for `NewRound` with its round's start block), then the head block
//! (`BlockObserved`). The node's watcher does the calls and appends the result.

use super::{convert, logs, rpc::Rpc, topics, ChainError};
use crate::events::{BlockObserved, Event};
use ethers_core::types::{Address, Bytes};

/// `RoundsManager.currentRoundStartBlock()`.
const CURRENT_ROUND_START_BLOCK: [u8; 4] = [0x8f, 0xa1, 0x48, 0xf2];

/// The contracts a node watches.
#[derive(Clone, Copy, Debug)]
pub struct Watched {
    /// The TicketBroker (senders' funds).
    pub ticket_broker: Address,
    /// The RoundsManager (rounds).
    pub rounds_manager: Address,
}

/// The events of blocks `from..=head`: their logs in order, then the head block.
pub async fn poll(rpc: &Rpc, w: Watched, from: u64, head: u64) -> Result<Vec<Event>, ChainError> {
    let mut found = rpc
        .logs(
            vec![w.ticket_broker, w.rounds_manager],
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
                let out = rpc
                    .call(
                        w.rounds_manager,
                        Bytes::from(CURRENT_ROUND_START_BLOCK.to_vec()),
                    )
                    .await?;
                let start = out
                    .get(..32)
                    .and_then(|b| <&[u8; 32]>::try_from(b).ok())
                    .and_then(|b| convert::to_u64(convert::word(b)))
                    .ok_or_else(|| ChainError::Rpc("currentRoundStartBlock: bad answer".into()))?;
                if let Some(r) = logs::round_from_log(log, start)? {
                    events.push(Event::RoundInitialized(r));
                }
            }
            Some(_) if from_broker => {
                if let Some(e) = logs::event_from_log(log)? {
                    events.push(e);
                }
            }
            _ => {}
        }
    }
    let (hash, parent, l1) = rpc.block(head).await?;
    events.push(Event::BlockObserved(BlockObserved {
        number: head,
        hash: convert::hash(hash),
        parent: convert::hash(parent),
        l1_number: l1,
    }));
    Ok(events)
}
