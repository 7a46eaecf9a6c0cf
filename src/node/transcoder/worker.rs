//! The transcoder role (T) as a separate process (facts §2.3): `livepeer -transcoder -orchAddr
//! HOST:PORT -orchSecret S` registers with its O and keeps the stream of tasks open; each segment
//! is fetched, transcoded with the local ladder sessions (one per O session id, freed when the O
//! ends the session) and posted back (`api::transcoder`). It re-registers, every 2 s, whenever
//! the O is unreachable or drops the stream. Every task it starts is joined when it stops.

use crate::api::{
    client::ClientError,
    task::{RemoteRendition, TaskNotice},
    transcoder::{register, TaskHttp},
};
use crate::media::{SegmentInput, Transcoder};
use std::{sync::Arc, time::Duration};
use tokio_util::task::TaskTracker;

/// How a T attaches to its O.
#[derive(Clone, Debug)]
pub struct WorkerConfig {
    /// The O (`https://host:port`).
    pub orch_uri: String,
    /// `-orchSecret`.
    pub secret: String,
    /// Sessions this T takes (`-maxSessions`).
    pub capacity: i64,
    /// `-monitor`: what it transcodes and uploads is counted here.
    pub edge: crate::node::metrics::Edge,
}

/// Serves the O until `shutdown` resolves, re-registering after every disconnection; then waits
/// for the segments in flight.
pub async fn run(
    cfg: WorkerConfig,
    transcoder: Arc<dyn Transcoder>,
    shutdown: impl std::future::Future<Output = ()>,
) {
    let tasks = TaskTracker::new();
    tokio::pin!(shutdown);
    loop {
        tokio::select! {
            _ = &mut shutdown => break,
            r = attach(&cfg, transcoder.clone(), &tasks) => match r {
                Ok(()) => tracing::warn!("orchestrator {} closed the segment stream", cfg.orch_uri),
                Err(e) => tracing::warn!("orchestrator {}: {e}", cfg.orch_uri),
            },
        }
        tokio::select! {
            _ = &mut shutdown => break,
            _ = tokio::time::sleep(Duration::from_secs(2)) => {}
        }
    }
    tasks.close();
    tasks.wait().await;
}

async fn attach(
    cfg: &WorkerConfig,
    transcoder: Arc<dyn Transcoder>,
    tasks: &TaskTracker,
) -> Result<(), ClientError> {
    let mut stream = register(&cfg.orch_uri, &cfg.secret, cfg.capacity).await?;
    println!(
        "Transcoder attached to orchestrator {} (capacity {})",
        cfg.orch_uri, cfg.capacity
    );
    let http = TaskHttp::new(&cfg.orch_uri, &cfg.secret)?;
    while let Some(n) = stream.next().await? {
        let (t, http, edge) = (transcoder.clone(), http.clone(), cfg.edge.clone());
        tasks.spawn(async move {
            if let Err(e) = segment(t, &http, n, &edge).await {
                tracing::warn!("task: {e}");
            }
        });
    }
    Ok(())
}

async fn segment(
    transcoder: Arc<dyn Transcoder>,
    http: &TaskHttp,
    n: TaskNotice,
    edge: &crate::node::metrics::Edge,
) -> Result<(), ClientError> {
    let (task_id, url, meta) = match n {
        TaskNotice::EndSession { session } => {
            transcoder.end(&session);
            return Ok(());
        }
        TaskNotice::Segment { task_id, url, meta } => (task_id, url, meta),
    };
    let outcome = match meta {
        Err(e) => Err(e),
        Ok(meta) => {
            let input = http.fetch(&url).await?;
            let session = meta
                .auth_token
                .as_ref()
                .map(|t| t.session_id.clone())
                .unwrap_or_default();
            let (profiles, container) = (meta.profiles.clone(), meta.container);
            let names: Vec<&str> = meta.profiles.iter().map(|p| p.name.as_str()).collect();
            let names = names.join(",");
            let duration_ms = meta.duration_ms;
            let started = std::time::Instant::now();
            let done = tokio::task::spawn_blocking(move || {
                transcoder.transcode_into(
                    &session,
                    &profiles,
                    container,
                    SegmentInput::Bytes(input.to_vec()),
                )
            })
            .await
            .map_err(|e| e.to_string())
            .and_then(|r| r.map_err(|e| e.to_string()))
            .map(|out| {
                let renditions = out
                    .renditions
                    .into_iter()
                    .map(|r| RemoteRendition {
                        data: r.data,
                        pixels: r.pixels,
                    })
                    .collect();
                (container, renditions)
            });
            if done.is_ok() {
                edge.t_transcoded(&names, duration_ms, started.elapsed());
            }
            done
        }
    };
    let started = std::time::Instant::now();
    let posted = http.post(task_id, outcome).await;
    // The reference counts the upload whatever the O answered (`sendTranscodeResult`).
    edge.uploaded("", "", started.elapsed());
    posted
}
