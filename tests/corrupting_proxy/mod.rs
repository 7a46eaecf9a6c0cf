//! A TLS-terminating proxy in front of one O, standing where a B expects the O (its on-chain
//! service URI): `net.Orchestrator` calls are forwarded over gRPC, with `OrchestratorInfo.transcoder`
//! rewritten to the proxy so the B's segments come through it too; `POST /segment` is forwarded
//! over HTTPS and, in a 200 answer, one byte of the O's signature over the renditions
//! (`TranscodeResult.data.sig`) is flipped. The O itself is untouched: the fault lives between it
//! and the B, as a man in the middle or a broken O would put it. [`start_slow`] is the same proxy
//! corrupting nothing but holding each `/segment` answer back for a while: a slow O. Each proxy
//! counts the most `/segment` requests it had in flight at once.
#![allow(dead_code, clippy::unwrap_used)]

use axum::{body::Bytes, extract::State, http::HeaderMap, response::IntoResponse, routing::post};
use livepeer::api::{
    client::tls_channel,
    proto::net::{
        self, orchestrator_client::OrchestratorClient, orchestrator_server, transcode_result,
    },
    tls::{self_signed, server_config},
};
use prost::Message;
use std::{
    path::Path,
    sync::{
        atomic::{AtomicUsize, Ordering},
        Arc,
    },
};
use tonic::{transport::Channel, Request, Response, Status};

/// A running proxy; stopped when dropped.
pub struct Proxy {
    /// Its `host:port` (register `https://<addr>` as the O's service URI).
    pub addr: String,
    corrupted: Arc<AtomicUsize>,
    flights: Arc<Flights>,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Proxy {
    /// How many transcode results it corrupted so far.
    pub fn corrupted(&self) -> usize {
        self.corrupted.load(Ordering::SeqCst)
    }

    /// The most `/segment` requests it had in flight at once so far.
    pub fn max_in_flight(&self) -> usize {
        self.flights.max.load(Ordering::SeqCst)
    }
}

/// `/segment` requests in flight: now and the most so far.
#[derive(Default)]
struct Flights {
    now: AtomicUsize,
    max: AtomicUsize,
}

/// One request in flight while it lives.
struct InFlight(Arc<Flights>);

impl InFlight {
    fn begin(f: &Arc<Flights>) -> InFlight {
        let now = f.now.fetch_add(1, Ordering::SeqCst) + 1;
        f.max.fetch_max(now, Ordering::SeqCst);
        InFlight(f.clone())
    }
}

impl Drop for InFlight {
    fn drop(&mut self) {
        self.0.now.fetch_sub(1, Ordering::SeqCst);
    }
}

impl Drop for Proxy {
    fn drop(&mut self) {
        if let Some(stop) = self.stop.take() {
            let _ = stop.send(());
        }
    }
}

#[derive(Clone)]
struct Upstream {
    /// The real O, `https://host:port`.
    o: String,
    /// The proxy, `https://host:port`.
    me: String,
    grpc: OrchestratorClient<Channel>,
    http: reqwest::Client,
    corrupted: Arc<AtomicUsize>,
    flights: Arc<Flights>,
    /// Flip the signature's byte.
    corrupt: bool,
    /// How long each `/segment` answer is held back.
    delay: std::time::Duration,
}

/// Starts a proxy to the O at `o` (`host:port`, already serving), its certificate in `dir`.
pub async fn start(o: &str, dir: &Path) -> Proxy {
    start_with(o, dir, true, std::time::Duration::ZERO).await
}

/// Starts a proxy to the O at `o` that corrupts nothing and answers each `/segment` `delay`
/// late.
pub async fn start_slow(o: &str, dir: &Path, delay: std::time::Duration) -> Proxy {
    start_with(o, dir, false, delay).await
}

async fn start_with(o: &str, dir: &Path, corrupt: bool, delay: std::time::Duration) -> Proxy {
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let addr = listener.local_addr().unwrap().to_string();
    let (cert, key) = self_signed("127.0.0.1", dir).unwrap();
    let up = Upstream {
        o: format!("https://{o}"),
        me: format!("https://{addr}"),
        grpc: OrchestratorClient::new(tls_channel(&format!("https://{o}")).await.unwrap()),
        http: reqwest::Client::builder()
            .danger_accept_invalid_certs(true)
            .build()
            .unwrap(),
        corrupted: Arc::new(AtomicUsize::new(0)),
        flights: Arc::default(),
        corrupt,
        delay,
    };
    let (corrupted, flights) = (up.corrupted.clone(), up.flights.clone());
    let app = tonic::service::Routes::new(orchestrator_server::OrchestratorServer::new(up.clone()))
        .into_axum_router()
        .merge(
            axum::Router::new()
                .route("/segment", post(segment))
                .with_state(up),
        );
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    let tls = server_config(cert, key).unwrap();
    tokio::spawn(livepeer::node::httpd::serve(
        listener,
        Some(tls),
        app,
        async {
            let _ = stopped.await;
        },
    ));
    Proxy {
        addr,
        corrupted,
        flights,
        stop: Some(stop),
    }
}

/// `/segment`: forwarded with the B's headers; a 200 `TranscodeResult` comes back with its
/// signature's first byte flipped.
async fn segment(State(up): State<Upstream>, headers: HeaderMap, body: Bytes) -> impl IntoResponse {
    let _flight = InFlight::begin(&up.flights);
    let mut req = up.http.post(format!("{}/segment", up.o)).body(body);
    for (name, value) in &headers {
        if name != axum::http::header::HOST && name != axum::http::header::CONTENT_LENGTH {
            req = req.header(name.as_str(), value.as_bytes());
        }
    }
    let resp = match req.send().await {
        Ok(r) => r,
        Err(e) => {
            return (
                axum::http::StatusCode::BAD_GATEWAY,
                e.to_string().into_bytes(),
            )
        }
    };
    let status = axum::http::StatusCode::from_u16(resp.status().as_u16()).unwrap();
    let bytes = resp.bytes().await.unwrap_or_default().to_vec();
    tokio::time::sleep(up.delay).await;
    if status != axum::http::StatusCode::OK || !up.corrupt {
        return (status, bytes);
    }
    let mut result = net::TranscodeResult::decode(bytes.as_slice()).unwrap();
    if let Some(transcode_result::Result::Data(data)) = &mut result.result {
        if let Some(b) = data.sig.first_mut() {
            *b ^= 0x01;
            up.corrupted.fetch_add(1, Ordering::SeqCst);
        }
    }
    (status, result.encode_to_vec())
}

#[tonic::async_trait]
impl orchestrator_server::Orchestrator for Upstream {
    async fn get_orchestrator(
        &self,
        req: Request<net::OrchestratorRequest>,
    ) -> Result<Response<net::OrchestratorInfo>, Status> {
        let mut info = self
            .grpc
            .clone()
            .get_orchestrator(req.into_inner())
            .await?
            .into_inner();
        info.transcoder.clone_from(&self.me);
        Ok(Response::new(info))
    }

    async fn end_transcoding_session(
        &self,
        req: Request<net::EndTranscodingSessionRequest>,
    ) -> Result<Response<net::EndTranscodingSessionResponse>, Status> {
        self.grpc
            .clone()
            .end_transcoding_session(req.into_inner())
            .await
    }

    async fn ping(&self, req: Request<net::PingPong>) -> Result<Response<net::PingPong>, Status> {
        self.grpc.clone().ping(req.into_inner()).await
    }
}
