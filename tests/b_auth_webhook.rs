//! The B's `-authWebhookUrl`, through the binary, offchain: a webhook server in the test answers
//! each new stream by its URL — an empty 200 admits it as it came, a 403 refuses it, a JSON 200
//! renames it (`manifestID`) with a ladder of its own (`profiles`) and a timeout multiplier, a
//! webhook slower than the B's 3 s refuses it. ffmpeg publishes over RTMP and pushes over HTTP;
//! the HLS a player would fetch, the publisher's refusal, the B's log line and its event log
//! (`StreamAuthDecided`) show each decision.
#![allow(clippy::unwrap_used)]

mod media_support;
mod orch_support;

use media_support::{push_hls, source};
use orch_support::{free_port, tool, Node};
use std::{
    path::Path,
    sync::{Arc, Mutex},
    time::Duration,
};

/// The ladder the webhook gives a renamed stream.
const TINY: &str = r#"[{"name":"tiny","width":160,"height":90,"bitrate":90000,"fps":30}]"#;

/// Starts the webhook: it answers by the stream name in the URL it is sent, and keeps the URLs.
async fn webhook() -> (String, Arc<Mutex<Vec<String>>>) {
    use axum::{extract::State, http::StatusCode, routing::post, Json, Router};
    let seen = Arc::new(Mutex::new(Vec::new()));
    let app = Router::new()
        .route(
            "/auth",
            post(
                |State(seen): State<Arc<Mutex<Vec<String>>>>,
                 Json(req): Json<serde_json::Value>| async move {
                    let url = req["url"].as_str().unwrap_or_default().to_string();
                    seen.lock().unwrap().push(url.clone());
                    if url.contains("/refused") {
                        (StatusCode::FORBIDDEN, "not you".to_string())
                    } else if url.contains("/slow") {
                        tokio::time::sleep(Duration::from_secs(10)).await;
                        (StatusCode::OK, String::new())
                    } else if url.contains("/movie") {
                        let body = format!(
                            r#"{{"manifestID":"renamed","profiles":{TINY},"timeoutMultiplier":2}}"#
                        );
                        (StatusCode::OK, body)
                    } else {
                        (StatusCode::OK, String::new())
                    }
                },
            ),
        )
        .with_state(seen.clone());
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/auth", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
    (url, seen)
}

/// An O and a B (binaries) whose B asks the webhook.
struct Net {
    _o: Node,
    b: Node,
    b_dir: std::path::PathBuf,
    http: String,
    rtmp: String,
    seen: Arc<Mutex<Vec<String>>>,
}

async fn start(dir: &Path) -> Net {
    let (hook, seen) = webhook().await;
    let o_addr = format!("127.0.0.1:{}", free_port());
    let mut o = Node::start(
        &dir.join("o"),
        &["-orchestrator", "-transcoder", "-serviceAddr", &o_addr],
    );
    o.line("serving");
    let (http, rtmp) = (
        format!("127.0.0.1:{}", free_port()),
        format!("127.0.0.1:{}", free_port()),
    );
    let b_dir = dir.join("b");
    let mut b = Node::start_logged(
        &b_dir,
        &[
            "-broadcaster",
            "-orchAddr",
            &o_addr,
            "-httpAddr",
            &http,
            "-rtmpAddr",
            &rtmp,
            "-transcodingOptions",
            "P144p30fps16x9",
            "-authWebhookUrl",
            &hook,
        ],
    );
    b.line("Broadcaster (offchain)");
    Net {
        _o: o,
        b,
        b_dir,
        http: format!("http://{http}"),
        rtmp: format!("rtmp://{rtmp}"),
        seen,
    }
}

/// How many segments the media playlist at `path` lists, once it lists `want` (waiting up to
/// 30 s; fewer if it never does).
async fn segments(base: &str, path: &str, want: usize) -> usize {
    let mut listed = 0;
    for _ in 0..120 {
        let r = reqwest::get(format!("{base}{path}")).await.unwrap();
        if r.status() == 200 {
            listed = r.text().await.unwrap().matches("#EXTINF").count();
            if listed >= want {
                break;
            }
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    listed
}

async fn status(url: String) -> u16 {
    reqwest::get(url).await.unwrap().status().as_u16()
}

/// The B's `StreamAuthDecided` events (after it stopped), as JSON.
fn decisions(b_dir: &Path) -> Vec<serde_json::Value> {
    let (_, dump) = tool(b_dir, &["log", "dump", "-json"]);
    dump.lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap())
        .filter(|v| v["kind"] == "StreamAuthDecided")
        .map(|v| v["event"]["StreamAuthDecided"].clone())
        .collect()
}

/// ffmpeg publishing a 4 s 320x180 FLV to `url`: whether it finished cleanly.
async fn publish(dir: &Path, url: String) -> bool {
    let gop = [
        "-g",
        "60",
        "-keyint_min",
        "60",
        "-sc_threshold",
        "0",
        "-f",
        "flv",
    ];
    let src = source(dir, "src.flv", "320x180", "30", "4", false, &gop);
    tokio::task::spawn_blocking(move || {
        std::process::Command::new("ffmpeg")
            .args(["-hide_banner", "-loglevel", "error", "-i"])
            .arg(&src)
            .args(["-c", "copy", "-f", "flv", &url])
            .stdin(std::process::Stdio::null())
            .status()
            .unwrap()
            .success()
    })
    .await
    .unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rtmp_publishers_are_admitted_refused_or_renamed_by_the_webhook() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let net = start(d).await;

    // An empty 200: the stream plays under its own name with the B's ladder.
    assert!(publish(d, format!("{}/admitted", net.rtmp)).await);
    let admitted = segments(&net.http, "/stream/admitted/P144p30fps16x9.m3u8", 2).await;
    assert_eq!(admitted, 2, "the admitted stream plays");

    // A 403: ffmpeg's publish is refused and nothing plays.
    assert!(
        !publish(d, format!("{}/refused/key", net.rtmp)).await,
        "the publisher is turned away"
    );
    assert_eq!(
        status(format!("{}/stream/refused.m3u8", net.http)).await,
        404
    );

    // A JSON 200 with a manifestID: the stream plays as `renamed`, with the webhook's ladder.
    assert!(publish(d, format!("{}/movie/secret", net.rtmp)).await);
    let renamed = segments(&net.http, "/stream/renamed/tiny.m3u8", 2).await;
    assert_eq!(renamed, 2, "the webhook's manifest id and ladder");
    let master = reqwest::get(format!("{}/stream/renamed.m3u8", net.http))
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert!(master.contains("renamed/tiny.m3u8"), "{master}");
    assert!(!master.contains("P144p30fps16x9"), "{master}");
    assert_eq!(status(format!("{}/stream/movie.m3u8", net.http)).await, 404);

    let seen = net.seen.lock().unwrap().clone();
    assert_eq!(
        seen,
        [
            format!("{}/admitted", net.rtmp),
            format!("{}/refused/key", net.rtmp),
            format!("{}/movie/secret", net.rtmp),
        ],
        "one POST per publish, with the URL the publisher used"
    );
    let Net { b, b_dir, .. } = net;
    assert!(b.sigterm().0.success());
    let decided = decisions(&b_dir);
    assert_eq!(decided.len(), 3, "{decided:?}");
    assert_eq!(decided[0]["decision"]["Admitted"]["stream"], "admitted");
    assert_eq!(
        decided[1]["decision"]["Refused"]["reason"],
        "status=403 error=not you"
    );
    let renamed = &decided[2]["decision"]["Admitted"];
    assert_eq!(decided[2]["requested"], "movie");
    assert_eq!(renamed["stream"], "renamed");
    assert_eq!(renamed["key"], "secret");
    assert_eq!(renamed["profiles"][0]["name"], "tiny");
    assert_eq!(renamed["timeout_multiplier"], 2);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn pushed_streams_are_renamed_refused_or_timed_out_by_the_webhook() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let mut net = start(d).await;

    // ffmpeg's HLS muxer PUTs `movie`'s segments; the webhook renames the stream on the first.
    let src = source(d, "src.ts", "320x180", "30", "4", true, &["-g", "60"]);
    let base = net.http.clone();
    tokio::task::spawn_blocking(move || push_hls(&src, &base, "movie"))
        .await
        .unwrap();
    let listed = segments(&net.http, "/stream/renamed/tiny.m3u8", 2).await;
    assert_eq!(
        listed, 2,
        "both segments play under the webhook's manifest id"
    );
    assert_eq!(status(format!("{}/stream/movie.m3u8", net.http)).await, 404);

    // A refused push is a 403 (go-livepeer's text), and a webhook that does not answer within
    // the B's 3 s refuses the stream too, with a log line that says so.
    let seg = std::fs::read(source(d, "s.ts", "320x180", "30", "2", false, &[])).unwrap();
    let http = reqwest::Client::new();
    for name in ["refused", "slow"] {
        let url = format!("{}/live/{name}/0.ts", net.http);
        let r = http.put(&url).body(seg.clone()).send().await.unwrap();
        assert_eq!(r.status(), 403, "{name}");
        assert_eq!(
            r.text().await.unwrap(),
            format!("Could not create stream ID: url={url}")
        );
        assert_eq!(
            status(format!("{}/stream/{name}.m3u8", net.http)).await,
            404
        );
    }
    let line = net.b.line("stream slow: refused");
    assert!(
        line.contains("the auth webhook did not answer within 3000 ms"),
        "{line}"
    );

    let seen = net.seen.lock().unwrap().clone();
    assert_eq!(
        seen.iter().filter(|u| u.contains("/live/movie/")).count(),
        1,
        "one POST for the stream, not one per segment: {seen:?}"
    );
    // The URL of whichever segment reached the B first (ffmpeg does not wait for answers).
    let first = seen[0].strip_prefix(&format!("{}/live/movie/", net.http));
    assert!(
        first.is_some_and(|f| f == "0.ts" || f == "1.ts"),
        "{seen:?}"
    );
    let Net { b, b_dir, .. } = net;
    assert!(b.sigterm().0.success());
    let decided = decisions(&b_dir);
    let reasons: Vec<&str> = decided
        .iter()
        .filter_map(|d| d["decision"]["Refused"]["reason"].as_str())
        .collect();
    assert_eq!(
        reasons,
        [
            "status=403 error=not you",
            "the auth webhook did not answer within 3000 ms"
        ]
    );
    assert_eq!(decided[0]["decision"]["Admitted"]["stream"], "renamed");
}
