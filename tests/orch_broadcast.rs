//! B and O together, offchain, on local ports: the real ffmpeg CLI pushes a live stream over
//! HTTP (its HLS muxer `PUT`ting 2 s segments), the B sends each segment to the O over TLS,
//! fetches the renditions and serves them as HLS, checked with ffprobe; multipart answers and
//! the B's refusals follow go-livepeer.
#![allow(clippy::unwrap_used)]

mod media_support;
mod orch_support;

use livepeer::events::Event;
use media_support::{ffmpeg, probe, push_hls, source, write, VideoFacts};
use orch_support::in_process::{serve_b, serve_o};
use std::{path::Path, process::Command};

struct Running {
    o: Option<
        std::sync::Arc<livepeer::node::orchestrator::Orchestrator<livepeer::log::FjallStore>>,
    >,
    b_url: String,
    rtmp_url: String,
    b: std::sync::Arc<livepeer::node::broadcaster::service::Broadcaster<livepeer::log::FjallStore>>,
    stop: Vec<tokio::sync::oneshot::Sender<()>>,
}

impl Running {
    /// The B's log, decoded.
    fn events(&self) -> Vec<Event> {
        self.b
            .log()
            .read(0, u64::MAX)
            .map(|e| e.unwrap().envelope.event)
            .collect()
    }
}

impl Drop for Running {
    fn drop(&mut self) {
        for s in self.stop.drain(..) {
            let _ = s.send(());
        }
    }
}

async fn start(dir: &std::path::Path, orch_addr: Option<&str>) -> Running {
    start_with(dir, orch_addr, &[]).await
}

async fn start_with(dir: &std::path::Path, orch_addr: Option<&str>, b_extra: &[&str]) -> Running {
    start_full(dir, orch_addr, None, b_extra).await
}

/// A B (with `-orchAddr <dead_first>,<O>` when `dead_first` is given) and, unless `orch_addr`
/// names one, an O of its own.
async fn start_full(
    dir: &std::path::Path,
    orch_addr: Option<&str>,
    dead_first: Option<&str>,
    b_extra: &[&str],
) -> Running {
    let mut stop = Vec::new();
    let mut o_handle = None;
    let orch_addr = match orch_addr {
        Some(a) => a.to_string(),
        None => {
            let (uri, o) = serve_o(&dir.join("o"), &[], &mut stop).await;
            o_handle = Some(o);
            uri.trim_start_matches("https://").to_string()
        }
    };
    let orch_addr = match dead_first {
        Some(dead) => format!("{dead},{orch_addr}"),
        None => orch_addr,
    };
    let mut b_args = vec![
        "-orchAddr",
        &orch_addr,
        "-transcodingOptions",
        "P240p30fps16x9,P144p30fps16x9",
    ];
    b_args.extend_from_slice(b_extra);
    let b = serve_b(&dir.join("b"), &b_args, &mut stop).await;
    Running {
        o: o_handle,
        b_url: b.url,
        rtmp_url: b.rtmp_url,
        b: b.b,
        stop,
    }
}

/// Fetches the segment at `url` into `dir` and probes it.
async fn probe_segment(http: &reqwest::Client, dir: &Path, url: &str) -> VideoFacts {
    let bytes = http.get(url).send().await.unwrap().bytes().await.unwrap();
    probe(&write(dir, "seg.ts", &bytes))
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ffmpeg_pushes_a_stream_that_plays_back_as_hls() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let r = start(d, None).await;
    let src = source(
        d,
        "src.ts",
        "640x360",
        "30",
        "6",
        true,
        &["-g", "60", "-keyint_min", "60", "-sc_threshold", "0"],
    );
    let url = r.b_url.clone();
    let push = tokio::task::spawn_blocking(move || push_hls(&src, &url, "movie"));
    push.await.unwrap();
    // ffmpeg does not wait for the answers: wait until the B has all three segments.
    let http = reqwest::Client::new();
    let media = format!("{}/stream/movie/P240p30fps16x9.m3u8", r.b_url);
    let mut playlist = String::new();
    for _ in 0..120 {
        playlist = http.get(&media).send().await.unwrap().text().await.unwrap();
        if playlist.matches("#EXTINF").count() == 3 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    assert_eq!(playlist.matches("#EXTINF:2.000,").count(), 3, "{playlist}");
    let master = http
        .get(format!("{}/stream/movie.m3u8", r.b_url))
        .send()
        .await
        .unwrap();
    assert_eq!(master.headers()["content-type"], "application/x-mpegURL");
    let master = master.text().await.unwrap();
    assert!(
        master.contains("RESOLUTION=426x240\nmovie/P240p30fps16x9.m3u8"),
        "{master}"
    );
    assert!(
        master.contains("RESOLUTION=256x144\nmovie/P144p30fps16x9.m3u8"),
        "{master}"
    );
    // A player's view: ffprobe reads the master playlist over HTTP and finds both renditions.
    let out = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "stream=codec_type,width,height",
            "-of",
            "csv=p=0",
        ])
        .arg(format!("{}/stream/movie.m3u8", r.b_url))
        .output()
        .unwrap();
    let streams = String::from_utf8_lossy(&out.stdout);
    assert!(streams.contains("video,426,240"), "{streams}");
    assert!(streams.contains("video,256,144"), "{streams}");
    assert!(streams.contains("audio"), "{streams}");
    // Every segment of every rendition: 60 frames at the profile's size.
    for seq in 0..3 {
        let facts = probe_segment(
            &http,
            d,
            &format!("{}/stream/movie/P144p30fps16x9/{seq}.ts", r.b_url),
        )
        .await;
        assert_eq!(facts.frame_sizes.len(), 60, "segment {seq}");
        assert!(facts.frame_sizes.iter().all(|&s| s == (256, 144)));
    }
    let events = r.events();
    let count = |f: fn(&Event) -> bool| events.iter().filter(|e| f(e)).count();
    assert_eq!(count(|e| matches!(e, Event::StreamStarted(_))), 1);
    assert_eq!(count(|e| matches!(e, Event::SegmentReceived(_))), 3);
    assert_eq!(count(|e| matches!(e, Event::SegmentTranscoded(_))), 3);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn ffmpeg_publishes_over_rtmp_and_the_stream_plays_back_as_hls() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let r = start(d, None).await;
    let src = source(
        d,
        "src.flv",
        "640x360",
        "30",
        "6",
        true,
        &[
            "-g",
            "60",
            "-keyint_min",
            "60",
            "-sc_threshold",
            "0",
            "-f",
            "flv",
        ],
    );
    let publish = format!("{}/movie/Secret/Key", r.rtmp_url);
    let p = publish.clone();
    tokio::task::spawn_blocking(move || {
        ffmpeg(&[
            "-re",
            "-i",
            src.to_str().unwrap(),
            "-c",
            "copy",
            "-f",
            "flv",
            &p,
        ]);
    })
    .await
    .unwrap();
    // The last segment is cut when the publisher leaves; the stream then ends.
    let ended = |r: &Running| {
        r.events()
            .iter()
            .any(|e| matches!(e, Event::StreamEnded(_)))
    };
    for _ in 0..120 {
        if ended(&r) {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(250)).await;
    }
    let events = r.events();
    let started: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::StreamStarted(s) => Some(s.clone()),
            _ => None,
        })
        .collect();
    assert_eq!(started.len(), 1);
    assert_eq!(
        started[0].stream, "movie",
        "the name is the first path element"
    );
    assert_eq!(
        started[0].source,
        livepeer::events::IngestSource::Rtmp {
            app: "movie".into(),
            key: "Secret/Key".into()
        }
    );
    let transcoded = events
        .iter()
        .filter(|e| matches!(e, Event::SegmentTranscoded(_)))
        .count();
    assert_eq!(transcoded, 3, "{events:?}");
    // The B ended its O session (EndTranscodingSession), freeing the O's -maxSessions slot.
    assert_eq!(r.o.as_ref().unwrap().active_sessions(), 0);
    assert!(events.iter().any(|e| matches!(e, Event::StreamEnded(s) if s.reason == livepeer::events::EndReason::Unpublished)));
    let http = reqwest::Client::new();
    let playlist = http
        .get(format!("{}/stream/movie/P240p30fps16x9.m3u8", r.b_url))
        .send()
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(playlist.matches("#EXTINF:").count(), 3, "{playlist}");
    assert!(playlist.contains("#EXT-X-TARGETDURATION:2\n"), "{playlist}");
    for seq in 0..3 {
        let facts = probe_segment(
            &http,
            d,
            &format!("{}/stream/movie/P240p30fps16x9/{seq}.ts", r.b_url),
        )
        .await;
        assert!(
            (59..=61).contains(&facts.frame_sizes.len()),
            "segment {seq}: {}",
            facts.frame_sizes.len()
        );
        assert_eq!(facts.pict_types[0], "I");
        assert!(facts.has_audio);
    }
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn rtmp_publishers_beyond_max_sessions_are_refused() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let r = start_with(d, None, &["-maxSessions", "1"]).await;
    let src = source(d, "src.flv", "320x180", "30", "4", false, &["-f", "flv"]);
    let publish = |name: &str| {
        std::process::Command::new("ffmpeg")
            .args(["-hide_banner", "-loglevel", "error", "-re", "-i"])
            .arg(&src)
            .args(["-c", "copy", "-f", "flv"])
            .arg(format!("{}/{name}", r.rtmp_url))
            .stdin(std::process::Stdio::null())
            .spawn()
            .unwrap()
    };
    let mut first = publish("one");
    let started = |name: &'static str| {
        r.events()
            .iter()
            .any(|e| matches!(e, Event::StreamStarted(s) if s.stream == name))
    };
    for _ in 0..80 {
        if started("one") {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(50)).await;
    }
    assert!(started("one"));
    let mut refused = publish("two");
    let status = tokio::task::spawn_blocking(move || refused.wait().unwrap())
        .await
        .unwrap();
    assert!(
        !status.success(),
        "the second publisher is refused (-maxSessions 1)"
    );
    assert!(!started("two"));
    let _ = tokio::task::spawn_blocking(move || first.wait()).await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn garbage_on_the_rtmp_port_does_not_hurt_the_next_publisher() {
    use tokio::io::AsyncWriteExt;
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let r = start(d, None).await;
    let addr = r.rtmp_url.trim_start_matches("rtmp://").to_string();
    // Not a handshake; a valid handshake start followed by junk chunks.
    let mut junk: Vec<u8> = (0..20_000u32)
        .map(|i| (i.wrapping_mul(2_654_435_761) >> 13) as u8)
        .collect();
    for first in [junk.clone(), {
        junk[0] = 3;
        junk
    }] {
        if let Ok(mut c) = tokio::net::TcpStream::connect(&addr).await {
            let _ = c.write_all(&first).await;
            let _ = c.shutdown().await;
        }
    }
    let src = source(d, "src.flv", "320x180", "30", "2", false, &["-f", "flv"]);
    let publish = format!("{}/after", r.rtmp_url);
    let status = tokio::task::spawn_blocking(move || {
        std::process::Command::new("ffmpeg")
            .args(["-hide_banner", "-loglevel", "error", "-i"])
            .arg(&src)
            .args(["-c", "copy", "-f", "flv", &publish])
            .status()
            .unwrap()
    })
    .await
    .unwrap();
    assert!(status.success());
    let mut transcoded = 0;
    for _ in 0..80 {
        transcoded = r
            .events()
            .iter()
            .filter(|e| matches!(e, Event::SegmentTranscoded(t) if t.stream == "after"))
            .count();
        if transcoded == 1 {
            break;
        }
        tokio::time::sleep(std::time::Duration::from_millis(100)).await;
    }
    assert_eq!(transcoded, 1);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_dead_orchestrator_is_passed_over() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let r = start_full(d, None, Some("127.0.0.1:9"), &[]).await;
    let seg = std::fs::read(source(d, "s.ts", "320x180", "30", "2", false, &[])).unwrap();
    let http = reqwest::Client::new();
    for (stream, seq) in [("a", 0), ("a", 1), ("b", 0)] {
        let resp = http
            .put(format!("{}/live/{stream}/{seq}.ts", r.b_url))
            .body(seg.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(
            resp.status().as_u16(),
            200,
            "{}",
            resp.text().await.unwrap()
        );
    }
    let uris: Vec<String> = r
        .events()
        .into_iter()
        .filter_map(|e| match e {
            Event::SegmentTranscoded(t) => match t.worker {
                livepeer::events::Worker::Orchestrator { uri, .. } => Some(uri),
                _ => None,
            },
            _ => None,
        })
        .collect();
    assert_eq!(uris.len(), 3);
    assert!(uris.iter().all(|u| !u.ends_with(":9")), "{uris:?}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn multipart_answers_and_refusals() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path();
    let r = start_with(d, None, &["-currentManifest"]).await;
    let seg = std::fs::read(source(d, "s.ts", "320x180", "30", "2", false, &[])).unwrap();
    let http = reqwest::Client::new();
    let resp = http
        .put(format!("{}/live/cam/0.ts", r.b_url))
        .header("Accept", "multipart/mixed")
        .header("Content-Duration", "2000")
        .body(seg.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let ct = resp.headers()["content-type"].to_str().unwrap().to_string();
    let boundary = ct
        .strip_prefix("multipart/mixed; boundary=")
        .unwrap()
        .to_string();
    let body = resp.bytes().await.unwrap();
    let text = String::from_utf8_lossy(&body);
    assert_eq!(text.matches(&format!("--{boundary}\r\n")).count(), 2);
    assert!(text.contains("Rendition-Name: P240p30fps16x9\r\n"));
    assert!(text.contains("Content-Disposition: attachment; filename=\"P144p30fps16x9_0.ts\"\r\n"));
    assert!(text.ends_with(&format!("--{boundary}--\r\n")));

    // -currentManifest: the latest stream's master playlist under a fixed name.
    let get = |path: &str| http.get(format!("{}{path}", r.b_url)).send();
    let current = get("/stream/current.m3u8")
        .await
        .unwrap()
        .text()
        .await
        .unwrap();
    assert_eq!(
        current,
        get("/stream/cam.m3u8").await.unwrap().text().await.unwrap()
    );
    assert!(current.contains("cam/P240p30fps16x9.m3u8"), "{current}");

    let status = |resp: reqwest::Response| resp.status().as_u16();
    let status_of = |resp: &reqwest::Response| resp.status().as_u16();
    let put = |path: &str| {
        http.put(format!("{}{path}", r.b_url))
            .body(seg.clone())
            .send()
    };
    // `.mp4`: the renditions come back as fragmented MP4.
    let resp = http
        .put(format!("{}/live/cam/1.mp4", r.b_url))
        .header("Accept", "multipart/mixed")
        .body(seg.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(status_of(&resp), 200);
    let ct = resp.headers()["content-type"].to_str().unwrap().to_string();
    let boundary = livepeer::api::multipart::boundary(&ct).unwrap();
    let parts = livepeer::api::multipart::read(&boundary, &resp.bytes().await.unwrap()).unwrap();
    assert_eq!(parts.len(), 2);
    assert_eq!(
        parts[1].header("Content-Type"),
        Some("video/mp4; name=\"P144p30fps16x9_1.mp4\"")
    );
    let mp4 = write(d, "r.mp4", &parts[1].body);
    let facts = probe(&mp4);
    assert_eq!(facts.frame_sizes.len(), 60);
    assert!(facts.frame_sizes.iter().all(|&s| s == (256, 144)));
    let format = Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "format=format_name",
            "-of",
            "csv=p=0",
        ])
        .arg(&mp4)
        .output()
        .unwrap();
    assert!(String::from_utf8_lossy(&format.stdout).contains("mp4"));
    assert_eq!(status(put("/live/cam/index.m3u8").await.unwrap()), 400);
    let get = http
        .get(format!("{}/live/cam/2.ts", r.b_url))
        .send()
        .await
        .unwrap();
    assert_eq!(status(get), 405);
    assert_eq!(
        status(
            http.get(format!("{}/stream/nope.m3u8", r.b_url))
                .send()
                .await
                .unwrap()
        ),
        404
    );
    drop(r);

    // A B whose orchestrator is unreachable answers 503, as go-livepeer does.
    let dir2 = tempfile::tempdir().unwrap();
    let r2 = start(dir2.path(), Some("127.0.0.1:9")).await;
    let resp = http
        .put(format!("{}/live/cam/0.ts", r2.b_url))
        .body(seg)
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 503);
    assert_eq!(resp.text().await.unwrap(), "No sessions available");
}
