//! The O's request handling, between the wire (`grpc`, `http`) and the core: `GetOrchestrator`
//! answers with this O's info and a fresh auth token; `/segment` runs go-livepeer's checks in its
//! order with its status codes and texts (facts §2.2), transcodes, stores the renditions for the
//! B to fetch, and records the segment's fate in the event log.
//!
//! This slice runs offchain (go-livepeer's `-network offchain`): no ticket params are issued and
//! payments are not required, as the reference does without an Ethereum client. Payments (the
//! `PmService` behind the log) plug in between the capacity check and the body read.

use super::{
    auth::AuthKey,
    caps,
    remote::{RemoteRendition, RemoteTranscoders},
    store::RenditionStore,
};
use crate::api::{
    payment::decode_payment_header,
    proto::net,
    segment::{auth_token_to_proto, decode_segment_header, seg_meta_to_proto, SegMeta},
};
use crate::clock::{now_ms, now_s};
use crate::events::{
    EndReason, Event, IngestSource, Rendition, SegmentFailed, SegmentReceived, SegmentTranscoded,
    StreamEnded, StreamStarted, Worker,
};
use crate::log::LogStore;
use crate::media::{RenditionOutput, SegmentInput, SegmentOutput, Transcoder, VideoProfile};
use crate::pm_service::PmService;
use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex, PoisonError},
    time::{Duration, Instant},
};

/// `MaxSegSize`: 300 s × 1 MB/s.
pub const MAX_SEGMENT_BYTES: usize = 300_000_000;

/// The store's name for a segment's input, fetched by remote Ts.
pub const SOURCE: &str = "source";

/// A remote T's renditions as the transcoder's output (sizes read back from the segments).
fn remote_output(profiles: &[VideoProfile], r: Vec<RemoteRendition>) -> SegmentOutput {
    SegmentOutput {
        renditions: profiles
            .iter()
            .zip(r)
            .map(|(p, r)| {
                let (width, height) =
                    crate::media::probe::rendition_size(&r.data).unwrap_or((0, 0));
                RenditionOutput {
                    name: p.name.clone(),
                    width,
                    height,
                    frames: 0,
                    pixels: r.pixels,
                    data: r.data,
                    busy_s: 0.0,
                }
            })
            .collect(),
        ..Default::default()
    }
}

/// `transcodeLoopTimeout`: a session without segments for this long is closed.
pub const SESSION_IDLE: Duration = Duration::from_secs(70);

/// How an O serves.
#[derive(Clone, Debug)]
pub struct OrchConfig {
    /// The URI Bs post segments to (`https://host:port`), from `-serviceAddr`.
    pub service_uri: String,
    /// `-pricePerUnit` (wei).
    pub price_per_unit: i64,
    /// `-pixelsPerUnit`.
    pub pixels_per_unit: i64,
    /// `-maxSessions`.
    pub max_sessions: u32,
    /// Version string advertised in capabilities.
    pub version: String,
    /// `-orchSecret`: remote transcoders must present it (none attach without one).
    pub orch_secret: Option<String>,
}

/// A refusal: the HTTP status and the text go-livepeer sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Refusal {
    /// HTTP status.
    pub status: u16,
    /// Body text.
    pub text: String,
}

fn refuse(status: u16, text: impl std::fmt::Display) -> Refusal {
    Refusal {
        status,
        text: text.to_string(),
    }
}

/// The O's state.
pub struct Orchestrator<S: LogStore> {
    cfg: OrchConfig,
    auth: AuthKey,
    transcoder: Option<Arc<dyn Transcoder>>,
    remote: Arc<RemoteTranscoders>,
    store: RenditionStore,
    pm: Arc<PmService<S>>,
    sessions: Mutex<BTreeMap<String, Instant>>,
    /// Sessions whose `StreamStarted` is in the log (and whose end must be).
    recorded: Mutex<std::collections::BTreeSet<String>>,
}

impl<S: LogStore> Orchestrator<S> {
    /// An O over its event log (through the payment service) and auth key, transcoding with
    /// its own `transcoder` (`-transcoder`) and/or the remote Ts that attach.
    pub fn new(
        cfg: OrchConfig,
        auth: AuthKey,
        transcoder: Option<Arc<dyn Transcoder>>,
        pm: Arc<PmService<S>>,
    ) -> Self {
        Orchestrator {
            remote: RemoteTranscoders::new(cfg.orch_secret.clone()),
            cfg,
            auth,
            transcoder,
            store: RenditionStore::default(),
            pm,
            sessions: Mutex::new(BTreeMap::new()),
            recorded: Mutex::new(std::collections::BTreeSet::new()),
        }
    }

    /// The configuration.
    pub fn config(&self) -> &OrchConfig {
        &self.cfg
    }

    /// The remote transcoders attached to this O.
    pub fn remote(&self) -> &Arc<RemoteTranscoders> {
        &self.remote
    }

    /// The payment service, and through it the O's event log.
    pub fn pm(&self) -> &Arc<PmService<S>> {
        &self.pm
    }

    /// The stored renditions.
    pub fn store(&self) -> &RenditionStore {
        &self.store
    }

    fn info(&self, token: Option<net::AuthToken>) -> net::OrchestratorInfo {
        net::OrchestratorInfo {
            transcoder: self.cfg.service_uri.clone(),
            price_info: Some(net::PriceInfo {
                price_per_unit: self.cfg.price_per_unit,
                pixels_per_unit: self.cfg.pixels_per_unit,
                ..Default::default()
            }),
            capabilities: Some(caps::offered(self.cfg.max_sessions, &self.cfg.version)),
            auth_token: token,
            ..Default::default()
        }
    }

    /// `GetOrchestrator`: this O's info with a fresh session token. Offchain, as in the
    /// reference, the B's signature is not checked.
    pub fn get_orchestrator(&self, _req: &net::OrchestratorRequest) -> net::OrchestratorInfo {
        let session_id = hex::encode(rand::random::<[u8; 4]>());
        let token = self.auth.issue(&session_id, now_s());
        self.info(Some(auth_token_to_proto(&token)))
    }

    /// Sessions open now (counted against `-maxSessions`).
    pub fn active_sessions(&self) -> usize {
        self.sessions
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .len()
    }

    /// `EndTranscodingSession`: frees a session whose token is genuine (expired ones too).
    pub fn end_session(&self, token: &crate::api::segment::AuthToken) {
        if matches!(
            self.auth.check(Some(token), i64::MIN),
            Ok(()) | Err(super::auth::AuthError::Expired)
        ) {
            let id = &token.session_id;
            self.sessions
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .remove(id);
            self.free_session(id, EndReason::Unpublished);
        }
    }

    fn free_session(&self, id: &str, reason: EndReason) {
        if let Some(t) = &self.transcoder {
            t.end(id);
        }
        self.remote.end_session(id);
        self.store.end(id);
        let recorded = self
            .recorded
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(id);
        if recorded {
            // Called from the runtime (the idle sweep, the gRPC handler): record it without
            // waiting there.
            let (pm, stream) = (self.pm.clone(), id.to_string());
            if let Ok(rt) = tokio::runtime::Handle::try_current() {
                rt.spawn(async move {
                    let ended = Event::StreamEnded(StreamEnded { stream, reason });
                    if let Err(e) = pm.append(now_ms(), vec![ended]).await {
                        tracing::warn!("recording a session's end: {e}");
                    }
                });
            }
        }
    }

    /// Closes sessions idle longer than [`SESSION_IDLE`]; returns how many.
    pub fn close_idle(&self) -> usize {
        let mut map = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        let idle: Vec<String> = map
            .iter()
            .filter(|(_, t)| t.elapsed() >= SESSION_IDLE)
            .map(|(k, _)| k.clone())
            .collect();
        for k in &idle {
            map.remove(k);
            self.free_session(k, EndReason::IdleTimeout);
        }
        idle.len()
    }

    /// Admits a segment of session `id`: known sessions always, new ones while under
    /// `-maxSessions`.
    fn admit(&self, id: &str) -> Result<(), Refusal> {
        let mut map = self.sessions.lock().unwrap_or_else(PoisonError::into_inner);
        if !map.contains_key(id) && map.len() >= self.cfg.max_sessions as usize {
            return Err(refuse(403, "OrchestratorCapped"));
        }
        map.insert(id.to_string(), Instant::now());
        Ok(())
    }

    /// The checks of `/segment` before the body is read, in the reference's order.
    pub fn check_segment(
        &self,
        payment_header: &str,
        segment_header: &str,
    ) -> Result<SegMeta, Refusal> {
        let _payment = decode_payment_header(payment_header).map_err(|e| refuse(402, e))?;
        let meta = decode_segment_header(segment_header).map_err(|e| refuse(403, e))?;
        // Offchain: the segment signature is not checked (go-livepeer's VerifySig is true).
        if !caps::job_accepted(&meta.capabilities) {
            return Err(refuse(403, "incompatible capabilities"));
        }
        self.auth
            .check(meta.auth_token.as_ref(), now_s())
            .map_err(|e| refuse(403, e))?;
        let session = meta
            .auth_token
            .as_ref()
            .map(|t| t.session_id.clone())
            .unwrap_or_default();
        self.admit(&session)?;
        Ok(meta)
    }

    /// The last check before the answer's status goes out: the body must hash to
    /// `SegData.hash` (403 `Forbidden`).
    pub fn check_body(&self, meta: &SegMeta, body: &[u8]) -> Result<(), Refusal> {
        if ethers_core::utils::keccak256(body) != meta.hash {
            return Err(refuse(403, "Forbidden"));
        }
        Ok(())
    }

    /// The answer once the status is sent: the renditions, or the error, in a `TranscodeResult`
    /// (go-livepeer writes 200 before transcoding; later failures travel in the body).
    pub async fn segment_result(&self, meta: SegMeta, body: bytes::Bytes) -> net::TranscodeResult {
        let seq = meta.seq;
        let token = meta.auth_token.as_ref().map(auth_token_to_proto);
        match self.transcode_segment(meta, body).await {
            Ok(r) => r,
            Err(r) => net::TranscodeResult {
                seq,
                info: Some(self.info(token)),
                result: Some(net::transcode_result::Result::Error(r.text)),
            },
        }
    }

    /// Transcodes a checked segment whose bytes are `body`; the result for the B (HTTP 200),
    /// carrying either the renditions or the transcode error.
    pub async fn transcode_segment(
        &self,
        meta: SegMeta,
        body: bytes::Bytes,
    ) -> Result<net::TranscodeResult, Refusal> {
        self.check_body(&meta, &body)?;
        let session = meta
            .auth_token
            .as_ref()
            .map(|t| t.session_id.clone())
            .unwrap_or_default();
        let seq_no = u64::try_from(meta.seq).unwrap_or(0);
        // The O's streams are its sessions: the B's manifest id is recorded when one starts.
        let stream = session.clone();
        let mut events = Vec::new();
        let first = self
            .recorded
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(session.clone());
        if first {
            events.push(Event::StreamStarted(StreamStarted {
                stream: stream.clone(),
                source: IngestSource::Broadcaster {
                    manifest: meta.manifest_id.clone(),
                },
                profiles: meta.profiles.iter().map(|p| p.name.clone()).collect(),
            }));
        }
        events.push(Event::SegmentReceived(SegmentReceived {
            stream: stream.clone(),
            seq_no,
            duration_ms: meta.duration_ms,
            bytes: body.len() as u64,
        }));
        self.record(events).await?;
        let started = Instant::now();
        let result = self.run_transcode(&session, &meta, body).await?;
        let token = meta.auth_token.as_ref().map(auth_token_to_proto);
        let mut out = net::TranscodeResult {
            seq: meta.seq,
            info: Some(self.info(token)),
            result: None,
        };
        match result {
            Ok((seg, worker)) => {
                let renditions: Vec<Rendition> = seg
                    .renditions
                    .iter()
                    .map(|r| Rendition {
                        profile: r.name.clone(),
                        width: r.width,
                        height: r.height,
                        frames: u32::try_from(r.frames).unwrap_or(u32::MAX),
                        pixels: r.pixels,
                        bytes: r.data.len() as u64,
                    })
                    .collect();
                let paths = self.store.put(
                    &session,
                    meta.seq,
                    meta.container.extension(),
                    seg.renditions
                        .iter()
                        .map(|r| (r.name.clone(), bytes::Bytes::from(r.data.clone())))
                        .collect(),
                );
                let segments = paths
                    .iter()
                    .zip(&seg.renditions)
                    .map(|(p, r)| net::TranscodedSegmentData {
                        url: format!("{}/stream/{p}", self.cfg.service_uri),
                        pixels: i64::try_from(r.pixels).unwrap_or(i64::MAX),
                        ..Default::default()
                    })
                    .collect();
                self.record(vec![Event::SegmentTranscoded(SegmentTranscoded {
                    stream,
                    seq_no,
                    worker,
                    renditions,
                    took_ms: u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX),
                })])
                .await?;
                // Offchain the result is unsigned (go-livepeer's Sign returns no bytes).
                out.result = Some(net::transcode_result::Result::Data(net::TranscodeData {
                    segments,
                    sig: Vec::new(),
                }));
            }
            Err(e) => {
                self.record(vec![Event::SegmentFailed(SegmentFailed {
                    stream,
                    seq_no,
                    reason: e.clone(),
                    retryable: true,
                })])
                .await?;
                out.result = Some(net::transcode_result::Result::Error(e));
            }
        }
        Ok(out)
    }

    /// Transcodes on a remote T when one is attached, else on this O's own transcoder.
    async fn run_transcode(
        &self,
        session: &str,
        meta: &SegMeta,
        body: bytes::Bytes,
    ) -> Result<Result<(SegmentOutput, Worker), String>, Refusal> {
        let task_failed = |e| refuse(500, format!("transcode task failed: {e}"));
        if self.remote.count() > 0 {
            // The T fetches the input from this O, like a rendition.
            let paths = self
                .store
                .put(session, meta.seq, "ts", vec![(SOURCE.to_string(), body)]);
            let url = paths
                .first()
                .map(|p| format!("{}/stream/{p}", self.cfg.service_uri))
                .unwrap_or_default();
            let mut seg_data = seg_meta_to_proto(meta);
            seg_data.hash.clear();
            let notify = net::NotifySegment {
                url,
                seg_data: Some(seg_data),
                task_id: 0,
                profiles: b"invalid".to_vec(),
                orch_id: "offchain".into(),
            };
            let timeout =
                Duration::from_millis(4 * u64::from(meta.duration_ms)).max(Duration::from_secs(8));
            let (remote, key) = (self.remote.clone(), session.to_string());
            let profiles = meta.profiles.clone();
            let got = tokio::task::spawn_blocking(move || {
                remote
                    .transcode(&key, notify, timeout)
                    .map(|(r, addr)| (remote_output(&profiles, r), Worker::Transcoder { addr }))
            })
            .await
            .map_err(task_failed)?;
            return Ok(got.map_err(|e| e.to_string()));
        }
        let Some(transcoder) = self.transcoder.clone() else {
            return Ok(Err(super::remote::RemoteError::NoTranscoders.to_string()));
        };
        let (key, profiles, container) =
            (session.to_string(), meta.profiles.clone(), meta.container);
        let got = tokio::task::spawn_blocking(move || {
            transcoder.transcode_into(
                &key,
                &profiles,
                container,
                SegmentInput::Bytes(body.to_vec()),
            )
        })
        .await
        .map_err(task_failed)?;
        Ok(got.map(|o| (o, Worker::Local)).map_err(|e| e.to_string()))
    }

    async fn record(&self, events: Vec<Event>) -> Result<(), Refusal> {
        self.pm
            .append(now_ms(), events)
            .await
            .map(|_| ())
            .map_err(|e| refuse(500, format!("event log: {e}")))
    }
}
