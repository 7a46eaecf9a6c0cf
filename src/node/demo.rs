//! The live demo's wiring (`livepeer demo`, the node's main job): an orchestrator, a transcoder
//! attached to it over gRPC (`-orchSecret`) and a broadcaster start in this process on free local
//! ports (offchain, embedded defaults); the ffmpeg CLI publishes a generated 720p30 test pattern
//! with a tone over RTMP; the B cuts it into 2 s segments, each goes B → O over TLS, is
//! transcoded to the default ladder by the T and comes back; ffprobe then plays the B's HLS
//! output. Every role is stopped and joined before this returns; `tools` then verifies and
//! replays both logs.

use super::{args::NodeArgs, broadcaster, orchestrator, transcoder, NodeError};
use crate::events::Event;
use std::{path::Path, time::Duration};

/// The shared secret between the demo's O and T.
const DEMO_SECRET: &str = "demo-orch-secret";

/// Events of kind `f` from seq `from` on (earlier demo runs stay in the log).
fn count<S: crate::log::LogStore>(
    log: &crate::log::Log<S>,
    from: u64,
    f: fn(&Event) -> bool,
) -> usize {
    log.read(from, u64::MAX)
        .filter_map(Result::ok)
        .filter(|r| f(&r.envelope.event))
        .count()
}

fn node_args(args: &[&str]) -> Result<NodeArgs, NodeError> {
    Ok(NodeArgs::parse_flags(args)?)
}

/// Streams `secs` seconds through B, O and T with their logs in `o_dir` and `b_dir`; true when
/// every segment came back and the HLS output plays.
pub async fn run_live(o_dir: &Path, b_dir: &Path, secs: u32) -> Result<bool, NodeError> {
    let segments = secs.div_ceil(2) as usize;
    let o = orchestrator::start(
        o_dir,
        &node_args(&[
            "--orchestrator",
            "--orchSecret",
            DEMO_SECRET,
            "--serviceAddr",
            "127.0.0.1:0",
        ])?,
    )
    .await?;
    let o_uri = o.uri.clone();
    let o_handle = o.orchestrator();
    // The T: its own transcoder sessions, attached to the O over gRPC like a separate process.
    let t_args = node_args(&[
        "--transcoder",
        "--orchAddr",
        o_uri.trim_start_matches("https://"),
        "--orchSecret",
        DEMO_SECRET,
    ])?;
    let (stop_t, t_stopped) = tokio::sync::oneshot::channel::<()>();
    let t_task = tokio::spawn(transcoder::worker::run(
        transcoder::config(&t_args)?,
        transcoder::transcoder(&t_args)?,
        async {
            let _ = t_stopped.await;
        },
    ));
    let b = broadcaster::start(
        b_dir,
        &node_args(&[
            "--broadcaster",
            "--orchAddr",
            o_uri.trim_start_matches("https://"),
            "--httpAddr",
            "127.0.0.1:0",
            "--rtmpAddr",
            "127.0.0.1:0",
        ])?,
    )
    .await?;
    let url = b.url.clone();
    let rtmp_url = b.rtmp_url.clone();
    let b_handle = b.broadcaster();
    let b_from = b_handle.log().head().next_seq;
    let o_from = o_handle.writer().log().head().next_seq;
    let (stop_o, o_stopped) = tokio::sync::oneshot::channel::<()>();
    let (stop_b, b_stopped) = tokio::sync::oneshot::channel::<()>();
    let o_task = tokio::spawn(o.serve(async {
        let _ = o_stopped.await;
    }));
    for _ in 0..100 {
        if o_handle.remote().count() > 0 {
            break;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    if o_handle.remote().count() == 0 {
        return Err("the transcoder did not attach to the orchestrator".into());
    }
    let b_task = tokio::spawn(b.serve(async {
        let _ = b_stopped.await;
    }));

    let publish = format!("{rtmp_url}/demo");
    println!(
        "demo: $ ffmpeg -re -f lavfi -i testsrc2=size=1280x720:rate=30 -f lavfi -i sine \
             -t {secs} -c:v libx264 -g 60 -c:a aac -f flv {publish}"
    );
    let status = tokio::process::Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-re"])
        .args(["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30"])
        .args(["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"])
        .args(["-t", &secs.to_string()])
        .args([
            "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
        ])
        .args(["-g", "60", "-keyint_min", "60", "-sc_threshold", "0"])
        .args(["-c:a", "aac", "-b:a", "96k", "-f", "flv"])
        .arg(&publish)
        .status()
        .await
        .map_err(|e| format!("cannot run ffmpeg: {e}"))?;
    if !status.success() {
        return Err::<bool, NodeError>(format!("ffmpeg exited with {status}").into());
    }
    // The last segment is cut when the publisher leaves: wait for the stream's end.
    let log = b_handle.log().clone();
    let done = |_: &()| count(&log, b_from, |e| matches!(e, Event::StreamEnded(_))) > 0;
    for _ in 0..240 {
        if done(&()) {
            break;
        }
        tokio::time::sleep(Duration::from_millis(250)).await;
    }
    let transcoded = count(&log, b_from, |e| matches!(e, Event::SegmentTranscoded(_)));
    let failed = count(&log, b_from, |e| matches!(e, Event::SegmentFailed(_)));
    println!("demo: {transcoded} of {segments} segments transcoded, {failed} failed");
    let master = format!("{url}/stream/demo.m3u8");
    println!("demo: $ ffprobe {master}");
    let probe = tokio::process::Command::new("ffprobe")
        .args([
            "-v",
            "error",
            "-show_entries",
            "stream=codec_type,width,height,r_frame_rate",
        ])
        .args(["-of", "compact=p=0:nk=1", &master])
        .output()
        .await
        .map_err(|e| format!("cannot run ffprobe: {e}"))?;
    let streams = String::from_utf8_lossy(&probe.stdout);
    for line in streams.lines().filter(|l| !l.trim().is_empty()) {
        println!("demo:   {line}");
    }
    let playable = probe.status.success() && streams.contains("video|640|360");
    println!(
        "demo: this run added {} SegmentTranscoded events to the O's log and {} events to the \
             B's",
        count(o_handle.writer().log(), o_from, |e| matches!(
            e,
            Event::SegmentTranscoded(_)
        )),
        log.head().next_seq - b_from
    );
    drop((log, b_handle, o_handle));
    let _ = stop_b.send(());
    let _ = b_task.await;
    let _ = stop_t.send(());
    let _ = t_task.await;
    let _ = stop_o.send(());
    let _ = o_task.await;
    Ok(transcoded == segments && failed == 0 && playable)
}
