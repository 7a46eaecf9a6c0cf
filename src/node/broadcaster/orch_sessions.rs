//! The B's O sessions: a new one (a session refresh, counted by the stream's suspensions) when
//! `session_choice` wants one from an unknown O, asked offchain of the Os in the order
//! `commands::orch_choice` gives (round robin, suspended Os last) among the pool's (`pool`: the
//! nodes an O advertises join it once it answered), on a chain chosen by probability
//! (`discovery`); the price rules on each answer; the connections shared by every stream's
//! segments; suspensions. Each new session is in the log (`BroadcastSessionOpened`): a B
//! restarted after a crash ends them at their Os.

use super::service::Broadcaster;
use crate::api::{
    client::{ClientError, OrchClient},
    info::OrchInfo,
    segment::AuthToken,
};
use crate::commands::{
    min_ls::Flight,
    orch_choice::try_order,
    suspensions::{penalty_for, Suspensions},
};
use crate::events::{BroadcastSessionOpened, Event};
use crate::log::LogStore;
use crate::node::clock::now_ms;
use std::sync::{Arc, PoisonError};

impl<S: LogStore> Broadcaster<S> {
    /// Opens `manifest`'s session with one of `os` (unknown Os of one pool) offchain: asked
    /// round robin over the Os the stream has not suspended, suspended ones last, for a segment
    /// `duration_ms` long; `previous` is the stream's last session (for the price-jump guard).
    pub(super) async fn open_offchain(
        &self,
        manifest: &str,
        os: &[String],
        previous: Option<&(String, OrchInfo)>,
        duration_ms: u32,
    ) -> Result<(Arc<OrchClient>, String, OrchInfo), ClientError> {
        let turn = self
            .turn()
            .fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let order: Vec<String> = self.with_suspensions(manifest, |s| {
            try_order(os, turn, s)
                .into_iter()
                .map(String::from)
                .collect()
        });
        let mut last_err = None;
        let mut over_max = None;
        for uri in &order {
            match self.ask(uri).await {
                Ok((_, info)) if Self::jumped(previous, uri, &info) => {
                    tracing::warn!(
                        "orchestrator {uri}: its price rose more than 2x since this stream's session began"
                    );
                    self.suspend(manifest, uri).await;
                    last_err = Some(ClientError::Address(format!("{uri}: price increased")));
                }
                Ok((_, info)) if self.blocked(&info) => {
                    tracing::info!("orchestrator {uri}: its address is in -orchBlocklist");
                    last_err = Some(ClientError::Address(format!("{uri} is blocklisted")));
                }
                Ok((client, info)) if self.above_max_price(&info) => {
                    tracing::info!(
                        "orchestrator {uri}: price {}/{} wei per pixel is above -maxPricePerUnit",
                        info.price_per_unit,
                        info.pixels_per_unit
                    );
                    over_max.get_or_insert((client, uri.clone(), info));
                }
                Ok((client, info)) => match self
                    .use_session(manifest, uri, client, info, duration_ms)
                    .await
                {
                    Ok(session) => return Ok(session),
                    Err(e) => {
                        tracing::warn!("orchestrator {uri}: {e}");
                        self.suspend(manifest, uri).await;
                        last_err = Some(e);
                    }
                },
                Err(e) => {
                    tracing::warn!("orchestrator {uri}: {e}");
                    self.suspend(manifest, uri).await;
                    last_err = Some(e);
                }
            }
        }
        match over_max {
            Some((client, uri, info)) if self.config().ignore_max_price => {
                self.use_session(manifest, &uri, client, info, duration_ms)
                    .await
            }
            Some(_) => Err(ClientError::Address(
                "every orchestrator's price is above -maxPricePerUnit".into(),
            )),
            None => Err(last_err.unwrap_or_else(|| ClientError::Address("no orchestrator".into()))),
        }
    }

    /// Asks `uri` for a session (`GetOrchestrator`, signed on a chain), noting the nodes it
    /// advertises.
    pub(super) async fn ask(&self, uri: &str) -> Result<(Arc<OrchClient>, OrchInfo), ClientError> {
        let asked: Result<_, ClientError> = async {
            let client = self.client_for(uri).await?;
            let info = match self.paying() {
                Some(p) => client.get_orchestrator_as(&p.request()).await?,
                None => client.get_orchestrator().await?,
            };
            Ok((client, info))
        }
        .await;
        match &asked {
            Ok((_, info)) => self.learn_nodes(uri, info),
            Err(e) => self.config().metrics.discovery_error(uri, &e.to_string()),
        }
        asked
    }

    /// Whether `info` (from `uri`) is more than twice the price of the stream's previous session
    /// at the same O.
    pub(super) fn jumped(
        previous: Option<&(String, OrchInfo)>,
        uri: &str,
        info: &OrchInfo,
    ) -> bool {
        let price = |i: &OrchInfo| crate::events::Price {
            price_per_unit: i.price_per_unit,
            pixels_per_unit: i.pixels_per_unit,
        };
        previous.is_some_and(|(puri, pinfo)| {
            puri == uri && crate::commands::orch_choice::price_jumped(price(pinfo), price(info))
        })
    }

    pub(super) fn blocked(&self, info: &OrchInfo) -> bool {
        info.address.len() == 20
            && self
                .config()
                .blocklist
                .iter()
                .any(|a| a.0.as_slice() == info.address.as_slice())
    }

    fn above_max_price(&self, info: &OrchInfo) -> bool {
        let price = crate::events::Price {
            price_per_unit: info.price_per_unit,
            pixels_per_unit: info.pixels_per_unit,
        };
        self.max_price()
            .is_some_and(|max| crate::commands::orch_choice::over_max_price(price, max))
    }

    /// Takes `info` as the stream's session at `uri` for a segment `duration_ms` long, its
    /// flight begun (on a chain: its params validated and a ticket session started first).
    pub(super) async fn use_session(
        &self,
        manifest: &str,
        uri: &str,
        client: Arc<OrchClient>,
        info: OrchInfo,
        duration_ms: u32,
    ) -> Result<(Arc<OrchClient>, String, OrchInfo), ClientError> {
        if let Some(p) = self.paying() {
            p.start(&info).await.map_err(ClientError::Address)?;
        }
        self.record_session(manifest, uri, &info).await;
        self.cached_sessions()
            .entry(manifest.to_string())
            .or_default()
            .open(
                uri,
                info.clone(),
                Flight {
                    at_ms: now_ms(),
                    duration_ms,
                },
            );
        Ok((client, uri.to_string(), info))
    }

    /// Records the stream's new session (`BroadcastSessionOpened`), so a B restarted after a
    /// crash can end it at its O.
    async fn record_session(&self, manifest: &str, uri: &str, info: &OrchInfo) {
        let Some(token) = &info.auth_token else {
            return;
        };
        let opened = Event::BroadcastSessionOpened(BroadcastSessionOpened {
            stream: manifest.to_string(),
            orchestrator: uri.to_string(),
            transcoder: info.transcoder.clone(),
            session_id: token.session_id.clone(),
            expiration: token.expiration,
            token: token.token.clone(),
        });
        if let Err(e) = self.writer().append(now_ms(), vec![opened]).await {
            tracing::warn!("stream {manifest}: recording its session at {uri}: {e}");
        }
    }

    /// Ends `sessions` at their Os (`EndTranscodingSession`), so their `-maxSessions` slots free
    /// now rather than after the O's idle timeout; failures are only logged.
    pub(super) async fn end_sessions_at_os(&self, sessions: Vec<BroadcastSessionOpened>) {
        for s in sessions {
            let token = AuthToken {
                token: s.token,
                session_id: s.session_id,
                expiration: s.expiration,
            };
            let ended = async {
                self.client_for(&s.orchestrator)
                    .await?
                    .end_transcoding_session(&token)
                    .await
            };
            // A dead O must not hold the B's start up for long.
            let ended = tokio::time::timeout(std::time::Duration::from_secs(3), ended)
                .await
                .unwrap_or_else(|_| {
                    Err(ClientError::Address(format!(
                        "{} did not answer",
                        s.orchestrator
                    )))
                });
            match ended {
                Ok(()) => tracing::info!(
                    "stream {}: ended its session at {}",
                    s.stream,
                    s.orchestrator
                ),
                Err(e) => tracing::warn!(
                    "stream {}: EndTranscodingSession at {}: {e}",
                    s.stream,
                    s.orchestrator
                ),
            }
        }
    }

    /// Runs `f` on `manifest`'s suspensions.
    pub(super) fn with_suspensions<T>(
        &self,
        manifest: &str,
        f: impl FnOnce(&mut Suspensions) -> T,
    ) -> T {
        let mut all = self
            .suspended()
            .lock()
            .unwrap_or_else(PoisonError::into_inner);
        f(all.entry(manifest.to_string()).or_default())
    }

    /// `uri` failed `manifest`: the stream passes over it for its penalty in refreshes
    /// (`poolSize / numOrchs`), and its connection is dropped (reconnect next time).
    pub(super) async fn suspend(&self, manifest: &str, uri: &str) {
        let penalty = penalty_for(self.orchestrators().len());
        self.with_suspensions(manifest, |s| s.suspend(uri, penalty));
        self.clients().lock().await.remove(uri);
    }

    /// Forgets the suspensions of a stream that ended.
    pub(super) fn forget_suspensions(&self, manifest: &str) {
        self.suspended()
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(manifest);
    }

    /// The shared connection to `uri`, connecting on first use (outside the lock, so Os are
    /// reached in parallel; a connection made meanwhile by another caller is kept).
    pub(super) async fn client_for(&self, uri: &str) -> Result<Arc<OrchClient>, ClientError> {
        if let Some(c) = self.clients().lock().await.get(uri) {
            return Ok(c.clone());
        }
        let c = Arc::new(OrchClient::connect(uri).await?);
        let mut guard = self.clients().lock().await;
        Ok(guard.entry(uri.to_string()).or_insert(c).clone())
    }
}
