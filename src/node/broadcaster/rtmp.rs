//! RTMP ingest (spec "RTMP Ingest"): publishers such as `ffmpeg -f flv rtmp://host:1935/movie`
//! or OBS connect to the B's RTMP port (rtmp-rs, see ADR 0007); each published stream's FLV tags
//! are cut into 2 s MPEG-TS segments (`media::segmenter`) and sent, in order, through the same
//! path as pushed segments. The stream name is the first element of the RTMP path, after an
//! optional `stream/` prefix; the rest is the key; no name gives a random one.

use super::service::Broadcaster;
use crate::events::EndReason;
use crate::log::LogStore;
use crate::media::segmenter::{tag, FlvSegmenter, Segment};
use crate::media::Container;
use rtmp_rs::{
    media::flv::{FlvTag, FlvTagType},
    protocol::message::PublishParams,
    server::handler::MediaDeliveryMode,
    session::{SessionContext, StreamContext},
    AuthResult, RtmpHandler,
};
use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex, PoisonError},
};

/// Segment length cut from RTMP input.
pub const SEGMENT_MS: u32 = 2000;

/// The stream name and key of an RTMP publish (`app` from `connect`, the key from `publish`).
pub fn stream_name(app: &str, key: &str) -> (String, String) {
    let path = format!("{}/{}", app.trim_matches('/'), key.trim_matches('/'));
    let path = path.trim_matches('/');
    let path = path.strip_prefix("stream/").unwrap_or(path);
    let path = if path == "stream" { "" } else { path };
    let (name, key) = path.split_once('/').unwrap_or((path, ""));
    let name = if name.is_empty() {
        hex::encode(rand::random::<[u8; 4]>())
    } else {
        name.to_string()
    };
    (name, key.to_string())
}

struct Publishing {
    name: String,
    segmenter: FlvSegmenter,
}

/// The RTMP handler of a B (a clone shares the publishers: the node keeps one to stop them).
pub struct RtmpIngest<S: LogStore> {
    b: Arc<Broadcaster<S>>,
    max_sessions: usize,
    /// `rtmp://host:port` of the ingest (a publisher's URL when it sent no `tcUrl`).
    url: String,
    publishing: Arc<Mutex<BTreeMap<u64, Publishing>>>,
}

impl<S: LogStore> Clone for RtmpIngest<S> {
    fn clone(&self) -> Self {
        RtmpIngest {
            b: self.b.clone(),
            max_sessions: self.max_sessions,
            url: self.url.clone(),
            publishing: self.publishing.clone(),
        }
    }
}

impl<S: LogStore> RtmpIngest<S> {
    /// Ingest into `b` at `url`, at most `max_sessions` publishers at once (`-maxSessions`).
    pub fn new(b: Arc<Broadcaster<S>>, max_sessions: usize, url: String) -> Self {
        RtmpIngest {
            b,
            max_sessions,
            url,
            publishing: Arc::new(Mutex::new(BTreeMap::new())),
        }
    }

    /// Stops every publisher still connected (the node is stopping): their last segments are
    /// cut and their streams end once those are through.
    pub async fn stop_all(&self) {
        let ids: Vec<u64> = self.lock().keys().copied().collect();
        for id in ids {
            self.stop(id).await;
        }
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<u64, Publishing>> {
        self.publishing
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// The publisher of session `id` stopped: cut the last segment, then end the stream.
    async fn stop(&self, id: u64) {
        let Some(p) = self.lock().remove(&id) else {
            return;
        };
        let name = p.name.clone();
        let finished = tokio::task::spawn_blocking(move || p.segmenter.finish()).await;
        if let Ok(Err(e)) = finished {
            tracing::warn!("stream {name}: segmenter: {e}");
        }
        tracing::info!("stream {name}: RTMP publisher stopped");
    }
}

impl<S: LogStore> RtmpHandler for RtmpIngest<S> {
    async fn on_publish(&self, ctx: &SessionContext, params: &PublishParams) -> AuthResult {
        let (name, key) = stream_name(&ctx.app, &params.stream_key);
        let active = self.lock().len();
        // `-maxSessions`, or the value set at runtime (`/setMaxSessions`, a `ConfigChanged`).
        let limit = self
            .b
            .writer()
            .read(|p| p.config.state.max_sessions())
            .map_or(self.max_sessions, |n| n as usize);
        if active >= limit {
            tracing::warn!(
                "stream {name}: RTMP publish from {} refused: {active} sessions, -maxSessions {limit}",
                ctx.peer_addr,
            );
            return AuthResult::Reject("too many sessions".into());
        }
        // The URL the publisher used, as go-livepeer hands it to the auth webhook.
        let tc_url = ctx
            .connect_params
            .as_ref()
            .and_then(|c| c.tc_url.as_deref());
        let base = match tc_url {
            Some(tc) => tc.trim_end_matches('/').to_string(),
            None => format!("{}/{}", self.url, ctx.app.trim_matches('/')),
        };
        let url = match params.stream_key.trim_matches('/') {
            "" => base,
            key => format!("{base}/{key}"),
        };
        let name = match self.b.admit_rtmp(&name, &key, &url).await {
            Ok(stream) => stream,
            Err(e) => return AuthResult::Reject(e.text),
        };
        // Segments go to the B one after another, in order, from a task of their own.
        let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<Segment>();
        let segmenter = match FlvSegmenter::start(SEGMENT_MS, move |s| {
            let _ = tx.send(s);
        }) {
            Ok(s) => s,
            Err(e) => return AuthResult::Reject(e.to_string()),
        };
        let (b, n) = (self.b.clone(), name.clone());
        self.b.tasks().spawn(async move {
            while let Some(s) = rx.recv().await {
                // Failures are recorded (SegmentFailed) and logged by the B; the stream goes on.
                let _ = b
                    .push_segment(&n, s.seq, s.duration_ms, Container::MpegTs, s.data.into())
                    .await;
            }
            if let Err(e) = b.end(&n, EndReason::Unpublished).await {
                tracing::warn!("stream {n}: {}", e.text);
            }
        });
        tracing::info!(
            "stream {name}: RTMP publish from {} (app {:?}, key {:?}); HLS at /stream/{name}.m3u8",
            ctx.peer_addr,
            ctx.app,
            params.stream_key
        );
        self.lock()
            .insert(ctx.session_id, Publishing { name, segmenter });
        AuthResult::Accept
    }

    async fn on_media_tag(&self, ctx: &StreamContext, t: &FlvTag) -> bool {
        let kind = match t.tag_type {
            FlvTagType::Audio => tag::AUDIO,
            FlvTagType::Video => tag::VIDEO,
            FlvTagType::Script => return true,
        };
        let id = ctx.session.session_id;
        let flv = crate::media::segmenter::flv_tag(kind, t.timestamp, &t.data);
        let sender = self.lock().get(&id).map(|p| p.segmenter.sender());
        if let Some(tx) = sender {
            // The pipe holds ~1000 tags; when the segmenter is behind, wait off the runtime.
            let sent = match tx.try_send(flv) {
                Ok(()) => true,
                Err(std::sync::mpsc::TrySendError::Full(flv)) => {
                    tokio::task::spawn_blocking(move || tx.send(flv).is_ok())
                        .await
                        .unwrap_or(false)
                }
                Err(_) => false,
            };
            if !sent {
                tracing::warn!("RTMP session {id}: the segmenter stopped; dropping the stream");
                self.stop(id).await;
            }
        }
        true
    }

    async fn on_publish_stop(&self, ctx: &StreamContext) {
        self.stop(ctx.session.session_id).await;
    }

    async fn on_unpublish(&self, ctx: &StreamContext) {
        self.stop(ctx.session.session_id).await;
    }

    async fn on_disconnect(&self, ctx: &SessionContext) {
        self.stop(ctx.session_id).await;
    }

    fn media_delivery_mode(&self) -> MediaDeliveryMode {
        MediaDeliveryMode::RawFlv
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_follow_the_reference() {
        assert_eq!(stream_name("movie", ""), ("movie".into(), "".into()));
        assert_eq!(
            stream_name("stream", "movie1"),
            ("movie1".into(), "".into())
        );
        assert_eq!(
            stream_name("movie", "Secret/Stream/Key"),
            ("movie".into(), "Secret/Stream/Key".into())
        );
        let (random, _) = stream_name("", "");
        assert_eq!(random.len(), 8);
        let (random, _) = stream_name("stream", "");
        assert_eq!(random.len(), 8);
    }
}
