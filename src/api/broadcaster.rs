//! The B's HTTP routes, over its [`BroadcasterPort`] (facts §2.4, §2.5): push ingest at `PUT|POST /live/<manifest>/<seq>.ts`
//! (`Content-Duration` in ms, 2000 by default; `Accept: multipart/mixed` returns the renditions)
//! and HLS playback at `/stream/<manifest>.m3u8`, `/stream/<manifest>/<rendition>.m3u8` and
//! `/stream/<manifest>/<rendition>/<seq>.ts`.

use super::{multipart::Part, orchestrator::http::mime_of, status::Refusal};
use crate::media::Container;
use axum::{
    body::Bytes,
    extract::{DefaultBodyLimit, Path, State},
    http::{header, HeaderMap, Method, StatusCode},
    response::{IntoResponse, Response},
    routing::{any, get},
    Router,
};
use std::sync::Arc;

/// Largest pushed segment accepted.
const MAX_PUSH_BYTES: usize = 300_000_000;

/// One transcoded rendition handed back to the pusher.
#[derive(Clone, Debug)]
pub struct PushedRendition {
    /// Profile name.
    pub name: String,
    /// The segment bytes.
    pub data: bytes::Bytes,
}

/// The B as its handlers reach it.
#[tonic::async_trait]
pub trait BroadcasterPort: Send + Sync + 'static {
    /// `PUT /live/<manifest>/<seq>.<ts|mp4>` (at `url`, as the pusher addressed it): the
    /// segment's renditions. The node finishes the segment even if the pusher hangs up first
    /// (ffmpeg's HLS muxer closes its PUT connection without reading the answer, and hyper drops
    /// a request's handler when its connection closes).
    async fn push(
        self: Arc<Self>,
        url: String,
        manifest: String,
        seq: u64,
        duration_ms: u32,
        container: Container,
        body: Bytes,
    ) -> Result<Vec<PushedRendition>, Refusal>;

    /// A stream's master playlist, once it has a segment.
    fn master_playlist(&self, manifest: &str) -> Option<String>;

    /// A rendition's media playlist.
    fn media_playlist(&self, manifest: &str, rendition: &str) -> Option<String>;

    /// A stored segment at `<manifest>/<rendition>/<seq>.ts`.
    fn segment(&self, path: &str) -> Option<Bytes>;
}

/// The routes.
pub fn router(b: Arc<dyn BroadcasterPort>) -> Router {
    Router::new()
        .route("/live/{manifest}/{file}", any(push))
        .route("/stream/{*path}", get(stream))
        .route("/healthz", get(|| async { "OK" }))
        .layer(DefaultBodyLimit::max(MAX_PUSH_BYTES))
        .with_state(b)
}

fn text(status: u16, body: impl Into<String>) -> Response {
    let s = StatusCode::from_u16(status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (s, body.into()).into_response()
}

async fn push(
    State(b): State<Arc<dyn BroadcasterPort>>,
    Path((manifest, file)): Path<(String, String)>,
    method: Method,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    if method != Method::PUT && method != Method::POST {
        return text(405, "method not allowed");
    }
    let (seq, ext) = match file.rsplit_once('.') {
        Some((s, e)) => (s, e.to_ascii_lowercase()),
        None => (file.as_str(), String::new()),
    };
    let container = match ext.as_str() {
        "ts" => Container::MpegTs,
        "mp4" => Container::FragmentedMp4,
        _ => return text(400, "ignoring file extension"),
    };
    let Ok(seq) = seq.parse::<u64>() else {
        return text(400, format!("bad segment number {seq:?}"));
    };
    let duration_ms = headers
        .get("Content-Duration")
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.trim().parse::<u32>().ok())
        .unwrap_or(2000);
    // The URL as go-livepeer gives it to the auth webhook: `http://<Host>/live/<manifest>/<file>`.
    let host = headers
        .get(header::HOST)
        .and_then(|v| v.to_str().ok())
        .unwrap_or_default();
    let url = format!("http://{host}/live/{manifest}/{file}");
    let renditions = match b
        .push(url, manifest, seq, duration_ms, container, body)
        .await
    {
        Ok(r) => r,
        Err(e) => return text(e.status, e.text),
    };
    let wants_parts = headers
        .get(header::ACCEPT)
        .and_then(|v| v.to_str().ok())
        .is_some_and(|a| a.contains("multipart/mixed"));
    if !wants_parts {
        return StatusCode::OK.into_response();
    }
    let boundary = hex::encode(rand::random::<[u8; 12]>());
    (
        [(
            header::CONTENT_TYPE,
            format!("multipart/mixed; boundary={boundary}"),
        )],
        multipart(&boundary, seq, container, &renditions),
    )
        .into_response()
}

/// RFC 1341 parts, one per rendition, with go-livepeer's part headers.
pub fn multipart(
    boundary: &str,
    seq: u64,
    container: Container,
    renditions: &[PushedRendition],
) -> Vec<u8> {
    let parts: Vec<Part> = renditions
        .iter()
        .map(|r| {
            let file = format!("{}_{seq}.{}", r.name, container.extension());
            Part {
                headers: vec![
                    (
                        "Content-Type".into(),
                        format!("{}; name=\"{file}\"", container.mime()),
                    ),
                    (
                        "Content-Disposition".into(),
                        format!("attachment; filename=\"{file}\""),
                    ),
                    ("Rendition-Name".into(), r.name.clone()),
                ],
                body: r.data.to_vec(),
            }
        })
        .collect();
    crate::api::multipart::write(boundary, &parts)
}

async fn stream(State(b): State<Arc<dyn BroadcasterPort>>, Path(path): Path<String>) -> Response {
    let playlist = |body: String| {
        (
            [
                (header::CONTENT_TYPE, "application/x-mpegURL"),
                (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
                (header::CACHE_CONTROL, "max-age=5"),
            ],
            body,
        )
            .into_response()
    };
    let not_found = || text(404, "ErrNotFound");
    if let Some(name) = path.strip_suffix(".m3u8") {
        return match name.split_once('/') {
            None => b.master_playlist(name).map_or_else(not_found, playlist),
            Some((manifest, rendition)) => b
                .media_playlist(manifest, rendition)
                .map_or_else(not_found, playlist),
        };
    }
    let mime = mime_of(&path);
    match b.segment(&path) {
        Some(bytes) => (
            [
                (header::CONTENT_TYPE, mime),
                (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
            ],
            bytes,
        )
            .into_response(),
        None => not_found(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn multipart_parts_carry_the_reference_headers() {
        let body = multipart(
            "XYZ",
            12,
            Container::MpegTs,
            &[PushedRendition {
                name: "P144p30fps16x9".into(),
                data: Bytes::from_static(b"abc"),
            }],
        );
        assert_eq!(
            String::from_utf8(body).unwrap(),
            "--XYZ\r\nContent-Type: video/mp2t; name=\"P144p30fps16x9_12.ts\"\r\n\
             Content-Disposition: attachment; filename=\"P144p30fps16x9_12.ts\"\r\n\
             Rendition-Name: P144p30fps16x9\r\nContent-Length: 3\r\n\r\nabc\r\n--XYZ--\r\n"
        );
    }
}
