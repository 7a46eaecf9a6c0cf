//! `-localVerify` on the B: a result the O did not sign over the renditions it returned is not
//! used — an offchain O signs nothing, so a B told to verify passes over it and the segment
//! fails with the verification error; without the flag (offchain's default) the same O is used.
//! `-verifierUrl` is refused at start with a clear message.
#![allow(clippy::unwrap_used)]

mod media_support;

use livepeer::node;

fn node_args(args: &[&str]) -> livepeer::cli::NodeArgs {
    livepeer::cli::node_args(args).unwrap()
}

/// Starts an offchain O and a B with `b_extra`; the B's push URL and the stop senders.
async fn start(
    dir: &std::path::Path,
    b_extra: &[&str],
) -> (String, Vec<tokio::sync::oneshot::Sender<()>>) {
    let o = node::orchestrator::start(
        &dir.join("o"),
        &node_args(&[
            "-orchestrator",
            "-transcoder",
            "-serviceAddr",
            "127.0.0.1:0",
        ]),
    )
    .await
    .unwrap();
    let addr = o.uri.trim_start_matches("https://").to_string();
    let (otx, orx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(o.serve(async {
        let _ = orx.await;
    }));
    let mut args = vec![
        "-broadcaster",
        "-orchAddr",
        &addr,
        "-httpAddr",
        "127.0.0.1:0",
        "-rtmpAddr",
        "127.0.0.1:0",
        "-transcodingOptions",
        "P144p30fps16x9",
    ];
    args.extend_from_slice(b_extra);
    let b = node::broadcaster::start(&dir.join("b"), &node_args(&args))
        .await
        .unwrap();
    let url = b.url.clone();
    let (btx, brx) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(b.serve(async {
        let _ = brx.await;
    }));
    (url, vec![otx, btx])
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_b_that_verifies_refuses_unsigned_results() {
    let dir = tempfile::tempdir().unwrap();
    let seg = std::fs::read(media_support::source(
        dir.path(),
        "s.ts",
        "320x180",
        "30",
        "2",
        false,
        &[],
    ))
    .unwrap();
    let http = reqwest::Client::new();
    for (flags, ok) in [(&[][..], true), (&["-localVerify"][..], false)] {
        let d = tempfile::tempdir().unwrap();
        let (url, _stop) = start(d.path(), flags).await;
        let resp = http
            .put(format!("{url}/live/v/0.ts"))
            .body(seg.clone())
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        if ok {
            assert_eq!(status, 200, "{text}");
        } else {
            assert_eq!(status, 500);
            assert!(
                text.contains("segment verification failed: no signature"),
                "{text}"
            );
        }
    }
    let err = node::broadcaster::start(
        &dir.path().join("b2"),
        &node_args(&[
            "-broadcaster",
            "-orchAddr",
            "127.0.0.1:9",
            "-verifierUrl",
            "http://v",
        ]),
    )
    .await
    .err()
    .unwrap();
    assert!(err.to_string().contains("not supported yet"), "{err}");
}
