//! The O's request handling, between the wire (`api::orchestrator`) and the core: `GetOrchestrator`
//! answers with this O's info and a fresh auth token; `/segment` runs the admission rule
//! (`commands::segment_admission`, go-livepeer's order) through the node's writer, so the
//! session's start and `SegmentReceived` are in the log before the 200 goes out, then transcodes,
//! stores the renditions for the B to fetch, and records the segment's fate. Sessions of record
//! are the streams projection: a restarted O knows them, and they idle out from their last event.
//!
//! This slice runs offchain (go-livepeer's `-network offchain`): no ticket params are issued and
//! payments are not required, as the reference does without an Ethereum client. Payments (the
//! node's `Payments` desk on the same writer) plug in between the capacity check and the body.

use super::remote::RemoteTranscoders;
use crate::api::task::{RegisterError, TaskNotice};
use crate::api::{
    payment::decode_payment_header,
    segment::{claim_of, decode_segment_header, AuthToken, CheckedSegment, SegMeta},
    status::Refusal,
};
use crate::commands::{
    auth_token::{AuthError, AuthKey},
    o_sessions,
    segment_admission::{self, Body, OrchestratorRules, SegmentRequest},
    Rejected,
};
use crate::events::{Event, TranscoderAttached, TranscoderDetached};
use crate::log::LogStore;
use crate::media::Transcoder;
use crate::node::{clock::now_ms, store::RenditionStore, writer::Writer};
use std::sync::Arc;
use tokio_util::task::TaskTracker;

/// How an O serves.
#[derive(Clone, Debug)]
pub struct OrchConfig {
    /// The URI Bs post segments to (`https://host:port`), from `-serviceAddr`.
    pub service_uri: String,
    /// `-pricePerUnit` (wei).
    pub price_per_unit: i64,
    /// `-pixelsPerUnit`.
    pub pixels_per_unit: i64,
    /// `-pricePerGateway`: prices for particular Bs.
    pub prices: std::collections::BTreeMap<crate::events::Address, crate::events::Price>,
    /// `-maxSessions`.
    pub max_sessions: u32,
    /// Version string advertised in capabilities.
    pub version: String,
    /// `-orchSecret`: remote transcoders must present it (none attach without one).
    pub orch_secret: Option<String>,
    /// `-nodes`: this O's other instances, advertised in its info.
    pub nodes: Vec<String>,
}

/// The O's state: its rules' inputs and effects. Sessions of record are the streams projection
/// behind the writer; `store` and the transcoders' sessions are caches of media bytes and decoder
/// state, rebuilt as segments arrive.
pub struct Orchestrator<S: LogStore> {
    pub(super) cfg: OrchConfig,
    pub(super) auth: AuthKey,
    transcoder: Option<Arc<dyn Transcoder>>,
    remote: Arc<RemoteTranscoders>,
    store: RenditionStore,
    writer: Arc<Writer<S>>,
    /// Every task this O starts (transcodes, T watchers): joined at shutdown.
    tasks: TaskTracker,
    /// On a chain: ticket params, payments and debits.
    pub(super) paid: Option<super::paid::PaidOrchestrator<S>>,
    /// Offchain, `-authWebhookUrl` (on a chain the paid side asks it, after the signature).
    pub(super) auth_webhook: Option<super::auth_webhook::AuthWebhook>,
    /// `-maxSessions auto`: the limit is the attached remote Ts' total capacity.
    auto_sessions: bool,
}

/// The writer key of the O's session decisions (admission, end, idle end): one at a time, so
/// the capacity check and the session's start are one step.
const SESSIONS_KEY: &str = "o/sessions";

impl<S: LogStore> Orchestrator<S> {
    /// An O over its writer and auth key, transcoding with its own `transcoder`
    /// (`-transcoder`) and/or the remote Ts that attach.
    pub fn new(
        cfg: OrchConfig,
        auth: AuthKey,
        transcoder: Option<Arc<dyn Transcoder>>,
        writer: Arc<Writer<S>>,
    ) -> Self {
        let tasks = TaskTracker::new();
        Orchestrator {
            remote: RemoteTranscoders::new(cfg.orch_secret.clone()),
            tasks,
            cfg,
            auth,
            transcoder,
            store: RenditionStore::default(),
            writer,
            paid: None,
            auth_webhook: None,
            auto_sessions: false,
        }
    }

    /// `-maxSessions auto`: at most as many sessions as the attached remote transcoders'
    /// capacities add up to (go-livepeer's `AutoSessionLimit`).
    pub fn with_auto_sessions(mut self) -> Self {
        self.auto_sessions = true;
        self
    }

    /// The `-maxSessions` flag's limit: its number, or with `auto` the attached Ts' capacity.
    pub fn flag_max_sessions(&self) -> u32 {
        match self.auto_sessions {
            true => u32::try_from(self.remote.totals().1.max(0)).unwrap_or(u32::MAX),
            false => self.cfg.max_sessions,
        }
    }

    /// Offchain: every `GetOrchestrator` asks `-authWebhookUrl` first (go-livepeer asks it
    /// whether or not there is a chain).
    pub fn with_auth_webhook(mut self, hook: super::auth_webhook::AuthWebhook) -> Self {
        self.auth_webhook = Some(hook);
        self
    }

    /// The O paid on a chain.
    pub fn with_payments(mut self, paid: super::paid::PaidOrchestrator<S>) -> Self {
        self.paid = Some(paid);
        self
    }

    /// Its payment side, on a chain.
    pub fn paid(&self) -> Option<&super::paid::PaidOrchestrator<S>> {
        self.paid.as_ref()
    }

    /// The configuration.
    pub fn config(&self) -> &OrchConfig {
        &self.cfg
    }

    /// The remote transcoders attached to this O.
    pub fn remote(&self) -> &Arc<RemoteTranscoders> {
        &self.remote
    }

    /// The writer, and through it the O's event log and projections.
    pub fn writer(&self) -> &Arc<Writer<S>> {
        &self.writer
    }

    /// `RegisterTranscoder`: the T joins the registry and its coming is in the log before its
    /// stream of tasks opens; its going is appended when its stream closes.
    pub async fn attach_transcoder(
        &self,
        secret: &str,
        capacity: i64,
        addr: String,
    ) -> Result<tokio::sync::mpsc::Receiver<TaskNotice>, RegisterError> {
        let (rx, gone) = self.remote.register(secret, capacity, addr.clone())?;
        let attached = Event::TranscoderAttached(TranscoderAttached {
            addr: addr.clone(),
            capacity: u32::try_from(capacity).unwrap_or(u32::MAX),
        });
        if let Err(e) = self.writer.append(now_ms(), vec![attached]).await {
            tracing::warn!("recording transcoder {addr}: {e}");
        }
        let writer = self.writer.clone();
        self.tasks.spawn(async move {
            gone.await;
            let detached = Event::TranscoderDetached(TranscoderDetached { addr: addr.clone() });
            if let Err(e) = writer.append(now_ms(), vec![detached]).await {
                tracing::warn!("recording transcoder {addr}: {e}");
            }
        });
        Ok(rx)
    }

    /// The O's tasks (joined at shutdown).
    pub fn tasks(&self) -> &TaskTracker {
        &self.tasks
    }

    /// The stored renditions.
    pub fn store(&self) -> &RenditionStore {
        &self.store
    }

    fn rules(&self, p: &crate::projections::Projections) -> OrchestratorRules<'_> {
        OrchestratorRules {
            key: &self.auth,
            max_sessions: self.limit(&p.config.state),
        }
    }

    /// The session limit under the runtime settings `s`: the value `/setMaxSessions` set (its
    /// `auto`: the attached Ts' capacity now), else the flag's.
    fn limit(&self, s: &crate::projections::config::Settings) -> u32 {
        match s.session_limit() {
            Some(Some(n)) => n,
            Some(None) => u32::try_from(self.remote.totals().1.max(0)).unwrap_or(u32::MAX),
            None => self.flag_max_sessions(),
        }
    }

    /// `-maxSessions`, or the value set at runtime (`/setMaxSessions`).
    pub fn max_sessions(&self) -> u32 {
        self.writer.read(|p| self.limit(&p.config.state))
    }

    /// This O's default price and its prices for particular Bs: the flags', with those set at
    /// runtime (`/setOrchestratorConfig`, `/setPriceForBroadcaster`).
    pub fn prices(
        &self,
    ) -> (
        crate::events::Price,
        std::collections::BTreeMap<crate::events::Address, crate::events::Price>,
    ) {
        let flag = crate::events::Price {
            price_per_unit: self.cfg.price_per_unit,
            pixels_per_unit: self.cfg.pixels_per_unit,
        };
        let mut prices = self.cfg.prices.clone();
        let default = self.writer.read(|p| {
            prices.extend(p.config.state.prices());
            p.config.state.price().unwrap_or(flag)
        });
        (default, prices)
    }

    /// The transcoder on this O (`-transcoder`), if any.
    pub fn local_transcoder(&self) -> Option<&Arc<dyn Transcoder>> {
        self.transcoder.as_ref()
    }

    /// Sessions open now (counted against `-maxSessions`).
    pub fn active_sessions(&self) -> usize {
        let now = now_ms();
        self.writer
            .read(|p| o_sessions::open_sessions(&p.streams.state, now).len())
    }

    /// `EndTranscodingSession`: ends a session whose token is genuine (expired ones too) and
    /// frees what it holds.
    pub async fn end_session(&self, token: &AuthToken) {
        if !matches!(
            self.auth.check(Some(token), i64::MIN),
            Ok(()) | Err(AuthError::Expired)
        ) {
            return;
        }
        let id = token.session_id.clone();
        let ended = self
            .writer
            .decide(SESSIONS_KEY, now_ms(), |p| {
                Ok::<_, std::convert::Infallible>((o_sessions::end(&p.streams.state, &id), ()))
            })
            .await;
        if let Err(e) = ended {
            tracing::warn!("recording the end of session {id}: {e}");
        }
        self.free_session(&id);
    }

    /// Frees what a session holds on this O (decoder state, its remote T, its renditions).
    pub(super) fn free_session(&self, id: &str) {
        if let Some(t) = &self.transcoder {
            t.end(id);
        }
        self.remote.end_session(id);
        self.store.end(id);
    }

    /// Ends the sessions idle for `transcodeLoopTimeout`; returns how many.
    pub async fn close_idle(&self) -> usize {
        let now = now_ms();
        let decided = self
            .writer
            .decide(SESSIONS_KEY, now, |p| {
                let events = o_sessions::close_idle(&p.streams.state, now);
                Ok::<_, std::convert::Infallible>((events, ()))
            })
            .await;
        let envelopes = match decided {
            Ok(Ok(((), envs))) => envs,
            Err(e) => {
                tracing::warn!("closing idle sessions: {e}");
                return 0;
            }
        };
        for env in &envelopes {
            if let Event::StreamEnded(e) = &env.event {
                self.free_session(&e.stream);
            }
        }
        envelopes.len()
    }

    /// The checks of `/segment` before the body is read, in the reference's order.
    pub fn check_segment(
        &self,
        payment_header: &str,
        segment_header: &str,
    ) -> Result<CheckedSegment, Refusal> {
        let (payment, meta) = decode_headers(payment_header, segment_header);
        // On a chain the segment's signature is the payment's sender's (after both headers
        // decoded, before the capabilities: the reference's order).
        if let (Some(paid), Ok(sender), Ok(m)) = (&self.paid, &payment, &meta) {
            if !paid.segment_signed_by(sender, m) {
                return Err(Refusal::from(Rejected::SegmentSignature));
            }
        }
        let claim = meta.as_ref().map(claim_of).map_err(Clone::clone);
        let req = SegmentRequest {
            payment: payment.as_ref().map(|_| ()).map_err(String::as_str),
            segment: claim.as_ref().map_err(String::as_str),
        };
        let now = now_ms();
        self.writer
            .read(|p| {
                segment_admission::check_headers(&p.streams.state, self.rules(p), req, now)
                    .map(|_| ())
            })
            .map_err(Refusal::from)?;
        match (meta, claim) {
            (Ok(meta), Ok(claim)) => Ok(CheckedSegment { meta, claim }),
            _ => Err(Refusal::internal("segment header checks")),
        }
    }

    /// Admits a checked segment whose body is `body` (or could not be fetched): every check
    /// again against the state at append time, the body's last, then the session's start and
    /// `SegmentReceived` in the log. Only then may the 200 go out.
    pub async fn admit_segment(
        &self,
        seg: &CheckedSegment,
        body: Result<&[u8], Rejected>,
    ) -> Result<(), Refusal> {
        let body = body.map(|b| Body {
            len: b.len() as u64,
            keccak: ethers_core::utils::keccak256(b),
        });
        let req = SegmentRequest {
            payment: Ok(()),
            segment: Ok(&seg.claim),
        };
        let now = now_ms();
        let decided = self
            .writer
            .decide(SESSIONS_KEY, now, |p| {
                segment_admission::admit(&p.streams.state, self.rules(p), req, body, now)
                    .map(|events| (events, ()))
            })
            .await
            .map_err(Refusal::internal)?;
        decided.map(|_| ()).map_err(Refusal::from)
    }
}

/// Decodes both headers; each error as the text the O answers with.
fn decode_headers(
    payment_header: &str,
    segment_header: &str,
) -> (Result<Vec<u8>, String>, Result<SegMeta, String>) {
    (
        decode_payment_header(payment_header)
            .map(|p| p.sender)
            .map_err(|e| e.to_string()),
        decode_segment_header(segment_header).map_err(|e| e.to_string()),
    )
}
