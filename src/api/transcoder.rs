//! The T's side of the remote-transcoder protocol (facts §2.3): register with the O over gRPC
//! (`net.Transcoder/RegisterTranscoder` with the O's secret and this T's capacity) and read the
//! stream of tasks; fetch each input from the O; post the renditions to `/transcodeResults` as
//! `multipart/mixed` with each rendition's pixel count, or the error as
//! `livepeer/transcoding-error`.

use super::{
    capabilities::offered,
    client::{tls_channel, ClientError},
    multipart::{self, Part},
    proto::net::{self, transcoder_client::TranscoderClient},
    task::{notice_from_proto, RemoteRendition, TaskNotice},
};
use crate::media::Container;

/// The tasks an O offers this T.
pub struct TaskStream(tonic::Streaming<net::NotifySegment>);

impl TaskStream {
    /// The next task; `None` when the O closed the stream.
    pub async fn next(&mut self) -> Result<Option<TaskNotice>, ClientError> {
        Ok(self.0.message().await?.map(notice_from_proto))
    }
}

/// Registers with the O at `orch_uri` (`https://host:port`).
pub async fn register(
    orch_uri: &str,
    secret: &str,
    capacity: i64,
) -> Result<TaskStream, ClientError> {
    let mut client = TranscoderClient::new(tls_channel(orch_uri).await?);
    let caps = u32::try_from(capacity).unwrap_or(u32::MAX);
    let stream = client
        .register_transcoder(net::RegisterRequest {
            secret: secret.to_string(),
            capacity,
            capabilities: Some(offered(caps, env!("CARGO_PKG_VERSION"))),
        })
        .await?
        .into_inner();
    Ok(TaskStream(stream))
}

/// HTTP to the O: inputs in, results out.
#[derive(Clone)]
pub struct TaskHttp {
    http: reqwest::Client,
    results: String,
    secret: String,
}

impl TaskHttp {
    /// For the O at `orch_uri` with its secret.
    pub fn new(orch_uri: &str, secret: &str) -> Result<Self, ClientError> {
        Ok(TaskHttp {
            http: reqwest::Client::builder()
                .danger_accept_invalid_certs(true)
                .build()?,
            results: format!("{}/transcodeResults", orch_uri.trim_end_matches('/')),
            secret: secret.to_string(),
        })
    }

    /// Fetches a task's input.
    pub async fn fetch(&self, url: &str) -> Result<bytes::Bytes, ClientError> {
        Ok(self
            .http
            .get(url)
            .send()
            .await?
            .error_for_status()?
            .bytes()
            .await?)
    }

    /// Posts a task's renditions (in `container`) or its error.
    pub async fn post(
        &self,
        task_id: i64,
        outcome: Result<(Container, Vec<RemoteRendition>), String>,
    ) -> Result<(), ClientError> {
        let post = self
            .http
            .post(&self.results)
            .header("Authorization", "Livepeer-Transcoder-1.0")
            .header("Credentials", &self.secret)
            .header("TaskId", task_id.to_string());
        let resp = match outcome {
            Ok((container, renditions)) => {
                let boundary = hex::encode(rand::random::<[u8; 12]>());
                let parts: Vec<Part> = renditions
                    .into_iter()
                    .map(|r| Part {
                        headers: vec![
                            ("Content-Type".into(), container.mime().into()),
                            ("Pixels".into(), r.pixels.to_string()),
                        ],
                        body: r.data,
                    })
                    .collect();
                post.header("Pixels", "0")
                    .header(
                        reqwest::header::CONTENT_TYPE,
                        format!("multipart/mixed; boundary={boundary}"),
                    )
                    .body(multipart::write(&boundary, &parts))
                    .send()
                    .await?
            }
            Err(e) => {
                post.header(reqwest::header::CONTENT_TYPE, "livepeer/transcoding-error")
                    .body(e)
                    .send()
                    .await?
            }
        };
        if !resp.status().is_success() {
            return Err(ClientError::Refused {
                status: resp.status().as_u16(),
                text: resp.text().await.unwrap_or_default(),
            });
        }
        Ok(())
    }
}
