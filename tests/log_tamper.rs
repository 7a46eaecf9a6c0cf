//! Tampering: a record rewritten through fjall with its hash untouched is named by
//! `log verify`; a byte flipped in a table file on disk is a clear corruption error. Exit 1,
//! never a panic.
#![allow(clippy::unwrap_used)]

mod common;

use common::run;
use livepeer::{
    events::{encode_record, Event, KvSet},
    log::{open_record, Expect, FjallLog, FjallStore, LogStore},
};
use std::path::Path;

fn write_log(datadir: &Path, n: u64) {
    let log = FjallLog::open_dir(datadir).unwrap();
    let events = (0..n)
        .map(|i| {
            (
                1_000 + i,
                Event::KvSet(KvSet {
                    key: format!("key-{i}"),
                    value: vec![(i % 255) as u8; 100],
                }),
            )
        })
        .collect();
    log.append_blocking(events, Expect::Any).unwrap();
}

#[test]
fn rewritten_record_is_named_by_verify() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 50);
    let (code, out, err) = run(&["log", "verify", "-datadir", dir.path().to_str().unwrap()]);
    assert_eq!(code, 0, "{out}{err}");
    assert!(out.contains("50 records, hash chain intact"), "{out}");

    // Rewrite record 17 through fjall: same seq, different content, stored hash left as it was.
    {
        let store = FjallStore::open(&dir.path().join("events")).unwrap();
        let (_, value) = store.range(17, 17).next().unwrap().unwrap();
        let mut rec = open_record(17, &value).unwrap().envelope;
        rec.at_ms += 1;
        let mut forged = value[..32].to_vec();
        forged.extend_from_slice(&encode_record(&rec));
        store
            .events_keyspace()
            .insert(17u64.to_be_bytes(), forged)
            .unwrap();
        store.sync().unwrap();
    }
    let (code, out, err) = run(&["log", "verify", "-datadir", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(
        out.contains("FAILED at seq 17:"),
        "verify must name seq 17: {out}"
    );
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn dropped_record_is_named_by_verify() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 30);
    {
        let store = FjallStore::open(&dir.path().join("events")).unwrap();
        store.events_keyspace().remove(9u64.to_be_bytes()).unwrap();
        store.sync().unwrap();
    }
    let (code, out, _) = run(&["log", "verify", "-datadir", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(out.contains("FAILED at seq 9:"), "{out}");
}

fn largest_file(dir: &Path) -> std::path::PathBuf {
    let mut best: Option<(u64, std::path::PathBuf)> = None;
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for e in std::fs::read_dir(&d).unwrap() {
            let e = e.unwrap();
            let p = e.path();
            if p.is_dir() {
                stack.push(p);
            } else {
                let len = e.metadata().unwrap().len();
                if best.as_ref().is_none_or(|(l, _)| len > *l) {
                    best = Some((len, p));
                }
            }
        }
    }
    best.unwrap().1
}

#[test]
fn flipped_byte_on_disk_is_a_corruption_error() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 5_000);
    {
        // Move everything into table files, so the flip lands in checksummed blocks.
        let store = FjallStore::open(&dir.path().join("events")).unwrap();
        store.events_keyspace().rotate_memtable_and_wait().unwrap();
    }
    let table = largest_file(&dir.path().join("events/keyspaces"));
    let mut bytes = std::fs::read(&table).unwrap();
    let mid = bytes.len() / 3;
    bytes[mid] ^= 0x40;
    std::fs::write(&table, bytes).unwrap();

    let (code, out, err) = run(&["log", "verify", "-datadir", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1, "verify must fail: {out}{err}");
    assert!(!err.contains("panicked"), "no panic: {err}");
    assert!(
        err.to_lowercase().contains("corruption"),
        "a corruption error, got: {out}{err}"
    );
    let (code, _, err) = run(&["replay", "-datadir", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1);
    assert!(!err.contains("panicked"), "{err}");
}

#[test]
fn flipped_byte_in_the_journal_is_a_corruption_error_not_a_truncation() {
    let dir = tempfile::tempdir().unwrap();
    write_log(dir.path(), 2_000);
    let journal = std::fs::read_dir(dir.path().join("events"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .find(|p| p.extension().is_some_and(|x| x == "jnl"))
        .expect("a journal file");
    let mut bytes = std::fs::read(&journal).unwrap();
    // fjall preallocates the journal: flip a byte in the middle of what was actually written.
    let written = bytes.iter().rposition(|b| *b != 0).unwrap();
    let mid = written / 2;
    bytes[mid] ^= 0x40;
    std::fs::write(&journal, bytes).unwrap();
    let (code, out, err) = run(&["log", "verify", "-datadir", dir.path().to_str().unwrap()]);
    assert_eq!(code, 1, "{out}{err}");
    assert!(err.contains("corruption"), "{err}");
    assert!(!err.contains("panicked"), "{err}");
}
