//! `livepeer log verify`, `log dump`, `log stats`.

use super::ToolError;
use crate::{
    cli::DumpArgs,
    log::{open_record, verify as verify_chain, FjallStore, LogStore},
};
use std::{collections::BTreeMap, io::Write, path::Path, process::ExitCode};

fn open_store(datadir: &Path) -> Result<FjallStore, ToolError> {
    let dir = datadir.join("events");
    if !dir.exists() {
        return Err(format!("no event log at {} (is -dataDir right?)", dir.display()).into());
    }
    Ok(FjallStore::open(&dir)?)
}

/// Recomputes the whole chain. Exit 1 naming the first bad seq, or on storage corruption.
pub fn verify(datadir: &Path) -> Result<ExitCode, ToolError> {
    let store = open_store(datadir)?;
    let report = verify_chain(&store)?;
    match report.first_bad {
        None => {
            println!(
                "log verify: {} records, hash chain intact, head {}",
                report.records, report.last_hash
            );
            Ok(ExitCode::SUCCESS)
        }
        Some((seq, why)) => {
            println!("log verify: FAILED at seq {seq}: {why}");
            println!("log verify: records 0..{} are intact", seq);
            Ok(ExitCode::FAILURE)
        }
    }
}

/// One line per event, or JSON lines.
pub fn dump(datadir: &Path, args: &DumpArgs) -> Result<ExitCode, ToolError> {
    let store = open_store(datadir)?;
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    for item in store.range(args.from, args.to.unwrap_or(u64::MAX)) {
        let (seq, value) = item?;
        let rec = open_record(seq, &value)?;
        let env = &rec.envelope;
        let line = if args.json {
            serde_json::to_string(&serde_json::json!({
                "seq": env.seq,
                "at_ms": env.at_ms,
                "kind": env.event.name(),
                "hash": rec.stored_hash.to_string(),
                "prev_hash": env.prev_hash.to_string(),
                "event": &env.event,
            }))?
        } else {
            format!(
                "{:>8} {} {:<22} {:?}",
                env.seq,
                env.at_ms,
                env.event.name(),
                env.event
            )
        };
        if writeln!(out, "{line}").is_err() {
            break; // the reader went away (`| head`)
        }
    }
    let _ = out.flush();
    Ok(ExitCode::SUCCESS)
}

/// Events by kind, first/last seq and time, bytes on disk, bytes per event.
pub fn stats(datadir: &Path) -> Result<ExitCode, ToolError> {
    let store = open_store(datadir)?;
    let mut by_kind: BTreeMap<&'static str, (u64, u64)> = BTreeMap::new();
    let mut first: Option<(u64, u64)> = None;
    let mut last: Option<(u64, u64)> = None;
    let mut count = 0u64;
    let mut record_bytes = 0u64;
    for item in store.range(0, u64::MAX) {
        let (seq, value) = item?;
        let rec = open_record(seq, &value)?;
        let e = by_kind.entry(rec.envelope.event.name()).or_default();
        e.0 += 1;
        e.1 += value.len() as u64;
        count += 1;
        record_bytes += value.len() as u64;
        first.get_or_insert((seq, rec.envelope.at_ms));
        last = Some((seq, rec.envelope.at_ms));
    }
    let disk = store.disk_bytes();
    println!("events: {count}");
    if let (Some(f), Some(l)) = (first, last) {
        println!("first: seq {} at {} ms", f.0, f.1);
        println!(
            "last:  seq {} at {} ms ({:.1} s later)",
            l.0,
            l.1,
            (l.1.saturating_sub(f.1)) as f64 / 1000.0
        );
    }
    println!(
        "record bytes: {record_bytes} ({:.1} per event)",
        record_bytes as f64 / count.max(1) as f64
    );
    println!(
        "bytes on disk: {disk} ({:.1} per event)",
        disk as f64 / count.max(1) as f64
    );
    println!(
        "{:<24} {:>10} {:>12} {:>9}",
        "kind", "count", "bytes", "avg"
    );
    for (kind, (n, b)) in by_kind {
        println!(
            "{kind:<24} {n:>10} {b:>12} {:>9.1}",
            b as f64 / n.max(1) as f64
        );
    }
    Ok(ExitCode::SUCCESS)
}
