//! One TLS port for everything an O serves, as go-livepeer does (facts §1.1): HTTP/2 requests
//! whose content type starts with `application/grpc` reach the gRPC services, the rest the HTTP
//! routes. Routing is by path (gRPC paths are `/net.Orchestrator/...`), which gives the same split.

use super::{grpc::OrchestratorGrpc, http, service::Orchestrator};
use crate::api::proto::net::orchestrator_server::OrchestratorServer;
use crate::log::LogStore;
use hyper_util::{
    rt::{TokioExecutor, TokioIo},
    server::conn::auto,
    service::TowerToHyperService,
};
use std::{future::Future, net::SocketAddr, sync::Arc, time::Duration};
use tokio::net::TcpListener;
use tokio_rustls::TlsAcceptor;

/// The whole O surface as one router.
pub fn app<S: LogStore>(o: Arc<Orchestrator<S>>) -> axum::Router {
    let grpc = tonic::service::Routes::new(OrchestratorServer::new(OrchestratorGrpc(o.clone())))
        .into_axum_router();
    grpc.merge(http::router(o))
}

/// Serves `app` over TLS on `listener` until `shutdown` resolves. Each connection runs in its
/// own task; a failed handshake or a broken connection is logged and dropped.
pub async fn serve(
    listener: TcpListener,
    tls: Arc<rustls::ServerConfig>,
    app: axum::Router,
    shutdown: impl Future<Output = ()>,
) {
    let acceptor = TlsAcceptor::from(tls);
    tokio::pin!(shutdown);
    loop {
        let (tcp, peer) = tokio::select! {
            _ = &mut shutdown => return,
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    tracing::warn!("accept: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let acceptor = acceptor.clone();
        let app = app.clone();
        tokio::spawn(async move { connection(acceptor, tcp, peer, app).await });
    }
}

async fn connection(
    acceptor: TlsAcceptor,
    tcp: tokio::net::TcpStream,
    peer: SocketAddr,
    app: axum::Router,
) {
    let _ = tcp.set_nodelay(true);
    let tls = match tokio::time::timeout(Duration::from_secs(10), acceptor.accept(tcp)).await {
        Ok(Ok(s)) => s,
        Ok(Err(e)) => {
            tracing::debug!("TLS handshake with {peer}: {e}");
            return;
        }
        Err(_) => {
            tracing::debug!("TLS handshake with {peer} timed out");
            return;
        }
    };
    let service = TowerToHyperService::new(app);
    if let Err(e) = auto::Builder::new(TokioExecutor::new())
        .serve_connection(TokioIo::new(tls), service)
        .await
    {
        tracing::debug!("connection from {peer}: {e}");
    }
}
