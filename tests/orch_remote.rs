//! An O with a remote T (facts §2.3), over real TLS: the T registers with the O's secret, takes
//! segments from the stream, fetches their input from the O and posts renditions back; the O's
//! checks on registration and on `/transcodeResults` answer as go-livepeer's do.
#![allow(clippy::unwrap_used)]

mod media_support;
mod orch_support;

use livepeer::{
    api::client::{tls_channel, OrchClient},
    api::{
        proto::net::{self, transcoder_client::TranscoderClient},
        segment::SegMeta,
    },
    events::{Event, Worker},
    log::FjallStore,
    node::{self, orchestrator::Orchestrator},
};
use media_support::{probe, source, write};
use std::{path::Path, sync::Arc, time::Duration};
use tokio::sync::oneshot;

fn node_args(args: &[&str]) -> livepeer::cli::NodeArgs {
    livepeer::cli::node_args(args).unwrap()
}

fn meta(info: &livepeer::api::info::OrchInfo, seq: i64, body: &[u8]) -> SegMeta {
    orch_support::segment_meta(info, "remote", seq, body, &["P144p30fps16x9"])
}

/// An O with `-orchSecret sesame` and `extra` flags, served until `stop`'s senders are sent to
/// or dropped: its URI and the O itself.
async fn serve_o(
    d: &Path,
    extra: &[&str],
    stop: &mut Vec<oneshot::Sender<()>>,
) -> (String, Arc<Orchestrator<FjallStore>>) {
    let mut args = vec![
        "-orchestrator",
        "-orchSecret",
        "sesame",
        "-serviceAddr",
        "127.0.0.1:0",
    ];
    args.extend_from_slice(extra);
    orch_support::in_process::serve_o_with(&d.join("o"), &args, stop).await
}

/// Waits (up to 5 s) for `n` remote Ts to be attached to `o`.
async fn wait_for_remotes(o: &Orchestrator<FjallStore>, n: usize) {
    for _ in 0..100 {
        if o.remote().count() == n {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// `RegisterTranscoder` with `secret` and `capacity`.
async fn register(
    grpc: &mut TranscoderClient<tonic::transport::Channel>,
    secret: &str,
    capacity: i64,
) -> Result<tonic::Response<tonic::Streaming<net::NotifySegment>>, tonic::Status> {
    grpc.register_transcoder(net::RegisterRequest {
        secret: secret.into(),
        capacity,
        capabilities: None,
    })
    .await
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn segments_go_through_a_remote_transcoder() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut stop = Vec::new();
    let (uri, handle) = serve_o(d, &[], &mut stop).await;
    let seg = std::fs::read(source(d, "s.ts", "320x180", "30", "2", true, &[])).unwrap();
    let b = OrchClient::connect(&uri).await.unwrap();
    let info = b.get_orchestrator().await.unwrap();
    let t = std::time::Duration::from_secs(60);

    // No T yet: the segment is answered with the reference's error.
    let res = b
        .submit_segment(&info.transcoder, &meta(&info, 0, &seg), "", seg.clone(), t)
        .await
        .unwrap();
    assert_eq!(res.outcome, Err("no transcoders available".into()));

    // Registration checks.
    let mut grpc = TranscoderClient::new(tls_channel(&uri).await.unwrap());
    let bad = register(&mut grpc, "wrong", 1).await.unwrap_err();
    assert_eq!(bad.message(), "invalid secret");
    let zero = register(&mut grpc, "sesame", 0).await.unwrap_err();
    assert_eq!(zero.message(), "zero capacity");

    // A T attaches and transcodes.
    let t_args = node_args(&[
        "-transcoder",
        "-orchAddr",
        uri.trim_start_matches("https://"),
        "-orchSecret",
        "sesame",
    ]);
    let (stop_t, t_stopped) = oneshot::channel::<()>();
    let worker = tokio::spawn(livepeer::node::transcoder::worker::run(
        node::transcoder::config(&t_args).unwrap(),
        node::transcoder::transcoder(&t_args).unwrap(),
        async {
            let _ = t_stopped.await;
        },
    ));
    wait_for_remotes(&handle, 1).await;
    assert_eq!(handle.remote().count(), 1);
    let res = b
        .submit_segment(&info.transcoder, &meta(&info, 1, &seg), "", seg.clone(), t)
        .await
        .unwrap();
    let Ok(data) = res.outcome else {
        panic!("no data: {:?}", res.outcome)
    };
    let bytes = b.download(&data[0].url).await.unwrap();
    let facts = probe(&write(d, "r.ts", &bytes));
    assert_eq!(facts.frame_sizes.len(), 60);
    assert!(facts.frame_sizes.iter().all(|&s| s == (256, 144)));
    assert_eq!(
        facts.pixels() as i64,
        data[0].pixels,
        "the T's pixel count is billed"
    );
    let worker_of = handle
        .writer()
        .log()
        .read(0, u64::MAX)
        .filter_map(|r| match r.unwrap().envelope.event {
            Event::SegmentTranscoded(s) => Some(s.worker),
            _ => None,
        })
        .last()
        .unwrap();
    assert!(
        matches!(&worker_of, Worker::Transcoder { addr } if addr.starts_with("127.0.0.1:")),
        "{worker_of:?}"
    );

    // /transcodeResults refusals.
    let http = reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .build()
        .unwrap();
    let post = |creds: &str, task: &str, ct: &str| {
        http.post(format!("{uri}/transcodeResults"))
            .header("Authorization", "Livepeer-Transcoder-1.0")
            .header("Credentials", creds.to_string())
            .header("TaskId", task.to_string())
            .header("Content-Type", ct.to_string())
            .body("x")
            .send()
    };
    assert_eq!(
        post("wrong", "1", "livepeer/transcoding-error")
            .await
            .unwrap()
            .status()
            .as_u16(),
        401
    );
    assert_eq!(
        post("sesame", "x", "livepeer/transcoding-error")
            .await
            .unwrap()
            .status()
            .as_u16(),
        400
    );
    assert_eq!(
        post("sesame", "99", "text/plain")
            .await
            .unwrap()
            .status()
            .as_u16(),
        415
    );
    assert_eq!(
        post("sesame", "99", "livepeer/transcoding-error")
            .await
            .unwrap()
            .status()
            .as_u16(),
        200
    );

    let _ = stop_t.send(());
    worker.await.unwrap();
    // The T's coming and going are in the O's log, with the address it worked under.
    let events = || -> Vec<Event> {
        handle
            .writer()
            .log()
            .read(0, u64::MAX)
            .map(|r| r.unwrap().envelope.event)
            .collect()
    };
    let Worker::Transcoder { addr } = worker_of else {
        unreachable!()
    };
    assert!(events()
        .iter()
        .any(|e| matches!(e, Event::TranscoderAttached(t) if t.addr == addr && t.capacity == 10)));
    let mut gone = false;
    for _ in 0..100 {
        gone = events()
            .iter()
            .any(|e| matches!(e, Event::TranscoderDetached(t) if t.addr == addr));
        if gone {
            break;
        }
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
    assert!(gone, "the T's going is recorded: {:?}", events());
    drop(stop);
}

/// `-maxSessions auto`: the O's limit, advertised and enforced, is its attached Ts' capacity
/// (go-livepeer's `AutoSessionLimit`): none before a T attaches, the T's once it has, none after
/// it leaves.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn max_sessions_auto_follows_the_remote_transcoders_capacity() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut stop = Vec::new();
    let (uri, handle) = serve_o(d, &["-maxSessions", "auto"], &mut stop).await;
    let b = OrchClient::connect(&uri).await.unwrap();
    let info = b.get_orchestrator().await.unwrap();
    assert_eq!(info.capacity, 0, "no T, no capacity");
    let seg = std::fs::read(source(d, "s.ts", "320x180", "30", "1", true, &[])).unwrap();
    let t = Duration::from_secs(30);
    let refused = b
        .submit_segment(&info.transcoder, &meta(&info, 0, &seg), "", seg.clone(), t)
        .await;
    assert!(
        matches!(&refused, Err(livepeer::api::client::ClientError::Refused { status: 403, text }) if text == "OrchestratorCapped"),
        "{refused:?}"
    );

    let mut grpc = TranscoderClient::new(tls_channel(&uri).await.unwrap());
    let stream = register(&mut grpc, "sesame", 3).await.unwrap();
    wait_for_remotes(&handle, 1).await;
    assert_eq!(b.get_orchestrator().await.unwrap().capacity, 3);
    assert_eq!(handle.max_sessions(), 3);

    drop(stream);
    wait_for_remotes(&handle, 0).await;
    assert_eq!(b.get_orchestrator().await.unwrap().capacity, 0);
}
