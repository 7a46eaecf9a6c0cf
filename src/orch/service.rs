//! The O's request handling, between the wire (`grpc`, `http`) and the core: `GetOrchestrator`
//! answers with this O's info and a fresh auth token; `/segment` runs the admission rule
//! (`commands::segment_admission`, go-livepeer's order) through the node's writer, so the
//! session's start and `SegmentReceived` are in the log before the 200 goes out, then transcodes,
//! stores the renditions for the B to fetch, and records the segment's fate. Sessions of record
//! are the streams projection: a restarted O knows them, and they idle out from their last event.
//!
//! This slice runs offchain (go-livepeer's `-network offchain`): no ticket params are issued and
//! payments are not required, as the reference does without an Ethereum client. Payments (the
//! node's `Payments` desk on the same writer) plug in between the capacity check and the body.

use super::{
    remote::{RemoteRendition, RemoteTranscoders},
    store::RenditionStore,
};
use crate::api::{
    capabilities::offered,
    payment::decode_payment_header,
    proto::net,
    segment::{auth_token_to_proto, decode_segment_header, seg_meta_to_proto, AuthToken, SegMeta},
    status::Refusal,
};
use crate::clock::{now_ms, now_s};
use crate::commands::{
    auth_token::{AuthError, AuthKey},
    o_sessions,
    segment_admission::{self, Body, OrchestratorRules, SegmentClaim, SegmentRequest},
    segment_timeout::segment_timeout_ms,
    Rejected,
};
use crate::events::{Event, Rendition, SegmentFailed, SegmentTranscoded, Worker};
use crate::log::LogStore;
use crate::media::{RenditionOutput, SegmentInput, SegmentOutput, Transcoder, VideoProfile};
use crate::node::writer::Writer;
use std::{
    sync::Arc,
    time::{Duration, Instant},
};

/// `MaxSegSize`: 300 s × 1 MB/s.
pub const MAX_SEGMENT_BYTES: usize = segment_admission::MAX_SEGMENT_BYTES as usize;

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

fn refuse(status: u16, text: impl std::fmt::Display) -> Refusal {
    Refusal::new(status, text)
}

/// The O's state: its rules' inputs and effects. Sessions of record are the streams projection
/// behind the writer; `store` and the transcoders' sessions are caches of media bytes and decoder
/// state, rebuilt as segments arrive.
pub struct Orchestrator<S: LogStore> {
    cfg: OrchConfig,
    auth: AuthKey,
    transcoder: Option<Arc<dyn Transcoder>>,
    remote: Arc<RemoteTranscoders>,
    store: RenditionStore,
    writer: Arc<Writer<S>>,
}

/// The writer key of the O's session decisions (admission, end, idle end): one at a time, so
/// the capacity check and the session's start are one step.
const SESSIONS_KEY: &str = "o/sessions";

/// The rule's view of a decoded segment header.
pub fn claim_of(meta: &SegMeta) -> SegmentClaim {
    SegmentClaim {
        manifest: meta.manifest_id.clone(),
        seq: u64::try_from(meta.seq).unwrap_or(0),
        duration_ms: meta.duration_ms,
        hash: meta.hash,
        profiles: meta.profiles.iter().map(|p| p.name.clone()).collect(),
        capabilities: meta.capabilities.clone(),
        auth_token: meta.auth_token.clone(),
    }
}

/// A checked segment header: the O's metadata and the rule's view of it.
#[derive(Clone, Debug)]
pub struct CheckedSegment {
    /// The decoded header.
    pub meta: SegMeta,
    claim: SegmentClaim,
}

impl<S: LogStore> Orchestrator<S> {
    /// An O over its writer and auth key, transcoding with its own `transcoder`
    /// (`-transcoder`) and/or the remote Ts that attach.
    pub fn new(
        cfg: OrchConfig,
        auth: AuthKey,
        transcoder: Option<Arc<dyn Transcoder>>,
        writer: Arc<Writer<S>>,
    ) -> Self {
        Orchestrator {
            remote: RemoteTranscoders::new(cfg.orch_secret.clone()),
            cfg,
            auth,
            transcoder,
            store: RenditionStore::default(),
            writer,
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

    /// The writer, and through it the O's event log and projections.
    pub fn writer(&self) -> &Arc<Writer<S>> {
        &self.writer
    }

    /// The stored renditions.
    pub fn store(&self) -> &RenditionStore {
        &self.store
    }

    fn rules(&self) -> OrchestratorRules<'_> {
        OrchestratorRules {
            key: &self.auth,
            max_sessions: self.cfg.max_sessions,
        }
    }

    fn info(&self, token: Option<net::AuthToken>) -> net::OrchestratorInfo {
        net::OrchestratorInfo {
            transcoder: self.cfg.service_uri.clone(),
            price_info: Some(net::PriceInfo {
                price_per_unit: self.cfg.price_per_unit,
                pixels_per_unit: self.cfg.pixels_per_unit,
                ..Default::default()
            }),
            capabilities: Some(offered(self.cfg.max_sessions, &self.cfg.version)),
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
    fn free_session(&self, id: &str) {
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
        let claim = meta.as_ref().map(claim_of).map_err(Clone::clone);
        let req = SegmentRequest {
            payment: payment.as_ref().map(|_| ()).map_err(String::as_str),
            segment: claim.as_ref().map_err(String::as_str),
        };
        let now = now_ms();
        self.writer
            .read(|p| {
                segment_admission::check_headers(&p.streams.state, self.rules(), req, now)
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
                segment_admission::admit(&p.streams.state, self.rules(), req, body, now)
                    .map(|events| (events, ()))
            })
            .await
            .map_err(Refusal::internal)?;
        decided.map(|_| ()).map_err(Refusal::from)
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

    /// Transcodes an admitted segment whose bytes are `body`; the result for the B (HTTP 200),
    /// carrying either the renditions or the transcode error.
    pub async fn transcode_segment(
        &self,
        meta: SegMeta,
        body: bytes::Bytes,
    ) -> Result<net::TranscodeResult, Refusal> {
        let session = meta
            .auth_token
            .as_ref()
            .map(|t| t.session_id.clone())
            .unwrap_or_default();
        let seq_no = u64::try_from(meta.seq).unwrap_or(0);
        let stream = session.clone();
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
            let timeout = Duration::from_millis(segment_timeout_ms(meta.duration_ms));
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
        self.writer
            .append(now_ms(), events)
            .await
            .map(|_| ())
            .map_err(Refusal::internal)
    }
}

/// Decodes both headers; each error as the text the O answers with.
fn decode_headers(
    payment_header: &str,
    segment_header: &str,
) -> (Result<(), String>, Result<SegMeta, String>) {
    (
        decode_payment_header(payment_header)
            .map(|_| ())
            .map_err(|e| e.to_string()),
        decode_segment_header(segment_header).map_err(|e| e.to_string()),
    )
}
