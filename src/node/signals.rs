//! How an operator stops a node: Ctrl-C (SIGINT) or SIGTERM (systemd, docker, kill) both resolve
//! [`terminated`], and the roles then stop serving, join their tasks, checkpoint and exit 0.

use std::future::Future;

/// Watches SIGINT and SIGTERM from the call on (the handlers are installed here, before the
/// caller says it is serving, so a signal right after that line still stops the node cleanly);
/// the future resolves on the first of them. Call it inside the runtime.
pub fn terminated() -> impl Future<Output = ()> + Send + 'static {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let term = signal(SignalKind::terminate());
        let int = signal(SignalKind::interrupt());
        async move {
            match (term, int) {
                (Ok(mut term), Ok(mut int)) => {
                    tokio::select! {
                        _ = int.recv() => {}
                        _ = term.recv() => {}
                    }
                }
                (term, int) => {
                    let e = term.err().or(int.err()).map(|e| e.to_string());
                    tracing::warn!(
                        "cannot watch SIGTERM and SIGINT ({}); stopping on Ctrl-C only",
                        e.unwrap_or_default()
                    );
                    let _ = tokio::signal::ctrl_c().await;
                }
            }
        }
    }
    #[cfg(not(unix))]
    {
        async {
            let _ = tokio::signal::ctrl_c().await;
        }
    }
}
