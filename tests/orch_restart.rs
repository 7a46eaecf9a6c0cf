//! Restarts through the binary, as an operator meets them: an O killed with SIGKILL between two
//! segments comes back knowing its sessions (restored = a replay from seq 0) and takes the next
//! segment on the old auth token with no `GetOrchestrator` in between; a B killed the same way
//! ends the streams it left open (`NodeRestarted`, `#EXT-X-ENDLIST`); SIGTERM mid-stream stops
//! a B and an O within 10 s with exit 0 and a log that verifies.
#![allow(clippy::unwrap_used)]

mod media_support;
mod orch_support;

use livepeer::api::{client::OrchClient, info::OrchInfo};
use media_support::{rtmp_test_pattern, source, KillOnDrop};
use orch_support::{free_port, segment_meta, tool, Node};
use std::{
    path::{Path, PathBuf},
    process::Stdio,
    time::{Duration, Instant},
};

const T: Duration = Duration::from_secs(60);

/// The body of a GET.
async fn get_text(http: &reqwest::Client, url: &str) -> String {
    http.get(url).send().await.unwrap().text().await.unwrap()
}

/// The streams digest a node printed when it restored its state.
fn restored_streams(line: &str) -> (String, usize) {
    let digest = line
        .split("streams ")
        .nth(1)
        .unwrap()
        .split(' ')
        .next()
        .unwrap();
    let open = line.split('(').nth(1).unwrap().split(' ').next().unwrap();
    (digest.to_string(), open.parse().unwrap())
}

/// The streams digest `livepeer replay` computes from seq 0.
fn replayed_streams(dir: &Path) -> String {
    let (code, out) = tool(dir, &["replay"]);
    assert_eq!(code, 0, "{out}");
    let line = out.lines().find(|l| l.starts_with("streams ")).unwrap();
    line.split_whitespace().nth(2).unwrap().to_string()
}

async fn submit(uri: &str, info: &OrchInfo, seq: i64, seg: &[u8]) -> bool {
    let b = OrchClient::connect(uri).await.unwrap();
    let m = segment_meta(info, &format!("m{seq}"), seq, seg, &["P144p30fps16x9"]);
    let r = b
        .submit_segment(uri, &m, "", seg.to_vec(), T)
        .await
        .unwrap();
    r.outcome.is_ok()
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_o_killed_between_segments_keeps_its_sessions_and_their_tokens() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("o");
    let addr = format!("127.0.0.1:{}", free_port());
    let uri = format!("https://{addr}");
    let o_args = [
        "-orchestrator",
        "-transcoder",
        "-serviceAddr",
        &addr,
        "-maxSessions",
        "2",
    ];
    let seg = std::fs::read(source(dir.path(), "s.ts", "320x180", "30", "2", false, &[])).unwrap();

    let mut o = Node::start(&data, &o_args);
    o.line("serving");
    let b = OrchClient::connect(&uri).await.unwrap();
    let first = b.get_orchestrator().await.unwrap();
    let second = b.get_orchestrator().await.unwrap();
    assert!(submit(&uri, &first, 0, &seg).await);
    assert!(submit(&uri, &second, 0, &seg).await);
    drop(b);
    o.sigkill();

    // Back up: both sessions are restored, and they are what a replay from seq 0 gives.
    let mut o = Node::start(&data, &o_args);
    let (digest, open) = restored_streams(&o.line("State restored"));
    o.line("serving");
    assert_eq!(open, 2, "both sessions opened before the kill");
    o.sigkill();
    assert_eq!(
        digest,
        replayed_streams(&data),
        "restored = replayed from seq 0"
    );

    // The next segment carries the old token: no GetOrchestrator in between. Both restored
    // sessions hold the two -maxSessions slots, so a third session is refused meanwhile.
    let mut o = Node::start(&data, &o_args);
    o.line("serving");
    assert!(
        submit(&uri, &first, 1, &seg).await,
        "the old token is honoured"
    );
    let c = OrchClient::connect(&uri).await.unwrap();
    let third = c.get_orchestrator().await.unwrap();
    let refused = c
        .submit_segment(
            &uri,
            &segment_meta(&third, "m0", 0, &seg, &["P144p30fps16x9"]),
            "",
            seg.clone(),
            T,
        )
        .await;
    assert!(
        matches!(&refused, Err(livepeer::api::client::ClientError::Refused { status: 403, text }) if text == "OrchestratorCapped"),
        "{refused:?}"
    );
    let (status, took) = o.sigterm();
    assert!(status.success(), "{status:?}");
    assert!(took < Duration::from_secs(10), "{took:?}");
    let (code, out) = tool(&data, &["log", "verify"]);
    assert_eq!(code, 0, "{out}");
    let (_, dump) = tool(&data, &["log", "dump"]);
    let session = &first.auth_token.as_ref().unwrap().session_id;
    let starts = dump
        .lines()
        .filter(|l| l.contains("StreamStarted") && l.contains(session.as_str()))
        .count();
    assert_eq!(starts, 1, "the session did not start again:\n{dump}");
    // Stopped with SIGTERM: checkpointed, so the next start folds nothing.
    let mut o = Node::start(&data, &o_args);
    assert!(
        o.line("State restored")
            .starts_with("State restored: 0 records folded"),
        "{:?}",
        o.seen
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_b_killed_mid_stream_ends_its_streams_at_restart() {
    let dir = tempfile::tempdir().unwrap();
    // The O takes one session: the killed B's stream holds it until the B, restarted, ends it.
    let net = BehindO::start(dir.path(), "1");
    let b_dir = dir.path().join("b");
    let b_addr = net.b_addr.clone();
    let mut b = Node::start(&b_dir, &net.b_args());
    b.line("Broadcaster");
    let seg = std::fs::read(source(dir.path(), "s.ts", "320x180", "30", "2", false, &[])).unwrap();
    let http = reqwest::Client::new();
    for seq in 0..2 {
        let r = http
            .put(format!("http://{b_addr}/live/movie/{seq}.ts"))
            .body(seg.clone())
            .send()
            .await
            .unwrap();
        assert_eq!(r.status(), 200);
    }
    let playlist = format!("http://{b_addr}/stream/movie/P144p30fps16x9.m3u8");
    let live = get_text(&http, &playlist).await;
    assert!(
        live.contains("P144p30fps16x9/1.ts") && !live.contains("ENDLIST"),
        "{live}"
    );
    b.sigkill();

    let mut b = Node::start(&b_dir, &net.b_args());
    let ended = b.line("Ended 1 streams the last run left open");
    assert!(ended.ends_with("movie"), "{ended}");
    b.line("Broadcaster");
    let closed = get_text(&http, &playlist).await;
    assert!(
        closed.contains("P144p30fps16x9/1.ts\n#EXT-X-ENDLIST\n"),
        "the playlist lists what was served, closed: {closed}"
    );
    // The restarted B ended the killed stream's session at the O: a new stream gets the O's
    // only slot now, not after the O's 70 s idle timeout.
    let r = http
        .put(format!("http://{b_addr}/live/second/0.ts"))
        .body(seg.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(r.status(), 200, "{}", r.text().await.unwrap());
    let (status, took) = b.sigterm();
    assert!(
        status.success() && took < Duration::from_secs(10),
        "{status:?} {took:?}"
    );
    let (code, out) = tool(&b_dir, &["log", "verify"]);
    assert_eq!(code, 0, "{out}");
    let (_, dump) = tool(&b_dir, &["log", "dump"]);
    assert!(dump.contains("NodeRestarted"), "{dump}");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn sigterm_mid_stream_stops_b_and_o_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    let mut net = BehindO::start(dir.path(), "10");
    let b_dir = dir.path().join("b");
    let (b_addr, rtmp_addr) = (net.b_addr.clone(), net.rtmp_addr.clone());
    let mut b = Node::start(&b_dir, &net.b_args());
    b.line("Broadcaster");
    // A publisher that would go on for a minute.
    let publisher = KillOnDrop(
        rtmp_test_pattern("60", &format!("rtmp://{rtmp_addr}/movie"))
            .stderr(Stdio::null())
            .spawn()
            .unwrap(),
    );
    let playlist = format!("http://{b_addr}/stream/movie/P144p30fps16x9.m3u8");
    let deadline = Instant::now() + Duration::from_secs(30);
    loop {
        let r = reqwest::get(&playlist).await.unwrap();
        if r.status() == 200 && r.text().await.unwrap().contains(".ts") {
            break;
        }
        assert!(Instant::now() < deadline, "no segment came through");
        tokio::time::sleep(Duration::from_millis(200)).await;
    }
    let (status, took) = b.sigterm();
    assert!(status.success(), "B: {status:?}");
    assert!(took < Duration::from_secs(10), "B took {took:?}");
    let (status, took) = net.o.take().unwrap().sigterm();
    assert!(status.success(), "O: {status:?}");
    assert!(took < Duration::from_secs(10), "O took {took:?}");
    drop(publisher);
    for d in [&net.o_dir, &b_dir] {
        let (code, out) = tool(d, &["log", "verify"]);
        assert_eq!(code, 0, "{out}");
    }
    // The B drained its publisher before it stopped: the stream ended as unpublished, with its
    // last segment through, and nothing is left open for the next start to clean up.
    let (_, dump) = tool(&b_dir, &["log", "dump"]);
    let ends: Vec<&str> = dump.lines().filter(|l| l.contains("StreamEnded")).collect();
    assert!(
        ends.len() == 1 && ends[0].contains("Unpublished"),
        "{ends:?}"
    );
    let mut b = Node::start(&b_dir, &net.b_args());
    assert!(
        b.line("State restored")
            .contains("(0 streams or sessions open)"),
        "{:?}",
        b.seen
    );
}

/// An O serving from the binary, and the addresses a B in front of it will use.
struct BehindO {
    o: Option<Node>,
    o_dir: PathBuf,
    o_addr: String,
    b_addr: String,
    rtmp_addr: String,
}

impl BehindO {
    /// An O taking `max_sessions` sessions.
    fn start(dir: &Path, max_sessions: &str) -> BehindO {
        let o_addr = format!("127.0.0.1:{}", free_port());
        let o_dir = dir.join("o");
        let mut o = Node::start(
            &o_dir,
            &[
                "-orchestrator",
                "-transcoder",
                "-serviceAddr",
                &o_addr,
                "-maxSessions",
                max_sessions,
            ],
        );
        o.line("serving");
        BehindO {
            o: Some(o),
            o_dir,
            o_addr,
            b_addr: format!("127.0.0.1:{}", free_port()),
            rtmp_addr: format!("127.0.0.1:{}", free_port()),
        }
    }

    /// A B's flags: this O, its ports, a one-rendition ladder.
    fn b_args(&self) -> Vec<&str> {
        vec![
            "-broadcaster",
            "-orchAddr",
            &self.o_addr,
            "-httpAddr",
            &self.b_addr,
            "-rtmpAddr",
            &self.rtmp_addr,
            "-transcodingOptions",
            "P144p30fps16x9",
        ]
    }
}

/// The roles watch SIGTERM before they say they serve: a SIGTERM sent the moment the line is
/// out stops the O and the B cleanly (exit 0), every time.
#[tokio::test]
async fn a_sigterm_right_after_the_serving_line_stops_the_node_cleanly() {
    let dir = tempfile::tempdir().unwrap();
    for i in 0..3 {
        let net = BehindO::start(&dir.path().join(format!("{i}")), "10");
        let (status, _) = net.o.unwrap().sigterm();
        assert!(status.success(), "O, try {i}: {status:?}");
        let net = BehindO::start(&dir.path().join(format!("{i}-b")), "10");
        let mut b = Node::start(&dir.path().join(format!("{i}-b/b")), &net.b_args());
        b.line("Broadcaster");
        let (status, _) = b.sigterm();
        assert!(status.success(), "B, try {i}: {status:?}");
    }
}
