//! `livepeer -transcoder -orchAddr HOST:PORT -orchSecret S`: a standalone T serving one O
//! ([`worker`]: the task loop), with its CLI port ([`cli`]: `-cliAddr`, default
//! `127.0.0.1:6935`; `-monitor`: `/metrics`).

pub mod cli;
pub mod worker;

use super::{args::NodeArgs, NodeError};
use crate::media::{
    profile::DEFAULT_TRANSCODING_OPTIONS, setup::session_manager, Container, SessionLimits,
};
use std::{process::ExitCode, sync::Arc};
use worker::WorkerConfig;

/// The T's settings from its flags.
pub fn config(args: &NodeArgs) -> Result<WorkerConfig, NodeError> {
    let orch = args
        .orch_addr
        .as_deref()
        .and_then(|a| a.split(',').map(str::trim).find(|a| !a.is_empty()))
        .ok_or("-transcoder on its own needs -orchAddr HOST:PORT of its orchestrator")?;
    let secret = args
        .orch_secret
        .clone()
        .ok_or("-transcoder needs -orchSecret, the secret its orchestrator was started with")?;
    let orch_uri = if orch.starts_with("https://") {
        orch.to_string()
    } else {
        format!("https://{orch}")
    };
    Ok(WorkerConfig {
        orch_uri,
        secret,
        capacity: i64::from(args.max_sessions.number("transcoder")?),
        edge: crate::node::metrics::Edge::default(),
    })
}

/// Builds this node's transcoder sessions (a T's, or an O's with `-transcoder`): the default
/// ladder's sessions on the CPU, or the NVIDIA devices `-nvidia` names.
pub fn transcoder(args: &NodeArgs) -> Result<Arc<dyn crate::media::Transcoder>, NodeError> {
    crate::media::init()?;
    Ok(Arc::new(session_manager(
        DEFAULT_TRANSCODING_OPTIONS,
        Container::MpegTs,
        &args.x264_preset,
        args.nvidia.as_deref(),
        SessionLimits::default(),
    )?))
}

/// Runs the T until interrupted.
pub async fn run(args: &NodeArgs) -> Result<ExitCode, NodeError> {
    let stop = super::signals::terminated();
    let mut cfg = config(args)?;
    let t = transcoder(args)?;
    let metrics = if args.monitor.monitor {
        let settings = crate::node::metrics::Settings {
            role: crate::node::metrics::Role::Transcoder,
            // The reference's T labels nothing per stream.
            per_stream: false,
            account: None,
            max_sessions: u32::try_from(cfg.capacity).unwrap_or(u32::MAX),
            local_verify: false,
            price_per_pixel: None,
            gas_limits: (None, None),
        };
        Some(crate::node::metrics::Metrics::new(settings)?)
    } else {
        None
    };
    cfg.edge = metrics.as_ref().map(|m| m.edge()).unwrap_or_default();
    let (stop_tx, stop_rx) = tokio::sync::watch::channel(false);
    let cli = super::cli_server::bind(args.cli_addr.as_deref(), "127.0.0.1:6935").await?;
    let server = cli.map(|l| {
        let node = cli::TranscoderCli {
            capacity: u32::try_from(cfg.capacity).unwrap_or(u32::MAX),
            log_level: Arc::new(super::cli_server::ProcessLogLevel),
        };
        let routes = cli::router(node, metrics.clone());
        tokio::spawn(super::cli_server::serve_router(l, routes, stop_rx))
    });
    worker::run(cfg, t, stop).await;
    let _ = stop_tx.send(true);
    if let Some(s) = server {
        let _ = s.await;
    }
    println!("Transcoder stopped");
    Ok(ExitCode::SUCCESS)
}
