//! The node's one loop on its chain, every `-blockPollingInterval`: the watcher's poll (new
//! blocks, their Livepeer logs, reorgs), then the transaction owner's tick (receipts,
//! re-broadcasts, replacements), then — when the L1 block moved on — the ticket queue's
//! redemption. One loop, so the three never race and an idle chain costs one call per poll
//! (plus one per open transaction).

use super::{redemption::Redeemer, txs::TxOwner, watcher::poll_once, writer::Writer};
use crate::chain::{rpc::Rpc, watch::Watched};
use crate::log::LogStore;
use std::{sync::Arc, time::Duration};

/// What a node on a chain runs.
pub struct ChainLoop<S: LogStore> {
    /// The connection.
    pub rpc: Rpc,
    /// The contracts and the node's address.
    pub watched: Watched,
    /// The polling interval.
    pub every: Duration,
    /// The account's transaction owner.
    pub txs: Arc<TxOwner<S>>,
    /// The redemption of the ticket queue (an O that redeems its own tickets, or a redeemer).
    pub redeemer: Option<Redeemer<S>>,
    /// The contracts chain actions call.
    pub contracts: crate::chain::actions::Contracts,
    /// An O's reward and round initialisation.
    pub rounds: Option<super::round_services::RoundServices<S>>,
}

impl<S: LogStore> ChainLoop<S> {
    /// The CLI API's chain side over this node's account.
    pub fn cli(&self) -> super::cli_chain::CliChain<S> {
        super::cli_chain::CliChain {
            txs: self.txs.clone(),
            contracts: self.contracts,
        }
    }

    /// Reads whole the funds of every sender with a queued ticket that the node has not met on
    /// chain yet (its deposit may predate the node's first block).
    async fn meet_senders(&self, writer: &Writer<S>) -> Result<(), crate::chain::ChainError> {
        let mut senders: Vec<_> = writer.read(|p| {
            p.ticket_queue
                .state
                .iter()
                .map(|(_, q)| q.ticket.sender)
                .collect()
        });
        senders.sort();
        senders.dedup();
        for s in senders {
            super::watcher::meet_sender(&self.rpc, self.watched, writer, s).await?;
        }
        Ok(())
    }

    /// Runs until `stop` turns true.
    pub async fn run(self, writer: Arc<Writer<S>>, mut stop: tokio::sync::watch::Receiver<bool>) {
        let mut redeemed_at = 0;
        loop {
            match poll_once(&self.rpc, self.watched, &writer).await {
                Ok(n) if n > 1 => tracing::info!("chain: {n} events"),
                Ok(_) => {}
                Err(e) => tracing::warn!("chain watcher: {e}"),
            }
            if let Err(e) = self.txs.tick().await {
                tracing::warn!("transactions: {e}");
            }
            if let Some(r) = &self.rounds {
                if let Err(e) = r.tick().await {
                    tracing::warn!("round services: {e}");
                }
            }
            if let Some(r) = &self.redeemer {
                if let Err(e) = self.meet_senders(&writer).await {
                    tracing::warn!("reading senders' funds: {e}");
                }
                let l1 = writer.read(|p| p.ticket_queue.state.last_l1_block());
                if l1 > redeemed_at {
                    match r.tick().await {
                        Ok(_) => redeemed_at = l1,
                        Err(e) => tracing::warn!("redemption: {e}"),
                    }
                }
            }
            let stopped = tokio::select! {
                _ = stop.wait_for(|s| *s) => true,
                _ = tokio::time::sleep(self.every) => false,
            };
            if stopped {
                // Receipts that arrived since the last tick are recorded before the node stops.
                if let Err(e) = self.txs.tick().await {
                    tracing::warn!("transactions: {e}");
                }
                return;
            }
        }
    }
}
