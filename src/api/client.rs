//! The B's calls to an O (facts §1.1, §2.2): `GetOrchestrator` over gRPC and `POST /segment` over
//! HTTPS, both skipping certificate verification as every go-livepeer client does (O certificates
//! are self-signed), then fetching the renditions from the URLs the O returns. Answers come back
//! as the crate's own types (`api::info`). The T's connection to its O shares [`tls_channel`].

use super::{
    info::{info_from_proto, result_from_proto, OrchInfo, SegmentResult},
    payment::PAYMENT_HEADER,
    proto::net::{self, orchestrator_client::OrchestratorClient},
    segment::{auth_token_to_proto, encode_segment_header, AuthToken, SegMeta, SEGMENT_HEADER},
    tls::{insecure_client_config, TlsError},
};
use hyper_util::rt::TokioIo;
use prost::Message;
use std::time::Duration;
use tonic::transport::{Channel, Endpoint};

/// `GRPCConnectTimeout`.
pub const GRPC_CONNECT_TIMEOUT: Duration = Duration::from_secs(3);
/// `GRPCTimeout`.
pub const GRPC_TIMEOUT: Duration = Duration::from_secs(8);

/// Why a call to an O failed.
#[derive(Debug, thiserror::Error)]
pub enum ClientError {
    /// The address is not `https://host:port`.
    #[error("bad orchestrator address {0:?}")]
    Address(String),
    /// TLS set-up failed.
    #[error(transparent)]
    Tls(#[from] TlsError),
    /// Connecting failed.
    #[error("cannot reach orchestrator {uri}: {detail}")]
    Connect {
        /// The O.
        uri: String,
        /// Why.
        detail: String,
    },
    /// The gRPC call failed.
    #[error("GetOrchestrator: {0}")]
    Grpc(#[from] tonic::Status),
    /// The HTTP call failed.
    #[error("HTTP: {0}")]
    Http(#[from] reqwest::Error),
    /// The O refused the segment.
    #[error("orchestrator answered {status}: {text}")]
    Refused {
        /// HTTP status.
        status: u16,
        /// Its body.
        text: String,
    },
    /// The O's answer is not a `TranscodeResult`.
    #[error("undecodable TranscodeResult: {0}")]
    Decode(#[from] prost::DecodeError),
}

/// A connection to one O.
pub struct OrchClient {
    uri: String,
    grpc: OrchestratorClient<Channel>,
    http: reqwest::Client,
}

/// Splits `host:port` (an IPv6 host in brackets).
pub fn split_host_port(addr: &str) -> Option<(String, u16)> {
    let (host, port) = addr.rsplit_once(':')?;
    Some((
        host.trim_matches(['[', ']']).to_string(),
        port.parse().ok()?,
    ))
}

fn host_port(uri: &str) -> Result<(String, u16), ClientError> {
    uri.strip_prefix("https://")
        .and_then(|rest| rest.split('/').next())
        .and_then(split_host_port)
        .ok_or_else(|| ClientError::Address(uri.to_string()))
}

/// A gRPC channel to the O at `uri` (`https://host:port`) over TLS without certificate checks
/// (as go-livepeer's clients), used by Bs and Ts.
pub async fn tls_channel(uri: &str) -> Result<Channel, ClientError> {
    let (host, port) = host_port(uri)?;
    let tls = tokio_rustls::TlsConnector::from(insecure_client_config(true)?);
    let connect_err = |detail: String| ClientError::Connect {
        uri: uri.to_string(),
        detail,
    };
    // The TLS is ours (the connector below), so the endpoint itself is plain.
    let endpoint = Endpoint::from_shared(format!("http://{host}:{port}"))
        .map_err(|e| connect_err(e.to_string()))?
        .connect_timeout(GRPC_CONNECT_TIMEOUT);
    endpoint
        .connect_with_connector(tower::service_fn(move |_: tonic::transport::Uri| {
            let (tls, h) = (tls.clone(), host.clone());
            async move {
                let tcp = tokio::net::TcpStream::connect((h.as_str(), port)).await?;
                tcp.set_nodelay(true)?;
                let name = rustls::pki_types::ServerName::try_from(h)
                    .map_err(|e| std::io::Error::new(std::io::ErrorKind::InvalidInput, e))?;
                let s = tls.connect(name, tcp).await?;
                Ok::<_, std::io::Error>(TokioIo::new(s))
            }
        }))
        .await
        .map_err(|e| connect_err(format!("{e}: {:?}", std::error::Error::source(&e))))
}

/// The body of a 200 answer; any other status is the O's refusal with its text.
async fn ok_body(resp: reqwest::Response) -> Result<bytes::Bytes, ClientError> {
    let status = resp.status().as_u16();
    let bytes = resp.bytes().await?;
    if status != 200 {
        return Err(ClientError::Refused {
            status,
            text: String::from_utf8_lossy(&bytes).trim().to_string(),
        });
    }
    Ok(bytes)
}

impl OrchClient {
    /// Connects to the O at `uri` (`https://host:port`).
    pub async fn connect(uri: &str) -> Result<Self, ClientError> {
        let channel = tls_channel(uri).await?;
        let http = reqwest::Client::builder()
            .danger_accept_invalid_certs(true)
            .connect_timeout(Duration::from_secs(2))
            .build()?;
        Ok(OrchClient {
            uri: uri.to_string(),
            grpc: OrchestratorClient::new(channel),
            http,
        })
    }

    /// `GetOrchestrator` (calls may run concurrently: the gRPC channel multiplexes them).
    /// Offchain the request carries no address or signature.
    pub async fn get_orchestrator(&self) -> Result<OrchInfo, ClientError> {
        self.get_orchestrator_as(&super::info::InfoRequest::default())
            .await
    }

    /// `GetOrchestrator` as a B on a chain: its address and its signature over it.
    pub async fn get_orchestrator_as(
        &self,
        who: &super::info::InfoRequest,
    ) -> Result<OrchInfo, ClientError> {
        let mut grpc = self.grpc.clone();
        let mut req = tonic::Request::new(net::OrchestratorRequest {
            address: who.address.clone(),
            sig: who.sig.clone(),
            ..Default::default()
        });
        req.set_timeout(GRPC_TIMEOUT);
        Ok(info_from_proto(
            &grpc.get_orchestrator(req).await?.into_inner(),
        ))
    }

    /// `EndTranscodingSession`: tells the O it can free the session now.
    pub async fn end_transcoding_session(&self, token: &AuthToken) -> Result<(), ClientError> {
        let mut grpc = self.grpc.clone();
        let mut req = tonic::Request::new(net::EndTranscodingSessionRequest {
            auth_token: Some(auth_token_to_proto(token)),
        });
        req.set_timeout(GRPC_TIMEOUT);
        grpc.end_transcoding_session(req).await?;
        Ok(())
    }

    /// `POST <info.transcoder>/segment` with the segment bytes; `timeout` is the whole call's.
    pub async fn submit_segment(
        &self,
        transcoder_uri: &str,
        meta: &SegMeta,
        payment_header: &str,
        body: Vec<u8>,
        timeout: Duration,
    ) -> Result<SegmentResult, ClientError> {
        let base = if transcoder_uri.is_empty() {
            self.uri.as_str()
        } else {
            transcoder_uri
        };
        let resp = self
            .http
            .post(format!("{}/segment", base.trim_end_matches('/')))
            .header(SEGMENT_HEADER, encode_segment_header(meta))
            .header(PAYMENT_HEADER, payment_header)
            .header(reqwest::header::CONTENT_TYPE, "video/MP2T")
            .timeout(timeout)
            .body(body)
            .send()
            .await?;
        let bytes = ok_body(resp).await?;
        Ok(result_from_proto(net::TranscodeResult::decode(
            bytes.as_ref(),
        )?))
    }

    /// Downloads a rendition from the URL the O returned.
    pub async fn download(&self, url: &str) -> Result<Vec<u8>, ClientError> {
        let resp = self.http.get(url).timeout(GRPC_TIMEOUT).send().await?;
        Ok(ok_body(resp).await?.to_vec())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn addresses_are_https_host_port() {
        assert_eq!(
            host_port("https://127.0.0.1:8935").unwrap(),
            ("127.0.0.1".into(), 8935)
        );
        assert_eq!(
            host_port("https://o.example:9/x").unwrap(),
            ("o.example".into(), 9)
        );
        assert!(host_port("http://127.0.0.1:8935").is_err());
        assert!(host_port("https://127.0.0.1").is_err());
    }
}
