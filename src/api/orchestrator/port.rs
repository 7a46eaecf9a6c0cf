//! What the O's handlers need from the node: the seam between the wire (`api::orchestrator`'s
//! gRPC services and HTTP routes) and the node's writer and transcoders. The node implements it;
//! the handlers never see the role's concrete type.

use crate::api::{
    info::{InfoRequest, OrchInfo, SegmentResult},
    segment::{AuthToken, CheckedSegment, SegMeta},
    status::Refusal,
    task::{RegisterError, TaskNotice, TaskResult},
};
use crate::commands::Rejected;
use bytes::Bytes;
use std::sync::Arc;
use tokio::sync::{mpsc, oneshot};

/// The O as its handlers reach it.
#[tonic::async_trait]
pub trait OrchestratorPort: Send + Sync + 'static {
    /// `GetOrchestrator`: this O's info with a fresh session token (on a chain: the request's
    /// signature checked, and ticket params issued for its sender).
    async fn get_orchestrator(&self, req: InfoRequest) -> Result<OrchInfo, Refusal>;

    /// `EndTranscodingSession`: ends the session if its token is genuine.
    async fn end_session(&self, token: AuthToken);

    /// `/segment`'s checks before the body, in the reference's order.
    fn check_segment(
        &self,
        payment_header: &str,
        segment_header: &str,
    ) -> Result<CheckedSegment, Refusal>;

    /// `/segment`'s payment (on a chain), after the header checks and before the body: fresh
    /// params for the answer, the tickets checked and credited, then the balance checked against
    /// the ticket EV. Returns the refreshed info the answer carries (on a chain).
    async fn pay_segment(
        &self,
        seg: &CheckedSegment,
        payment_header: &str,
    ) -> Result<Option<OrchInfo>, Refusal>;

    /// Every check again with the body (or why it could not be fetched); the segment is in the
    /// log when this returns `Ok`, and the 200 may go out.
    async fn admit_segment(
        &self,
        seg: &CheckedSegment,
        body: Result<&[u8], Rejected>,
    ) -> Result<(), Refusal>;

    /// Transcodes an admitted segment as a task of the node's own, so it finishes even if the
    /// B hangs up; the result arrives on the receiver.
    fn start_transcode(
        self: Arc<Self>,
        meta: SegMeta,
        body: Bytes,
        info: Option<OrchInfo>,
    ) -> oneshot::Receiver<SegmentResult>;

    /// `RegisterTranscoder`: the stream of tasks for a T presenting `secret`.
    async fn register_transcoder(
        &self,
        secret: &str,
        capacity: i64,
        addr: String,
    ) -> Result<mpsc::Receiver<TaskNotice>, RegisterError>;

    /// Whether `secret` is this O's `-orchSecret` (T result posts carry it).
    fn transcoder_secret_ok(&self, secret: &str) -> bool;

    /// A T posted the result of `task`; false if no segment waits for it.
    fn complete_task(&self, task: i64, result: TaskResult) -> bool;

    /// Stored bytes at `path` (renditions, and inputs for remote Ts), handed out once.
    fn stored(&self, path: &str) -> Option<Bytes>;
}
