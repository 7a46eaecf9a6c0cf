//! Os and Bs started in the test's own process (`node::orchestrator::start`,
//! `node::broadcaster::start`) and served on a task of their own until the test lets them go:
//! each pushes its stop sender on the test's `stop` list, and stops when that sender is sent to
//! or dropped.

use livepeer::{
    log::FjallStore,
    node::{self, broadcaster::service::Broadcaster, orchestrator::Orchestrator},
};
use std::{path::Path, sync::Arc};
use tokio::sync::oneshot::{self, Sender};

/// The flags of an offchain O transcoding itself on a free local port.
pub const OFFCHAIN_O: [&str; 4] = [
    "-orchestrator",
    "-transcoder",
    "-serviceAddr",
    "127.0.0.1:0",
];

fn node_args(args: &[&str]) -> livepeer::cli::NodeArgs {
    livepeer::cli::node_args(args).unwrap()
}

/// The flags of a B on free local ports (HTTP push and RTMP).
pub const LOCAL_B: [&str; 5] = [
    "-broadcaster",
    "-httpAddr",
    "127.0.0.1:0",
    "-rtmpAddr",
    "127.0.0.1:0",
];

/// An O started in `dir` with `args` (all of them) and served: its URI and the O.
pub async fn serve_o_with(
    dir: &Path,
    args: &[&str],
    stop: &mut Vec<Sender<()>>,
) -> (String, Arc<Orchestrator<FjallStore>>) {
    let o = node::orchestrator::start(dir, &node_args(args))
        .await
        .unwrap();
    let (uri, handle) = (o.uri.clone(), o.orchestrator());
    let (tx, rx) = oneshot::channel::<()>();
    tokio::spawn(o.serve(async {
        let _ = rx.await;
    }));
    stop.push(tx);
    (uri, handle)
}

/// An offchain O transcoding itself ([`OFFCHAIN_O`]) with `extra` flags, served: its URI and
/// the O.
pub async fn serve_o(
    dir: &Path,
    extra: &[&str],
    stop: &mut Vec<Sender<()>>,
) -> (String, Arc<Orchestrator<FjallStore>>) {
    let mut args = OFFCHAIN_O.to_vec();
    args.extend_from_slice(extra);
    serve_o_with(dir, &args, stop).await
}

/// A B served in the test's process.
pub struct ServedB {
    /// Its HTTP push URL (`http://…`).
    pub url: String,
    /// Its RTMP URL (`rtmp://…`).
    pub rtmp_url: String,
    /// The B itself (its log, its sessions).
    pub b: Arc<Broadcaster<FjallStore>>,
}

/// A B started in `dir` with `-broadcaster -httpAddr 127.0.0.1:0 -rtmpAddr 127.0.0.1:0` and
/// `extra` flags (its Os, its renditions), served.
pub async fn serve_b(dir: &Path, extra: &[&str], stop: &mut Vec<Sender<()>>) -> ServedB {
    let mut args = LOCAL_B.to_vec();
    args.extend_from_slice(extra);
    let b = node::broadcaster::start(dir, &node_args(&args))
        .await
        .unwrap();
    let served = ServedB {
        url: b.url.clone(),
        rtmp_url: b.rtmp_url.clone(),
        b: b.broadcaster(),
    };
    let (tx, rx) = oneshot::channel::<()>();
    tokio::spawn(b.serve(async {
        let _ = rx.await;
    }));
    stop.push(tx);
    served
}
