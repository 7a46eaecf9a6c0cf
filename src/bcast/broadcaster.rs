//! The B's segment path: a pushed segment becomes a `/segment` call to an orchestrator (a session
//! per stream, opened with `GetOrchestrator` and refreshed before its token expires, the O chosen
//! by `commands::orch_choice`), its renditions are fetched, kept for HLS playback and returned to
//! the pusher. The stream rules (`commands::b_streams`) run through the node's writer, so every
//! step is in the B's event log before it acts (`StreamStarted`, `SegmentReceived`,
//! `SegmentTranscoded` / `SegmentFailed`, `StreamEnded` when the publisher stops, after 60 s
//! without pushed segments, or at the start after a crash) and the playlists are rendered from
//! the streams projection.
//!
//! Offchain, like go-livepeer without an Ethereum client: segments are unsigned and unpaid.

use super::{
    client::{ClientError, OrchClient},
    playlist::StreamPlaylists,
};
use crate::api::{
    proto::net,
    segment::{auth_token_from_proto, SegMeta},
    status::Refusal,
};
use crate::clock::now_ms;
use crate::commands::{
    b_streams,
    orch_choice::{attempts, session_usable, try_order, Suspensions},
    segment_timeout::segment_timeout_ms,
    Rejected,
};
use crate::events::{
    Address, EndReason, Event, IngestSource, Rendition, SegmentFailed, SegmentReceived,
    SegmentTranscoded, Worker,
};
use crate::log::{Log, LogStore};
use crate::media::{Container, VideoProfile};
use crate::node::writer::Writer;
use crate::orch::store::RenditionStore;
use crate::projections::Projections;
use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};

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
pub type PushError = Refusal;

fn push_err(status: u16, text: impl std::fmt::Display) -> PushError {
    Refusal::new(status, text)
}

/// One transcoded rendition handed back to the pusher.
#[derive(Clone, Debug)]
pub struct PushedRendition {
    /// Profile name.
    pub name: String,
    /// The segment bytes.
    pub data: bytes::Bytes,
}

/// The B. Its streams of record are the streams projection behind the writer (a restarted B
/// knows them, ends those its death left open, and still serves their playlists); the O
/// sessions, connections, suspensions and rendition bytes are caches and soft state.
pub struct Broadcaster<S: LogStore> {
    cfg: BcastConfig,
    writer: Arc<Writer<S>>,
    /// Connections to the Os, opened on first use and shared by every stream's segments.
    clients: tokio::sync::Mutex<BTreeMap<String, Arc<OrchClient>>>,
    /// Each stream's O session (the O and its info with the auth token): a cache, since a
    /// stream without one asks an O for a fresh session.
    sessions: Mutex<BTreeMap<String, (String, net::OrchestratorInfo)>>,
    /// Os that failed recently, passed over until then while others are available.
    suspended: Mutex<Suspensions>,
    /// Round-robin position for new sessions.
    next: std::sync::atomic::AtomicUsize,
    store: RenditionStore,
}

impl<S: LogStore> Broadcaster<S> {
    /// A B whose commands go through `writer`.
    pub fn new(cfg: BcastConfig, writer: Arc<Writer<S>>) -> Self {
        Broadcaster {
            cfg,
            writer,
            clients: tokio::sync::Mutex::new(BTreeMap::new()),
            sessions: Mutex::new(BTreeMap::new()),
            suspended: Mutex::new(Suspensions::default()),
            next: std::sync::atomic::AtomicUsize::new(0),
            store: RenditionStore::default(),
        }
    }

    fn cached_sessions(
        &self,
    ) -> std::sync::MutexGuard<'_, BTreeMap<String, (String, net::OrchestratorInfo)>> {
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
    async fn decide(
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

    fn profile_names(&self) -> Vec<String> {
        self.cfg.profiles.iter().map(|p| p.name.clone()).collect()
    }

    /// The session for `manifest`: cached, or fresh from `GetOrchestrator` (round robin over the
    /// Os that have not failed recently) when missing or when its token is about to expire.
    async fn session(
        &self,
        manifest: &str,
    ) -> Result<(Arc<OrchClient>, String, net::OrchestratorInfo), ClientError> {
        let cached = self.cached_sessions().get(manifest).cloned();
        if let Some((uri, info)) = cached {
            let expiration = info.auth_token.as_ref().map(|t| t.expiration);
            let usable = session_usable(expiration, &uri, &self.suspensions(), now_ms());
            if usable {
                return Ok((self.client_for(&uri).await?, uri, info));
            }
        }
        let os = &self.cfg.orchestrators;
        if os.is_empty() {
            return Err(ClientError::Address("no -orchAddr given".into()));
        }
        let turn = self.next.fetch_add(1, std::sync::atomic::Ordering::Relaxed);
        let order: Vec<String> = try_order(os, turn, &self.suspensions(), now_ms())
            .into_iter()
            .map(String::from)
            .collect();
        let mut last_err = None;
        for uri in &order {
            let attempt = async {
                let client = self.client_for(uri).await?;
                let info = client.get_orchestrator(Default::default()).await?;
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

    fn suspensions(&self) -> std::sync::MutexGuard<'_, Suspensions> {
        self.suspended
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Passes over `uri` for a while and drops its connection (reconnect next time).
    async fn suspend(&self, uri: &str) {
        self.suspensions().suspend(uri, now_ms());
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
        self.cached_sessions().remove(manifest);
    }

    /// A publisher started stream `manifest` (RTMP): records `StreamStarted` with its source.
    pub async fn begin(&self, manifest: &str, source: IngestSource) -> Result<(), PushError> {
        let names = self.profile_names();
        self.decide(manifest, |p| {
            b_streams::begin(&p.streams.state, manifest, source, &names)
        })
        .await
        .map(|_| ())
    }

    /// The publisher of `manifest` stopped: records `StreamEnded`. Its playlists stay, closed
    /// with `#EXT-X-ENDLIST`, so players reach the end of the stream.
    pub async fn end(&self, manifest: &str, reason: EndReason) -> Result<(), PushError> {
        let ended = self
            .decide(manifest, |p| {
                b_streams::end(&p.streams.state, manifest, reason)
            })
            .await?;
        let session = self.cached_sessions().remove(manifest);
        if ended.is_empty() {
            return Ok(());
        }
        // Free the O's session now rather than after its idle timeout (its -maxSessions slot).
        if let Some((uri, info)) = session {
            if let (Some(token), Ok(client)) = (info.auth_token, self.client_for(&uri).await) {
                if let Err(e) = client.end_transcoding_session(token).await {
                    tracing::debug!("stream {manifest}: EndTranscodingSession at {uri}: {e}");
                }
            }
        }
        Ok(())
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
        let names = self.profile_names();
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
        let timeout = Duration::from_millis(segment_timeout_ms(duration_ms));
        let attempts = attempts(self.cfg.orchestrators.len());
        let mut failure = Refusal::from(Rejected::NoOrchestrator);
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
                capabilities: crate::api::capabilities::job(
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
        let worker = Worker::Orchestrator {
            address: address_of(&info.address),
            uri: info.transcoder.clone(),
        };
        Ok((out, worker))
    }

    /// The B's event log.
    pub fn log(&self) -> &Arc<Log<S>> {
        self.writer.log()
    }

    /// The B's writer (its projections).
    pub fn writer(&self) -> &Arc<Writer<S>> {
        &self.writer
    }

    fn playlists(&self, manifest: &str) -> Option<StreamPlaylists> {
        let bandwidth = |name: &str| {
            self.cfg
                .profiles
                .iter()
                .find(|p| p.name == name)
                .map_or(0, |p| p.bitrate)
        };
        self.writer.read(|p| {
            let s = p.streams.state.streams.get(manifest)?;
            (!s.recent.is_empty()).then(|| StreamPlaylists::of(s, bandwidth))
        })
    }

    /// The master playlist of a stream, once it has a segment; with `-currentManifest`,
    /// `current` names the stream that started last.
    pub fn master_playlist(&self, manifest: &str) -> Option<String> {
        let manifest = if manifest == "current" && self.cfg.current_manifest {
            self.writer
                .read(|p| b_streams::current(&p.streams.state).map(String::from))?
        } else {
            manifest.to_string()
        };
        self.playlists(&manifest).map(|p| p.master(&manifest))
    }

    /// A rendition's media playlist.
    pub fn media_playlist(&self, manifest: &str, rendition: &str) -> Option<String> {
        self.playlists(manifest)?.media(rendition)
    }

    /// A stored segment at `<manifest>/<rendition>/<seq>.ts`.
    pub fn segment(&self, path: &str) -> Option<bytes::Bytes> {
        self.store.get(path)
    }

    /// Ends pushed streams idle for 60 s, and drops the rendition bytes of streams ended that
    /// long ago; returns how many streams ended.
    pub async fn end_idle(&self) -> usize {
        let now = now_ms();
        let decided = self
            .writer
            .decide("b/idle", now, |p| {
                Ok::<_, std::convert::Infallible>((b_streams::end_idle(&p.streams.state, now), ()))
            })
            .await;
        let ended = match decided {
            Ok(Ok(((), envs))) => envs.len(),
            Err(e) => {
                tracing::warn!("recording ended streams: {e}");
                0
            }
        };
        let gone: Vec<String> = self.writer.read(|p| {
            p.streams
                .state
                .streams
                .iter()
                .filter(|(_, s)| {
                    s.ended
                        .as_ref()
                        .is_some_and(|(at, _)| now.saturating_sub(*at) >= b_streams::PUSH_IDLE_MS)
                })
                .map(|(id, _)| id.clone())
                .collect()
        });
        for id in gone {
            self.store.end(&id);
            self.forget_session(&id);
        }
        ended
    }

    /// At start: ends every stream the previous run left open (`NodeRestarted`); returns them.
    pub async fn end_streams_left_open(&self) -> Result<Vec<String>, PushError> {
        let decided = self
            .writer
            .decide("b/restart", now_ms(), |p| {
                Ok::<_, std::convert::Infallible>((b_streams::end_at_restart(&p.streams.state), ()))
            })
            .await
            .map_err(Refusal::internal)?;
        let Ok(((), envs)) = decided;
        Ok(envs
            .into_iter()
            .filter_map(|e| match e.event {
                Event::StreamEnded(s) => Some(s.stream),
                _ => None,
            })
            .collect())
    }
}

fn address_of(b: &[u8]) -> Address {
    let mut a = [0u8; 20];
    if b.len() == 20 {
        a.copy_from_slice(b);
    }
    Address(a)
}
