//! The committed golden logs (`replay/golden-*/`): `golden-v1` has one record of every variant
//! the first format had (nested enums in several shapes); each later folder adds the variants
//! appended since. Every one must decode byte-for-byte and give the same digests forever, and
//! together they cover every variant. Never rewrite one: when variants are appended, write a new
//! folder with `LP_REGEN_GOLDEN=replay/golden-<name> cargo test --test golden_log -- --ignored`.
#![allow(clippy::unwrap_used)]

mod common;

use livepeer::{
    events::{decode_record, encode_record, Hash32},
    log::{seal, Opened},
    projections::Projections,
};
use std::path::PathBuf;

fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Every golden folder, oldest first.
fn golden_dirs() -> Vec<PathBuf> {
    let mut dirs: Vec<PathBuf> = std::fs::read_dir(root().join("replay"))
        .unwrap()
        .filter_map(Result::ok)
        .map(|e| e.path())
        .filter(|p| {
            p.file_name()
                .is_some_and(|n| n.to_string_lossy().starts_with("golden-"))
        })
        .collect();
    dirs.sort();
    dirs
}

fn read_records(dir: &std::path::Path) -> Vec<(Vec<u8>, Opened)> {
    let bytes = std::fs::read(dir.join("records.bin")).expect("golden records.bin");
    let mut out = Vec::new();
    let mut rest = bytes.as_slice();
    let mut seq = 0;
    while !rest.is_empty() {
        let (len, tail) = rest.split_at(4);
        let len = u32::from_be_bytes(len.try_into().unwrap()) as usize;
        let (value, tail) = tail.split_at(len);
        out.push((
            value.to_vec(),
            livepeer::log::open_record(seq, value).expect("golden record decodes"),
        ));
        rest = tail;
        seq += 1;
    }
    out
}

fn digests_text(p: &Projections, head: Hash32) -> String {
    let mut s = format!("head {head}\n");
    for slot in p.slots() {
        s.push_str(&format!(
            "{} v{} {}\n",
            slot.name(),
            slot.version(),
            slot.digest()
        ));
    }
    s
}

#[test]
fn golden_logs_decode_byte_for_byte_with_the_same_digests_and_cover_every_variant() {
    let dirs = golden_dirs();
    assert!(dirs.iter().any(|d| d.ends_with("golden-v1")), "{dirs:?}");
    let mut tags = std::collections::BTreeSet::new();
    for dir in &dirs {
        tags.extend(check_golden(dir));
    }
    assert_eq!(
        tags.len() as u32,
        livepeer::events::EVENT_COUNT,
        "the golden logs cover every variant: write a new golden folder for the new ones"
    );
}

/// Checks one golden folder; returns the tags it holds.
fn check_golden(dir: &std::path::Path) -> std::collections::BTreeSet<u32> {
    let records = read_records(dir);
    let mut prev = Hash32::default();
    let mut p = Projections::default();
    let mut tags = std::collections::BTreeSet::new();
    for (i, (value, rec)) in records.iter().enumerate() {
        let body = &value[32..];
        assert_eq!(rec.envelope.seq, i as u64);
        assert_eq!(rec.stored_hash, rec.computed_hash, "record {i} hash");
        assert_eq!(rec.envelope.prev_hash, prev, "record {i} chain");
        assert_eq!(
            encode_record(&rec.envelope),
            body,
            "record {i} re-encodes byte for byte"
        );
        assert_eq!(decode_record(body).as_ref(), Ok(&rec.envelope));
        tags.insert(rec.envelope.event.tag());
        prev = rec.stored_hash;
        p.apply(&rec.envelope);
    }
    // digests.txt is append-only: a new projection (or a new version of one) adds a line; the
    // lines already there must keep matching.
    let expected = std::fs::read_to_string(dir.join("digests.txt")).expect("golden digests.txt");
    let actual = digests_text(&p, prev);
    let actual: std::collections::BTreeSet<&str> = actual.lines().collect();
    let mut listed = std::collections::BTreeSet::new();
    for line in expected.lines() {
        let mut parts = line.split(' ');
        let name = parts.next().unwrap_or_default();
        let version = if name == "head" {
            ""
        } else {
            parts.next().unwrap_or_default()
        };
        let current = p
            .slots()
            .iter()
            .find(|s| s.name() == name)
            .map(|s| format!("v{}", s.version()));
        if name == "head" || current.as_deref() == Some(version) {
            assert!(
                actual.contains(line),
                "golden digest changed: expected `{line}`, have {actual:?}"
            );
            listed.insert(name.to_string());
        }
    }
    for slot in p.slots() {
        assert!(
            listed.contains(slot.name()),
            "projection {} v{} has no golden digest: append `{} v{} {}` to {}/digests.txt",
            slot.name(),
            slot.version(),
            slot.name(),
            slot.version(),
            slot.digest(),
            dir.display()
        );
    }
    tags
}

#[test]
#[ignore = "writes the golden files; run only when creating a new format version's golden log"]
fn generate_golden() {
    let Ok(target) = std::env::var("LP_REGEN_GOLDEN") else {
        return;
    };
    let dir = root().join(target);
    assert!(
        !dir.exists(),
        "{} exists: golden logs are never rewritten",
        dir.display()
    );
    let mut file = Vec::new();
    let mut prev = Hash32::default();
    let mut p = Projections::default();
    for (i, event) in common::samples::one_of_each().into_iter().enumerate() {
        let s = seal(i as u64, 1_764_000_000_000 + i as u64 * 1_000, prev, event);
        file.extend_from_slice(&(s.value.len() as u32).to_be_bytes());
        file.extend_from_slice(&s.value);
        p.apply(&s.envelope);
        prev = s.hash;
    }
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(dir.join("records.bin"), file).unwrap();
    std::fs::write(dir.join("digests.txt"), digests_text(&p, prev)).unwrap();
}
