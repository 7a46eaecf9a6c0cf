//! What the chain-only roles (the redeemer, the reward service) share: the chain loop and the
//! CLI API (`-cliAddr`, default 127.0.0.1:7935, with the role's chain actions) run as tasks
//! while the role serves; when it stops (a signal), every task is stopped and joined and the
//! projections are checkpointed.

use super::{
    args::NodeArgs,
    chain_loop::ChainLoop,
    cli_server::{bind, serve, CliNode},
    runtime_config::Defaults,
    writer::Writer,
    NodeError,
};
use crate::api::cli::Role;
use crate::log::LogStore;
use std::{future::Future, sync::Arc};

/// Runs `chain` and the CLI API of `role` until `serving` ends, then stops and joins them and
/// checkpoints `writer`'s projections.
pub async fn run_chain_role<S: LogStore + 'static>(
    args: &NodeArgs,
    role: Role,
    chain: ChainLoop<S>,
    writer: Arc<Writer<S>>,
    serving: impl Future<Output = ()>,
) -> Result<(), NodeError> {
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let tasks = tokio_util::task::TaskTracker::new();
    if let Some(l) = bind(args.cli_addr.as_deref(), "127.0.0.1:7935").await? {
        let node = CliNode {
            chain: Some(chain.cli()),
            ..CliNode::new(role, writer.clone(), Defaults::from_args(args)?)
        };
        tasks.spawn(serve(l, node, stop_rx.clone()));
    }
    let chain_task = tasks.spawn(chain.run(writer.clone(), stop_rx));
    serving.await;
    let _ = stop_tx.send(true);
    let _ = chain_task.await;
    tasks.close();
    tasks.wait().await;
    if let Err(e) = writer.checkpoint().await {
        tracing::warn!("checkpoint at shutdown: {e}");
    }
    Ok(())
}
