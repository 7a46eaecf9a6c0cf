//! The B as its handlers reach it: [`BroadcasterPort`] over the role's state. A pushed segment
//! runs as the node's own task, so it is carried to the end (and recorded) even when the pusher
//! hangs up first; with `-monitor` the pusher's wait is measured here (the reference's
//! `http_client_*` metrics).

use super::service::Broadcaster;
use crate::api::{
    broadcaster::{BroadcasterPort, PushedRendition},
    status::Refusal,
};
use crate::log::LogStore;
use crate::media::Container;
use bytes::Bytes;
use std::sync::Arc;

#[tonic::async_trait]
impl<S: LogStore> BroadcasterPort for Broadcaster<S> {
    async fn push(
        self: Arc<Self>,
        url: String,
        manifest: String,
        seq: u64,
        duration_ms: u32,
        container: Container,
        body: Bytes,
    ) -> Result<Vec<PushedRendition>, Refusal> {
        let b = self.clone();
        let started = std::time::Instant::now();
        let metrics = self.config().metrics.clone();
        // Counts the pusher gone before its answer (`http_client_timeout_1`) when this handler
        // is dropped while the segment is still being worked on.
        let mut gone = Gone(Some((metrics.clone(), manifest.clone())));
        let stream = manifest.clone();
        let work = self.tasks().spawn(async move {
            let stream = b.admit_push(&manifest, &url).await?;
            b.push_segment(&stream, seq, duration_ms, container, body)
                .await
        });
        let answer = work
            .await
            .unwrap_or_else(|e| Err(Refusal::internal(format!("segment task failed: {e}"))));
        gone.0 = None;
        if answer.is_ok() {
            metrics.pushed(&stream, duration_ms, started.elapsed());
        }
        answer
    }

    fn master_playlist(&self, manifest: &str) -> Option<String> {
        Broadcaster::master_playlist(self, manifest)
    }

    fn media_playlist(&self, manifest: &str, rendition: &str) -> Option<String> {
        Broadcaster::media_playlist(self, manifest, rendition)
    }

    fn segment(&self, path: &str) -> Option<Bytes> {
        Broadcaster::segment(self, path)
    }
}

/// Armed while a pushed segment is worked on; dropped armed, the pusher went away first.
struct Gone(Option<(crate::node::metrics::Edge, String)>);

impl Drop for Gone {
    fn drop(&mut self) {
        if let Some((m, stream)) = self.0.take() {
            m.push_dropped(&stream);
        }
    }
}
