//! The transcoder role (T) as a separate process (facts §2.3): `livepeer -transcoder -orchAddr
//! HOST:PORT -orchSecret S` registers with its O over gRPC and keeps the stream of segments open;
//! for each one it fetches the input from the O, transcodes it with the local ladder sessions
//! (one per O session id, freed when the O sends the session's teardown: an empty URL), and posts
//! the renditions to the O's `/transcodeResults` as `multipart/mixed` with each rendition's pixel
//! count. It re-registers, every 2 s, whenever the O is unreachable or drops the stream.

use crate::api::{
    multipart::{self, Part},
    proto::net::{self, transcoder_client::TranscoderClient},
    segment::seg_meta_from_proto,
};
use crate::bcast::client::{tls_channel, ClientError};
use crate::media::{SegmentInput, Transcoder};
use std::{sync::Arc, time::Duration};

/// How a T attaches to its O.
#[derive(Clone, Debug)]
pub struct WorkerConfig {
    /// The O (`https://host:port`).
    pub orch_uri: String,
    /// `-orchSecret`.
    pub secret: String,
    /// Sessions this T takes (`-maxSessions`).
    pub capacity: i64,
}

/// Serves the O until `shutdown` resolves, re-registering after every disconnection.
pub async fn run(
    cfg: WorkerConfig,
    transcoder: Arc<dyn Transcoder>,
    shutdown: impl std::future::Future<Output = ()>,
) {
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => return,
            r = attach(&cfg, transcoder.clone()) => match r {
                Ok(()) => tracing::warn!("orchestrator {} closed the segment stream", cfg.orch_uri),
                Err(e) => tracing::warn!("orchestrator {}: {e}", cfg.orch_uri),
            },
        }
        tokio::select! {
            _ = &mut shutdown => return,
            _ = tokio::time::sleep(Duration::from_secs(2)) => {}
        }
    }
}

async fn attach(cfg: &WorkerConfig, transcoder: Arc<dyn Transcoder>) -> Result<(), ClientError> {
    let mut client = TranscoderClient::new(tls_channel(&cfg.orch_uri).await?);
    let capacity = u32::try_from(cfg.capacity).unwrap_or(u32::MAX);
    let mut stream = client
        .register_transcoder(net::RegisterRequest {
            secret: cfg.secret.clone(),
            capacity: cfg.capacity,
            capabilities: Some(crate::api::capabilities::offered(
                capacity,
                env!("CARGO_PKG_VERSION"),
            )),
        })
        .await?
        .into_inner();
    println!(
        "Transcoder attached to orchestrator {} (capacity {})",
        cfg.orch_uri, cfg.capacity
    );
    let http = reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .build()?;
    while let Some(n) = stream.message().await? {
        let (cfg, t, http) = (cfg.clone(), transcoder.clone(), http.clone());
        tokio::spawn(async move {
            let task = n.task_id;
            if let Err(e) = segment(&cfg, t, &http, n).await {
                tracing::warn!("task {task}: {e}");
            }
        });
    }
    Ok(())
}

async fn segment(
    cfg: &WorkerConfig,
    transcoder: Arc<dyn Transcoder>,
    http: &reqwest::Client,
    n: net::NotifySegment,
) -> Result<(), ClientError> {
    let seg_data = n.seg_data.unwrap_or_default();
    let session = seg_data
        .auth_token
        .as_ref()
        .map(|t| t.session_id.clone())
        .unwrap_or_default();
    if n.url.is_empty() {
        transcoder.end(&session);
        return Ok(());
    }
    let results = format!("{}/transcodeResults", cfg.orch_uri.trim_end_matches('/'));
    let post = http
        .post(&results)
        .header("Authorization", "Livepeer-Transcoder-1.0")
        .header("Credentials", &cfg.secret)
        .header("TaskId", n.task_id.to_string());
    let outcome = match seg_meta_from_proto(seg_data) {
        Err(e) => Err(e.to_string()),
        Ok(meta) => {
            let input = http
                .get(&n.url)
                .send()
                .await?
                .error_for_status()?
                .bytes()
                .await?;
            let (profiles, container) = (meta.profiles.clone(), meta.container);
            tokio::task::spawn_blocking(move || {
                transcoder
                    .transcode_into(
                        &session,
                        &profiles,
                        container,
                        SegmentInput::Bytes(input.to_vec()),
                    )
                    .map(|out| (out, container))
            })
            .await
            .map_err(|e| e.to_string())
            .and_then(|r| r.map_err(|e| e.to_string()))
        }
    };
    let resp = match outcome {
        Ok((out, container)) => {
            let boundary = hex::encode(rand::random::<[u8; 12]>());
            let parts: Vec<Part> = out
                .renditions
                .into_iter()
                .map(|r| Part {
                    headers: vec![
                        ("Content-Type".into(), container.mime().into()),
                        ("Pixels".into(), r.pixels.to_string()),
                    ],
                    body: r.data,
                })
                .collect();
            post.header("Pixels", "0")
                .header(
                    reqwest::header::CONTENT_TYPE,
                    format!("multipart/mixed; boundary={boundary}"),
                )
                .body(multipart::write(&boundary, &parts))
                .send()
                .await?
        }
        Err(e) => {
            post.header(reqwest::header::CONTENT_TYPE, "livepeer/transcoding-error")
                .body(e)
                .send()
                .await?
        }
    };
    if !resp.status().is_success() {
        return Err(ClientError::Refused {
            status: resp.status().as_u16(),
            text: resp.text().await.unwrap_or_default(),
        });
    }
    Ok(())
}
