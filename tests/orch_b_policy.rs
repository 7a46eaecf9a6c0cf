//! The B's policies toward its Os, offchain through the node: `-localVerify` (a result the O
//! did not sign over the renditions it returned is not used — an offchain O signs nothing, so a
//! B told to verify passes over it and the segment fails with the verification error; without
//! the flag, offchain's default, the same O is used); `-verifierUrl` refused at start;
//! `-maxPricePerUnit` (an O above it is not used, unless `-ignoreMaxPriceIfNeeded`); a fiat
//! price refused with a clear message.
#![allow(clippy::unwrap_used)]

mod media_support;
mod orch_support;

use livepeer::node;
use orch_support::{
    in_process::{serve_b, serve_o},
    push_segment,
};

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
    let mut stop = Vec::new();
    let (o, _) = serve_o(&dir.join("o"), o_extra, &mut stop).await;
    let addr = o.trim_start_matches("https://");
    let mut args = vec!["-orchAddr", addr, "-transcodingOptions", "P144p30fps16x9"];
    args.extend_from_slice(b_extra);
    let b = serve_b(&dir.join("b"), &args, &mut stop).await;
    (b.url, stop)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_b_that_verifies_refuses_unsigned_results() {
    let dir = tempfile::tempdir().unwrap();
    let seg = media_support::silent_two_second_segment(dir.path());
    for (flags, ok) in [(&[][..], true), (&["-localVerify"][..], false)] {
        let d = tempfile::tempdir().unwrap();
        let (url, _stop) = start_both(d.path(), &[], flags).await;
        let (status, text) = push_segment(&url, "v", &seg).await;
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
    let seg = media_support::silent_two_second_segment(dir.path());
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
        let (status, text) = push_segment(&url, "p", &seg).await;
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
