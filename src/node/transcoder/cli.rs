//! A standalone T's CLI port (go-livepeer's `-cliAddr`, default `127.0.0.1:6935`): the same
//! mux every role serves (`server/webserver.go` registers all its routes whatever the role), over
//! a node that keeps no log and has no chain — `/status` (`LocalTranscoding: true`, the
//! version), `/healthz`, `/getLogLevel` and `/setLogLevel` (live), `/IsOrchestrator` (false),
//! the chain routes' `missing ETH client`; with `-monitor` also `/metrics` (`node_type="trcr"`).
//! Its capacity is the one it registered with (`-maxSessions`): `/setMaxSessions` says so
//! rather than answering a change that would not reach its O.

use crate::api::cli::views::{AuditView, ViewError};
use crate::api::cli::{app, ChainPort, CliPort, Effective, LogLevel, NodeStatus, Role};
use crate::projections::config as names;
use std::sync::Arc;

/// The T as its CLI API sees it.
pub struct TranscoderCli {
    /// `-maxSessions`: the capacity it registers with.
    pub capacity: u32,
    /// The process's log level.
    pub log_level: Arc<dyn LogLevel>,
}

#[tonic::async_trait]
impl CliPort for TranscoderCli {
    fn role(&self) -> Role {
        Role::Transcoder
    }
    fn status(&self) -> NodeStatus {
        NodeStatus {
            local_transcoding: true,
            version: env!("CARGO_PKG_VERSION").into(),
            ..NodeStatus::default()
        }
    }
    fn log_level(&self) -> Option<&dyn LogLevel> {
        Some(self.log_level.as_ref())
    }
    fn effective(&self) -> Effective {
        Effective {
            max_sessions: self.capacity,
            ..Effective::default()
        }
    }
    async fn set(&self, setting: &str, _value: String) -> Result<(), String> {
        match setting {
            // In effect already (`LogLevel::set`); a T has no log to record it in.
            names::LOG_LEVEL => Ok(()),
            names::MAX_SESSIONS => Err(format!(
                "a transcoder's capacity is the one it registered with its orchestrator \
                 (-maxSessions {}): restart it with another -maxSessions",
                self.capacity
            )),
            other => Err(format!("{other} is not a transcoder's setting")),
        }
    }
    fn chain_id(&self) -> u64 {
        0
    }
    fn last_block(&self) -> Option<u64> {
        None
    }
    fn chain(&self) -> Option<&dyn ChainPort> {
        None
    }
    async fn audit_view(&self, _view: AuditView) -> Result<String, ViewError> {
        Err(ViewError::NotFound(
            "a transcoder keeps no event log: ask its orchestrator".into(),
        ))
    }
}

/// The T's CLI routes, with `/metrics` when `metrics` is given (`-monitor`).
pub fn router(
    node: TranscoderCli,
    metrics: Option<Arc<crate::node::metrics::Metrics>>,
) -> axum::Router {
    let mut r = axum::Router::new();
    if let Some(m) = metrics {
        r = r.merge(crate::api::metrics::router(Arc::new(move || {
            m.render_alone()
        })));
    }
    r.merge(app(Arc::new(node)))
}
