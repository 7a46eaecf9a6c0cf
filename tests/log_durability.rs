//! Durability: a writer SIGKILLed over and over loses no acknowledged event and leaves a valid
//! chain; a writer whose writes start failing (file-size limit) refuses every later append and
//! leaves no hole.
#![allow(clippy::unwrap_used)]

mod common;

use livepeer::log::{verify, FjallLog};
use std::{
    io::{BufRead, BufReader},
    path::Path,
    process::{Command, Stdio},
};

fn reopen_and_check(datadir: &Path, acked: Option<u64>) -> u64 {
    let log = FjallLog::open_dir(datadir).expect("log reopens after the crash");
    let head = log.head().next_seq;
    if let Some(a) = acked {
        assert!(
            head > a,
            "acknowledged seq {a} is missing after restart (head {head})"
        );
    }
    let report = verify(log.store()).unwrap();
    assert_eq!(report.first_bad, None, "chain broken after restart");
    assert_eq!(
        report.records, head,
        "no hole: every seq below the head is present"
    );
    head
}

#[test]
fn sigkill_while_appending_loses_no_acknowledged_event() {
    let dir = tempfile::tempdir().unwrap();
    let mut last_acked: Option<u64> = None;
    for round in 0..20u64 {
        let mut child = Command::new(common::bin())
            .args(["debug", "append-loop", "-datadir"])
            .arg(dir.path())
            .env("RUST_LOG", "error")
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap();
        let stdout = child.stdout.take().unwrap();
        let mut lines = BufReader::new(stdout).lines();
        let first = lines.next().unwrap().unwrap();
        assert!(first.starts_with("start "), "{first}");
        let start: u64 = first[6..].parse().unwrap();
        if let Some(a) = last_acked {
            assert!(
                start > a,
                "restart {round} resumed at {start}, below acked {a}"
            );
        }
        // Let it run a varying number of acknowledged appends, then kill it mid-flight.
        let wanted = 5 + round * 13 % 97;
        let mut seen = 0;
        for line in lines.by_ref() {
            let line = line.unwrap();
            if let Some(seq) = line.strip_prefix("acked ") {
                last_acked = Some(seq.parse().unwrap());
                seen += 1;
                if seen >= wanted {
                    break;
                }
            }
        }
        child.kill().unwrap(); // SIGKILL
                               // Appends acknowledged between our last read and the kill are on disk too; read them.
        for line in lines.map_while(Result::ok) {
            if let Some(seq) = line.strip_prefix("acked ") {
                last_acked = Some(seq.parse().unwrap());
            }
        }
        child.wait().unwrap();
        reopen_and_check(dir.path(), last_acked);
    }
}

#[test]
fn failed_write_poisons_and_leaves_no_hole() {
    let dir = tempfile::tempdir().unwrap();
    // Create the log without a limit (fjall preallocates its journal), then write under a 1 MiB
    // file-size limit with SIGXFSZ ignored: writes past 1 MiB into the journal fail with EFBIG.
    let created = Command::new(common::bin())
        .args(["debug", "append-loop", "--count", "1", "-datadir"])
        .arg(dir.path())
        .output()
        .unwrap();
    assert!(created.status.success());
    let script = format!(
        "ulimit -f 1024; trap '' XFSZ; exec '{}' debug append-loop -datadir '{}' --payload 2000",
        common::bin().display(),
        dir.path().display()
    );
    let out = Command::new("bash")
        .args(["-c", &script])
        .env("RUST_LOG", "error")
        .output()
        .unwrap();
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert_eq!(
        out.status.code(),
        Some(3),
        "the loop stops on a write error: {stdout}\n{stderr}"
    );
    let acked: Vec<u64> = stdout
        .lines()
        .filter_map(|l| l.strip_prefix("acked ")?.parse().ok())
        .collect();
    assert!(
        acked.len() > 10,
        "some appends succeed before the limit: {stdout}"
    );
    let errors: Vec<&str> = stdout.lines().filter(|l| l.starts_with("error ")).collect();
    assert_eq!(
        errors.len(),
        4,
        "the failing append and three after it all fail: {stdout}"
    );
    assert!(
        errors.iter().skip(1).all(|e| e.contains("poisoned")),
        "later appends say poisoned: {errors:?}"
    );
    assert!(!stdout.contains("UNEXPECTED"), "{stdout}");
    assert!(!stderr.contains("panicked"), "{stderr}");
    let head = reopen_and_check(dir.path(), acked.last().copied());
    assert!(
        head <= acked.last().unwrap() + 2,
        "nothing past the failed group: head {head}"
    );
}
