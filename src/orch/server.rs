//! One TLS port for everything an O serves, as go-livepeer does (facts §1.1): HTTP/2 requests
//! whose content type starts with `application/grpc` reach the gRPC services, the rest the HTTP
//! routes. Routing is by path (gRPC paths are `/net.Orchestrator/...`), which gives the same split.

use super::{
    grpc::{OrchestratorGrpc, TranscoderGrpc},
    http,
    service::Orchestrator,
};
use crate::api::proto::net::{
    orchestrator_server::OrchestratorServer, transcoder_server::TranscoderServer,
};
use crate::log::LogStore;
use std::{future::Future, sync::Arc};
use tokio::net::TcpListener;

/// The whole O surface as one router.
pub fn app<S: LogStore>(o: Arc<Orchestrator<S>>) -> axum::Router {
    let grpc = tonic::service::Routes::new(OrchestratorServer::new(OrchestratorGrpc(o.clone())))
        .add_service(TranscoderServer::new(TranscoderGrpc(o.clone())))
        .into_axum_router();
    grpc.merge(http::router(o))
}

/// Serves `app` over TLS on `listener` until `shutdown` resolves.
pub async fn serve(
    listener: TcpListener,
    tls: Arc<rustls::ServerConfig>,
    app: axum::Router,
    shutdown: impl Future<Output = ()>,
) {
    crate::httpd::serve(listener, Some(tls), app, shutdown).await;
}
