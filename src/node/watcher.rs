//! The chain watcher of a node on a chain: every `-blockPollingInterval` it asks for the head
//! block (one call while idle); when there are new blocks it reads their Livepeer logs and the
//! head (`chain::watch`: two more calls) and appends them through the writer — the funds logs of
//! every sender, rounds, the last block seen — so the projections (sender funds and max float,
//! rounds, the chain view) follow the chain. It resumes after the last block in the log; a first
//! start begins at the current head. Reorgs are detected by the next slice (left: see issue 9).

use super::{clock::now_ms, writer::Writer};
use crate::chain::{
    rpc::Rpc,
    watch::{poll, Watched},
    ChainError,
};
use crate::log::LogStore;
use std::{sync::Arc, time::Duration};

/// Blocks read in one poll at most (a node far behind catches up over several polls).
pub const MAX_RANGE: u64 = 2_000;

/// One poll: appends what blocks after the last one seen hold; returns how many events.
pub async fn poll_once<S: LogStore>(
    rpc: &Rpc,
    w: Watched,
    writer: &Writer<S>,
) -> Result<usize, ChainError> {
    let head = rpc.block_number().await?;
    let last = writer.read(|p| p.chain.state.last_block().map(|(n, _)| n));
    let from = match last {
        Some(n) if head > n => n + 1,
        Some(_) => return Ok(0),
        None => head,
    };
    let to = head.min(from + MAX_RANGE - 1);
    let events = poll(rpc, w, from, to).await?;
    let n = events.len();
    writer
        .append(now_ms(), events)
        .await
        .map_err(|e| ChainError::Rpc(format!("event log: {e}")))?;
    Ok(n)
}

/// Polls until `stop` turns true.
pub async fn run<S: LogStore>(
    rpc: Rpc,
    w: Watched,
    writer: Arc<Writer<S>>,
    every: Duration,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    loop {
        match poll_once(&rpc, w, &writer).await {
            Ok(n) if n > 1 => tracing::info!("chain: {n} events"),
            Ok(_) => {}
            Err(e) => tracing::warn!("chain watcher: {e}"),
        }
        tokio::select! {
            _ = stop.wait_for(|s| *s) => return,
            _ = tokio::time::sleep(every) => {}
        }
    }
}
