//! A viewer's check of the B's HLS output: hls.js (npm, pinned in package-lock.json) in headless
//! Chromium (Debian's package) plays the master playlist of a stream that the ffmpeg CLI is
//! publishing over RTMP through B, O and T; the page reports what it sees to this test.
#![allow(clippy::unwrap_used)]

mod media_support;

use axum::{
    body::Bytes,
    extract::State,
    routing::{get, post},
    Router,
};
use livepeer::node;
use std::{path::PathBuf, process::Stdio, time::Duration};

fn node_args(args: &[&str]) -> livepeer::cli::NodeArgs {
    livepeer::cli::node_args(args).unwrap()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn hls_js_in_chromium_plays_the_stream() {
    let hls_js =
        PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("node_modules/hls.js/dist/hls.min.js");
    let hls_js = std::fs::read(&hls_js).unwrap_or_else(|e| {
        panic!(
            "{}: {e} (./dev test installs hls.js with npm)",
            hls_js.display()
        )
    });
    assert!(
        std::process::Command::new("chromium")
            .arg("--version")
            .output()
            .is_ok(),
        "chromium not found (./dev test installs Debian's package)"
    );
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let o = node::orchestrator::start(
        &d.join("o"),
        &node_args(&[
            "-orchestrator",
            "-transcoder",
            "-serviceAddr",
            "127.0.0.1:0",
        ]),
    )
    .await
    .unwrap();
    let o_addr = o.uri.trim_start_matches("https://").to_string();
    tokio::spawn(o.serve(std::future::pending()));
    let b = node::broadcaster::start(
        &d.join("b"),
        &node_args(&[
            "-broadcaster",
            "-orchAddr",
            &o_addr,
            "-httpAddr",
            "127.0.0.1:0",
            "-rtmpAddr",
            "127.0.0.1:0",
            "-transcodingOptions",
            "P240p30fps16x9,P144p30fps16x9",
        ]),
    )
    .await
    .unwrap();
    let (b_url, rtmp_url) = (b.url.clone(), b.rtmp_url.clone());
    tokio::spawn(b.serve(std::future::pending()));

    let _publisher = media_support::KillOnDrop(
        std::process::Command::new("ffmpeg")
            .args(["-hide_banner", "-loglevel", "error", "-re"])
            .args(["-f", "lavfi", "-i", "testsrc2=size=640x360:rate=30"])
            .args(["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"])
            .args([
                "-t",
                "20",
                "-c:v",
                "libx264",
                "-preset",
                "ultrafast",
                "-g",
                "60",
            ])
            .args([
                "-keyint_min",
                "60",
                "-sc_threshold",
                "0",
                "-c:a",
                "aac",
                "-f",
                "flv",
            ])
            .arg(format!("{rtmp_url}/movie"))
            .stdin(Stdio::null())
            .spawn()
            .unwrap(),
    );
    // The player's page and a place for it to report to.
    let (tx, mut rx) = tokio::sync::mpsc::unbounded_channel::<serde_json::Value>();
    let page = Router::new()
        .route(
            "/player.html",
            get(|| async { axum::response::Html(include_str!("hls_player/player.html")) }),
        )
        .route(
            "/hls.min.js",
            get(move || async move { ([("content-type", "text/javascript")], hls_js) }),
        )
        .route(
            "/status",
            post(
                |State(tx): State<tokio::sync::mpsc::UnboundedSender<serde_json::Value>>,
                 body: Bytes| async move {
                    if let Ok(v) = serde_json::from_slice(&body) {
                        let _ = tx.send(v);
                    }
                },
            ),
        )
        .with_state(tx);
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let page_url = format!("http://{}", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, page).await });

    // Wait for the stream's first segments, as a viewer would.
    let http = reqwest::Client::new();
    let media = format!("{b_url}/stream/movie/P144p30fps16x9.m3u8");
    for _ in 0..120 {
        let body = match http.get(&media).send().await {
            Ok(r) => r.text().await.unwrap_or_default(),
            Err(_) => String::new(),
        };
        if body.matches("#EXTINF").count() >= 2 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let profile = d.join("chromium");
    let _browser = media_support::KillOnDrop(
        std::process::Command::new("chromium")
            .args([
                "--headless=new",
                "--no-sandbox",
                "--disable-gpu",
                "--no-first-run",
            ])
            .args(["--autoplay-policy=no-user-gesture-required", "--mute-audio"])
            .arg(format!("--user-data-dir={}", profile.display()))
            .arg(format!(
                "{page_url}/player.html?src={b_url}/stream/movie.m3u8"
            ))
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let mut levels = None;
    let mut played = None;
    let deadline = tokio::time::Instant::now() + Duration::from_secs(60);
    while played.is_none() {
        let msg = tokio::time::timeout_at(deadline, rx.recv())
            .await
            .expect("the player reported no playback within 60 s")
            .unwrap();
        match msg["event"].as_str() {
            Some("manifest") => levels = Some(msg["levels"].clone()),
            Some("error") if msg["fatal"] == true => panic!("hls.js fatal error: {msg}"),
            Some("time") if msg["t"].as_f64().unwrap_or(0.0) >= 2.0 => played = Some(msg),
            _ => {}
        }
    }
    // hls.js lists the variants by bandwidth.
    assert_eq!(levels.unwrap(), serde_json::json!(["256x144", "426x240"]));
    let played = played.unwrap();
    let size = (played["w"].as_u64().unwrap(), played["h"].as_u64().unwrap());
    assert!(
        size == (426, 240) || size == (256, 144),
        "the video element shows a rendition: {played}"
    );
}
