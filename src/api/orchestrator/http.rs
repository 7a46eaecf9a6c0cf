//! The O's HTTP routes on the gRPC port (facts §2.1): `POST /segment`, `POST /transcodeResults`
//! (remote transcoders), `GET /stream/...` (stored renditions, and inputs for remote Ts) and
//! `/healthz`.

use super::port::OrchestratorPort;
use crate::api::{
    info::result_to_proto, payment::PAYMENT_HEADER, segment::SEGMENT_HEADER, status::Refusal,
    task::RemoteRendition,
};
use crate::commands::{segment_admission::MAX_SEGMENT_BYTES, Rejected};
use axum::{
    body::Bytes,
    extract::{DefaultBodyLimit, Path, State},
    http::{header, HeaderMap, StatusCode},
    response::{IntoResponse, Response},
    routing::{get, post},
    Router,
};
use prost::Message;
use std::sync::Arc;

fn refusal(r: Refusal) -> Response {
    let status = StatusCode::from_u16(r.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
    (status, r.text).into_response()
}

fn header_str<'a>(h: &'a HeaderMap, name: &str) -> &'a str {
    h.get(name).and_then(|v| v.to_str().ok()).unwrap_or("")
}

/// The routes.
pub fn router(o: Arc<dyn OrchestratorPort>) -> Router {
    Router::new()
        .route("/segment", post(segment))
        .route("/transcodeResults", post(transcode_results))
        .route("/stream/{*path}", get(stream))
        .route("/healthz", get(|| async { "OK" }))
        .layer(DefaultBodyLimit::max(
            usize::try_from(MAX_SEGMENT_BYTES).unwrap_or(usize::MAX),
        ))
        .with_state(o)
}

async fn segment(
    State(o): State<Arc<dyn OrchestratorPort>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let seg = match o.check_segment(
        header_str(&headers, PAYMENT_HEADER),
        header_str(&headers, SEGMENT_HEADER),
    ) {
        Ok(m) => m,
        Err(r) => return refusal(r),
    };
    let info = match o
        .pay_segment(&seg, header_str(&headers, PAYMENT_HEADER))
        .await
    {
        Ok(info) => info,
        Err(r) => return refusal(r),
    };
    let body = if header_str(&headers, header::CONTENT_TYPE.as_str())
        .eq_ignore_ascii_case("application/vnd+livepeer.uri")
    {
        fetch(&body).await
    } else {
        Ok(body)
    };
    if let Err(r) = o
        .admit_segment(&seg, body.as_deref().map_err(Clone::clone))
        .await
    {
        return refusal(r);
    }
    let (Ok(body), meta) = (body, seg.meta) else {
        return refusal(Refusal::internal("segment body"));
    };
    // Every check passed: the 200 goes out now, before transcoding, as go-livepeer does (a Go B
    // waits at most max(2 s, segment/2) for the answer's headers). The result follows as the
    // body; the node finishes the transcode even if the B hangs up.
    let rx = o.start_transcode(meta, body, info);
    let body = futures_util::stream::once(async move {
        rx.await
            .map(|r| Bytes::from(result_to_proto(&r).encode_to_vec()))
            .map_err(|_| std::io::Error::other("transcode task ended without a result"))
    });
    (StatusCode::OK, axum::body::Body::from_stream(body)).into_response()
}

/// The body is a URL to GET the segment from (8 s at most, as the reference).
async fn fetch(url: &[u8]) -> Result<Bytes, Rejected> {
    let bad = |_| Rejected::BodyUnreachable;
    let url = std::str::from_utf8(url)
        .map_err(|_| bad(()))?
        .trim()
        .to_string();
    let client = reqwest::Client::builder()
        .timeout(std::time::Duration::from_secs(8))
        .danger_accept_invalid_certs(true)
        .build()
        .map_err(|_| bad(()))?;
    let resp = client.get(url).send().await.map_err(|_| bad(()))?;
    if !resp.status().is_success() {
        return Err(bad(()));
    }
    resp.bytes().await.map_err(|_| bad(()))
}

/// A remote T's results (facts §2.3): `Authorization: Livepeer-Transcoder-1.0`, the O's secret in
/// `Credentials`, the task in `TaskId`, and either `multipart/mixed` renditions (each part with its
/// `Pixels`) or `livepeer/transcoding-error` with the error text.
async fn transcode_results(
    State(o): State<Arc<dyn OrchestratorPort>>,
    headers: HeaderMap,
    body: Bytes,
) -> Response {
    let text = |status: StatusCode, t: &str| (status, t.to_string()).into_response();
    if header_str(&headers, "Authorization") != "Livepeer-Transcoder-1.0"
        || !o.transcoder_secret_ok(header_str(&headers, "Credentials"))
    {
        return text(StatusCode::UNAUTHORIZED, "Unauthorized");
    }
    let Ok(task) = header_str(&headers, "TaskId").parse::<i64>() else {
        return text(StatusCode::BAD_REQUEST, "Invalid Task ID");
    };
    let content_type = header_str(&headers, header::CONTENT_TYPE.as_str());
    let result = if content_type.starts_with("livepeer/transcoding-error") {
        Err(String::from_utf8_lossy(&body).into_owned())
    } else if content_type.starts_with("multipart/mixed") {
        let parts = match crate::api::multipart::boundary(content_type)
            .and_then(|b| crate::api::multipart::read(&b, &body))
        {
            Ok(p) => p,
            Err(e) => return text(StatusCode::INTERNAL_SERVER_ERROR, &e.to_string()),
        };
        let mut renditions = Vec::new();
        // Perceptual-hash parts (application/octet-stream, after their rendition) are not
        // renditions; this O never asks for them, but a T may send them.
        for p in parts
            .into_iter()
            .filter(|p| p.header("Content-Type") != Some("application/octet-stream"))
        {
            let Some(pixels) = p.header("Pixels").and_then(|v| v.parse::<u64>().ok()) else {
                return text(StatusCode::BAD_REQUEST, "Invalid Pixels");
            };
            renditions.push(RemoteRendition {
                data: p.body,
                pixels,
            });
        }
        Ok(renditions)
    } else {
        return text(StatusCode::UNSUPPORTED_MEDIA_TYPE, "Unsupported Media Type");
    };
    if !o.complete_task(task, result) {
        tracing::debug!("transcode result for task {task}, which nobody awaits");
    }
    text(StatusCode::OK, "OK")
}

async fn stream(State(o): State<Arc<dyn OrchestratorPort>>, Path(path): Path<String>) -> Response {
    let mime = mime_of(&path);
    match o.stored(&path) {
        Some(b) => (
            [
                (header::CONTENT_TYPE, mime),
                (header::ACCESS_CONTROL_ALLOW_ORIGIN, "*"),
            ],
            b,
        )
            .into_response(),
        None => (StatusCode::NOT_FOUND, "ErrNotFound").into_response(),
    }
}

/// The MIME type of a stored segment, by its extension.
pub fn mime_of(path: &str) -> &'static str {
    if path.ends_with(".mp4") {
        "video/mp4"
    } else {
        "video/mp2t"
    }
}
