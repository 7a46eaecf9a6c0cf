//! The B's policies toward its Os, offchain through the node: `-localVerify` (a result the O
//! did not sign over the renditions it returned is not used — an offchain O signs nothing, so a
//! B told to verify passes over it and the segment fails with the verification error; without
//! the flag, offchain's default, the same O is used); `-verifierUrl` refused at start;
//! `-maxPricePerUnit` (an O above it is not used, unless `-ignoreMaxPriceIfNeeded`); a fiat
//! price refused with a clear message.
#![allow(clippy::unwrap_used)]

mod media_support;

use livepeer::node;

fn node_args(args: &[&str]) -> livepeer::cli::NodeArgs {
    livepeer::cli::node_args(args).unwrap()
}

/// Starts an offchain O with `o_extra` and a B with `b_extra`; the B's push URL and the stop
/// senders.
async fn start_both(
    dir: &std::path::Path,
    o_extra: &[&str],
    b_extra: &[&str],
) -> (String, Vec<tokio::sync::oneshot::Sender<()>>) {
    let mut o_args = vec![
        "-orchestrator",
        "-transcoder",
        "-serviceAddr",
        "127.0.0.1:0",
    ];
    o_args.extend_from_slice(o_extra);
    let o = node::orchestrator::start(&dir.join("o"), &node_args(&o_args))
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
        let (url, _stop) = start_both(d.path(), &[], flags).await;
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

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_o_above_the_max_price_is_used_only_if_needed() {
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
    let o_price = ["-pricePerUnit", "5"];
    for (b_flags, ok) in [
        (&["-maxPricePerUnit", "3"][..], false),
        (
            &["-maxPricePerUnit", "3", "-ignoreMaxPriceIfNeeded"][..],
            true,
        ),
        (&["-maxPricePerUnit", "5"][..], true),
    ] {
        let d = tempfile::tempdir().unwrap();
        let (url, _stop) = start_both(d.path(), &o_price, b_flags).await;
        let resp = http
            .put(format!("{url}/live/p/0.ts"))
            .body(seg.clone())
            .send()
            .await
            .unwrap();
        let status = resp.status().as_u16();
        let text = resp.text().await.unwrap();
        assert_eq!(status == 200, ok, "{b_flags:?}: {status} {text}");
    }
    let err = node::broadcaster::start(
        &dir.path().join("b3"),
        &node_args(&[
            "-broadcaster",
            "-orchAddr",
            "127.0.0.1:9",
            "-maxPricePerUnit",
            "0.50USD",
        ]),
    )
    .await
    .err()
    .unwrap();
    assert!(err.to_string().contains("price feed"), "{err}");
}
