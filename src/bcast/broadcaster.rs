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
    time::{Duration, Instant, SystemTime, UNIX_EPOCH},
};

/// `httpPushTimeout`: a pushed stream without segments for this long has ended.
pub const PUSH_IDLE: Duration = Duration::from_secs(60);

/// Refresh a session whose token expires within this many seconds (10 % of 30 min).
const TOKEN_REFRESH_S: i64 = 180;

/// How a B works.
#[derive(Clone, Debug)]
pub struct BcastConfig {
    /// Orchestrators to use (`https://host:port`), from `-orchAddr`.
    pub orchestrators: Vec<String>,
    /// The ladder, from `-transcodingOptions`.
    pub profiles: Vec<VideoProfile>,
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
    info: Option<net::OrchestratorInfo>,
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
    /// The connection to the O, opened on first use and shared by every stream's segments.
    client: tokio::sync::Mutex<Option<Arc<OrchClient>>>,
    streams: Mutex<BTreeMap<String, StreamState>>,
    store: RenditionStore,
}

fn now_ms() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| u64::try_from(d.as_millis()).unwrap_or(u64::MAX))
}

fn now_s() -> i64 {
    i64::try_from(now_ms() / 1000).unwrap_or(i64::MAX)
}

impl<S: LogStore> Broadcaster<S> {
    /// A B appending to `log`.
    pub fn new(cfg: BcastConfig, log: Arc<Log<S>>) -> Self {
        Broadcaster {
            cfg,
            log,
            client: tokio::sync::Mutex::new(None),
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

    /// The session info for `manifest`: cached, or fresh from `GetOrchestrator` when missing or
    /// when its token is about to expire.
    async fn session(&self, manifest: &str) -> Result<net::OrchestratorInfo, ClientError> {
        let cached = self.lock().get(manifest).and_then(|s| s.info.clone());
        if let Some(info) = cached {
            let fresh = info
                .auth_token
                .as_ref()
                .is_some_and(|t| t.expiration - now_s() > TOKEN_REFRESH_S);
            if fresh {
                return Ok(info);
            }
        }
        let uri = self
            .cfg
            .orchestrators
            .first()
            .ok_or_else(|| ClientError::Address("no -orchAddr given".into()))?;
        let client = self.client_for(uri).await?;
        let info = match client.get_orchestrator(Default::default()).await {
            Ok(i) => i,
            Err(e) => {
                *self.client.lock().await = None; // reconnect next time
                return Err(e);
            }
        };
        if let Some(s) = self.lock().get_mut(manifest) {
            s.info = Some(info.clone());
        }
        Ok(info)
    }

    /// The shared connection to `uri`, connecting on first use.
    async fn client_for(&self, uri: &str) -> Result<Arc<OrchClient>, ClientError> {
        let mut guard = self.client.lock().await;
        if let Some(c) = guard.as_ref() {
            return Ok(c.clone());
        }
        let c = Arc::new(OrchClient::connect(uri).await?);
        *guard = Some(c.clone());
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
        match self.lock().get_mut(manifest) {
            Some(s) if !s.ended => s.ended = true,
            _ => return Ok(()),
        }
        self.record(vec![Event::StreamEnded(StreamEnded {
            stream: manifest.to_string(),
            reason,
        })])
        .await
    }

    /// Handles `PUT /live/<manifest>/<seq>.ts`: transcodes the segment through an O and returns
    /// its renditions.
    pub async fn push(
        &self,
        manifest: &str,
        seq: u64,
        duration_ms: u32,
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
        match self.transcode(manifest, seq, duration_ms, body).await {
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
        body: bytes::Bytes,
    ) -> Result<(Vec<(Rendition, PushedRendition)>, Worker), (PushError, bool)> {
        let info = self.session(manifest).await.map_err(|e| {
            tracing::warn!("stream {manifest}: no orchestrator session: {e}");
            (push_err(503, "No sessions available"), true)
        })?;
        let meta = SegMeta {
            manifest_id: manifest.to_string(),
            seq: i64::try_from(seq).unwrap_or(i64::MAX),
            hash: ethers_core::utils::keccak256(&body),
            sig: Vec::new(),
            duration_ms,
            profiles: self.cfg.profiles.clone(),
            container: Container::MpegTs,
            auth_token: info.auth_token.as_ref().map(auth_token_from_proto),
            capabilities: Vec::new(),
        };
        let timeout = Duration::from_millis(u64::from(duration_ms) * 4).max(Duration::from_secs(8));
        let Some(client) = self.client.lock().await.clone() else {
            return Err((push_err(503, "No sessions available"), true));
        };
        let result = client
            .submit_segment(&info.transcoder, &meta, "", body.to_vec(), timeout)
            .await;
        let result = match result {
            Ok(r) => r,
            Err(e) => {
                self.forget_session(manifest);
                return Err((push_err(500, e), true));
            }
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

    /// The master playlist of a stream, once it has a segment.
    pub fn master_playlist(&self, manifest: &str) -> Option<String> {
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
