//! The O as its handlers reach it: [`OrchestratorPort`] over the role's state. The transcode of
//! an admitted segment runs as the node's own task, so it finishes (and its outcome reaches the
//! log) even when the B hangs up before the answer.

use super::service::Orchestrator;
use crate::api::{
    info::{InfoRequest, OrchInfo, SegmentResult},
    orchestrator::port::OrchestratorPort,
    segment::{AuthToken, CheckedSegment, SegMeta},
    status::Refusal,
    task::{RegisterError, TaskNotice, TaskResult},
};
use crate::commands::Rejected;
use crate::log::LogStore;
use bytes::Bytes;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

#[tonic::async_trait]
impl<S: LogStore> OrchestratorPort for Orchestrator<S> {
    async fn get_orchestrator(&self, req: InfoRequest) -> Result<OrchInfo, Refusal> {
        Orchestrator::get_orchestrator(self, req).await
    }

    async fn pay_segment(
        &self,
        seg: &CheckedSegment,
        payment_header: &str,
    ) -> Result<Option<OrchInfo>, Refusal> {
        Orchestrator::pay_segment(self, seg, payment_header).await
    }

    async fn end_session(&self, token: AuthToken) {
        Orchestrator::end_session(self, &token).await;
    }

    fn check_segment(
        &self,
        payment_header: &str,
        segment_header: &str,
    ) -> Result<CheckedSegment, Refusal> {
        Orchestrator::check_segment(self, payment_header, segment_header)
    }

    async fn admit_segment(
        &self,
        seg: &CheckedSegment,
        body: Result<&[u8], Rejected>,
    ) -> Result<(), Refusal> {
        Orchestrator::admit_segment(self, seg, body).await
    }

    fn start_transcode(
        self: Arc<Self>,
        meta: SegMeta,
        body: Bytes,
        info: Option<OrchInfo>,
    ) -> oneshot::Receiver<SegmentResult> {
        let (tx, rx) = oneshot::channel();
        let tasks = self.tasks().clone();
        tasks.spawn(async move {
            let result = self.segment_result(meta, body, info).await;
            let _ = tx.send(result);
        });
        rx
    }

    async fn register_transcoder(
        &self,
        secret: &str,
        capacity: i64,
        addr: String,
    ) -> Result<mpsc::Receiver<TaskNotice>, RegisterError> {
        self.attach_transcoder(secret, capacity, addr).await
    }

    fn transcoder_secret_ok(&self, secret: &str) -> bool {
        self.remote().secret_ok(secret)
    }

    fn complete_task(&self, task: i64, result: TaskResult) -> bool {
        self.remote().complete(task, result)
    }

    fn stored(&self, path: &str) -> Option<Bytes> {
        // Each file is fetched once (a rendition by the B, an input by a remote T): drop it then.
        self.store().take(path)
    }
}
