//! The `net.Orchestrator` gRPC service over [`Orchestrator`]: `GetOrchestrator`, `Ping` and
//! `EndTranscodingSession`.

use super::service::Orchestrator;
use crate::api::proto::net::{self, orchestrator_server};
use crate::log::LogStore;
use std::sync::Arc;
use tonic::{Request, Response, Status};

/// The gRPC face of an O.
pub struct OrchestratorGrpc<S: LogStore>(pub Arc<Orchestrator<S>>);

#[tonic::async_trait]
impl<S: LogStore> orchestrator_server::Orchestrator for OrchestratorGrpc<S> {
    async fn get_orchestrator(
        &self,
        req: Request<net::OrchestratorRequest>,
    ) -> Result<Response<net::OrchestratorInfo>, Status> {
        Ok(Response::new(self.0.get_orchestrator(req.get_ref())))
    }

    async fn end_transcoding_session(
        &self,
        req: Request<net::EndTranscodingSessionRequest>,
    ) -> Result<Response<net::EndTranscodingSessionResponse>, Status> {
        if let Some(t) = &req.get_ref().auth_token {
            self.0
                .end_session(&crate::api::segment::auth_token_from_proto(t))
                .await;
        }
        Ok(Response::new(net::EndTranscodingSessionResponse {}))
    }

    async fn ping(&self, req: Request<net::PingPong>) -> Result<Response<net::PingPong>, Status> {
        // Offchain there is no key to sign with: the reference answers with an empty signature.
        let _ = req;
        Ok(Response::new(net::PingPong { value: Vec::new() }))
    }
}

/// The `net.Transcoder` service: remote transcoders register here.
pub struct TranscoderGrpc<S: LogStore>(pub Arc<Orchestrator<S>>);

#[tonic::async_trait]
impl<S: LogStore> net::transcoder_server::Transcoder for TranscoderGrpc<S> {
    type RegisterTranscoderStream =
        tokio_stream::wrappers::ReceiverStream<Result<net::NotifySegment, Status>>;

    async fn register_transcoder(
        &self,
        req: Request<net::RegisterRequest>,
    ) -> Result<Response<Self::RegisterTranscoderStream>, Status> {
        let addr = req
            .remote_addr()
            .map_or_else(|| "unknown".to_string(), |a| a.to_string());
        let rx = self.0.remote().register(req.get_ref(), addr)?;
        Ok(Response::new(tokio_stream::wrappers::ReceiverStream::new(
            rx,
        )))
    }
}
