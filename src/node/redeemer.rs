//! `livepeer -redeemer`: a node on a chain that redeems winning tickets for orchestrators
//! (facts §3.11). It serves `net.TicketRedeemer` over TLS on `-httpAddr` (default
//! 127.0.0.1:8935); every ticket it takes is an event (`RevealedTicketQueued`) before
//! `QueueTicket` answers, and its chain loop redeems the queue on each new L1 block with its own
//! account (paying the gas), for tickets whose recipient is that account or `-ethOrchAddr`. Max
//! floats come from its sender-funds projection.

use super::{args::NodeArgs, clock::now_ms, writer::Writer, NodeError};
use crate::api::redeemer::QueuedTicket;
use crate::api::redeemer_service::{QueueError, RedeemerPort};
use crate::events::Address;
use crate::log::{FjallLog, LogStore};
use crate::pm::reveal::queue_revealed;
use ethers_core::types::U256;
use std::{path::Path, process::ExitCode, sync::Arc, time::Duration};

/// How often a `MonitorMaxFloat` stream looks for a change.
pub const MONITOR_EVERY: Duration = Duration::from_millis(200);

/// The redeemer's state as its service sees it.
pub struct RedeemerNode<S: LogStore> {
    writer: Arc<Writer<S>>,
    me: Address,
    rpc: crate::chain::rpc::Rpc,
    watched: crate::chain::watch::Watched,
}

impl<S: LogStore> RedeemerNode<S> {
    fn float(&self, sender: Address) -> Option<U256> {
        let _ = self.writer.catch_up();
        self.writer
            .read(|p| p.sender_funds.state.max_float(&sender, &self.me))
    }
}

#[tonic::async_trait]
impl<S: LogStore> RedeemerPort for RedeemerNode<S> {
    async fn queue_ticket(&self, t: QueuedTicket) -> Result<(), QueueError> {
        let me = self.me;
        let decided = self
            .writer
            .decide("redeemer/queue", now_ms(), |p| {
                queue_revealed(
                    &p.ticket_queue.state,
                    me,
                    &t.ticket,
                    &t.sig,
                    t.recipient_rand,
                )
                .map(|e| (e.into_iter().collect(), ()))
            })
            .await
            .map_err(|e| QueueError::Internal(e.to_string()))?;
        decided.map(|_| ()).map_err(QueueError::Refused)
    }

    async fn max_float(&self, sender: Address) -> Option<U256> {
        // A sender asked about for the first time is read from the chain first.
        if let Err(e) =
            super::watcher::meet_sender(&self.rpc, self.watched, &self.writer, sender).await
        {
            tracing::warn!("reading sender {sender}: {e}");
        }
        self.float(sender)
    }

    async fn max_float_change(&self, sender: Address, last: Option<U256>) -> U256 {
        loop {
            let now = self.float(sender);
            if let Some(v) = now {
                if Some(v) != last {
                    return v;
                }
            }
            tokio::time::sleep(MONITOR_EVERY).await;
        }
    }
}

/// Runs the redeemer until interrupted.
pub async fn run(datadir: &Path, network: &str, args: &NodeArgs) -> Result<ExitCode, NodeError> {
    let stop = super::signals::terminated();
    if network == "offchain" {
        return Err("-redeemer redeems on a chain: give it -network and -ethUrl".into());
    }
    std::fs::create_dir_all(datadir)?;
    let log = Arc::new(FjallLog::open_dir(datadir)?);
    let writer = Arc::new(super::open_writer(log)?);
    let eth = super::eth::start_on_chain(datadir, network, args, &writer, &["redeemer"])
        .await?
        .ok_or("-redeemer needs a chain")?;
    let chain = super::eth::chain_loop(eth, args, writer.clone(), Some(None))?;
    // The tickets' recipient: -ethOrchAddr (a redeemer paying gas for a registered address), or
    // the redeemer's own account.
    let me = crate::chain::convert::address(chain.watched.me);
    let listen = args
        .http_addr
        .clone()
        .unwrap_or_else(|| "127.0.0.1:8935".into());
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let bound = listener.local_addr()?;
    let (host, _) = crate::api::client::split_host_port(&listen)
        .ok_or_else(|| format!("-httpAddr {listen:?}: expected host:port"))?;
    let (cert, key) = crate::api::tls::self_signed(&host, datadir)?;
    let tls = crate::api::tls::server_config(cert, key)?;
    println!(
        "Redeemer for {me} serving net.TicketRedeemer at https://{bound}; datadir {}",
        datadir.display()
    );
    let port: Arc<dyn RedeemerPort> = Arc::new(RedeemerNode {
        writer: writer.clone(),
        me,
        rpc: chain.rpc.clone(),
        watched: chain.watched,
    });
    let app = crate::api::redeemer_service::app(port);
    let serving = super::httpd::serve(listener, Some(tls), app, stop);
    let role = crate::api::cli::Role::Redeemer;
    super::chain_role::run_chain_role(args, role, chain, writer, serving).await?;
    println!("Redeemer stopped");
    Ok(ExitCode::SUCCESS)
}
