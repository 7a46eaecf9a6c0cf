//! `livepeer -broadcaster -orchAddr HOST:PORT`: the B's RTMP ingest on `-rtmpAddr` (default
//! 127.0.0.1:1935), HTTP push ingest and HLS playback on `-httpAddr` (default 127.0.0.1:9935),
//! sending every segment to the orchestrator.
//!
//! - [`service`]: the B's segment path and stream rules through the writer; [`config`]: its
//!   flags.
//! - [`admission`]: new streams, asked about first with `-authWebhookUrl` ([`auth_webhook`]:
//!   the call, and the ladder as media and as the log hold it).
//! - [`session_choice`]: which of a stream's sessions takes its next segment (trusted and
//!   untrusted pools, latency scores: `MinLSSelector`); [`orch_sessions`]: a new session,
//!   offchain round robin, the connections.
//! - [`pool`]: where its Os come from (`-orchWebhookUrl` through [`orch_webhook`], `-orchAddr`,
//!   the chain) and the nodes they advertise (`-extraNodes`).
//! - [`discovery`]: on a chain, the Os asked at once and one chosen by probability (recorded),
//!   weighing the performance scores [`perf_stats`] reads (`-orchPerfStatsUrl`).
//! - [`playback`]: HLS from the streams projection, idle ends, the end of streams at restart.
//! - [`rtmp`]: RTMP ingest cut into segments.
//! - [`port`]: the B as `api::broadcaster`'s handlers reach it.

pub mod admission;
pub mod auth_webhook;
pub mod config;
pub mod discovery;
pub mod orch_sessions;
pub mod orch_webhook;
pub mod paying;
pub mod perf_stats;
pub mod playback;
pub mod pool;
pub mod port;
pub mod progress;
pub mod rtmp;
mod runtime;
pub mod service;
pub mod session_choice;
pub mod spares;
pub mod verify;

use super::{args::NodeArgs, NodeError};
use crate::api::broadcaster as http;
use crate::log::{FjallLog, FjallStore};
use crate::media::profile::parse_transcoding_options;
use rtmp::RtmpIngest;
use service::{BcastConfig, Broadcaster};
use std::{path::Path, process::ExitCode, sync::Arc, time::Duration};

/// How long a stopping B waits for its segments in flight and publishers to finish.
const DRAIN: Duration = Duration::from_secs(8);

/// Runs the B until interrupted.
pub async fn run(datadir: &Path, network: &str, args: &NodeArgs) -> Result<ExitCode, NodeError> {
    let stop = super::signals::terminated();
    let b = start_on(datadir, network, args).await?;
    b.serve(stop).await?;
    println!("Broadcaster stopped");
    Ok(ExitCode::SUCCESS)
}

/// A B bound to its ports.
pub struct StartedBroadcaster {
    /// `http://host:port` of its ingest and playback.
    pub url: String,
    /// `rtmp://host:port` of its RTMP ingest.
    pub rtmp_url: String,
    rtmp_addr: std::net::SocketAddr,
    max_sessions: usize,
    listener: tokio::net::TcpListener,
    b: Arc<Broadcaster<FjallStore>>,
    /// On a chain: its loop (the watcher — the B's own deposit and reserve among every
    /// sender's — and the account's transactions).
    chain: Option<super::chain_loop::ChainLoop<crate::log::FjallStore>>,
    /// The CLI API's listener, when bound (on a chain: chain actions; `-monitor`: metrics).
    cli: Option<tokio::net::TcpListener>,
    /// `-monitor`: its metrics.
    metrics: Option<Arc<crate::node::metrics::Metrics>>,
    /// The runtime settings' flag values (the CLI API's).
    defaults: super::runtime_config::Defaults,
}

impl StartedBroadcaster {
    /// The B itself (its log, playlists).
    pub fn broadcaster(&self) -> Arc<Broadcaster<FjallStore>> {
        self.b.clone()
    }

    /// Serves HTTP and RTMP until `shutdown` resolves, ending streams idle for 60 s.
    pub async fn serve(
        self,
        shutdown: impl std::future::Future<Output = ()> + Send + 'static,
    ) -> Result<(), NodeError> {
        let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
        let stopped = |mut rx: tokio::sync::watch::Receiver<bool>| async move {
            let _ = rx.wait_for(|s| *s).await;
        };
        let idle = self.b.clone();
        let mut idle_stop = stop_rx.clone();
        let tasks = self.b.tasks().clone();
        let ender = tasks.spawn(async move {
            loop {
                tokio::select! {
                    _ = idle_stop.wait_for(|s| *s) => return,
                    _ = tokio::time::sleep(Duration::from_secs(5)) => {}
                }
                crate::node::payments::expire_balances(
                    idle.writer(),
                    crate::node::clock::now_ms(),
                    |_| "b/pay".into(),
                )
                .await;
                let n = idle.end_idle().await;
                if n > 0 {
                    tracing::info!("{n} pushed streams ended (no segment for 60 s)");
                }
            }
        });
        let writer = self.b.writer().clone();
        let tail = progress::shared(&writer);
        tasks.spawn(progress::run(writer.clone(), tail.clone(), stop_rx.clone()));
        if let Some(perf) = self.b.pool().perf() {
            let stop = stop_rx.clone();
            tasks.spawn(async move { perf.run(stop).await });
        }
        let render = self
            .metrics
            .map(|m| super::cli_server::metrics_render(m, writer.clone()));
        if let Some(l) = self.cli {
            let mut node = super::cli_server::CliNode::new(
                crate::api::cli::Role::Broadcaster,
                writer.clone(),
                self.defaults.clone(),
            );
            node.chain = self.chain.as_ref().map(|c| c.cli());
            let (w, pool) = (writer.clone(), self.b.config().orchestrators.clone());
            node.status = Arc::new(move || crate::api::cli::NodeStatus {
                // Each stream's bytes since the node started, as the reference counts them.
                streams: progress::with_tail(&tail, &w, |t, p| {
                    let mut streams = super::cli_server::live_streams_in(p);
                    for st in &mut streams {
                        (st.source_bytes, st.transcoded_bytes) = t.bytes(&st.manifest);
                    }
                    streams
                }),
                orchestrator_pool: pool.clone(),
                version: env!("CARGO_PKG_VERSION").into(),
                ..Default::default()
            });
            let routes = super::cli_server::router(node, render);
            tasks.spawn(super::cli_server::serve_router(l, routes, stop_rx.clone()));
        }
        let watcher = self
            .chain
            .map(|c| tasks.spawn(c.run(writer.clone(), stop_rx.clone())));
        let ingest = RtmpIngest::new(self.b.clone(), self.max_sessions, self.rtmp_url.clone());
        let rtmp = rtmp_rs::RtmpServer::new(
            rtmp_rs::ServerConfig::default().bind(self.rtmp_addr),
            ingest.clone(),
        );
        let rtmp_stop = stopped(stop_rx.clone());
        let rtmp_task = tasks.spawn(async move {
            if let Err(e) = rtmp.run_until(rtmp_stop).await {
                tracing::error!("RTMP server: {e}");
            }
        });
        let http_stop = stopped(stop_rx);
        let http_task = tasks.spawn(super::httpd::serve(
            self.listener,
            None,
            http::router(self.b),
            http_stop,
        ));
        shutdown.await;
        let _ = stop_tx.send(true);
        let _ = rtmp_task.await;
        let _ = http_task.await;
        let _ = ender.await;
        if let Some(w) = watcher {
            let _ = w.await;
        }
        // Publishers still connected lose the server: cut their last segments and end their
        // streams; then every task (segments in flight, publishers' senders) is joined.
        ingest.stop_all().await;
        tasks.close();
        if tokio::time::timeout(DRAIN, tasks.wait()).await.is_err() {
            tracing::warn!(
                "{} tasks still running {} s after the stop; leaving them",
                tasks.len(),
                DRAIN.as_secs()
            );
        }
        let seq = writer.checkpoint().await.map_err(|e| e.to_string())?;
        tracing::info!("projections checkpointed at seq {seq}");
        Ok(())
    }
}

/// Opens the B's log in `datadir`, parses its ladder and binds `-httpAddr`.
pub async fn start(datadir: &Path, args: &NodeArgs) -> Result<StartedBroadcaster, NodeError> {
    start_on(datadir, "offchain", args).await
}

/// [`start`] on `network`: on a chain, with the node's account checked there first
/// (`node::eth`).
pub async fn start_on(
    datadir: &Path,
    network: &str,
    args: &NodeArgs,
) -> Result<StartedBroadcaster, NodeError> {
    let orchestrators: Vec<String> = list(args.orch_addr.as_deref())
        .map(|a| {
            if a.starts_with("https://") {
                a.to_string()
            } else {
                format!("https://{a}")
            }
        })
        .collect();
    if args.verifier_url.is_some() {
        return Err(
            "-verifierUrl: remote verification is not supported yet (use -localVerify, \
                    on by default on a chain)"
                .into(),
        );
    }
    let discovery = &args.discovery;
    let webhook_url = discovery.webhook_url()?;
    let (webhook_refresh, discovery_timeout) =
        (discovery.webhook_refresh()?, discovery.discovery_timeout()?);
    if orchestrators.is_empty() && webhook_url.is_none() && network == "offchain" {
        return Err(
            "-broadcaster needs -orchAddr HOST:PORT or -orchWebhookUrl URL (offchain \
                    there is no discovery on chain)"
                .into(),
        );
    }
    let blocklist = list(args.orch_blocklist.as_deref())
        .map(|a| {
            a.parse::<ethers_core::types::Address>()
                .map(|x| crate::events::Address(x.0))
                .map_err(|_| format!("-orchBlocklist {a:?}: not an address"))
        })
        .collect::<Result<Vec<_>, _>>()?;
    for o in &orchestrators {
        let hostport = o.trim_start_matches("https://");
        super::orchestrator::split_host_port(hostport)
            .map_err(|_| format!("-orchAddr {hostport:?}: expected host:port"))?;
    }
    let profiles = parse_transcoding_options(&args.transcoding_options)?;
    std::fs::create_dir_all(datadir)?;
    crate::media::init()?;
    let log = Arc::new(FjallLog::open_dir(datadir)?);
    let writer = Arc::new(super::open_writer(log)?);
    let defaults = super::runtime_config::Defaults::from_args(args)?;
    super::runtime_config::apply_flags(&writer, &defaults, args).await?;
    let eth = super::eth::start_on_chain(datadir, network, args, &writer, &["broadcaster"]).await?;
    let paying = eth.as_ref().map(|e| paying::Paying {
        wallet: e.account.clone(),
        writer: writer.clone(),
        cfg: args.sender_config(),
    });
    let chain = eth
        .map(|e| super::eth::chain_loop(e, args, writer.clone(), None))
        .transpose()?;
    let monitor = args.monitor.monitor;
    let cli = super::cli_server::bind(args.cli_addr.as_deref(), "127.0.0.1:5935").await?;
    let listen = args
        .http_addr
        .clone()
        .unwrap_or_else(|| "127.0.0.1:9935".into());
    let listener = tokio::net::TcpListener::bind(&listen)
        .await
        .map_err(|e| format!("cannot listen on {listen}: {e}"))?;
    let url = format!("http://{}", listener.local_addr()?);
    // rtmp-rs binds when it starts serving; check the address now (and resolve port 0).
    let rtmp_addr = std::net::TcpListener::bind(&args.rtmp_addr)
        .and_then(|l| l.local_addr())
        .map_err(|e| format!("cannot listen for RTMP on {}: {e}", args.rtmp_addr))?;
    let rtmp_url = format!("rtmp://{rtmp_addr}");
    println!(
        "Broadcaster ({}): publish RTMP to {rtmp_url}/<stream> or push segments to \
         {url}/live/<stream>/<seq>.ts, play {url}/stream/<stream>.m3u8; orchestrators {}; \
         ladder {}; datadir {}",
        if paying.is_some() {
            "paying in tickets"
        } else {
            "offchain"
        },
        match (&webhook_url, orchestrators.is_empty()) {
            (Some(url), _) => format!("from -orchWebhookUrl {url}"),
            (None, true) => "discovered on chain (the active pool)".to_string(),
            (None, false) => orchestrators.join(","),
        },
        profiles
            .iter()
            .map(|p| p.name.as_str())
            .collect::<Vec<_>>()
            .join(","),
        datadir.display()
    );
    let local_verify = args.local_verify.unwrap_or(paying.is_some());
    let max_price = super::args::wei_price("-maxPricePerUnit", &args.max_price_per_unit)?;
    let settings = crate::node::metrics::Settings {
        role: crate::node::metrics::Role::Broadcaster,
        per_stream: args.monitor.metrics_per_stream,
        account: paying
            .as_ref()
            .map(|p| crate::events::Address(ethers_signers::Signer::address(&p.wallet).0)),
        max_sessions: args.max_sessions.number("broadcaster")?,
        local_verify,
        price_per_pixel: (max_price > 0)
            .then(|| max_price as f64 / args.pixels_per_unit.max(1) as f64),
        gas_limits: super::orchestrator::gas_limits(args),
    };
    let metrics = crate::node::metrics::start(monitor, settings, &writer)?;
    let b = Broadcaster::new(
        BcastConfig {
            orchestrators,
            webhook_url,
            webhook_refresh,
            extra_nodes: discovery.extra_nodes,
            discovery_timeout,
            blocklist,
            profiles,
            current_manifest: args.current_manifest,
            local_verify,
            max_price: match max_price {
                0 => None,
                wei => Some(crate::events::Price {
                    price_per_unit: wei,
                    pixels_per_unit: args.pixels_per_unit.max(1),
                }),
            },
            ignore_max_price: args.ignore_max_price_if_needed,
            selection: args.selection.algorithm()?,
            max_attempts: args.selection.max_attempts,
            perf_stats: args.selection.perf_stats(),
            auth_webhook: args.auth_webhook_url.clone(),
            metrics: metrics.as_ref().map(|m| m.edge()).unwrap_or_default(),
        },
        writer,
    );
    let b = match paying {
        Some(p) => b.with_payments(p),
        None => b,
    }
    .shared();
    // Streams a killed B left open lost their publishers with it: end them (their playlists
    // close with #EXT-X-ENDLIST).
    let left = b.end_streams_left_open().await.map_err(|e| e.text)?;
    if !left.is_empty() {
        println!(
            "Ended {} streams the last run left open: {}",
            left.len(),
            left.join(", ")
        );
    }
    Ok(StartedBroadcaster {
        url,
        rtmp_url,
        rtmp_addr,
        max_sessions: args.max_sessions.number("broadcaster")? as usize,
        listener,
        b,
        chain,
        cli,
        metrics,
        defaults,
    })
}

/// The items of a comma-separated flag (`-orchAddr a,b`), trimmed, empty ones dropped.
fn list(flag: Option<&str>) -> impl Iterator<Item = &str> {
    flag.unwrap_or("")
        .split(',')
        .map(str::trim)
        .filter(|a| !a.is_empty())
}
