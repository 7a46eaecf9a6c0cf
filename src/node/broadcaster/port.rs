//! The B as its handlers reach it: [`BroadcasterPort`] over the role's state. A pushed segment
//! runs as the node's own task, so it is carried to the end (and recorded) even when the pusher
//! hangs up first.

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
        let work = self.tasks().spawn(async move {
            let stream = b.admit_push(&manifest, &url).await?;
            b.push_segment(&stream, seq, duration_ms, container, body)
                .await
        });
        work.await
            .unwrap_or_else(|e| Err(Refusal::internal(format!("segment task failed: {e}"))))
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
