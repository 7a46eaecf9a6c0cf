//! The B's segment path: a pushed segment becomes a `/segment` call to an orchestrator (the
//! stream's sessions, opened with `GetOrchestrator` and refreshed before their tokens expire,
//! chosen among by latency score (`session_choice`), a new one's O by `commands::orch_choice`
//! offchain, `commands::selection` on a chain; tried on up to `-maxAttempts` Os), its renditions
//! are fetched, kept for HLS playback and returned to the pusher; the round trip at the O that
//! did it is recorded (`SegmentTranscoded.took_ms`) and scores its session. The stream rules (`commands::b_streams`) run through the node's writer, so every
//! step is in the B's event log before it acts (`StreamStarted`, `SegmentReceived`,
//! `SegmentTranscoded` / `SegmentFailed`, `StreamEnded` when the publisher stops, after 60 s
//! without pushed segments, or at the start after a crash) and the playlists are rendered from
//! the streams projection.
//!
//! Offchain, like go-livepeer without an Ethereum client: segments are unsigned and unpaid.

pub use super::config::BcastConfig;
use super::verify::Fetch;
use crate::api::{
    broadcaster::PushedRendition, client::OrchClient, info::OrchInfo, segment::SegMeta,
    status::Refusal,
};
use crate::commands::{
    b_streams, min_ls::Sessions, orch_choice::attempts, segment_timeout::segment_timeout_ms,
    suspensions::Suspensions, Rejected,
};
use crate::events::{
    EndReason, Event, IngestSource, Rendition, SegmentFailed, SegmentReceived, SegmentTranscoded,
    Worker,
};
use crate::log::LogStore;
use crate::media::Container;
use crate::node::clock::now_ms;
use crate::node::store::RenditionStore;
use crate::node::writer::Writer;
use crate::projections::Projections;
use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};
use tokio_util::task::TaskTracker;

/// A refusal of a pushed segment: HTTP status and text.
pub type PushError = Refusal;

fn push_err(status: u16, text: impl std::fmt::Display) -> PushError {
    Refusal::new(status, text)
}

/// The B. Its streams and their O sessions of record are the streams projection behind the
/// writer (a restarted B knows them, ends those its death left open and their sessions at the
/// Os, and still serves their playlists); connections, suspensions and rendition bytes are caches
/// and soft state.
pub struct Broadcaster<S: LogStore> {
    pub(super) cfg: BcastConfig,
    pub(super) writer: Arc<Writer<S>>,
    /// Connections to the Os, opened on first use and shared by every stream's segments.
    clients: tokio::sync::Mutex<BTreeMap<String, Arc<OrchClient>>>,
    /// Each stream's O sessions (each O's info with the auth token, its latency score): the
    /// in-memory copy of what `BroadcastSessionOpened` records, chosen among by
    /// `commands::min_ls`; a stream without a usable one asks an O for a fresh one.
    sessions: Mutex<BTreeMap<String, Sessions<OrchInfo>>>,
    /// Each stream's suspended Os (those that failed it, passed over for a few of its session
    /// refreshes while others are available): soft state, health rather than a fact of record.
    suspended: Mutex<BTreeMap<String, Suspensions>>,
    /// Each stream's answers from its last refresh on a chain not (yet) its session.
    pub(super) spares: super::spares::Spares,
    /// Round-robin position for new sessions.
    next: std::sync::atomic::AtomicUsize,
    store: RenditionStore,
    /// Every task this B starts (segments in flight, RTMP publishers): joined at shutdown.
    tasks: TaskTracker,
    /// On a chain: its tickets.
    paying: Option<super::paying::Paying<S>>,
    /// New streams: the auth webhook and what it admitted.
    admission: super::admission::Admission,
    /// Where its Os come from (the webhook's list) and what they advertised.
    pool: super::pool::OrchPool,
    /// This B itself once shared ([`Broadcaster::shared`]): its background tasks hold it.
    pub(super) me: std::sync::Weak<Self>,
}

impl<S: LogStore> Broadcaster<S> {
    /// A B whose commands go through `writer`.
    pub fn new(cfg: BcastConfig, writer: Arc<Writer<S>>) -> Self {
        let webhook = cfg
            .webhook_url
            .clone()
            .map(|url| super::orch_webhook::OrchWebhook::new(url, cfg.webhook_refresh));
        let perf = cfg
            .perf_stats
            .as_ref()
            .map(|(url, region)| super::perf_stats::PerfStats::new(url.clone(), region));
        let pool = super::pool::OrchPool::new(webhook, cfg.extra_nodes, perf);
        Broadcaster {
            pool,
            writer,
            clients: tokio::sync::Mutex::new(BTreeMap::new()),
            sessions: Mutex::new(BTreeMap::new()),
            suspended: Mutex::new(BTreeMap::new()),
            spares: Default::default(),
            next: std::sync::atomic::AtomicUsize::new(0),
            store: RenditionStore::default(),
            tasks: TaskTracker::new(),
            paying: None,
            admission: super::admission::Admission::new(cfg.auth_webhook.clone()),
            cfg,
            me: std::sync::Weak::new(),
        }
    }

    /// This B, shared, knowing itself (a background session refresh holds it while it runs).
    pub fn shared(mut self) -> Arc<Self> {
        Arc::new_cyclic(|me| {
            self.me = me.clone();
            self
        })
    }

    /// The B's tasks (joined at shutdown).
    pub fn tasks(&self) -> &TaskTracker {
        &self.tasks
    }

    pub(super) fn clients(&self) -> &tokio::sync::Mutex<BTreeMap<String, Arc<OrchClient>>> {
        &self.clients
    }

    pub(super) fn suspended(&self) -> &Mutex<BTreeMap<String, Suspensions>> {
        &self.suspended
    }

    pub(super) fn turn(&self) -> &std::sync::atomic::AtomicUsize {
        &self.next
    }

    /// The B paying in tickets on a chain.
    pub fn with_payments(mut self, paying: super::paying::Paying<S>) -> Self {
        self.paying = Some(paying);
        self
    }

    pub(super) fn admission(&self) -> &super::admission::Admission {
        &self.admission
    }

    /// Its paying side, on a chain.
    pub(super) fn paying(&self) -> Option<&super::paying::Paying<S>> {
        self.paying.as_ref()
    }

    pub(super) fn pool(&self) -> &super::pool::OrchPool {
        &self.pool
    }

    /// The B's writer (its log and projections).
    pub fn writer(&self) -> &Arc<Writer<S>> {
        &self.writer
    }

    /// The B's configuration.
    pub fn config(&self) -> &BcastConfig {
        &self.cfg
    }

    /// The rendition bytes kept for HLS.
    pub fn store(&self) -> &RenditionStore {
        &self.store
    }

    pub(super) fn cached_sessions(
        &self,
    ) -> std::sync::MutexGuard<'_, BTreeMap<String, Sessions<OrchInfo>>> {
        self.sessions.lock().unwrap_or_else(PoisonError::into_inner)
    }

    async fn record(&self, events: Vec<Event>) -> Result<(), PushError> {
        self.writer
            .append(now_ms(), events)
            .await
            .map(|_| ())
            .map_err(Refusal::internal)
    }

    /// Runs a stream rule through the writer (serialised per stream).
    pub(super) async fn decide(
        &self,
        stream: &str,
        rule: impl FnOnce(&Projections) -> Vec<Event>,
    ) -> Result<Vec<Event>, PushError> {
        let decided = self
            .writer
            .decide(&format!("b/stream/{stream}"), now_ms(), |p| {
                Ok::<_, std::convert::Infallible>((rule(p), ()))
            })
            .await
            .map_err(Refusal::internal)?;
        let Ok(((), envs)) = decided;
        Ok(envs.into_iter().map(|e| e.event).collect())
    }

    /// The publisher of `manifest` stopped: records `StreamEnded`. Its playlists stay, closed
    /// with `#EXT-X-ENDLIST`, so players reach the end of the stream.
    pub async fn end(&self, manifest: &str, reason: EndReason) -> Result<(), PushError> {
        let ended = self
            .decide(manifest, |p| {
                b_streams::end(&p.streams.state, manifest, reason)
            })
            .await?;
        let sessions = self.cached_sessions().remove(manifest);
        self.forget_spares(manifest);
        if ended.is_empty() {
            return Ok(());
        }
        // Free the Os' sessions now rather than after their idle timeout (-maxSessions slots).
        for h in sessions.map(Sessions::into_held).unwrap_or_default() {
            let (uri, info) = (h.uri, h.session);
            if let (Some(token), Ok(client)) = (info.auth_token, self.client_for(&uri).await) {
                if let Err(e) = client.end_transcoding_session(&token).await {
                    tracing::debug!("stream {manifest}: EndTranscodingSession at {uri}: {e}");
                }
            }
        }
        Ok(())
    }

    /// Handles `PUT /live/<manifest>/<seq>.ts` (or `.mp4`, for renditions in fragmented MP4):
    /// transcodes the segment through an O and returns its renditions. MPEG-TS renditions also
    /// join the stream's HLS playlists.
    pub async fn push_segment(
        &self,
        manifest: &str,
        seq: u64,
        duration_ms: u32,
        container: Container,
        body: bytes::Bytes,
    ) -> Result<Vec<PushedRendition>, PushError> {
        let names = self.profile_names(manifest);
        let received = SegmentReceived {
            stream: manifest.to_string(),
            seq_no: seq,
            duration_ms,
            bytes: body.len() as u64,
        };
        self.decide(manifest, |p| {
            b_streams::segment_in(
                &p.streams.state,
                manifest,
                IngestSource::HttpPush,
                &names,
                received,
            )
        })
        .await?;
        match self
            .transcode(manifest, seq, duration_ms, container, body)
            .await
        {
            Ok((renditions, worker, (_, took))) => {
                tracing::info!(
                    "stream {manifest} segment {seq}: {} in {} ms",
                    renditions
                        .iter()
                        .map(|(r, _)| format!("{} {}x{}", r.profile, r.width, r.height))
                        .collect::<Vec<_>>()
                        .join(", "),
                    took.as_millis()
                );
                self.record(vec![Event::SegmentTranscoded(SegmentTranscoded {
                    stream: manifest.to_string(),
                    seq_no: seq,
                    worker,
                    renditions: renditions.iter().map(|(r, _)| r.clone()).collect(),
                    took_ms: u32::try_from(took.as_millis()).unwrap_or(u32::MAX),
                })])
                .await?;
                Ok(renditions.into_iter().map(|(_, r)| r).collect())
            }
            Err((e, retryable)) => {
                tracing::warn!("stream {manifest} segment {seq}: {} {}", e.status, e.text);
                self.record(vec![Event::SegmentFailed(SegmentFailed {
                    stream: manifest.to_string(),
                    seq_no: seq,
                    reason: e.text.clone(),
                    retryable,
                })])
                .await?;
                Err(e)
            }
        }
    }

    async fn transcode(
        &self,
        manifest: &str,
        seq: u64,
        duration_ms: u32,
        container: Container,
        body: bytes::Bytes,
    ) -> Result<
        (
            Vec<(Rendition, PushedRendition)>,
            Worker,
            (String, Duration),
        ),
        (PushError, bool),
    > {
        let ladder = self.ladder(manifest);
        let timeout = Duration::from_millis(
            segment_timeout_ms(duration_ms).saturating_mul(u64::from(ladder.timeout_multiplier)),
        );
        let mut failure = Refusal::from(Rejected::NoOrchestrator);
        let mut done = None;
        // The Os this segment failed on: each attempt is at another O. The pool can grow as Os
        // are asked (a webhook's first list, advertised nodes).
        let mut tried = Vec::new();
        let mut attempt = 0;
        while attempt < attempts(self.cfg.max_attempts, self.orchestrators().len()) {
            self.cfg.metrics.attempt(manifest, attempt);
            attempt += 1;
            let (client, uri, info) = match self.session(manifest, &tried, duration_ms).await {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!("stream {manifest}: no orchestrator session: {e}");
                    break;
                }
            };
            let flight = self.flight(manifest, &uri);
            let mut meta = SegMeta {
                manifest_id: manifest.to_string(),
                seq: i64::try_from(seq).unwrap_or(i64::MAX),
                hash: ethers_core::utils::keccak256(&body),
                sig: Vec::new(),
                duration_ms,
                profiles: ladder.profiles.clone(),
                container,
                auth_token: info.auth_token.clone(),
                // A Go O refuses a job without capabilities: its mandatory AuthToken bit is unset.
                capabilities: crate::api::capabilities::job(
                    &ladder.profiles,
                    container == Container::FragmentedMp4,
                ),
            };
            if let Some(p) = self.paying() {
                meta.sig = p.sign_segment(&meta);
            }
            // The round trip at this O, its latency score's numerator.
            let started = Instant::now();
            let answer = self
                .submit(&client, &info, &meta, body.to_vec(), timeout)
                .await;
            let fetched = match answer {
                Ok(r) => {
                    self.fetch_renditions(&client, &info, &meta.profiles, manifest, r)
                        .await
                }
                Err(e) => Err(Fetch::Retry(e.to_string())),
            };
            match fetched {
                Ok(out) => {
                    let took = started.elapsed();
                    self.completed(manifest, &uri, took, duration_ms);
                    flight.done();
                    done = Some((uri, info, meta, out, took));
                    break;
                }
                Err(Fetch::Fail(e)) => {
                    self.forget_session(manifest, &uri);
                    flight.done();
                    return Err((push_err(500, e), true));
                }
                Err(Fetch::Retry(e)) => {
                    // Unreachable, refused, timed out or unverified: try the segment on
                    // another O.
                    tracing::warn!("stream {manifest} segment {seq}: orchestrator {uri}: {e}");
                    self.forget_session(manifest, &uri);
                    flight.done();
                    self.suspend(manifest, &uri).await;
                    tried.push(uri);
                    failure = push_err(500, e);
                }
            }
        }
        let Some((uri, info, meta, out, took)) = done else {
            return Err((failure, true));
        };
        self.store.put(
            manifest,
            meta.seq,
            container.extension(),
            out.iter()
                .map(|(_, r)| (r.name.clone(), r.data.clone()))
                .collect(),
        );
        let worker = Worker::Orchestrator {
            address: super::discovery::address_of(&info.address),
            uri: info.transcoder.clone(),
        };
        Ok((out, worker, (uri, took)))
    }
}
