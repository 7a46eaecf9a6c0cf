//! The generated `net.Orchestrator` server and client over a real gRPC exchange (HTTP/2 over
//! `tokio::io::duplex`): a B's `GetOrchestrator` gets the O's ticket params and price and
//! accepts them; a call spelled by hand with go-livepeer's method path reaches the server; an
//! unknown method is `Unimplemented`.
#![allow(clippy::unwrap_used)] // test helpers outside #[test] fns: a panic is a test failure

mod pm_common;

use hyper_util::rt::TokioIo;
use livepeer::api::proto::net::{
    self,
    orchestrator_client::OrchestratorClient,
    orchestrator_server::{Orchestrator, OrchestratorServer},
};
use livepeer::api::ticket_params::{payment_info_from_proto, set_payment_info, PaymentInfo};
use pm_common::*;
use tonic::codegen::http::{uri::PathAndQuery, Uri};
use tonic::transport::{Channel, Endpoint, Server};
use tonic::{Code, Request, Response, Status};

/// A stand-in O: answers with fixed info; `Ping` echoes (the real O signs the value).
struct TestO {
    info: net::OrchestratorInfo,
}

#[tonic::async_trait]
impl Orchestrator for TestO {
    async fn get_orchestrator(
        &self,
        req: Request<net::OrchestratorRequest>,
    ) -> Result<Response<net::OrchestratorInfo>, Status> {
        if req.get_ref().address.len() != 20 {
            return Err(Status::invalid_argument("address must be 20 bytes"));
        }
        Ok(Response::new(self.info.clone()))
    }

    async fn end_transcoding_session(
        &self,
        _req: Request<net::EndTranscodingSessionRequest>,
    ) -> Result<Response<net::EndTranscodingSessionResponse>, Status> {
        Ok(Response::new(net::EndTranscodingSessionResponse {}))
    }

    async fn ping(&self, req: Request<net::PingPong>) -> Result<Response<net::PingPong>, Status> {
        Ok(Response::new(req.into_inner()))
    }
}

/// Serves `o` on one end of an in-memory pipe and returns a channel on the other.
async fn channel(o: TestO) -> Channel {
    let (client, server) = tokio::io::duplex(1 << 16);
    tokio::spawn(
        Server::builder()
            .add_service(OrchestratorServer::new(o))
            .serve_with_incoming(tokio_stream::once(Ok::<_, std::io::Error>(server))),
    );
    let mut client = Some(client);
    Endpoint::try_from("http://o.invalid:8935")
        .unwrap()
        .connect_with_connector(tower::service_fn(move |_: Uri| {
            let io = client.take().map(TokioIo::new);
            async move { io.ok_or_else(|| std::io::Error::other("one connection only")) }
        }))
        .await
        .unwrap()
}

#[tokio::test]
async fn a_b_gets_params_over_grpc_and_accepts_them() {
    let (w, b, params) = funded(5);
    let pay = PaymentInfo {
        ticket_params: Some(params),
        price: Some(price()),
    };
    let mut info = net::OrchestratorInfo {
        transcoder: "https://o.invalid:8935".into(),
        address: w.me().0.to_vec(),
        ..Default::default()
    };
    set_payment_info(&mut info, &pay);
    let ch = channel(TestO { info }).await;

    let mut client = OrchestratorClient::new(ch.clone());
    let got = client
        .get_orchestrator(net::OrchestratorRequest {
            address: addr(&b).0.to_vec(),
            ..Default::default()
        })
        .await
        .unwrap()
        .into_inner();
    let back = payment_info_from_proto(&got).unwrap();
    assert_eq!(back, pay);
    w.b_validates(addr(&b), back.ticket_params.as_ref())
        .unwrap();
    let bad = client
        .get_orchestrator(net::OrchestratorRequest::default())
        .await
        .unwrap_err();
    assert_eq!(bad.code(), Code::InvalidArgument);

    // go-livepeer's paths, spelled by hand rather than taken from the generated client.
    let mut grpc = tonic::client::Grpc::new(ch);
    grpc.ready().await.unwrap();
    let pong = grpc
        .unary(
            Request::new(net::PingPong { value: vec![7; 32] }),
            PathAndQuery::from_static("/net.Orchestrator/Ping"),
            tonic_prost::ProstCodec::<net::PingPong, net::PingPong>::default(),
        )
        .await
        .unwrap()
        .into_inner();
    assert_eq!(pong.value, vec![7; 32]);
    grpc.ready().await.unwrap();
    let ended = grpc
        .unary(
            Request::new(net::EndTranscodingSessionRequest::default()),
            PathAndQuery::from_static("/net.Orchestrator/EndTranscodingSession"),
            tonic_prost::ProstCodec::<
                net::EndTranscodingSessionRequest,
                net::EndTranscodingSessionResponse,
            >::default(),
        )
        .await;
    assert!(ended.is_ok(), "{ended:?}");
    grpc.ready().await.unwrap();
    let unknown = grpc
        .unary(
            Request::new(net::PingPong::default()),
            PathAndQuery::from_static("/net.Orchestrator/Pong"),
            tonic_prost::ProstCodec::<net::PingPong, net::PingPong>::default(),
        )
        .await
        .unwrap_err();
    assert_eq!(unknown.code(), Code::Unimplemented);
}
