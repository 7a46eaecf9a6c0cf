//! `livepeer -orchestrator -transcoder`: the O on its TLS port, transcoding itself, until
//! interrupted. Opens the event log in the datadir, the persisted secret beside it (auth tokens
//! survive restarts), a fresh self-signed certificate, and the transcoder sessions.
//!
//! - [`service`]: the O's state and its session rules through the writer.
//! - [`transcode`]: an admitted segment's transcode (local or remote) and its outcome.
//! - [`remote`]: the remote Ts attached over `RegisterTranscoder`.
//! - [`port`]: the O as `api::orchestrator`'s handlers reach it.
//! - [`status`]: its `/status`: open sessions, their bytes, its prices.

mod answers;
pub mod auth_webhook;
mod chain;
mod issuing;
pub mod paid;
pub mod port;
pub mod redeemer_link;
pub mod remote;
pub mod service;
pub mod status;
pub mod transcode;

pub use service::{OrchConfig, Orchestrator};

use super::{args::NodeArgs, NodeError};
use crate::api::tls;
use crate::commands::auth_token::AuthKey;
use crate::log::FjallLog;
use std::{path::Path, process::ExitCode, sync::Arc, time::Duration};

/// Splits `host:port` (IPv6 in brackets).
pub(super) fn split_host_port(addr: &str) -> Result<(String, u16), NodeError> {
    crate::api::client::split_host_port(addr)
        .ok_or_else(|| format!("-serviceAddr {addr:?}: expected host:port").into())
}

/// Runs the O until interrupted.
pub async fn run(datadir: &Path, network: &str, args: &NodeArgs) -> Result<ExitCode, NodeError> {
    // Watching the signals before the O says it serves: a SIGTERM right after still stops it.
    let stop = super::signals::terminated();
    let o = start_on(datadir, network, args).await?;
    o.serve(stop).await;
    println!("Orchestrator stopped");
    Ok(ExitCode::SUCCESS)
}

/// An O bound to its port, ready to serve.
pub struct StartedOrchestrator {
    /// Where Bs reach it (`https://<serviceAddr>`).
    pub uri: String,
    listener: tokio::net::TcpListener,
    tls: Arc<rustls::ServerConfig>,
    o: Arc<Orchestrator<crate::log::FjallStore>>,
    /// On a chain: its loop (watcher, transactions, redemption of its winning tickets).
    chain: Option<super::chain_loop::ChainLoop<crate::log::FjallStore>>,
    /// The CLI API's listener, when bound (on a chain: chain actions; `-monitor`: metrics).
    cli: Option<tokio::net::TcpListener>,
    /// `-monitor`: its metrics.
    metrics: Option<Arc<crate::node::metrics::Metrics>>,
    /// The runtime settings' flag values (the CLI API's).
    defaults: super::runtime_config::Defaults,
}

impl StartedOrchestrator {
    /// The O itself (its log and projections, through its writer).
    pub fn orchestrator(&self) -> Arc<Orchestrator<crate::log::FjallStore>> {
        self.o.clone()
    }

    /// Serves until `shutdown` resolves, closing idle sessions every 10 s; then joins its tasks
    /// and checkpoints the projections.
    pub async fn serve(self, shutdown: impl std::future::Future<Output = ()>) {
        let idle = self.o.clone();
        let (stop_tx, mut stop_rx) = tokio::sync::watch::channel(false);
        let tasks = self.o.tasks().clone();
        let closer = tasks.spawn(async move {
            loop {
                tokio::select! {
                    _ = stop_rx.wait_for(|s| *s) => return,
                    _ = tokio::time::sleep(Duration::from_secs(10)) => {}
                }
                let closed = idle.close_idle().await;
                if closed > 0 {
                    tracing::info!("closed {closed} idle transcoding sessions");
                }
                let expired = crate::node::payments::expire_balances(
                    idle.writer(),
                    crate::node::clock::now_ms(),
                    |a| format!("sender/{}", hex::encode(a.counterparty.0)),
                )
                .await;
                if expired > 0 {
                    tracing::info!("closed {expired} balances idle for 10 minutes");
                }
            }
        });
        let writer = self.o.writer().clone();
        let render = self
            .metrics
            .map(|m| super::cli_server::metrics_render(m, writer.clone()));
        if let Some(l) = self.cli {
            let mut node = super::cli_server::CliNode::new(
                crate::api::cli::Role::Orchestrator,
                writer.clone(),
                self.defaults.clone(),
            );
            node.chain = self.chain.as_ref().map(|c| c.cli());
            node.auto_sessions = self.o.local_transcoder().is_none();
            let (w, o) = (writer.clone(), self.o.clone());
            let (tail, defaults) = (
                super::broadcaster::progress::shared(&writer),
                self.defaults.clone(),
            );
            node.status = Arc::new(move || {
                use super::broadcaster::progress::with_tail;
                let now = super::clock::now_ms();
                let (streams, prices) = with_tail(&tail, &w, |t, p| {
                    let e = defaults.effective(&p.config.state);
                    let prices = status::broadcaster_prices(&e.price, &e.prices);
                    (status::sessions(p, t, now), prices)
                });
                crate::api::cli::NodeStatus {
                    streams,
                    transcoders: o.remote().list(),
                    local_transcoding: o.local_transcoder().is_some(),
                    broadcaster_prices: prices,
                    version: env!("CARGO_PKG_VERSION").into(),
                    ..Default::default()
                }
            });
            let routes = super::cli_server::router(node, render);
            tasks.spawn(super::cli_server::serve_router(
                l,
                routes,
                stop_tx.subscribe(),
            ));
        }
        let watcher = self
            .chain
            .map(|c| tasks.spawn(c.run(writer.clone(), stop_tx.subscribe())));
        if let Some(link) = self.o.paid().and_then(|p| p.redeemer.clone()) {
            tasks.spawn(link.run(stop_tx.subscribe()));
        }
        let app = crate::api::orchestrator::app(self.o);
        super::httpd::serve(self.listener, Some(self.tls), app, shutdown).await;
        let _ = stop_tx.send(true);
        let _ = closer.await;
        if let Some(w) = watcher {
            let _ = w.await;
        }
        // Every task the O started (transcodes in flight, T watchers) ends before the log's
        // last checkpoint.
        tasks.close();
        tasks.wait().await;
        match writer.checkpoint().await {
            Ok(seq) => tracing::info!("projections checkpointed at seq {seq}"),
            Err(e) => tracing::warn!("checkpoint at shutdown: {e}"),
        }
    }
}

/// Opens the O's log, secret, certificate and transcoder in `datadir` and binds its port.
/// A `-serviceAddr` port of 0 binds a free port (the URI then names it).
pub async fn start(datadir: &Path, args: &NodeArgs) -> Result<StartedOrchestrator, NodeError> {
    start_on(datadir, "offchain", args).await
}

/// [`start`] on `network`: on a chain, with the node's account checked there first
/// (`node::eth`).
pub async fn start_on(
    datadir: &Path,
    network: &str,
    args: &NodeArgs,
) -> Result<StartedOrchestrator, NodeError> {
    start_inner(datadir, network, args, None).await
}

/// [`start`] offchain, transcoding with `transcoder` instead of the one `-transcoder` makes
/// (`livepeer bench network`'s zero-cost transcoder).
pub async fn start_with_transcoder(
    datadir: &Path,
    args: &NodeArgs,
    transcoder: Arc<dyn crate::media::Transcoder>,
) -> Result<StartedOrchestrator, NodeError> {
    start_inner(datadir, "offchain", args, Some(transcoder)).await
}

async fn start_inner(
    datadir: &Path,
    network: &str,
    args: &NodeArgs,
    injected: Option<Arc<dyn crate::media::Transcoder>>,
) -> Result<StartedOrchestrator, NodeError> {
    let nodes = args.discovery.advertised_nodes()?;
    let session_limit = args
        .max_sessions
        .for_orchestrator(injected.is_some() || args.transcoder)?;
    std::fs::create_dir_all(datadir)?;
    let transcoder = match injected {
        Some(t) => Some(t),
        None if args.transcoder => Some(super::transcoder::transcoder(args)?),
        None => None,
    };
    let log = Arc::new(FjallLog::open_dir(datadir)?);
    let secret = match &args.shared_secret_file {
        Some(file) => crate::node::keystore::load_shared_secret(file)?,
        None => crate::node::keystore::load_or_create_rand_secret(datadir)?,
    };
    let writer = Arc::new(super::open_writer(log)?);
    let defaults = super::runtime_config::Defaults::from_args(args)?;
    super::runtime_config::apply_flags(&writer, &defaults, args).await?;
    let eth =
        super::eth::start_on_chain(datadir, network, args, &writer, &["orchestrator"]).await?;
    let (chain, paid) = match eth {
        Some(e) => {
            let (c, p) = chain::on_chain(e, args, writer.clone(), &secret)?;
            (Some(c), Some(p))
        }
        None => (None, None),
    };
    let monitor = args.monitor.monitor;
    let cli = super::cli_server::bind(args.cli_addr.as_deref(), "127.0.0.1:7935").await?;
    let (host, port) = split_host_port(&args.service_addr)?;
    let listen = args
        .http_addr
        .clone()
        .unwrap_or_else(|| format!("0.0.0.0:{port}"));
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let bound = listener.local_addr()?;
    let service_uri = if port == 0 {
        format!("https://{host}:{}", bound.port())
    } else {
        format!("https://{}", args.service_addr)
    };
    let (cert, key) = tls::self_signed(&host, datadir)?;
    let tls_cfg = tls::server_config(cert, key)?;
    let o = Orchestrator::new(
        OrchConfig {
            service_uri: service_uri.clone(),
            price_per_unit: super::args::wei_price("-pricePerUnit", &args.price_per_unit)?,
            prices: match &args.price_per_gateway {
                Some(a) => super::args::gateway_prices(a)?,
                None => Default::default(),
            },
            pixels_per_unit: args.pixels_per_unit,
            max_sessions: session_limit.unwrap_or(0),
            version: env!("CARGO_PKG_VERSION").into(),
            orch_secret: args.orch_secret.clone(),
            nodes: nodes.clone(),
        },
        AuthKey::derive(&secret),
        transcoder,
        writer,
    );
    let o = match session_limit {
        Some(_) => o,
        None => o.with_auto_sessions(),
    };
    let paying = paid.is_some();
    let price = super::args::wei_price("-pricePerUnit", &args.price_per_unit)?;
    let settings = crate::node::metrics::Settings {
        role: crate::node::metrics::Role::Orchestrator,
        per_stream: args.monitor.metrics_per_stream,
        account: paid.as_ref().map(|p| p.recipient),
        max_sessions: session_limit.unwrap_or(0),
        local_verify: false,
        price_per_pixel: Some(price as f64 / args.pixels_per_unit.max(1) as f64),
        gas_limits: gas_limits(args),
    };
    let metrics = crate::node::metrics::start(monitor, settings, o.writer())?;
    if let Some(m) = &metrics {
        let remote = o.remote().clone();
        m.count_transcoders(Box::new(move || remote.totals()));
    }
    let o = Arc::new(match (paid, args.auth_webhook_url.clone()) {
        (Some(p), _) => o.with_payments(p),
        (None, Some(url)) => o.with_auth_webhook(auth_webhook::AuthWebhook::new(url)),
        (None, None) => o,
    });
    println!(
        "Orchestrator ({}) serving gRPC and /segment at {service_uri} (listening on {bound}), \
         transcoding {}, datadir {}",
        if paying {
            "paid in tickets"
        } else {
            "offchain"
        },
        match (args.transcoder, args.orch_secret.is_some()) {
            (true, true) => "on remote transcoders when attached, else itself",
            (true, false) => "itself",
            _ => "on remote transcoders (-orchSecret)",
        },
        datadir.display()
    );
    if !nodes.is_empty() {
        println!("Advertising other instances (-nodes): {}", nodes.join(","));
    }
    Ok(StartedOrchestrator {
        uri: service_uri,
        listener,
        tls: tls_cfg,
        o,
        chain,
        cli,
        metrics,
        defaults,
    })
}

/// `-minGasPrice`, `-maxGasPrice` when set.
pub(crate) fn gas_limits(args: &NodeArgs) -> (Option<u128>, Option<u128>) {
    let set = |v: u128| (v > 0).then_some(v);
    (set(args.min_gas_price), set(args.max_gas_price))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn service_addr_splits() {
        assert_eq!(
            split_host_port("127.0.0.1:8935").unwrap(),
            ("127.0.0.1".into(), 8935)
        );
        assert_eq!(split_host_port("[::1]:9").unwrap(), ("::1".into(), 9));
        assert!(split_host_port("nohost").is_err());
    }
}
