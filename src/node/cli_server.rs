//! The CLI HTTP API (`-cliAddr`; default 127.0.0.1:7935, a broadcaster's 127.0.0.1:5935):
//! `api::cli`'s routes over [`CliNode`] — the node's role, status, runtime settings (recorded
//! as `ConfigChanged`, read back through the `config` projection), log level, and on a chain
//! its account (`cli_chain`); with `-monitor` also Prometheus `/metrics` (`node::metrics`). An
//! explicit `-cliAddr` that cannot be bound stops the node; the default one is skipped with a
//! warning (another node on the machine holds it).

use super::runtime_config::{set_from_api, Defaults};
use super::{writer::Writer, NodeError};
use crate::api::cli::views::{AuditView, ViewError};
use crate::api::cli::{app, ChainPort, CliPort, Effective, LogLevel, NodeStatus, Role};
use crate::api::metrics::Render;
use crate::log::LogStore;
use std::sync::Arc;

pub use super::cli_chain::{CliChain, ACTION_TIMEOUT};

/// What `/status` reports, from the role.
pub type StatusFn = Arc<dyn Fn() -> NodeStatus + Send + Sync>;

/// The process's log verbosity (`node::log_level`: glog's `-v` number, parsed as glog's
/// `Level.Set` does, `strconv.ParseInt(v, 10, 32)`).
pub struct ProcessLogLevel;

impl LogLevel for ProcessLogLevel {
    fn get(&self) -> String {
        super::log_level::get().to_string()
    }
    fn set(&self, level: &str) -> Result<(), String> {
        let v: i32 = level
            .parse()
            .map_err(|_| format!("{level:?}: not a level"))?;
        super::log_level::set(v)
    }
}

/// The node as its CLI API sees it.
pub struct CliNode<S: LogStore> {
    /// Its role.
    pub role: Role,
    /// Its writer (the projections: settings, chain id, last block).
    pub writer: Arc<Writer<S>>,
    /// The runtime settings' flag values.
    pub defaults: Defaults,
    /// `/status`.
    pub status: StatusFn,
    /// The runtime log level.
    pub log_level: Option<Arc<dyn LogLevel>>,
    /// On a chain: its account.
    pub chain: Option<CliChain<S>>,
    /// Whether `/setMaxSessions auto` applies (an O transcoding only on remote Ts).
    pub auto_sessions: bool,
}

impl<S: LogStore> CliNode<S> {
    /// A node of `role` over `writer`, with no status beyond its version yet.
    pub fn new(role: Role, writer: Arc<Writer<S>>, defaults: Defaults) -> Self {
        CliNode {
            role,
            writer,
            defaults,
            status: Arc::new(|| NodeStatus {
                version: env!("CARGO_PKG_VERSION").into(),
                ..NodeStatus::default()
            }),
            log_level: Some(Arc::new(ProcessLogLevel)),
            chain: None,
            auto_sessions: false,
        }
    }
}

#[tonic::async_trait]
impl<S: LogStore> CliPort for CliNode<S> {
    fn role(&self) -> Role {
        self.role
    }
    fn status(&self) -> NodeStatus {
        (self.status)()
    }
    fn log_level(&self) -> Option<&dyn LogLevel> {
        self.log_level.as_deref()
    }
    fn effective(&self) -> Effective {
        self.writer
            .read(|p| self.defaults.effective(&p.config.state))
    }
    async fn set(&self, setting: &str, value: String) -> Result<(), String> {
        if setting == crate::projections::config::MAX_SESSIONS
            && value == "auto"
            && !self.auto_sessions
        {
            return Err(
                "-maxSessions 'auto' cannot be used when both -orchestrator and \
                 -transcoder are specified"
                    .into(),
            );
        }
        set_from_api(&self.writer, setting, value).await
    }
    fn chain_id(&self) -> u64 {
        self.writer.read(|p| p.node.state.chain_id)
    }
    fn last_block(&self) -> Option<u64> {
        self.writer.read(|p| p.chain.state.head.map(|h| h.0))
    }
    fn chain(&self) -> Option<&dyn ChainPort> {
        self.chain.as_ref().map(|c| c as &dyn ChainPort)
    }
    async fn audit_view(&self, view: AuditView) -> Result<String, ViewError> {
        use super::audit_views as v;
        let log = self.writer.log();
        let failed = ViewError::Failed;
        let json = |v: serde_json::Value| v.to_string();
        match view {
            AuditView::Accounting => match &self.chain {
                None => v::accounting(log)
                    .and_then(|r| serde_json::to_string(&r).map_err(|e| e.to_string()))
                    .map_err(failed),
                // On a chain, the same comparison as `livepeer audit -json -ethUrl`.
                Some(c) => {
                    let (report, claims) = v::accounting_and_claims(log).map_err(failed)?;
                    super::audit_chain::accounting_on_chain(
                        &report,
                        &claims,
                        c.txs.rpc(),
                        c.contracts.ticket_broker,
                    )
                    .await
                    .map(json)
                    .map_err(failed)
                }
            },
            AuditView::Dispute(subject) => {
                // The index is cloned under the writer's lock; the log is read without it.
                let idx = self.writer.read(|p| p.audit_index.state.clone());
                v::dispute(log, &idx, &subject)
                    .map(|lines| lines.join("\n") + "\n")
                    .map_err(ViewError::NotFound)
            }
            AuditView::Events { from, limit } => {
                let l1 = self.writer.read(|p| p.ticket_queue.state.last_l1_block());
                v::events(log, from, limit, l1).map(json).map_err(failed)
            }
            AuditView::TicketQueue { after, limit } => {
                Ok(json(self.writer.read(|p| v::ticket_queue(p, after, limit))))
            }
            AuditView::Projections => Ok(json(self.writer.read(v::projections))),
        }
    }
}

/// The live streams of `p`, for `/status` (no byte counts: the B fills its own).
pub fn live_streams_in(
    p: &crate::projections::Projections,
) -> Vec<crate::api::cli::port::StreamStatus> {
    p.streams
        .state
        .live()
        .map(|(id, s)| crate::api::cli::port::StreamStatus {
            manifest: id.clone(),
            renditions: s
                .variants
                .iter()
                .map(|v| (v.profile.clone(), v.width, v.height, 0))
                .collect(),
            source_bytes: 0,
            transcoded_bytes: 0,
        })
        .collect()
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

/// Serves `node`'s CLI API on `listener` until `stop` turns true.
pub async fn serve<S: LogStore>(
    listener: tokio::net::TcpListener,
    node: CliNode<S>,
    stop: tokio::sync::watch::Receiver<bool>,
) {
    serve_router(listener, router(node, None), stop).await;
}

/// The CLI port's routes: `node`'s API and `/metrics` rendered by `metrics` (with
/// `-monitor`); anything else is 404.
pub fn router<S: LogStore>(node: CliNode<S>, metrics: Option<Render>) -> axum::Router {
    let mut r = axum::Router::new();
    if let Some(m) = metrics {
        r = r.merge(crate::api::metrics::router(m));
    }
    let port: Arc<dyn CliPort> = Arc::new(node);
    r.merge(app(port))
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
