//! The process's log: `tracing` with a target per module (`livepeer::node::orchestrator::…`),
//! written to stderr, coloured only when stderr is a terminal. Its level is go-livepeer's glog
//! `-v` (3 or less: info, 4 and 5: debug, 6 or more: trace, for this node's own targets; other
//! crates stay at info), unless `RUST_LOG` names the filter; [`set`] changes it while the node
//! runs (go-livepeer's `/setLogLevel`).

use std::io::IsTerminal;
use std::sync::atomic::{AtomicI32, Ordering};
use std::sync::OnceLock;
use tracing_subscriber::{
    fmt, layer::SubscriberExt, reload, util::SubscriberInitExt, EnvFilter, Registry,
};

/// The filter's handle, once [`init`] has run.
static HANDLE: OnceLock<reload::Handle<EnvFilter, Registry>> = OnceLock::new();
/// The verbosity in effect (the reference's default, 3, until [`init`] or [`set`]).
static LEVEL: AtomicI32 = AtomicI32::new(3);

/// The filter directives of glog verbosity `v`.
pub fn directives(v: i32) -> String {
    let ours = match v {
        ..=3 => "info",
        4 | 5 => "debug",
        _ => "trace",
    };
    format!("info,livepeer={ours},fjall=warn,lsm_tree=warn,rtmp_rs=warn")
}

/// Installs the process's subscriber at verbosity `v` (`RUST_LOG`, when set, instead). A
/// second call changes nothing.
pub fn init(v: i32) {
    let filter =
        EnvFilter::try_from_default_env().unwrap_or_else(|_| EnvFilter::new(directives(v)));
    let (filter, handle) = reload::Layer::new(filter);
    let out = fmt::layer()
        .with_writer(std::io::stderr)
        .with_ansi(std::io::stderr().is_terminal());
    if tracing_subscriber::registry()
        .with(filter)
        .with(out)
        .try_init()
        .is_ok()
    {
        LEVEL.store(v, Ordering::Relaxed);
        let _ = HANDLE.set(handle);
    }
}

/// The verbosity in effect (the last [`init`] or [`set`]; with `RUST_LOG` the filter is its).
pub fn get() -> i32 {
    LEVEL.load(Ordering::Relaxed)
}

/// Sets verbosity `v` from now on (replacing a `RUST_LOG` filter too). In a process whose log
/// [`init`] did not set up (roles wired in tests) there is no filter to change: only the number
/// is kept.
pub fn set(v: i32) -> Result<(), String> {
    if let Some(handle) = HANDLE.get() {
        handle
            .reload(EnvFilter::new(directives(v)))
            .map_err(|e| format!("cannot change the log level: {e}"))?;
    }
    LEVEL.store(v, Ordering::Relaxed);
    tracing::info!("log verbosity set to {v}");
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::directives;

    #[test]
    fn glog_levels_map_to_tracing_levels() {
        assert!(directives(3).contains("livepeer=info"));
        assert!(directives(-1).contains("livepeer=info"));
        assert!(directives(4).contains("livepeer=debug"));
        assert!(directives(5).contains("livepeer=debug"));
        assert!(directives(6).contains("livepeer=trace"));
        assert!(directives(99).contains("livepeer=trace"));
    }
}
