//! Shared helpers of the tests that run Os and Bs: a segment's metadata for an O session, a free
//! local port, a node started from the binary with its stdout lines at hand, Os and Bs served in
//! the test's process ([`in_process`]), and a stand-in for a B's `-orchWebhookUrl`
//! ([`orch_webhook`]).
#![allow(dead_code, clippy::unwrap_used)]

pub mod in_process;
pub mod orch_webhook;

use ethers_core::utils::keccak256;
use livepeer::{
    api::{info::OrchInfo, segment::SegMeta},
    media::{Container, VideoProfile},
};
use std::{
    io::BufRead,
    path::Path,
    process::{Child, Command, Stdio},
    sync::mpsc,
    time::{Duration, Instant},
};

/// `SegData` for segment `seq` of `manifest` in the session `info` opened, asking for `profiles`
/// (preset names) in MPEG-TS.
pub fn segment_meta(
    info: &OrchInfo,
    manifest: &str,
    seq: i64,
    body: &[u8],
    profiles: &[&str],
) -> SegMeta {
    SegMeta {
        manifest_id: manifest.into(),
        seq,
        hash: keccak256(body),
        sig: Vec::new(),
        duration_ms: 2000,
        profiles: profiles
            .iter()
            .map(|p| VideoProfile::preset(p).unwrap())
            .collect(),
        container: Container::MpegTs,
        auth_token: info.auth_token.clone(),
        capabilities: livepeer::api::capabilities::job(&[], false),
    }
}

/// Segment `seq` of `manifest` (`seg`, asking for P144p30fps16x9) signed by the B's wallet `b`
/// (`SegData.sig`) and sent to the O of the session `info` opened, with the payment header
/// `header`: the O's answer.
pub async fn submit_signed(
    client: &livepeer::api::client::OrchClient,
    info: &OrchInfo,
    b: &ethers_signers::LocalWallet,
    (manifest, seq): (&str, i64),
    seg: Vec<u8>,
    header: &str,
) -> Result<livepeer::api::info::SegmentResult, livepeer::api::client::ClientError> {
    let mut m = segment_meta(info, manifest, seq, &seg, &["P144p30fps16x9"]);
    let msg = livepeer::node::orchestrator::paid::segment_message(&m);
    m.sig = livepeer::pm::sig::sign(b, &msg).unwrap().to_vec();
    client
        .submit_segment(&info.transcoder, &m, header, seg, Duration::from_secs(60))
        .await
}

/// A local port nobody listens on (yet).
pub fn free_port() -> u16 {
    std::net::TcpListener::bind("127.0.0.1:0")
        .unwrap()
        .local_addr()
        .unwrap()
        .port()
}

/// A node started from the binary, its stdout lines collected; killed when dropped.
pub struct Node {
    child: Option<Child>,
    lines: mpsc::Receiver<String>,
    /// Every stdout line read so far.
    pub seen: Vec<String>,
}

impl Drop for Node {
    fn drop(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }
}

impl Node {
    /// `livepeer <args> -datadir <datadir>`.
    pub fn start(datadir: &Path, args: &[&str]) -> Node {
        Node::spawn(datadir, args, false)
    }

    /// [`Node::start`] with the node's log (stderr, at `RUST_LOG=info`) among its lines.
    pub fn start_logged(datadir: &Path, args: &[&str]) -> Node {
        Node::spawn(datadir, args, true)
    }

    fn spawn(datadir: &Path, args: &[&str], logged: bool) -> Node {
        let mut child = Command::new(env!("CARGO_BIN_EXE_livepeer"))
            .args(args)
            .args(["-datadir", datadir.to_str().unwrap()])
            .env("RUST_LOG", if logged { "info" } else { "warn" })
            .stdout(Stdio::piped())
            .stderr(if logged {
                Stdio::piped()
            } else {
                Stdio::inherit()
            })
            .spawn()
            .unwrap();
        let (tx, lines) = mpsc::channel();
        let read = |out: Box<dyn std::io::Read + Send>, tx: mpsc::Sender<String>| {
            std::thread::spawn(move || {
                for l in std::io::BufReader::new(out).lines().map_while(Result::ok) {
                    let _ = tx.send(l);
                }
            });
        };
        read(Box::new(child.stdout.take().unwrap()), tx.clone());
        if let Some(err) = child.stderr.take() {
            read(Box::new(err), tx);
        }
        Node {
            child: Some(child),
            lines,
            seen: Vec::new(),
        }
    }

    /// The first line (of stdout, and of the log when logged) containing `needle` (waiting up
    /// to 30 s).
    pub fn line(&mut self, needle: &str) -> String {
        if let Some(l) = self.seen.iter().find(|l| l.contains(needle)) {
            return l.clone();
        }
        let deadline = Instant::now() + Duration::from_secs(30);
        while let Ok(l) = self
            .lines
            .recv_timeout(deadline.saturating_duration_since(Instant::now()))
        {
            self.seen.push(l.clone());
            if l.contains(needle) {
                return l;
            }
        }
        panic!("no line with {needle:?} in {:?}", self.seen)
    }

    /// Kills the node (SIGKILL) and reaps it.
    pub fn sigkill(mut self) {
        if let Some(mut c) = self.child.take() {
            c.kill().unwrap();
            c.wait().unwrap();
        }
    }

    /// SIGTERM, then the exit status and how long the node took to stop.
    pub fn sigterm(mut self) -> (std::process::ExitStatus, Duration) {
        let mut c = self.child.take().unwrap();
        let at = Instant::now();
        let pid = c.id().to_string();
        assert!(Command::new("kill")
            .args(["-TERM", &pid])
            .status()
            .unwrap()
            .success());
        loop {
            if let Some(status) = c.try_wait().unwrap() {
                return (status, at.elapsed());
            }
            if at.elapsed() > Duration::from_secs(20) {
                let _ = c.kill();
                panic!("still running 20 s after SIGTERM");
            }
            std::thread::sleep(Duration::from_millis(50));
        }
    }
}

/// `livepeer <args> -datadir <dir>` run to its end: exit code and stdout.
pub fn tool(dir: &Path, args: &[&str]) -> (i32, String) {
    let out = Command::new(env!("CARGO_BIN_EXE_livepeer"))
        .args(args)
        .args(["-datadir", dir.to_str().unwrap()])
        .output()
        .unwrap();
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

/// Pushes `seg` as segment 0 of `stream` to the B at `b_url` (`http://…`): the status and text
/// of its answer.
pub async fn push_segment(b_url: &str, stream: &str, seg: &[u8]) -> (u16, String) {
    push_segment_seq(b_url, stream, 0, seg).await
}

/// Pushes `seg` as segment `seq` of `stream` to the B at `b_url` (`http://…`): the status and
/// text of its answer.
pub async fn push_segment_seq(b_url: &str, stream: &str, seq: u64, seg: &[u8]) -> (u16, String) {
    let resp = reqwest::Client::new()
        .put(format!("{b_url}/live/{stream}/{seq}.ts"))
        .body(seg.to_vec())
        .send()
        .await
        .unwrap();
    let status = resp.status().as_u16();
    (status, resp.text().await.unwrap())
}

/// The flags of a B with a dead O (`-orchAddr 127.0.0.1:1`), its HTTP and CLI API on free local
/// ports, plus `extra`: the flags and its CLI API's `host:port`.
pub fn b_cli_args(extra: &[&str]) -> (Vec<String>, String) {
    let cli = format!("127.0.0.1:{}", free_port());
    let http = format!("127.0.0.1:{}", free_port());
    let mut args = vec![
        "-broadcaster",
        "-orchAddr",
        "127.0.0.1:1",
        "-httpAddr",
        &http,
        "-rtmpAddr",
        "127.0.0.1:0",
        "-cliAddr",
        &cli,
    ];
    args.extend_from_slice(extra);
    (args.into_iter().map(String::from).collect(), cli)
}
