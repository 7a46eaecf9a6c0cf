//! The B's O sessions: each stream's session (the O and its info with the auth token) kept while
//! its token lives and its O has not failed; a new one asked of the Os in the order
//! `commands::orch_choice` gives (round robin, failed Os last); the connections shared by every
//! stream's segments.

use super::service::Broadcaster;
use crate::api::{
    client::{ClientError, OrchClient},
    info::OrchInfo,
};
use crate::commands::orch_choice::{session_usable, try_order, Suspensions};
use crate::log::LogStore;
use crate::node::clock::now_ms;
use std::sync::{Arc, PoisonError};

impl<S: LogStore> Broadcaster<S> {
    /// The session for `manifest`: cached, or fresh from `GetOrchestrator` (round robin over the
    /// Os that have not failed recently) when missing or when its token is about to expire.
    pub(super) async fn session(
        &self,
        manifest: &str,
    ) -> Result<(Arc<OrchClient>, String, OrchInfo), ClientError> {
        let cached = self.cached_sessions().get(manifest).cloned();
        if let Some((uri, info)) = cached {
            let expiration = info.auth_token.as_ref().map(|t| t.expiration);
            let usable = session_usable(expiration, &uri, &self.suspensions(), now_ms());
            if usable {
                return Ok((self.client_for(&uri).await?, uri, info));
            }
        }
        let os = &self.config().orchestrators;
        if os.is_empty() {
            return Err(ClientError::Address("no -orchAddr given".into()));
        }
        let turn = self
            .turn()
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let order: Vec<String> = try_order(os, turn, &self.suspensions(), now_ms())
            .into_iter()
            .map(String::from)
            .collect();
        let mut last_err = None;
        for uri in &order {
            let attempt = async {
                let client = self.client_for(uri).await?;
                let info = client.get_orchestrator().await?;
                Ok::<_, ClientError>((client, info))
            };
            match attempt.await {
                Ok((client, info)) => {
                    self.cached_sessions()
                        .insert(manifest.to_string(), (uri.clone(), info.clone()));
                    return Ok((client, uri.clone(), info));
                }
                Err(e) => {
                    tracing::warn!("orchestrator {uri}: {e}");
                    self.suspend(uri).await;
                    last_err = Some(e);
                }
            }
        }
        Err(last_err.unwrap_or_else(|| ClientError::Address("no orchestrator".into())))
    }

    pub(super) fn suspensions(&self) -> std::sync::MutexGuard<'_, Suspensions> {
        self.suspended()
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Passes over `uri` for a while and drops its connection (reconnect next time).
    pub(super) async fn suspend(&self, uri: &str) {
        self.suspensions().suspend(uri, now_ms());
        self.clients().lock().await.remove(uri);
    }

    /// The shared connection to `uri`, connecting on first use.
    pub(super) async fn client_for(&self, uri: &str) -> Result<Arc<OrchClient>, ClientError> {
        let mut guard = self.clients().lock().await;
        if let Some(c) = guard.get(uri) {
            return Ok(c.clone());
        }
        let c = Arc::new(OrchClient::connect(uri).await?);
        guard.insert(uri.to_string(), c.clone());
        Ok(c)
    }

    pub(super) fn forget_session(&self, manifest: &str) {
        self.cached_sessions().remove(manifest);
    }
}
