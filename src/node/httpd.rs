//! The node's one accept loop for its listeners: TLS (the O's port, gRPC and HTTP) or plain
//! HTTP (the B's ingest and playback), HTTP/1.1 or HTTP/2 as negotiated, each connection in its
//! own task.
//!
//! HTTP/1 half-close is on: ffmpeg's HLS muxer shuts down its side of a `PUT` connection as soon
//! as the segment is sent, and without half-close hyper would drop the request's handler at that
//! moment, losing the segment (go-livepeer's server keeps handling it).

use hyper_util::{
    rt::{TokioExecutor, TokioIo},
    server::conn::auto,
    service::TowerToHyperService,
};
use std::{future::Future, net::SocketAddr, sync::Arc, time::Duration};
use tokio::{
    io::{AsyncRead, AsyncWrite},
    net::TcpListener,
};
use tokio_rustls::TlsAcceptor;

/// Serves `app` on `listener` (over TLS when `tls` is given) until `shutdown` resolves; then
/// closes every open connection and returns once none is left (so whatever the router holds,
/// the event log included, is released).
pub async fn serve(
    listener: TcpListener,
    tls: Option<Arc<rustls::ServerConfig>>,
    app: axum::Router,
    shutdown: impl Future<Output = ()>,
) {
    let acceptor = tls.map(TlsAcceptor::from);
    tokio::pin!(shutdown);
    let mut conns = tokio::task::JoinSet::new();
    loop {
        while conns.try_join_next().is_some() {}
        let (tcp, peer) = tokio::select! {
            _ = &mut shutdown => {
                conns.abort_all();
                while conns.join_next().await.is_some() {}
                return;
            }
            accepted = listener.accept() => match accepted {
                Ok(a) => a,
                Err(e) => {
                    tracing::warn!("accept: {e}");
                    tokio::time::sleep(Duration::from_millis(50)).await;
                    continue;
                }
            },
        };
        let _ = tcp.set_nodelay(true);
        let app = app.clone();
        match acceptor.clone() {
            None => {
                conns.spawn(connection(tcp, peer, app));
            }
            Some(acceptor) => {
                conns.spawn(async move {
                    match tokio::time::timeout(Duration::from_secs(10), acceptor.accept(tcp)).await
                    {
                        Ok(Ok(s)) => connection(s, peer, app).await,
                        Ok(Err(e)) => tracing::debug!("TLS handshake with {peer}: {e}"),
                        Err(_) => tracing::debug!("TLS handshake with {peer} timed out"),
                    }
                });
            }
        }
    }
}

async fn connection<IO>(io: IO, peer: SocketAddr, app: axum::Router)
where
    IO: AsyncRead + AsyncWrite + Unpin + Send + 'static,
{
    // The peer's address, where tonic looks for it (`Request::remote_addr`).
    let app = tower::ServiceExt::map_request(app, move |mut req: axum::http::Request<_>| {
        req.extensions_mut()
            .insert(tonic::transport::server::TcpConnectInfo {
                local_addr: None,
                remote_addr: Some(peer),
            });
        req
    });
    let service = TowerToHyperService::new(app);
    let mut builder = auto::Builder::new(TokioExecutor::new());
    builder.http1().half_close(true);
    if let Err(e) = builder.serve_connection(TokioIo::new(io), service).await {
        tracing::debug!("connection from {peer}: {e}");
    }
}
