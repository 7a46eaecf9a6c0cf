//! The operator's view: the demo writes a history, `replay` twice gives identical digests that
//! match checkpoints and live state, `log stats`/`dump` read it, in either flag style.
#![allow(clippy::unwrap_used)]

mod common;

use common::run;

fn digests(out: &str) -> Vec<String> {
    out.lines()
        .skip_while(|l| !l.starts_with("projection"))
        .skip(1)
        .map(|l| l.split_whitespace().take(3).collect::<Vec<_>>().join(" "))
        .collect()
}

#[test]
fn demo_then_two_replays_agree() {
    let dir = tempfile::tempdir().unwrap();
    let d = dir.path().to_str().unwrap();
    let (code, out, err) = run(&[
        "demo",
        "-synthetic",
        "-datadir",
        d,
        "-streams",
        "3",
        "-segments",
        "12",
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("hash chain intact"), "{out}");
    assert!(
        out.contains("stream-0002: 12 segments in, 12 transcoded"),
        "{out}"
    );

    let (c1, r1, e1) = run(&["replay", "-datadir", d]);
    let (c2, r2, _) = run(&["replay", "--datadir", d]);
    assert_eq!((c1, c2), (0, 0), "{r1}{e1}");
    let (d1, d2) = (digests(&r1), digests(&r2));
    assert!(d1.len() >= 4, "{r1}");
    assert_eq!(d1, d2, "two replays of the same log give identical digests");
    assert!(
        r1.lines().filter(|l| l.contains("= at seq")).count() >= 4,
        "checkpoints compared: {r1}"
    );
    assert!(!r1.contains("MISMATCH"), "{r1}");

    // Both flag styles address the same datadir.
    let (_, s1, _) = run(&["log", "stats", "-datadir", d]);
    let (_, s2, _) = run(&["--datadir", d, "log", "stats"]);
    assert_eq!(s1, s2);
    assert!(s1.contains("SegmentTranscoded"), "{s1}");

    let (code, dump, _) = run(&[
        "log", "dump", "-datadir", d, "-from", "0", "-to", "4", "-json",
    ]);
    assert_eq!(code, 0);
    let lines: Vec<serde_json::Value> = dump
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines.len(), 5);
    assert_eq!(lines[0]["kind"], "NodeStarted");
    assert_eq!(lines[4]["seq"], 4);
}

#[test]
fn a_second_process_on_the_same_datadir_is_told_it_is_in_use() {
    let dir = tempfile::tempdir().unwrap();
    let log = livepeer::log::FjallLog::open_dir(dir.path()).unwrap();
    let (code, _, err) = run(&["log", "verify", "-datadir", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(err.contains("in use"), "{err}");
    drop(log);
}

#[test]
fn missing_log_is_a_clear_error() {
    let dir = tempfile::tempdir().unwrap();
    let (code, _, err) = run(&[
        "log",
        "verify",
        "-datadir",
        dir.path().join("nope").to_str().unwrap(),
    ]);
    assert_eq!(code, 1);
    assert!(err.contains("no event log at"), "{err}");
}

#[test]
fn bench_pm_runs_and_reports_ratios() {
    let dir = tempfile::tempdir_in(env!("CARGO_MANIFEST_DIR")).unwrap();
    let (code, out, err) = run(&[
        "bench",
        "pm",
        "-tickets",
        "8",
        "-rounds",
        "1",
        "-datadir",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("bare recover, libsecp256k1"), "{out}");
    assert!(out.contains("bare recover, k256"), "{out}");
    assert!(out.contains("libsecp256k1 / k256:"), "{out}");
    assert!(out.contains("of baseline bare libsecp256k1"), "{out}");
    assert!(out.contains("target ≥ 0.70"), "{out}");
    for payers in ["4 payers", "16 payers", "64 payers"] {
        assert!(out.contains(&format!("{payers} on 1 thread(s)")), "{out}");
    }
    // Each fjall row against bare recovery on as many threads, and per CPU-second.
    assert!(out.contains("of bare libsecp256k1 on 1 thread(s)"), "{out}");
    assert!(out.contains("per CPU-second of the process"), "{out}");
    // Every fjall row is the median of three trials, each with its own bare baseline.
    let fjall_rows = out.matches(" fsyncs)").count();
    assert!(fjall_rows >= 3, "{out}");
    assert_eq!(
        out.matches("the median of 3 trials, each against its own bare runs:")
            .count(),
        fjall_rows,
        "{out}"
    );
    // The deciding thread's own share in the one-thread rows.
    let rows = out.matches("on 1 thread(s):").count();
    assert!(rows >= 3, "{out}");
    assert_eq!(out.matches("the deciding thread:").count(), rows, "{out}");
    // Both CPU lines against the bare runs' own CPU time, on every fjall row.
    assert_eq!(
        out.matches("of bare libsecp256k1's recoveries per CPU-second")
            .count(),
        fjall_rows + rows,
        "{out}"
    );
}

#[test]
fn bench_network_runs_and_reports_against_targets() {
    let dir = tempfile::tempdir_in(env!("CARGO_MANIFEST_DIR")).unwrap();
    let (code, out, err) = run(&[
        "bench",
        "network",
        "-streams",
        "2",
        "-duration",
        "4",
        "-segments",
        "1",
        "-datadir",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("segment 2 s 1080p30"), "{out}");
    assert!(out.contains("offchain (baseline) median"), "{out}");
    assert!(out.contains("of the 2 s segment (target < 5%"), "{out}");
    assert!(
        out.contains("paid streams held (p99 <= 1 s, no failure): 2"),
        "{out}"
    );
    assert!(out.contains("memory per stream at 2 streams"), "{out}");
}
