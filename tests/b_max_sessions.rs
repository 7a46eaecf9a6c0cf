//! A broadcaster's `-maxSessions` changed at runtime through its CLI API: started with room for
//! two RTMP publishers, lowered to one by `/setMaxSessions`, it refuses the second publisher
//! (the ffmpeg CLI's publish fails) while the first streams on; raised again, it takes a new one.
#![allow(clippy::unwrap_used)]

mod media_support;
mod orch_support;

use orch_support::{b_cli_args, Node};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

fn set_max_sessions(cli: &str, n: &str) -> String {
    let out = Command::new("curl")
        .args([
            "-s",
            "-w",
            " %{http_code}",
            "-F",
            &format!("maxSessions={n}"),
        ])
        .arg(format!("http://{cli}/setMaxSessions"))
        .output()
        .unwrap();
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn publish(src: &std::path::Path, url: &str) -> Child {
    Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-re", "-i"])
        .arg(src)
        .args(["-c", "copy", "-f", "flv", url])
        .stdin(Stdio::null())
        .spawn()
        .unwrap()
}

/// Waits up to `secs` for `child` to exit; `None` while it still runs.
fn exit_within(child: &mut Child, secs: u64) -> Option<bool> {
    for _ in 0..secs * 10 {
        if let Some(status) = child.try_wait().unwrap() {
            return Some(status.success());
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    None
}

#[test]
fn set_max_sessions_at_runtime_limits_rtmp_publishers() {
    let dir = tempfile::tempdir().unwrap();
    let (args, cli) = b_cli_args(&["-maxSessions", "2"]);
    let args: Vec<&str> = args.iter().map(String::as_str).collect();
    let mut b = Node::start(&dir.path().join("b"), &args);
    let line = b.line("publish RTMP to ");
    let rtmp = line
        .split("publish RTMP to ")
        .nth(1)
        .unwrap()
        .split("/<stream>")
        .next()
        .unwrap()
        .to_string();
    b.line("CLI API at");
    assert_eq!(set_max_sessions(&cli, "1"), "Max sessions set to 1\n 200");

    let src = media_support::source(
        dir.path(),
        "src.flv",
        "320x180",
        "30",
        "6",
        false,
        &["-f", "flv"],
    );
    let mut first = publish(&src, &format!("{rtmp}/one"));
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        first.try_wait().unwrap().is_none(),
        "the first publisher streams"
    );
    let mut second = publish(&src, &format!("{rtmp}/two"));
    assert_eq!(
        exit_within(&mut second, 20),
        Some(false),
        "the second publisher is refused: the limit is 1 now"
    );

    // Raised again: a new publisher is taken while the first still streams.
    assert_eq!(set_max_sessions(&cli, "2"), "Max sessions set to 2\n 200");
    let mut third = publish(&src, &format!("{rtmp}/three"));
    std::thread::sleep(Duration::from_millis(1500));
    assert!(
        third.try_wait().unwrap().is_none(),
        "the third publisher streams"
    );
    let _ = first.kill();
    let _ = third.kill();
    let _ = first.wait();
    let _ = third.wait();
    assert!(b.sigterm().0.success());
}
