//! `livepeer cli` (go-livepeer's `livepeer_cli`) against offchain nodes started from the binary,
//! its answers piped: the menu as the reference numbers it for the node's role, the status
//! screen, a broadcaster's broadcast config set and read back on the status screen, an
//! orchestrator's max sessions set (and recorded as the API's change), bad choices refused, and
//! the end of input ending the session with status 0.
#![allow(clippy::unwrap_used)]

mod orch_support;

use orch_support::{tool, Node};
use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

/// The CLI port a node printed.
fn cli_port(node: &mut Node) -> String {
    let line = node.line("CLI API at");
    line.rsplit(':').next().unwrap().trim().to_string()
}

/// `livepeer cli -http <port> -host 127.0.0.1` with `answers` on stdin: status and stdout.
fn session(port: &str, answers: &str) -> (i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_livepeer"))
        .args(["cli", "-http", port, "-host", "127.0.0.1"])
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(answers.as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    let text = String::from_utf8_lossy(&out.stdout).to_string();
    assert!(out.stderr.is_empty() || !String::from_utf8_lossy(&out.stderr).contains("panicked"));
    (out.status.code().unwrap_or(-1), text)
}

fn menu_line(out: &str, n: usize) -> Vec<&str> {
    let prefix = format!("{n}. ");
    out.lines().filter(|l| l.starts_with(&prefix)).collect()
}

fn start(dir: &Path, args: &[&str]) -> (Node, String) {
    let mut n = Node::start(dir, args);
    let port = cli_port(&mut n);
    (n, port)
}

#[test]
fn a_broadcaster_sets_its_broadcast_config_through_the_menu() {
    let dir = tempfile::tempdir().unwrap();
    let free = |_| "127.0.0.1:0";
    let (b, port) = start(
        dir.path(),
        &[
            "-broadcaster",
            "-httpAddr",
            free(0),
            "-rtmpAddr",
            free(1),
            "-cliAddr",
            free(2),
            "-orchAddr",
            "127.0.0.1:1",
        ],
    );
    // 15: Set broadcast config — 10 pixels, default currency, price 1, profiles 0 and 1; then
    // 1: the status screen; then a choice that is none; then the end of input.
    let (code, out) = session(&port, "15\n10\n\n1\n0,1\n1\n99\n");
    assert_eq!(code, 0, "{out}");
    assert!(out.contains("| Welcome to livepeer-cli, your Livepeer command line tool  |"));
    assert!(out.contains("|NODE STATS|"), "{out}");
    assert_eq!(menu_line(&out, 15)[0], "15. Set broadcast config");
    assert_eq!(menu_line(&out, 21)[0], "21. Exit");
    assert!(menu_line(&out, 22).is_empty(), "no O choices: {out}");
    assert!(out.contains("Enter the maximum price to pay for 10 pixels in Wei (default: 0) - "));
    assert!(
        out.contains("Identifier\tTranscoding Options\n0\t"),
        "{out}"
    );
    assert!(out.contains("Configuration applied successfully"), "{out}");
    let config = |name: &str| {
        out.lines()
            .rfind(|l| l.contains(name))
            .unwrap_or_else(|| panic!("{name}: {out}"))
            .to_string()
    };
    assert!(
        config("Max Price Per Pixel").ends_with(" 0.100 wei/pixel (1/10) |"),
        "{out}"
    );
    // The profiles by their sorted identifiers 0 and 1.
    let options = config("Broadcast Transcoding Options");
    assert!(
        options.ends_with(" P144p30fps16x9,P240p25fps16x9 |"),
        "{options}"
    );
    assert!(out.contains("ERROR That's not something I can do"), "{out}");
    assert!(b.sigterm().0.success());
}

#[test]
fn an_orchestrator_sets_max_sessions_through_the_menu() {
    let dir = tempfile::tempdir().unwrap();
    let (o, port) = start(
        dir.path(),
        &[
            "-orchestrator",
            "-transcoder",
            "-serviceAddr",
            "127.0.0.1:0",
            "-cliAddr",
            "127.0.0.1:0",
        ],
    );
    // 22: Set maximum sessions — a refused 0, then 7; 23: Exit.
    let (code, out) = session(&port, "22\n0\n7\n23\n");
    assert_eq!(code, 0, "{out}");
    assert_eq!(menu_line(&out, 11)[0], "11. Invoke \"reward\"");
    assert_eq!(menu_line(&out, 22)[0], "22. Set maximum sessions");
    assert_eq!(menu_line(&out, 23)[0], "23. Exit");
    assert!(out.contains("Enter the maximum # of sessions\n> "), "{out}");
    assert!(
        out.contains(
            "ERROR Failed to validate input err=Max Sessions must be 'auto' or greater than zero"
        ),
        "{out}"
    );
    assert!(out.contains("Max sessions set to 7\n"), "{out}");
    assert!(out.ends_with("Goodbye, my friend\n"), "{out}");
    assert!(o.sigterm().0.success());
    let (_, dump) = tool(dir.path(), &["log", "dump", "-json"]);
    let set: Vec<&str> = dump
        .lines()
        .filter(|l| l.contains("ConfigChanged") && l.contains("maxSessions"))
        .collect();
    assert_eq!(set.len(), 1, "{dump}");
    assert!(
        set[0].contains("\"7\"") && set[0].contains("Api"),
        "{}",
        set[0]
    );
}

#[test]
fn no_node_answering_is_refused() {
    let (code, out) = session("1", "");
    assert_eq!(code, 1);
    assert!(
        out.contains("Cannot find local node. Is your node running on http:1?"),
        "{out}"
    );
}
