//! `livepeer -transcoder -orchAddr HOST:PORT -orchSecret S`: a standalone T serving one O
//! ([`worker`]: the task loop).

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
    let cfg = config(args)?;
    let t = transcoder(args)?;
    worker::run(cfg, t, super::signals::terminated()).await;
    println!("Transcoder stopped");
    Ok(ExitCode::SUCCESS)
}
