//! The B's segment path: a pushed segment becomes a `/segment` call to an orchestrator (a session
//! per stream, opened with `GetOrchestrator` and refreshed before its token expires), its
//! renditions are fetched, kept for HLS playback and returned to the pusher; every step lands in
//! the B's event log (`StreamStarted`, `SegmentReceived`, `SegmentTranscoded` / `SegmentFailed`,
//! `StreamEnded` after 60 s without segments).
//!
//! Offchain, like go-livepeer without an Ethereum client: segments are unsigned and unpaid.

use super::{
    client::{ClientError, OrchClient},
    playlist::{StreamPlaylists, Variant},
};
use crate::api::{
    proto::net,
    segment::{auth_token_from_proto, SegMeta},
};
use crate::clock::{now_ms, now_s};
use crate::events::{
    Address, EndReason, Event, IngestSource, Rendition, SegmentFailed, SegmentReceived,
    SegmentTranscoded, StreamEnded, StreamStarted, Worker,
};
use crate::log::{Expect, Log, LogStore};
use crate::media::{Container, VideoProfile};
use crate::orch::store::RenditionStore;
use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};

/// `httpPushTimeout`: a pushed stream without segments for this long has ended.
pub const PUSH_IDLE: Duration = Duration::from_secs(60);

/// Refresh a session whose token expires within this many seconds (10 % of 30 min).
const TOKEN_REFRESH_S: i64 = 180;

/// How long an O that failed is passed over while others are available.
const SUSPEND: Duration = Duration::from_secs(30);

/// Os a segment is tried on before it fails (when several are configured).
const MAX_ATTEMPTS: usize = 3;

/// How a B works.
#[derive(Clone, Debug)]
pub struct BcastConfig {
    /// Orchestrators to use (`https://host:port`), from `-orchAddr`.
    pub orchestrators: Vec<String>,
    /// The ladder, from `-transcodingOptions`.
    pub profiles: Vec<VideoProfile>,
    /// `-currentManifest`: serve the latest stream at `/stream/current.m3u8`.
    pub current_manifest: bool,
}

/// A refusal of a pushed segment: HTTP status and text.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PushError {
    /// HTTP status.
    pub status: u16,
    /// Body text.
    pub text: String,
}

fn push_err(status: u16, text: impl std::fmt::Display) -> PushError {
    PushError {
        status,
        text: text.to_string(),
    }
}

struct StreamState {
    /// Its publisher has stopped (`StreamEnded` recorded); kept until idle for playback.
    ended: bool,
    /// The O serving this stream and its session info (with the auth token).
    info: Option<(String, net::OrchestratorInfo)>,
    playlists: StreamPlaylists,
    last_seen: Instant,
}

/// One transcoded rendition handed back to the pusher.
#[derive(Clone, Debug)]
pub struct PushedRendition {
    /// Profile name.
    pub name: String,
    /// The segment bytes.
    pub data: bytes::Bytes,
}

/// The B.
pub struct Broadcaster<S: LogStore> {
    cfg: BcastConfig,
    log: Arc<Log<S>>,
    /// Connections to the Os, opened on first use and shared by every stream's segments.
    clients: tokio::sync::Mutex<BTreeMap<String, Arc<OrchClient>>>,
    /// Os that failed recently, skipped until then while others are available.
    suspended: Mutex<BTreeMap<String, Instant>>,
    /// The stream that started last (`-currentManifest`).
    current: Mutex<Option<String>>,
    /// Round-robin position for new sessions.
    next: std::sync::atomic::AtomicUsize,
    streams: Mutex<BTreeMap<String, StreamState>>,
    store: RenditionStore,
}

impl<S: LogStore> Broadcaster<S> {
    /// A B appending to `log`.
    pub fn new(cfg: BcastConfig, log: Arc<Log<S>>) -> Self {
        Broadcaster {
            cfg,
            log,
            clients: tokio::sync::Mutex::new(BTreeMap::new()),
            suspended: Mutex::new(BTreeMap::new()),
            next: std::sync::atomic::AtomicUsize::new(0),
            current: Mutex::new(None),
            streams: Mutex::new(BTreeMap::new()),
            store: RenditionStore::default(),
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, StreamState>> {
        self.streams.lock().unwrap_or_else(PoisonError::into_inner)
    }

    async fn record(&self, events: Vec<Event>) -> Result<(), PushError> {
        let at = now_ms();
        self.log
            .append(events.into_iter().map(|e| (at, e)).collect(), Expect::Any)
            .await
            .map(|_| ())
            .map_err(|e| push_err(500, format!("event log: {e}")))
    }

    /// The session for `manifest`: cached, or fresh from `GetOrchestrator` (round robin over the
    /// Os that have not failed recently) when missing or when its token is about to expire.
    async fn session(
        &self,
        manifest: &str,
    ) -> Result<(Arc<OrchClient>, String, net::OrchestratorInfo), ClientError> {
        let cached = self.lock().get(manifest).and_then(|s| s.info.clone());
        if let Some((uri, info)) = cached {
            let fresh = info
                .auth_token
                .as_ref()
                .is_some_and(|t| t.expiration - now_s() > TOKEN_REFRESH_S);
            if fresh && !self.is_suspended(&uri) {
                return Ok((self.client_for(&uri).await?, uri, info));
            }
        }
        let os = &self.cfg.orchestrators;
        if os.is_empty() {
            return Err(ClientError::Address("no -orchAddr given".into()));
        }
        let start = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let mut order: Vec<&String> = (0..os.len()).map(|i| &os[(start + i) % os.len()]).collect();
        // Os that failed recently go last: tried only when every other one fails too.
        order.sort_by_key(|uri| self.is_suspended(uri));
        let mut last_err = None;
        for uri in order {
            let attempt = async {
                let client = self.client_for(uri).await?;
                let info = client.get_orchestrator(Default::default()).await?;
                Ok::<_, ClientError>((client, info))
            };
            match attempt.await {
                Ok((client, info)) => {
                    if let Some(s) = self.lock().get_mut(manifest) {
                        s.info = Some((uri.clone(), info.clone()));
                    }
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

    fn is_suspended(&self, uri: &str) -> bool {
        self.suspended
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(uri)
            .is_some_and(|until| Instant::now() < *until)
    }

    /// Skips `uri` for [`SUSPEND`] and drops its connection (reconnect next time).
    async fn suspend(&self, uri: &str) {
        self.suspended
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(uri.to_string(), Instant::now() + SUSPEND);
        self.clients.lock().await.remove(uri);
    }

    /// The shared connection to `uri`, connecting on first use.
    async fn client_for(&self, uri: &str) -> Result<Arc<OrchClient>, ClientError> {
        let mut guard = self.clients.lock().await;
        if let Some(c) = guard.get(uri) {
            return Ok(c.clone());
        }
        let c = Arc::new(OrchClient::connect(uri).await?);
        guard.insert(uri.to_string(), c.clone());
        Ok(c)
    }

    fn forget_session(&self, manifest: &str) {
        if let Some(s) = self.lock().get_mut(manifest) {
            s.info = None;
        }
    }

    /// Registers a stream (if new) and returns its `StreamStarted` to record.
    fn admit(&self, manifest: &str, source: IngestSource) -> Vec<Event> {
        let mut map = self.lock();
        match map.get_mut(manifest) {
            Some(s) if !s.ended => {
                s.last_seen = Instant::now();
                return Vec::new();
            }
            Some(s) => {
                // Published again under the same name: a new stream, same playlists.
                s.ended = false;
                s.last_seen = Instant::now();
            }
            None => {
                map.insert(
                    manifest.to_string(),
                    StreamState {
                        ended: false,
                        info: None,
                        playlists: StreamPlaylists::default(),
                        last_seen: Instant::now(),
                    },
                );
            }
        }
        drop(map);
        *self.current.lock().unwrap_or_else(PoisonError::into_inner) = Some(manifest.to_string());
        vec![Event::StreamStarted(StreamStarted {
            stream: manifest.to_string(),
            source,
            profiles: self.cfg.profiles.iter().map(|p| p.name.clone()).collect(),
        })]
    }

    /// A publisher started stream `manifest` (RTMP): records `StreamStarted` with its source.
    pub async fn begin(&self, manifest: &str, source: IngestSource) -> Result<(), PushError> {
        let events = self.admit(manifest, source);
        if events.is_empty() {
            return Ok(());
        }
        self.record(events).await
    }

    /// The publisher of `manifest` stopped: records `StreamEnded`. Its playlists stay until the
    /// idle timeout, so players reach the end of the stream.
    pub async fn end(&self, manifest: &str, reason: EndReason) -> Result<(), PushError> {
        let session = match self.lock().get_mut(manifest) {
            Some(s) if !s.ended => {
                s.ended = true;
                s.info.take()
            }
            _ => return Ok(()),
        };
        // Free the O's session now rather than after its idle timeout (its -maxSessions slot).
        if let Some((uri, info)) = session {
            if let (Some(token), Ok(client)) = (info.auth_token, self.client_for(&uri).await) {
                if let Err(e) = client.end_transcoding_session(token).await {
                    tracing::debug!("stream {manifest}: EndTranscodingSession at {uri}: {e}");
                }
            }
        }
        self.record(vec![Event::StreamEnded(StreamEnded {
            stream: manifest.to_string(),
            reason,
        })])
        .await
    }

    /// Handles `PUT /live/<manifest>/<seq>.ts` (or `.mp4`, for renditions in fragmented MP4):
    /// transcodes the segment through an O and returns its renditions. MPEG-TS renditions also
    /// join the stream's HLS playlists.
    pub async fn push(
        &self,
        manifest: &str,
        seq: u64,
        duration_ms: u32,
        container: Container,
        body: bytes::Bytes,
    ) -> Result<Vec<PushedRendition>, PushError> {
        let mut events = self.admit(manifest, IngestSource::HttpPush);
        events.push(Event::SegmentReceived(SegmentReceived {
            stream: manifest.to_string(),
            seq_no: seq,
            duration_ms,
            bytes: body.len() as u64,
        }));
        self.record(events).await?;
        let started = Instant::now();
        match self
            .transcode(manifest, seq, duration_ms, container, body)
            .await
        {
            Ok((renditions, worker)) => {
                let took = started.elapsed();
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
    ) -> Result<(Vec<(Rendition, PushedRendition)>, Worker), (PushError, bool)> {
        let timeout = Duration::from_millis(u64::from(duration_ms) * 4).max(Duration::from_secs(8));
        let attempts = MAX_ATTEMPTS.min(self.cfg.orchestrators.len()).max(1);
        let mut failure = push_err(503, "No sessions available");
        let mut done = None;
        for _ in 0..attempts {
            let (client, uri, info) = match self.session(manifest).await {
                Ok(s) => s,
                Err(e) => {
                    tracing::warn!("stream {manifest}: no orchestrator session: {e}");
                    break;
                }
            };
            let meta = SegMeta {
                manifest_id: manifest.to_string(),
                seq: i64::try_from(seq).unwrap_or(i64::MAX),
                hash: ethers_core::utils::keccak256(&body),
                sig: Vec::new(),
                duration_ms,
                profiles: self.cfg.profiles.clone(),
                container,
                auth_token: info.auth_token.as_ref().map(auth_token_from_proto),
                // A Go O refuses a job without capabilities: its mandatory AuthToken bit is unset.
                capabilities: crate::orch::caps::job(
                    &self.cfg.profiles,
                    container == Container::FragmentedMp4,
                ),
            };
            match client
                .submit_segment(&info.transcoder, &meta, "", body.to_vec(), timeout)
                .await
            {
                Ok(r) => {
                    done = Some((client, uri, info, meta, r));
                    break;
                }
                Err(e) => {
                    // Unreachable, refused or timed out: try the segment on another O.
                    tracing::warn!("stream {manifest} segment {seq}: orchestrator {uri}: {e}");
                    self.forget_session(manifest);
                    self.suspend(&uri).await;
                    failure = push_err(500, e);
                }
            }
        }
        let Some((client, _uri, info, meta, result)) = done else {
            return Err((failure, true));
        };
        let data = match result.result {
            Some(net::transcode_result::Result::Data(d)) => d,
            Some(net::transcode_result::Result::Error(e)) => return Err((push_err(500, e), true)),
            None => return Err((push_err(500, "empty transcode result"), true)),
        };
        if data.segments.len() != self.cfg.profiles.len() {
            return Err((push_err(500, "MismatchedSegments"), true));
        }
        let mut out = Vec::new();
        for (s, p) in data.segments.iter().zip(&self.cfg.profiles) {
            let bytes = client
                .download(&s.url)
                .await
                .map_err(|e| (push_err(500, format!("download {}: {e}", s.url)), true))?;
            let facts = crate::media::probe::rendition_size(&bytes).unwrap_or((p.width, p.height));
            out.push((
                Rendition {
                    profile: p.name.clone(),
                    width: facts.0,
                    height: facts.1,
                    frames: 0,
                    pixels: u64::try_from(s.pixels).unwrap_or(0),
                    bytes: bytes.len() as u64,
                },
                PushedRendition {
                    name: p.name.clone(),
                    data: bytes.into(),
                },
            ));
        }
        self.store.put(
            manifest,
            meta.seq,
            container.extension(),
            out.iter()
                .map(|(_, r)| (r.name.clone(), r.data.clone()))
                .collect(),
        );
        let variants = out
            .iter()
            .zip(&self.cfg.profiles)
            .map(|((r, _), p)| Variant {
                name: p.name.clone(),
                bandwidth: p.bitrate,
                width: r.width,
                height: r.height,
            })
            .collect();
        if let Some(s) = self.lock().get_mut(manifest) {
            s.playlists
                .add(seq, f64::from(duration_ms) / 1000.0, variants);
        }
        let worker = Worker::Orchestrator {
            address: address_of(&info.address),
            uri: info.transcoder.clone(),
        };
        Ok((out, worker))
    }

    /// The B's event log.
    pub fn log(&self) -> &Arc<Log<S>> {
        &self.log
    }

    /// The master playlist of a stream, once it has a segment; with `-currentManifest`,
    /// `current` names the stream that started last.
    pub fn master_playlist(&self, manifest: &str) -> Option<String> {
        let latest;
        let manifest = if manifest == "current" && self.cfg.current_manifest {
            latest = self
                .current
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .clone()?;
            latest.as_str()
        } else {
            manifest
        };
        let map = self.lock();
        let s = map.get(manifest)?;
        (!s.playlists.is_empty()).then(|| s.playlists.master(manifest))
    }

    /// A rendition's media playlist.
    pub fn media_playlist(&self, manifest: &str, rendition: &str) -> Option<String> {
        self.lock().get(manifest)?.playlists.media(rendition)
    }

    /// A stored segment at `<manifest>/<rendition>/<seq>.ts`.
    pub fn segment(&self, path: &str) -> Option<bytes::Bytes> {
        self.store.get(path)
    }

    /// Ends streams idle for [`PUSH_IDLE`]; returns how many.
    pub async fn end_idle(&self) -> usize {
        let ended: Vec<String> = {
            let mut map = self.lock();
            let idle: Vec<(String, bool)> = map
                .iter()
                .filter(|(_, s)| s.last_seen.elapsed() >= PUSH_IDLE)
                .map(|(k, s)| (k.clone(), s.ended))
                .collect();
            for (k, _) in &idle {
                map.remove(k);
                self.store.end(k);
            }
            idle.into_iter()
                .filter(|(_, ended)| !ended)
                .map(|(k, _)| k)
                .collect::<Vec<_>>()
        };
        let events: Vec<Event> = ended
            .iter()
            .map(|k| {
                Event::StreamEnded(StreamEnded {
                    stream: k.clone(),
                    reason: EndReason::IdleTimeout,
                })
            })
            .collect();
        if !events.is_empty() {
            if let Err(e) = self.record(events).await {
                tracing::warn!("recording ended streams: {}", e.text);
            }
        }
        ended.len()
    }
}

fn address_of(b: &[u8]) -> Address {
    let mut a = [0u8; 20];
    if b.len() == 20 {
        a.copy_from_slice(b);
    }
    Address(a)
}
