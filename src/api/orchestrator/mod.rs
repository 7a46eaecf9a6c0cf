//! The O's wire surface, on one TLS port as go-livepeer serves it (facts §1.1): HTTP/2 requests
//! whose content type starts with `application/grpc` reach the gRPC services ([`grpc`]:
//! `net.Orchestrator`, `net.Transcoder`), the rest the HTTP routes ([`http`]: `/segment`,
//! `/transcodeResults`, `/stream/...`, `/healthz`). Routing is by path (gRPC paths are
//! `/net.Orchestrator/...`), which gives the same split. Handlers reach the node through
//! [`port::OrchestratorPort`].

pub mod grpc;
pub mod http;
pub mod port;

use crate::api::proto::net::{
    orchestrator_server::OrchestratorServer, transcoder_server::TranscoderServer,
};
use grpc::{OrchestratorGrpc, TranscoderGrpc};
use port::OrchestratorPort;
use std::sync::Arc;

/// The whole O surface as one router.
pub fn app(o: Arc<dyn OrchestratorPort>) -> axum::Router {
    let grpc = tonic::service::Routes::new(OrchestratorServer::new(OrchestratorGrpc(o.clone())))
        .add_service(TranscoderServer::new(TranscoderGrpc(o.clone())))
        .into_axum_router();
    grpc.merge(http::router(o))
}
