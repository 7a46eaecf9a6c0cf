//! The O's transcode of an admitted segment: on a remote T when one is attached, else on its
//! own transcoder; the renditions go to the store for the B to fetch, the outcome
//! (`SegmentTranscoded` with the pixels that bill it, or `SegmentFailed`) to the log, and the
//! answer (`api::info::SegmentResult`) back to the B.

use super::{remote::RemoteError, service::Orchestrator};
use crate::api::{
    info::{OrchInfo, SegmentResult, TranscodedSegment},
    segment::SegMeta,
    status::Refusal,
    task::{RemoteRendition, TaskNotice},
};
use crate::commands::segment_timeout::segment_timeout_ms;
use crate::events::{Event, Rendition, SegmentFailed, SegmentTranscoded, Worker};
use crate::log::LogStore;
use crate::media::{RenditionOutput, SegmentInput, SegmentOutput, VideoProfile};
use crate::node::clock::now_ms;
use std::time::{Duration, Instant};

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

impl<S: LogStore> Orchestrator<S> {
    /// The answer once the status is sent: the renditions, or the error (go-livepeer writes
    /// 200 before transcoding; later failures travel in the body).
    /// `info` is the refreshed info the payment check built (on a chain: fresh params).
    pub async fn segment_result(
        &self,
        meta: SegMeta,
        body: bytes::Bytes,
        info: Option<OrchInfo>,
    ) -> SegmentResult {
        let (seq, token) = (meta.seq, meta.auth_token.clone());
        let info = info.unwrap_or_else(|| self.info(token));
        match self.transcode_segment(meta, body, info.clone()).await {
            Ok(r) => r,
            Err(r) => SegmentResult {
                seq,
                info: Some(info),
                outcome: Err(r.text),
                sig: Vec::new(),
            },
        }
    }

    /// Transcodes an admitted segment whose bytes are `body`; the result for the B (HTTP 200),
    /// carrying either the renditions or the transcode error.
    pub async fn transcode_segment(
        &self,
        meta: SegMeta,
        body: bytes::Bytes,
        info: OrchInfo,
    ) -> Result<SegmentResult, Refusal> {
        let session = meta
            .auth_token
            .as_ref()
            .map(|t| t.session_id.clone())
            .unwrap_or_default();
        let seq_no = u64::try_from(meta.seq).unwrap_or(0);
        let stream = session.clone();
        let started = Instant::now();
        let result = self.run_transcode(&session, &meta, body).await?;
        let info = Some(info);
        let mut sig = Vec::new();
        let outcome = match result {
            Ok((seg, worker)) => {
                if let Some(paid) = self.paid() {
                    sig = paid.sign_renditions(seg.renditions.iter().map(|r| r.data.as_slice()));
                }
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
                let paths = self.store().put(
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
                    .map(|(p, r)| TranscodedSegment {
                        url: format!("{}/stream/{p}", self.config().service_uri),
                        pixels: i64::try_from(r.pixels).unwrap_or(i64::MAX),
                    })
                    .collect();
                if let Some(paid) = self.paid() {
                    paid.debit(&session, seg.renditions.iter().map(|r| r.pixels).sum())
                        .await;
                }
                self.record(vec![Event::SegmentTranscoded(SegmentTranscoded {
                    stream,
                    seq_no,
                    worker,
                    renditions,
                    took_ms: u32::try_from(started.elapsed().as_millis()).unwrap_or(u32::MAX),
                })])
                .await?;
                Ok(segments)
            }
            Err(e) => {
                self.record(vec![Event::SegmentFailed(SegmentFailed {
                    stream,
                    seq_no,
                    reason: e.clone(),
                    retryable: true,
                })])
                .await?;
                Err(e)
            }
        };
        Ok(SegmentResult {
            seq: meta.seq,
            info,
            outcome,
            sig,
        })
    }

    /// Transcodes on a remote T when one is attached, else on this O's own transcoder.
    async fn run_transcode(
        &self,
        session: &str,
        meta: &SegMeta,
        body: bytes::Bytes,
    ) -> Result<Result<(SegmentOutput, Worker), String>, Refusal> {
        let task_failed = |e| Refusal::internal(format!("transcode task failed: {e}"));
        if self.remote().count() > 0 {
            // The T fetches the input from this O, like a rendition.
            let paths = self
                .store()
                .put(session, meta.seq, "ts", vec![(SOURCE.to_string(), body)]);
            let url = paths
                .first()
                .map(|p| format!("{}/stream/{p}", self.config().service_uri))
                .unwrap_or_default();
            let notify = TaskNotice::Segment {
                task_id: 0,
                url,
                meta: Ok(meta.clone()),
            };
            let timeout = Duration::from_millis(segment_timeout_ms(meta.duration_ms));
            let (remote, key) = (self.remote().clone(), session.to_string());
            let profiles = meta.profiles.clone();
            let got = tokio::task::spawn_blocking(move || {
                remote
                    .transcode(&key, notify, timeout)
                    .map(|(r, addr)| (remote_output(&profiles, r), Worker::Transcoder { addr }))
            })
            .await
            .map_err(task_failed)?;
            // The T has fetched the input or never will: drop it if it is still there.
            self.store().remove(session, meta.seq, SOURCE);
            return Ok(got.map_err(|e| e.to_string()));
        }
        let Some(transcoder) = self.local_transcoder().cloned() else {
            return Ok(Err(RemoteError::NoTranscoders.to_string()));
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
        self.writer()
            .append(now_ms(), events)
            .await
            .map(|_| ())
            .map_err(Refusal::internal)
    }
}
