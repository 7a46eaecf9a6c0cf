//! The O's gRPC services over its [`OrchestratorPort`]: `net.Orchestrator` (`GetOrchestrator`,
//! `Ping`, `EndTranscodingSession`) and `net.Transcoder` (`RegisterTranscoder`, where remote Ts
//! attach).

use super::port::OrchestratorPort;
use crate::api::{
    info::{info_to_proto, InfoRequest},
    proto::net::{self, orchestrator_server},
    segment::auth_token_from_proto,
    task::{notice_to_proto, RegisterError},
};
use std::{pin::Pin, sync::Arc};
use tokio_stream::StreamExt;
use tonic::{Request, Response, Status};

/// The gRPC face of an O.
pub struct OrchestratorGrpc(pub Arc<dyn OrchestratorPort>);

#[tonic::async_trait]
impl orchestrator_server::Orchestrator for OrchestratorGrpc {
    async fn get_orchestrator(
        &self,
        req: Request<net::OrchestratorRequest>,
    ) -> Result<Response<net::OrchestratorInfo>, Status> {
        // Offchain, as in the reference, the B's signature is not checked (the node decides).
        let r = req.into_inner();
        let req = InfoRequest {
            address: r.address,
            sig: r.sig,
        };
        match self.0.get_orchestrator(req).await {
            Ok(info) => Ok(Response::new(info_to_proto(&info))),
            Err(refusal) => Err(Status::unknown(refusal.text)),
        }
    }

    async fn end_transcoding_session(
        &self,
        req: Request<net::EndTranscodingSessionRequest>,
    ) -> Result<Response<net::EndTranscodingSessionResponse>, Status> {
        if let Some(t) = &req.get_ref().auth_token {
            self.0.end_session(auth_token_from_proto(t)).await;
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
pub struct TranscoderGrpc(pub Arc<dyn OrchestratorPort>);

/// The segments offered to one T.
type NoticeStream =
    Pin<Box<dyn tokio_stream::Stream<Item = Result<net::NotifySegment, Status>> + Send>>;

#[tonic::async_trait]
impl net::transcoder_server::Transcoder for TranscoderGrpc {
    type RegisterTranscoderStream = NoticeStream;

    async fn register_transcoder(
        &self,
        req: Request<net::RegisterRequest>,
    ) -> Result<Response<Self::RegisterTranscoderStream>, Status> {
        let addr = req
            .remote_addr()
            .map_or_else(|| "unknown".to_string(), |a| a.to_string());
        let r = req.get_ref();
        let rx = self
            .0
            .register_transcoder(&r.secret, r.capacity, addr)
            .await
            .map_err(|e| match e {
                RegisterError::InvalidSecret => Status::unauthenticated(e.to_string()),
                RegisterError::ZeroCapacity => Status::invalid_argument(e.to_string()),
            })?;
        let stream = tokio_stream::wrappers::ReceiverStream::new(rx)
            .map(|n| Ok::<_, Status>(notice_to_proto(&n)));
        Ok(Response::new(Box::pin(stream)))
    }
}
