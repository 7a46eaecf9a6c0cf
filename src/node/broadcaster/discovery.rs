//! On a chain, a B's new session for a stream, as go-livepeer's discovery and selection: every O
//! of the pool is asked `GetOrchestrator` at once, and with `-extraNodes N` the first N nodes each
//! of them advertises (one level deep, each node asked once); after `-discoveryTimeout` (500 ms)
//! the answers so far are taken if there is one, else the wait doubles (6 s at most), and it ends
//! early once every O answered or enough Os the stream has not suspended did (a blocklisted O's
//! answer counts as none). Answers from `-orchBlocklist` Os or whose price more than doubled
//! since the stream's last session there are dropped; the stream's suspended Os fill in only
//! when too few others answered (`commands::suspensions`). The O is then chosen by
//! `commands::selection` (stake from the orchestrator projection, price from the answer) with a
//! random draw made here and recorded in `OrchestratorSelected` before the session is used.
//! The answers not chosen are kept for the stream's next new session (`spares`), which asks
//! again when fewer sessions are held and kept than the pool's refresh threshold: in the
//! background while kept answers remain (the segment takes one of them at once), waiting for
//! the answers only when none do (`commands::session_pools::refresh_mode`).

use super::service::Broadcaster;
use crate::api::{
    client::{ClientError, OrchClient},
    info::OrchInfo,
};
use crate::commands::{
    orch_pool::extra_nodes,
    selection::Candidate,
    session_pools::{refresh_mode, refresh_threshold, Refresh},
    suspensions::{session_pool, Suspensions},
};
use crate::events::{Address, Price, Wei};
use crate::log::LogStore;
use crate::node::clock::now_ms;
use futures_util::{stream::FuturesUnordered, StreamExt};
use std::{collections::BTreeSet, sync::Arc, time::Duration};

/// The longest discovery waits (`maxGetOrchestratorCutoffTimeout`).
const DISCOVERY_CUTOFF: Duration = Duration::from_secs(6);

/// An O's answer: its URI, the connection and its info.
pub(super) type Answer = (String, Arc<OrchClient>, OrchInfo);

impl<S: LogStore> Broadcaster<S> {
    /// Chooses `manifest`'s new session among `os` (unknown Os of one pool) by probability,
    /// for a segment `duration_ms` long: among the answers kept from the stream's last refresh
    /// (`spares`), and after a refresh that wants `wanted` answers when the sessions held and
    /// kept number fewer than the threshold of a pool of `num_orchs` (`refresh`:
    /// `session_pools::num_orchs`), waited for or in the background (`refresh_mode`); `previous` is the stream's last session (for the price-jump
    /// guard). The answers not chosen are kept.
    pub(super) async fn select_session(
        &self,
        manifest: &str,
        os: &[String],
        previous: Option<&(String, OrchInfo)>,
        (wanted, num_orchs): (usize, usize),
        duration_ms: u32,
    ) -> Result<(Arc<OrchClient>, String, OrchInfo), ClientError> {
        let mut last_err = None;
        let mut answered = self.take_spares(manifest, os);
        let held = self
            .cached_sessions()
            .get(manifest)
            .map_or(0, |s| s.held().len());
        let running = self.spares.refreshing(manifest);
        let mode = refresh_mode(held, answered.len(), num_orchs, running);
        if mode == Refresh::Background && self.refresh_behind(manifest, os, previous, wanted) {
            tracing::info!(
                "stream {manifest}: {held} sessions held and {} answers kept, fewer than {}: asking {} orchestrators again in the background",
                answered.len(),
                refresh_threshold(num_orchs),
                os.len()
            );
        } else if mode != Refresh::No {
            last_err = self
                .refresh(manifest, os, previous, wanted, &mut answered)
                .await;
        }
        let mut pool: Vec<Answer> = self.with_suspensions(manifest, |s| {
            session_pool(answered, |a| a.0.as_str(), wanted, s)
        });
        while !pool.is_empty() {
            let candidates = self.candidates(&pool);
            let cfg = self.config();
            let draw: f64 = rand::random();
            let Some((i, selected)) = cfg.selection.choose(
                manifest,
                &candidates,
                self.max_price(),
                cfg.ignore_max_price,
                draw,
            ) else {
                return Err(ClientError::Address(
                    "every orchestrator's price is above -maxPricePerUnit".into(),
                ));
            };
            self.writer()
                .append(now_ms(), vec![selected])
                .await
                .map_err(|e| ClientError::Address(format!("recording the choice of O: {e}")))?;
            let (uri, client, info) = pool.remove(i);
            match self
                .use_session(manifest, &uri, client, info, duration_ms)
                .await
            {
                Ok(session) => {
                    self.keep_spares(manifest, pool);
                    return Ok(session);
                }
                Err(e) => {
                    tracing::warn!("orchestrator {uri}: {e}");
                    self.suspend(manifest, &uri).await;
                    last_err = Some(e);
                }
            }
        }
        Err(last_err.unwrap_or_else(|| ClientError::Address("no orchestrator answered".into())))
    }

    /// A refresh: asks the Os in `os` for new sessions (`discover`) and adds the answers fit to
    /// choose from to `answered` (each replacing an older answer of its O). An O that failed
    /// loses its connection; one whose price more than doubled since `previous` began is
    /// suspended for the stream; a blocklisted one is left out. Returns the last such error.
    async fn refresh(
        &self,
        manifest: &str,
        os: &[String],
        previous: Option<&(String, OrchInfo)>,
        wanted: usize,
        answered: &mut Vec<Answer>,
    ) -> Option<ClientError> {
        let mut last_err = None;
        self.with_suspensions(manifest, Suspensions::signal_refresh);
        for (uri, answer) in self.discover(manifest, os, wanted).await {
            answered.retain(|a| a.0 != uri);
            match answer {
                Err(e) => {
                    tracing::warn!("orchestrator {uri}: {e}");
                    self.clients().lock().await.remove(&uri);
                    last_err = Some(e);
                }
                Ok((_, info)) if Self::jumped(previous, &uri, &info) => {
                    tracing::warn!(
                        "orchestrator {uri}: its price rose more than 2x since this stream's session began"
                    );
                    self.suspend(manifest, &uri).await;
                    last_err = Some(ClientError::Address(format!("{uri}: price increased")));
                }
                Ok((_, info)) if self.blocked(&info) => {
                    tracing::info!("orchestrator {uri}: its address is in -orchBlocklist");
                    last_err = Some(ClientError::Address(format!("{uri} is blocklisted")));
                }
                Ok((client, info)) => answered.push((uri, client, info)),
            }
        }
        last_err
    }

    /// Starts `manifest`'s refresh in the background (one at a time per stream): its answers
    /// are kept for the stream's next new sessions. False when this B cannot hold itself in a
    /// task (not made `shared`): the caller refreshes in place.
    fn refresh_behind(
        &self,
        manifest: &str,
        os: &[String],
        previous: Option<&(String, OrchInfo)>,
        wanted: usize,
    ) -> bool {
        let Some(me) = self.me.upgrade() else {
            return false;
        };
        if !self.spares.begin_refresh(manifest) {
            return true;
        }
        let (manifest, os, previous) = (manifest.to_string(), os.to_vec(), previous.cloned());
        self.tasks().spawn(async move {
            let mut fresh = Vec::new();
            if let Some(e) = me
                .refresh(&manifest, &os, previous.as_ref(), wanted, &mut fresh)
                .await
            {
                tracing::debug!("stream {manifest}: background refresh: {e}");
            }
            me.keep_fresh_spares(&manifest, fresh);
            me.spares.end_refresh(&manifest);
        });
        true
    }

    /// The selection's view of the answers: address and price from each, stake from the
    /// orchestrator projection (zero for an O it does not know), the performance score of its
    /// ticket recipient when `-orchPerfStatsUrl` is read (0 for an address it does not list).
    fn candidates(&self, pool: &[Answer]) -> Vec<Candidate> {
        let perf = self.pool().perf_scores();
        self.writer().read(|p| {
            pool.iter()
                .map(|(uri, _, info)| {
                    let address = address_of(&info.address);
                    let recipient = info.ticket_params.as_ref().map_or(address, |t| t.recipient);
                    Candidate {
                        uri: uri.clone(),
                        address,
                        stake: p
                            .orchestrators
                            .state
                            .known
                            .get(&address)
                            .map_or(Wei::ZERO, |(o, _)| o.total_stake),
                        price: Price {
                            price_per_unit: info.price_per_unit,
                            pixels_per_unit: info.pixels_per_unit,
                        },
                        perf_score: perf
                            .as_ref()
                            .map(|m| m.get(&recipient).copied().unwrap_or(0.0)),
                    }
                })
                .collect()
        })
    }

    /// Asks every O in `os` at once, and the nodes they advertise (`-extraNodes`); the answers
    /// in the order they came, until every one answered, `wanted` Os `manifest` has not
    /// suspended answered, or the wait ran out (see the module).
    async fn discover(
        &self,
        manifest: &str,
        os: &[String],
        wanted: usize,
    ) -> Vec<(String, Result<(Arc<OrchClient>, OrchInfo), ClientError>)> {
        let ask = |uri: String| async move {
            let answer = self.ask(&uri).await;
            (uri, answer)
        };
        let mut pending: FuturesUnordered<_> = os.iter().cloned().map(ask).collect();
        let mut seen: BTreeSet<String> = os.iter().cloned().collect();
        let per_o = self.pool().extra_nodes();
        let start = tokio::time::Instant::now();
        let cutoff = start + DISCOVERY_CUTOFF;
        let mut wait = self.config().discovery_timeout.min(DISCOVERY_CUTOFF);
        let mut out = Vec::new();
        let (mut good, mut usable) = (0, 0);
        while usable < wanted {
            let deadline = (start + wait).min(cutoff);
            tokio::select! {
                next = pending.next() => match next {
                    None => break,
                    Some((uri, answer)) => {
                        if let (Ok((_, info)), true) = (&answer, os.contains(&uri)) {
                            for node in extra_nodes(&info.nodes, per_o, &mut seen) {
                                pending.push(ask(node));
                            }
                        }
                        // A blocklisted O's answer is no answer (the reference's errCh).
                        if answer.as_ref().is_ok_and(|(_, info)| !self.blocked(info)) {
                            good += 1;
                            if !self.with_suspensions(manifest, |s| s.is_suspended(&uri)) {
                                usable += 1;
                            }
                        }
                        out.push((uri, answer));
                    }
                },
                () = tokio::time::sleep_until(deadline) => {
                    if good > 0 || deadline >= cutoff {
                        break;
                    }
                    wait = (wait * 2).min(DISCOVERY_CUTOFF);
                }
            }
        }
        out
    }
}

/// The 20-byte address `b` (zero when it is not 20 bytes long).
pub(super) fn address_of(b: &[u8]) -> Address {
    let mut a = [0u8; 20];
    if b.len() == 20 {
        a.copy_from_slice(b);
    }
    Address(a)
}
