//! The CLI HTTP API (`-cliAddr`; default 127.0.0.1:7935, a broadcaster's 127.0.0.1:5935): on a
//! chain, chain actions go through the node's one transaction owner, each transaction recorded
//! before it is sent and answered once mined; with `-monitor` (on a chain or not), Prometheus
//! `/metrics` (`node::metrics`). An explicit `-cliAddr` that cannot be bound stops the node; the
//! default one is skipped with a warning (another node on the machine holds it).

use super::{txs::TxOwner, NodeError};
use crate::api::cli_api::{app, CliError, CliPort};
use crate::api::metrics::Render;
use crate::chain::actions::{Action, Contracts, ROUTES};
use crate::events::TxPurpose;
use crate::log::LogStore;
use std::collections::BTreeMap;
use std::{sync::Arc, time::Duration};

/// How long an action waits for each of its transactions to be mined.
pub const ACTION_TIMEOUT: Duration = Duration::from_secs(120);

/// The CLI API over a node's account.
pub struct CliNode<S: LogStore> {
    /// The transaction owner.
    pub txs: Arc<TxOwner<S>>,
    /// The contracts.
    pub contracts: Contracts,
}

#[tonic::async_trait]
impl<S: LogStore> CliPort for CliNode<S> {
    async fn chain_action(
        &self,
        route: &str,
        form: &BTreeMap<String, String>,
    ) -> Result<Vec<String>, CliError> {
        if !ROUTES.contains(&route) {
            return Err(CliError::NotFound);
        }
        let action = Action::from_form(route, form).map_err(CliError::BadRequest)?;
        let name = action.route().to_string();
        let failed = |e: String| CliError::Failed(e);
        let calls = action
            .calls(&self.contracts, self.txs.address())
            .map_err(|e| failed(e.to_string()))?;
        let mut hashes = Vec::new();
        for call in calls {
            let purpose = TxPurpose::Action { name: name.clone() };
            let hash = self
                .txs
                .submit(call, purpose)
                .await
                .map_err(|e| failed(e.to_string()))?;
            tracing::info!("{name}: transaction {hash:?} sent");
            self.txs
                .outcome(hash, ACTION_TIMEOUT)
                .await
                .map_err(|e| failed(format!("{name}: {e}")))?;
            hashes.push(format!("{hash:?}"));
        }
        Ok(hashes)
    }

    fn eth_addr(&self) -> String {
        format!("{:?}", self.txs.address())
    }
}

/// Binds the CLI API's listener: `-cliAddr`, else `default` (skipped when taken).
pub async fn bind(
    cli_addr: Option<&str>,
    default: &str,
) -> Result<Option<tokio::net::TcpListener>, NodeError> {
    let addr = cli_addr.unwrap_or(default);
    match tokio::net::TcpListener::bind(addr).await {
        Ok(l) => {
            println!("CLI API at http://{}", l.local_addr()?);
            Ok(Some(l))
        }
        Err(e) if cli_addr.is_none() => {
            tracing::warn!("CLI API not served: cannot listen on {addr}: {e} (set -cliAddr)");
            Ok(None)
        }
        Err(e) => Err(format!("-cliAddr {addr}: {e}").into()),
    }
}

/// Serves the CLI API on `listener` until `stop` turns true.
pub async fn serve<S: LogStore>(
    listener: tokio::net::TcpListener,
    node: CliNode<S>,
    stop: tokio::sync::watch::Receiver<bool>,
) {
    serve_router(listener, router(Some(node), None), stop).await;
}

/// The CLI port's routes: the chain actions of `node` (on a chain) and `/metrics` rendered by
/// `metrics` (with `-monitor`); anything else is 404.
pub fn router<S: LogStore>(node: Option<CliNode<S>>, metrics: Option<Render>) -> axum::Router {
    let mut r = axum::Router::new();
    if let Some(m) = metrics {
        r = r.merge(crate::api::metrics::router(m));
    }
    if let Some(node) = node {
        let port: Arc<dyn CliPort> = Arc::new(node);
        r = r.merge(app(port));
    }
    r
}

/// Serves `routes` on `listener` until `stop` turns true.
pub async fn serve_router(
    listener: tokio::net::TcpListener,
    routes: axum::Router,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let stopped = async move {
        let _ = stop.wait_for(|s| *s).await;
    };
    super::httpd::serve(listener, None, routes, stopped).await;
}

/// `/metrics` of `metrics` over `writer`'s projections.
pub fn metrics_render<S: LogStore>(
    metrics: Arc<super::metrics::Metrics>,
    writer: Arc<super::writer::Writer<S>>,
) -> Render {
    Arc::new(move || metrics.render(&writer))
}
