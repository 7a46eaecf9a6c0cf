//! Which session takes a stream's next segment, as go-livepeer's session pools and
//! `MinLSSelector` (`commands::session_pools`, `commands::min_ls` decide): the pools are drawn
//! from untrusted first, then trusted; within a pool the stream's last session is used again
//! while free with a latency score in (0, 1], else its known session of the lowest score if that
//! is ≤ 1 or no O of the pool is untried, else a new session with an unknown O (asked round
//! robin offchain, chosen by probability on a chain: `orch_sessions`, `discovery`), else the
//! last one. An O has at most one segment of a stream in flight: where the reference would send
//! a second one to the last session (its oldest segment out for less than its duration, or
//! twice that with nothing else), the segment waits here for that session to be free (and, on
//! purpose unlike the reference, with nothing else left it waits for the last session however
//! long its segment has been out rather than failing). Sessions whose
//! token is about to expire, whose ticket params expired, whose O is suspended, or that the
//! segment at hand already failed on are dropped first. Each completed segment scores its
//! session from the numbers the B records (`SegmentTranscoded.took_ms`,
//! `SegmentReceived.duration_ms`).

use super::service::Broadcaster;
use crate::api::{
    client::{ClientError, OrchClient},
    info::OrchInfo,
};
use crate::commands::{
    min_ls::{latency_score, Choice, Flight},
    orch_choice::{session_usable, untried},
    session_pools::{members, num_orchs, DRAW_ORDER},
    suspensions::Suspensions,
};
use crate::log::LogStore;
use crate::node::clock::now_ms;
use std::{sync::Arc, time::Duration};

/// A session: the connection to its O, the O and its info.
pub(super) type Session = (Arc<OrchClient>, String, OrchInfo);

/// What one round of the choice found.
enum Chosen {
    /// A session, its flight begun.
    Ready(Box<Session>),
    /// The stream's session at this O takes the segment once free: wait until then, or until
    /// the time given (ms) and choose again.
    Wait(String, Option<u64>),
}

/// How often a waiting segment looks whether its session is free.
const WAIT_STEP_MS: u64 = 10;

impl<S: LogStore> Broadcaster<S> {
    /// The session for `manifest`'s next segment (`duration_ms` long), never at an O in `tried`
    /// (those the segment at hand already failed on), its flight begun: an O has one segment
    /// of a stream in flight at most, so a segment may wait here for its O; see the module.
    pub(super) async fn session(
        &self,
        manifest: &str,
        tried: &[String],
        duration_ms: u32,
    ) -> Result<Session, ClientError> {
        loop {
            match self.choose(manifest, tried, duration_ms).await? {
                Chosen::Ready(s) => return Ok(*s),
                Chosen::Wait(uri, until) => self.wait_free(manifest, &uri, until).await,
            }
        }
    }

    /// Waits until `manifest`'s session at `uri` has no segment in flight (or is gone), or
    /// until `until` (ms).
    async fn wait_free(&self, manifest: &str, uri: &str, until: Option<u64>) {
        tracing::debug!("stream {manifest}: a segment waits for orchestrator {uri} to be free");
        loop {
            let busy = self
                .cached_sessions()
                .get(manifest)
                .is_some_and(|s| s.busy(uri));
            let now = now_ms();
            if !busy || until.is_some_and(|u| now >= u) {
                return;
            }
            let step = until.map_or(WAIT_STEP_MS, |u| (u - now).min(WAIT_STEP_MS));
            tokio::time::sleep(Duration::from_millis(step)).await;
        }
    }

    /// One round of the choice (see the module).
    async fn choose(
        &self,
        manifest: &str,
        tried: &[String],
        duration_ms: u32,
    ) -> Result<Chosen, ClientError> {
        self.refresh_pool().await;
        let scored = self.scored_orchestrators();
        if scored.is_empty() {
            return Err(ClientError::Address(
                "no orchestrator: none given (-orchAddr), listed by -orchWebhookUrl or active \
                 on chain"
                    .into(),
            ));
        }
        self.drop_unusable(manifest, tried);
        let previous = self
            .cached_sessions()
            .get(manifest)
            .and_then(|s| s.last().map(|h| (h.uri.clone(), h.session.clone())));
        let flight = || Flight {
            at_ms: now_ms(),
            duration_ms,
        };
        let mut last_err = None;
        for pool in DRAW_ORDER {
            let all: Vec<String> = members(&scored, pool)
                .into_iter()
                .map(String::from)
                .collect();
            let os = untried(&all, tried);
            if os.is_empty() {
                continue;
            }
            let (picked, unknown) = {
                let mut streams = self.cached_sessions();
                let held = streams.entry(manifest.to_string()).or_default();
                let holding = held.held();
                let unknown: Vec<String> = os
                    .iter()
                    .filter(|o| !holding.contains(&o.as_str()))
                    .cloned()
                    .collect();
                let picked = held.pick(unknown.len(), |u| os.iter().any(|o| o == u), flight());
                (picked, unknown)
            };
            match picked {
                Choice::Open => {}
                Choice::Nothing => continue,
                chosen => return self.chosen(manifest, chosen).await,
            }
            let opened = if self.paying().is_some() {
                let n = num_orchs(pool, all.len());
                let refresh = (n.min(unknown.len()), n);
                self.select_session(manifest, &unknown, previous.as_ref(), refresh, duration_ms)
                    .await
            } else {
                // A refresh: the stream asks Os for new sessions.
                self.with_suspensions(manifest, Suspensions::signal_refresh);
                self.open_offchain(manifest, &unknown, previous.as_ref(), duration_ms)
                    .await
            };
            match opened {
                Ok(session) => return Ok(Chosen::Ready(Box::new(session))),
                Err(e) => last_err = Some(e),
            }
            // No new session: the last one, free or soon (within twice its duration).
            let fallback = match self.cached_sessions().get_mut(manifest) {
                Some(held) => held.fallback(|u| os.iter().any(|o| o == u), flight()),
                None => Choice::Nothing,
            };
            if !matches!(fallback, Choice::Nothing) {
                return self.chosen(manifest, fallback).await;
            }
        }
        // One difference, on purpose: where the reference has no session to give (the last
        // one's oldest segment out for more than twice its duration, no other O), the segment
        // goes to the last session anyway, once it is free, rather than failing; its O decides.
        let last = match self.cached_sessions().get_mut(manifest) {
            Some(held) => held.last_resort(flight()),
            None => Choice::Nothing,
        };
        if !matches!(last, Choice::Nothing) {
            return self.chosen(manifest, last).await;
        }
        Err(last_err.unwrap_or_else(|| {
            ClientError::Address("every orchestrator failed this segment".into())
        }))
    }

    /// A session taken, or one to wait for. A taken session whose connection cannot be had is
    /// dropped (its flight with it).
    async fn chosen(
        &self,
        manifest: &str,
        choice: Choice<OrchInfo>,
    ) -> Result<Chosen, ClientError> {
        match choice {
            Choice::Take(uri, info) => match self.client_for(&uri).await {
                Ok(client) => Ok(Chosen::Ready(Box::new((client, uri, info)))),
                Err(e) => {
                    self.forget_session(manifest, &uri);
                    Err(e)
                }
            },
            Choice::Wait(uri, until) => Ok(Chosen::Wait(uri, until)),
            Choice::Open | Choice::Nothing => {
                Err(ClientError::Address("no session to take".into()))
            }
        }
    }

    /// The flight of a segment just sent on `uri`'s session of `manifest`: ended without a
    /// score when dropped armed (the segment's task cancelled, say), so the session is never
    /// left busy; [`InFlight::done`] disarms it once the segment completed or failed.
    pub(super) fn flight(&self, manifest: &str, uri: &str) -> InFlight<'_, S> {
        InFlight {
            b: self,
            manifest: manifest.to_string(),
            uri: uri.to_string(),
            armed: true,
        }
    }

    /// Drops `manifest`'s sessions that cannot carry its next segment: the token about to
    /// expire, its O suspended or already failed by the segment at hand, on a chain its ticket
    /// params expired.
    fn drop_unusable(&self, manifest: &str, tried: &[String]) {
        let now = now_ms();
        let l1 = self
            .paying()
            .map(|_| self.writer().read(|s| s.ticket_queue.state.last_l1_block()));
        let held: Vec<String> = self
            .cached_sessions()
            .get(manifest)
            .map(|s| s.held().into_iter().map(String::from).collect())
            .unwrap_or_default();
        let suspended: Vec<String> = self.with_suspensions(manifest, |s| {
            held.into_iter().filter(|u| s.is_suspended(u)).collect()
        });
        let not_suspended = Suspensions::default();
        if let Some(held) = self.cached_sessions().get_mut(manifest) {
            held.retain(|uri, info| {
                let expiration = info.auth_token.as_ref().map(|t| t.expiration);
                let params_live = match (&info.ticket_params, l1) {
                    (Some(p), Some(l1)) => {
                        !crate::pm::sender::params_expired(p.expiration_block, l1)
                    }
                    _ => true,
                };
                !tried.iter().any(|t| t == uri)
                    && !suspended.iter().any(|s| s == uri)
                    && session_usable(expiration, uri, &not_suspended, now)
                    && params_live
            });
        }
    }

    /// A segment of `manifest` (`duration_ms` long) completed at `uri` in `took` (its round trip,
    /// as recorded): the session's latency score.
    pub(super) fn completed(&self, manifest: &str, uri: &str, took: Duration, duration_ms: u32) {
        let took_ms = u32::try_from(took.as_millis()).unwrap_or(u32::MAX);
        let score = latency_score(took_ms, duration_ms);
        tracing::debug!("stream {manifest}: orchestrator {uri} latency score {score:.3}");
        if let Some(held) = self.cached_sessions().get_mut(manifest) {
            held.complete(uri, score);
        }
    }

    /// `uri`'s session of `manifest` failed: dropped.
    pub(super) fn forget_session(&self, manifest: &str, uri: &str) {
        if let Some(held) = self.cached_sessions().get_mut(manifest) {
            held.remove(uri);
        }
    }

    /// Forgets the sessions of a stream that ended.
    pub(super) fn forget_sessions(&self, manifest: &str) {
        self.cached_sessions().remove(manifest);
        self.forget_spares(manifest);
    }
}

/// A segment's flight on a session (see [`Broadcaster::flight`]).
pub(super) struct InFlight<'a, S: LogStore> {
    b: &'a Broadcaster<S>,
    manifest: String,
    uri: String,
    armed: bool,
}

impl<S: LogStore> InFlight<'_, S> {
    /// The segment completed (scored) or failed (its session dropped): nothing to end.
    pub(super) fn done(mut self) {
        self.armed = false;
    }
}

impl<S: LogStore> Drop for InFlight<'_, S> {
    fn drop(&mut self) {
        if self.armed {
            if let Some(held) = self.b.cached_sessions().get_mut(&self.manifest) {
                held.abandon(&self.uri);
            }
        }
    }
}
