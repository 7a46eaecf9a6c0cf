//! The README's main job, as the binary runs it (shortened to two segments): `livepeer demo`
//! offchain, twice over the same datadir, and `livepeer demo -chain` on a fresh devchain, paid
//! in tickets. Each summary line is checked against what the logs (`livepeer log dump`) say.
#![allow(clippy::unwrap_used)]

use std::path::Path;
use std::process::Command;

fn demo(dir: &Path, extra: &[&str]) -> String {
    let out = Command::new(env!("CARGO_BIN_EXE_livepeer"))
        .args(["demo", "-secs", "4", "-datadir", dir.to_str().unwrap()])
        .args(extra)
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout).into_owned();
    assert!(
        out.status.success(),
        "{stdout}\n{}",
        String::from_utf8_lossy(&out.stderr)
    );
    stdout
}

/// The records of a stopped node's log, as `livepeer log dump -json` prints them.
fn dump(datadir: &Path) -> Vec<serde_json::Value> {
    let out = Command::new(env!("CARGO_BIN_EXE_livepeer"))
        .args([
            "log",
            "dump",
            "-json",
            "-datadir",
            datadir.to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(out.status.success());
    String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn of<'a>(records: &'a [serde_json::Value], kind: &str) -> Vec<&'a serde_json::Value> {
    records
        .iter()
        .filter(|r| r["kind"] == kind)
        .map(|r| &r["event"][kind])
        .collect()
}

/// The summary line that starts with `prefix`.
fn line<'a>(stdout: &'a str, prefix: &str) -> &'a str {
    stdout
        .lines()
        .find(|l| l.starts_with(&format!("demo: {prefix}")))
        .unwrap_or_else(|| panic!("no `{prefix}` line in:\n{stdout}"))
}

/// Checks the media half of a summary against the B's log (whose records since `from` are this
/// run's).
fn check_media(stdout: &str, b: &[serde_json::Value]) {
    assert_eq!(
        line(stdout, "segments:"),
        "demo: segments: 2 in, 2 transcoded, 0 failed"
    );
    assert!(stdout.contains("video|640|360"), "{stdout}");
    // Each rendition's bytes as the log has them (the last run's two segments).
    let transcoded = of(b, "SegmentTranscoded");
    let last_two = &transcoded[transcoded.len() - 2..];
    let mut profiles = std::collections::BTreeMap::<String, u64>::new();
    for t in last_two {
        for r in t["renditions"].as_array().unwrap() {
            *profiles
                .entry(r["profile"].as_str().unwrap().into())
                .or_default() += r["bytes"].as_u64().unwrap();
        }
    }
    assert!(!profiles.is_empty());
    for (name, bytes) in profiles {
        let l = line(stdout, &format!("rendition {name}:"));
        let kib = format!("{:.1} KiB", bytes as f64 / 1024.0);
        assert!(l.contains("2 segments") && l.contains(&kib), "{l} vs {kib}");
    }
    let rt = line(stdout, "round trip B→O→B:");
    let max_ms = last_two
        .iter()
        .map(|t| t["took_ms"].as_u64().unwrap())
        .max()
        .unwrap();
    assert!(
        rt.ends_with(&format!("max {max_ms} ms")),
        "{rt} vs {max_ms}"
    );
    assert!(line(stdout, "events written:").contains("by the B"));
    for who in ["B", "O"] {
        let l = line(stdout, &format!("{who}'s log:"));
        assert!(
            l.starts_with(&format!(
                "demo: {who}'s log: verify ok, replay matches; livepeer audit: every difference \
                 explained"
            )),
            "{l}"
        );
    }
}

#[test]
fn the_demo_streams_through_b_o_and_t_and_sums_up() {
    let dir = tempfile::tempdir().unwrap();
    for run in 0..2 {
        let stdout = demo(dir.path(), &[]);
        assert!(
            stdout.contains("demo: watch it while it runs: ffplay http://"),
            "{stdout}"
        );
        let b = dump(&dir.path().join("broadcaster"));
        check_media(&stdout, &b);
        assert_eq!(of(&b, "SegmentTranscoded").len(), 2 * (run + 1), "{stdout}");
        assert!(!stdout.contains("tickets:"), "no money offchain: {stdout}");
    }
}

#[test]
fn the_chain_demo_pays_in_tickets_and_the_accounting_agrees() {
    let dir = tempfile::tempdir().unwrap();
    let stdout = demo(dir.path(), &["-chain"]);
    let base = dir.path().join("demo-chain");
    let (b, o) = (
        dump(&base.join("broadcaster")),
        dump(&base.join("orchestrator")),
    );
    check_media(&stdout, &b);
    // The money, as the logs have it.
    let sent: u64 = of(&b, "TicketsSent")
        .iter()
        .map(|t| t["count"].as_u64().unwrap())
        .sum();
    let received = of(&o, "TicketReceived").len() as u64;
    let won = of(&o, "WinningTicketQueued").len();
    let redeemed = of(&o, "RedemptionConfirmed").len();
    assert!(sent >= 1 && won >= 1, "{stdout}");
    let tickets = line(&stdout, "tickets:");
    assert!(
        tickets.starts_with(&format!("demo: tickets: {sent} sent by the B (EV "))
            && tickets.contains(&format!(
                "{received} received by the O (0 refused), {won} won"
            ))
            && tickets.contains(&format!("{redeemed} redeemed")),
        "{tickets}"
    );
    assert_eq!(redeemed, won, "every winner redeemed: {stdout}");
    assert!(line(&stdout, "on chain:").contains(&format!("{won} WinningTicketTransfer to the O")));
    assert!(
        line(&stdout, "accounting:").starts_with("demo: accounting: agrees"),
        "{stdout}"
    );
    assert!(line(&stdout, "O's balances:").contains("debited"));
}
