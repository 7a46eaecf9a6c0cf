//! An O serving over real TLS on a local port, used by our B client exactly as a go-livepeer B
//! uses an O: `GetOrchestrator` over gRPC, `POST /segment` with the `Livepeer-Segment` and
//! `Livepeer-Payment` headers, renditions fetched from the returned URLs and checked with ffprobe;
//! every refusal with the reference's status and text; the segment's fate in the event log.
#![allow(clippy::unwrap_used)]

mod media_support;
mod orch_support;

use livepeer::{
    api::client::{ClientError, OrchClient},
    api::tls,
    api::{proto::net, segment::SegMeta},
    commands::auth_token::AuthKey,
    events::Event,
    log::MemoryLog,
    media::{
        setup::ladder_config, threads::ThreadPlan, Container, SessionLimits, SessionManager,
        VideoProfile,
    },
    node::orchestrator::{OrchConfig, Orchestrator},
    node::writer::Writer,
    pm::RandSecret,
};
use media_support::{probe, source, write};
use std::{sync::Arc, time::Duration};

struct RunningO {
    uri: String,
    pm: Arc<Writer<livepeer::log::MemoryStore>>,
    _dir: tempfile::TempDir,
    stop: Option<tokio::sync::oneshot::Sender<()>>,
}

impl Drop for RunningO {
    fn drop(&mut self) {
        if let Some(s) = self.stop.take() {
            let _ = s.send(());
        }
    }
}

async fn start_o(max_sessions: u32) -> RunningO {
    let base = ladder_config(
        "P240p30fps16x9",
        Container::MpegTs,
        "veryfast",
        None,
        ThreadPlan::for_cores(2),
    )
    .unwrap();
    let transcoder = Arc::new(SessionManager::new(
        base,
        SessionLimits {
            transcode_timeout: Duration::from_secs(60),
            ..Default::default()
        },
        None,
    ));
    start_o_with(max_sessions, transcoder).await
}

async fn start_o_with(
    max_sessions: u32,
    transcoder: Arc<dyn livepeer::media::Transcoder>,
) -> RunningO {
    livepeer::media::init().unwrap();
    let dir = tempfile::tempdir().unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let uri = format!("https://{}", listener.local_addr().unwrap());
    let (cert, key) = tls::self_signed("127.0.0.1", dir.path()).unwrap();
    assert!(dir.path().join("cert.pem").exists());
    let cfg = tls::server_config(cert, key).unwrap();
    let secret = RandSecret([3; 32]);
    let log = Arc::new(MemoryLog::in_memory().unwrap());
    let pm = Arc::new(Writer::open(log).unwrap().0);
    let o = Arc::new(Orchestrator::new(
        OrchConfig {
            service_uri: uri.clone(),
            price_per_unit: 0,
            pixels_per_unit: 1,
            prices: Default::default(),
            max_sessions,
            version: "test".into(),
            orch_secret: None,
            nodes: Vec::new(),
        },
        AuthKey::derive(&secret),
        Some(transcoder),
        pm.clone(),
    ));
    let (stop, stopped) = tokio::sync::oneshot::channel::<()>();
    tokio::spawn(livepeer::node::httpd::serve(
        listener,
        Some(cfg),
        livepeer::api::orchestrator::app(o),
        async {
            let _ = stopped.await;
        },
    ));
    RunningO {
        uri,
        pm,
        _dir: dir,
        stop: Some(stop),
    }
}

fn meta(info: &livepeer::api::info::OrchInfo, seq: i64, body: &[u8], profiles: &[&str]) -> SegMeta {
    orch_support::segment_meta(info, "stream1", seq, body, profiles)
}

fn refused(r: Result<livepeer::api::info::SegmentResult, ClientError>) -> (u16, String) {
    match r {
        Err(ClientError::Refused { status, text }) => (status, text),
        other => panic!("expected a refusal, got {other:?}"),
    }
}

const T: Duration = Duration::from_secs(60);

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn b_gets_info_submits_segments_and_fetches_renditions_over_tls() {
    let o = start_o(4).await;
    let dir = tempfile::tempdir().unwrap();
    let seg = std::fs::read(source(
        dir.path(),
        "s.ts",
        "640x360",
        "30",
        "2",
        true,
        &["-g", "60"],
    ))
    .unwrap();
    let b = OrchClient::connect(&o.uri).await.unwrap();
    let info = b.get_orchestrator().await.unwrap();
    assert_eq!(info.transcoder, o.uri);
    let token = info.auth_token.clone().expect("a session token");
    assert_eq!(token.session_id.len(), 8);
    assert_eq!(token.token.len(), 32);
    // On the wire, as a Go B reads it.
    let mut raw = net::orchestrator_client::OrchestratorClient::new(
        livepeer::api::client::tls_channel(&o.uri).await.unwrap(),
    );
    let caps = raw
        .get_orchestrator(net::OrchestratorRequest::default())
        .await
        .unwrap()
        .into_inner()
        .capabilities
        .unwrap();
    assert_eq!(caps.mandatories, vec![1 << 12], "auth tokens are mandatory");

    let profiles = ["P240p30fps16x9", "P144p30fps16x9"];
    // The same bytes twice, as a B retrying a segment sends them: both come back whole.
    for seq in 0..2 {
        let m = meta(&info, seq, &seg, &profiles);
        let res = b
            .submit_segment(&info.transcoder, &m, "", seg.clone(), T)
            .await
            .unwrap();
        assert_eq!(res.seq, seq);
        assert_eq!(
            res.info.as_ref().and_then(|i| i.auth_token.clone()),
            Some(token.clone()),
            "the refreshed info echoes the B's token"
        );
        let Ok(data) = res.outcome else {
            panic!("no data: {:?}", res.outcome)
        };
        assert_eq!(data.len(), 2);
        for (s, (name, size)) in data.iter().zip([
            ("P240p30fps16x9", (426, 240)),
            ("P144p30fps16x9", (256, 144)),
        ]) {
            assert!(
                s.url.starts_with(&format!("{}/stream/", o.uri)),
                "{}",
                s.url
            );
            assert!(s.url.ends_with(&format!("{name}/{seq}.ts")), "{}", s.url);
            let bytes = b.download(&s.url).await.unwrap();
            let facts = probe(&write(dir.path(), "r.ts", &bytes));
            assert_eq!(facts.frame_sizes.len(), 60);
            assert!(facts.frame_sizes.iter().all(|&f| f == size), "{name}");
            assert_eq!(facts.pixels() as i64, s.pixels, "billed pixels = Σ W×H");
            assert!(facts.has_audio);
        }
    }
    // The log holds each segment's arrival and its renditions with the billed pixels.
    let events: Vec<Event> =
        o.pm.log()
            .read(0, u64::MAX)
            .map(|r| r.unwrap().envelope.event)
            .collect();
    let received = events
        .iter()
        .filter(|e| matches!(e, Event::SegmentReceived(r) if r.stream == token.session_id))
        .count();
    assert_eq!(received, 2, "the O's streams are its sessions");
    let transcoded: Vec<_> = events
        .iter()
        .filter_map(|e| match e {
            Event::SegmentTranscoded(t) => Some(t),
            _ => None,
        })
        .collect();
    assert_eq!(transcoded.len(), 2);
    assert_eq!(transcoded[1].seq_no, 1);
    assert_eq!(transcoded[1].renditions[0].pixels, 426 * 240 * 60);
    // Folded by the streams projection: the session, the B's manifest, the billed pixels.
    let mut streams = livepeer::projections::Streams::default();
    for r in o.pm.log().read(0, u64::MAX) {
        livepeer::projections::Projection::apply(&mut streams, &r.unwrap().envelope);
    }
    let s = &streams.streams[&token.session_id];
    assert_eq!(
        s.source,
        livepeer::events::IngestSource::Broadcaster {
            manifest: "stream1".into()
        }
    );
    assert_eq!((s.segments_in, s.segments_out), (2, 2));
    assert_eq!(s.pixels, 2 * (426 * 240 + 256 * 144) * 60);
    assert!(s.ended.is_none());
    // The B ends the session: the O frees it and records the end.
    b.end_transcoding_session(&token).await.unwrap();
    let mut ended = false;
    for _ in 0..50 {
        ended = o.pm.log().read(0, u64::MAX).any(|r| {
            matches!(r.unwrap().envelope.event, Event::StreamEnded(e) if e.stream == token.session_id)
        });
        if ended {
            break;
        }
        tokio::time::sleep(Duration::from_millis(20)).await;
    }
    assert!(ended, "StreamEnded recorded for the session");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn refusals_carry_the_reference_status_and_text() {
    let o = start_o(1).await;
    let dir = tempfile::tempdir().unwrap();
    let seg = std::fs::read(source(dir.path(), "s.ts", "320x180", "30", "1", false, &[])).unwrap();
    let b = OrchClient::connect(&o.uri).await.unwrap();
    let info = b.get_orchestrator().await.unwrap();
    let p = ["P144p30fps16x9"];
    let submit = |m: SegMeta, pay: &'static str, body: Vec<u8>| {
        let b = &b;
        let uri = info.transcoder.clone();
        async move { b.submit_segment(&uri, &m, pay, body, T).await }
    };

    let r = submit(meta(&info, 0, &seg, &p), "%%%", seg.clone()).await;
    assert_eq!(refused(r).0, 402, "undecodable payment");

    let mut m = meta(&info, 0, &seg, &p);
    m.auth_token = None;
    assert_eq!(
        refused(submit(m, "", seg.clone()).await),
        (403, "missing auth token".into())
    );
    let mut m = meta(&info, 0, &seg, &p);
    if let Some(t) = m.auth_token.as_mut() {
        t.expiration += 1;
    }
    assert_eq!(
        refused(submit(m, "", seg.clone()).await),
        (403, "invalid auth token".into())
    );
    let mut m = meta(&info, 0, &seg, &p);
    m.capabilities.push(1 << 26); // segment slicing: not offered
    assert_eq!(
        refused(submit(m, "", seg.clone()).await),
        (403, "incompatible capabilities".into())
    );
    let mut m = meta(&info, 0, &seg, &p);
    m.capabilities = Vec::new(); // no mandatory AuthToken bit: refused, as go-livepeer does
    assert_eq!(
        refused(submit(m, "", seg.clone()).await),
        (403, "incompatible capabilities".into())
    );
    let mut wrong = seg.clone();
    wrong[100] ^= 1;
    assert_eq!(
        refused(submit(meta(&info, 0, &seg, &p), "", wrong).await),
        (403, "Forbidden".into()),
        "the body must hash to SegData.hash"
    );
    // One session is the cap: this one is admitted, a second session is capped.
    let ok = submit(meta(&info, 0, &seg, &p), "", seg.clone())
        .await
        .unwrap();
    assert!(ok.outcome.is_ok(), "{:?}", ok.outcome);
    let b2 = OrchClient::connect(&o.uri).await.unwrap();
    let other = b2.get_orchestrator().await.unwrap();
    assert_ne!(other.auth_token, info.auth_token);
    assert_eq!(
        refused(submit(meta(&other, 0, &seg, &p), "", seg.clone()).await),
        (403, "OrchestratorCapped".into())
    );
    // Undecodable media is a 200 whose result carries the error.
    let junk = vec![0x47u8; 188 * 10];
    let res = submit(meta(&info, 1, &junk, &p), "", junk).await.unwrap();
    assert!(res.outcome.is_err(), "{:?}", res.outcome);
    // A raw segment header that is not base64 protobuf.
    let resp = reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .build()
        .unwrap()
        .post(format!("{}/segment", o.uri))
        .header("Livepeer-Segment", "not base64!")
        .body(seg.clone())
        .send()
        .await
        .unwrap();
    assert_eq!(resp.status().as_u16(), 403);
    assert_eq!(resp.text().await.unwrap(), "ErrorSegEncoding");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_binary_runs_an_offchain_o_with_go_flags() {
    let dir = tempfile::tempdir().unwrap();
    let addr = format!("127.0.0.1:{}", orch_support::free_port());
    let mut node = orch_support::Node::start(
        dir.path(),
        &[
            "-orchestrator",
            "-transcoder",
            "-serviceAddr",
            &addr,
            "-maxSessions",
            "2",
        ],
    );
    let banner = node.line("serving");
    assert!(banner.contains(&format!("https://{addr}")), "{banner}");
    assert!(dir.path().join("cert.pem").exists());

    let seg = std::fs::read(source(dir.path(), "s.ts", "320x180", "30", "2", true, &[])).unwrap();
    let uri = format!("https://{addr}");
    let b = OrchClient::connect(&uri).await.unwrap();
    let info = b.get_orchestrator().await.unwrap();
    assert_eq!(info.capacity, 2, "-maxSessions is the advertised capacity");
    let res = b
        .submit_segment(
            &info.transcoder,
            &meta(&info, 0, &seg, &["P144p30fps16x9"]),
            "",
            seg,
            T,
        )
        .await
        .unwrap();
    let Ok(data) = res.outcome else {
        panic!("no data: {:?}", res.outcome)
    };
    let bytes = b.download(&data[0].url).await.unwrap();
    let facts = probe(&write(dir.path(), "r.ts", &bytes));
    assert_eq!(facts.frame_sizes.len(), 60);
    drop(node);
    // The node's log recorded the segment (read after the node has stopped).
    let (_, dump) = orch_support::tool(dir.path(), &["log", "dump"]);
    assert!(dump.contains("SegmentTranscoded"), "{dump}");
}

/// A transcoder that takes its time (the fake's output after a pause).
struct Slow(livepeer::media::FakeTranscoder, Duration);

impl livepeer::media::Transcoder for Slow {
    fn transcode(
        &self,
        stream: &str,
        profiles: &[VideoProfile],
        input: livepeer::media::SegmentInput,
    ) -> Result<livepeer::media::SegmentOutput, livepeer::media::MediaError> {
        std::thread::sleep(self.1);
        self.0.transcode(stream, profiles, input)
    }

    fn end(&self, _stream: &str) {}
}

/// As go-livepeer's O, the 200 goes out before transcoding: a Go B waits at most
/// max(2 s, segment/2) for the answer's headers, far less than a slow transcode.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_status_goes_out_before_the_transcode_ends() {
    let pause = Duration::from_millis(2500);
    let o = start_o_with(4, Arc::new(Slow(Default::default(), pause))).await;
    let b = OrchClient::connect(&o.uri).await.unwrap();
    let info = b.get_orchestrator().await.unwrap();
    let seg = b"not even video: the fake transcoder does not look".to_vec();
    let m = meta(&info, 0, &seg, &["P144p30fps16x9"]);
    let http = reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .build()
        .unwrap();
    let started = std::time::Instant::now();
    let resp = http
        .post(format!("{}/segment", o.uri))
        .header(
            "Livepeer-Segment",
            livepeer::api::segment::encode_segment_header(&m),
        )
        .header("Livepeer-Payment", "")
        .body(seg)
        .send()
        .await
        .unwrap();
    let headers_after = started.elapsed();
    assert_eq!(resp.status().as_u16(), 200);
    let body = resp.bytes().await.unwrap();
    let total = started.elapsed();
    assert!(
        headers_after < Duration::from_millis(1500),
        "headers after {headers_after:?}"
    );
    assert!(
        total >= pause,
        "the body waits for the transcode ({total:?})"
    );
    let res = <net::TranscodeResult as prost::Message>::decode(body.as_ref()).unwrap();
    assert!(matches!(
        res.result,
        Some(net::transcode_result::Result::Data(_))
    ));
}

/// `Content-Type: application/vnd+livepeer.uri`: the body is a URL the O fetches the segment
/// from (facts §2.2); an unreachable URL is 400 `BadRequest`.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn the_o_fetches_a_segment_given_by_url() {
    let o = start_o(4).await;
    let dir = tempfile::tempdir().unwrap();
    let seg = std::fs::read(source(dir.path(), "s.ts", "320x180", "30", "1", false, &[])).unwrap();
    let served = seg.clone();
    let files = axum::Router::new().route(
        "/seg.ts",
        axum::routing::get(move || async move { served.clone() }),
    );
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let url = format!("http://{}/seg.ts", listener.local_addr().unwrap());
    tokio::spawn(async move { axum::serve(listener, files).await });

    let b = OrchClient::connect(&o.uri).await.unwrap();
    let info = b.get_orchestrator().await.unwrap();
    let http = reqwest::Client::builder()
        .danger_accept_invalid_certs(true)
        .build()
        .unwrap();
    let post = |body: String| {
        let m = meta(&info, 0, &seg, &["P144p30fps16x9"]);
        http.post(format!("{}/segment", o.uri))
            .header(
                "Livepeer-Segment",
                livepeer::api::segment::encode_segment_header(&m),
            )
            .header("Livepeer-Payment", "")
            .header("Content-Type", "application/vnd+livepeer.uri")
            .body(body)
            .send()
    };
    let resp = post(url).await.unwrap();
    assert_eq!(resp.status().as_u16(), 200);
    let res =
        <net::TranscodeResult as prost::Message>::decode(resp.bytes().await.unwrap().as_ref())
            .unwrap();
    let Some(net::transcode_result::Result::Data(data)) = res.result else {
        panic!("no data: {:?}", res.result)
    };
    assert_eq!(data.segments.len(), 1);
    let resp = post("http://127.0.0.1:9/nothing.ts".into()).await.unwrap();
    assert_eq!(resp.status().as_u16(), 400);
    assert_eq!(resp.text().await.unwrap(), "BadRequest");
}
