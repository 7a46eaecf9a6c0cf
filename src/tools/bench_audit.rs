//! `livepeer bench audit`: on a realistic synthetic log (`synth`), the projections' rebuild
//! (every projection, the audit index included) against a raw scan of the same log, the size of
//! the index per event, a full `audit`, and `dispute` lookups (index → candidate records) at
//! p50/p99, with a few whole disputes (the replay to the payment) for scale. Figures, not
//! asserts: docs/benchmarks.md.

use super::{
    bench_fs,
    bench_log::{fill, raw_scan},
    ToolError,
};
use crate::{
    audit::{dispute::Dispute, dispute::Query, Auditor},
    cli::BenchAuditArgs,
    events::{Event, Hash32},
    log::{scan_verified, FjallLog, FjallStore},
    projections::{Projection, Projections},
};
use std::{path::Path, process::ExitCode, time::Instant};

/// Runs the benchmark; with `datadir`, its log is left there.
pub fn run(
    datadir: Option<&Path>,
    args: &BenchAuditArgs,
    rt: &tokio::runtime::Runtime,
) -> Result<ExitCode, ToolError> {
    let (root, keep, fs) = bench_fs::bench_root(datadir, "bench-audit")?;
    println!("bench audit: dir {} on filesystem {fs}", root.display());
    let result = run_in(rt, &root.join("log"), args);
    if !keep {
        let _ = std::fs::remove_dir_all(&root);
    }
    result
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    let i = ((sorted.len().max(1) as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or(0.0)
}

fn run_in(
    rt: &tokio::runtime::Runtime,
    dir: &Path,
    args: &BenchAuditArgs,
) -> Result<ExitCode, ToolError> {
    let started = Instant::now();
    let filled = fill(rt, dir, args.events)?;
    let n = filled.events;
    println!(
        "log: {n} events written in {:.1} s",
        started.elapsed().as_secs_f64()
    );
    let raw = raw_scan(dir)?;
    // Rebuild: every projection from seq 0, the hash chain verified on the way.
    let store = FjallStore::open(&dir.join("events"))?;
    let t = Instant::now();
    let mut p = Projections::default();
    let mut tickets: Vec<Hash32> = Vec::new();
    scan_verified(&store, 0, u64::MAX, Some(Hash32::default()), |env| {
        if let Event::TicketReceived(t) = &env.event {
            if tickets.len() < 1_000_000 {
                tickets.push(t.ticket_hash);
            }
        }
        p.apply(env)
    })?;
    let rebuild_s = t.elapsed().as_secs_f64();
    let rebuild = n as f64 / rebuild_s;
    drop(store);
    println!("raw scan:  {raw:.0} events/s");
    println!(
        "rebuild:   {rebuild:.0} events/s, {rebuild_s:.2} s (ratio rebuild/raw = {:.2}, target >= 0.5; target < 10 s)",
        rebuild / raw.max(1e-9)
    );
    per_projection(dir, n)?;
    // What the index costs: a verified scan folding nothing, then folding the index alone.
    let store = FjallStore::open(&dir.join("events"))?;
    let t = Instant::now();
    scan_verified(&store, 0, u64::MAX, Some(Hash32::default()), |_| {})?;
    let bare = n as f64 / t.elapsed().as_secs_f64();
    let t = Instant::now();
    let mut only = crate::projections::audit_index::AuditIndex::default();
    scan_verified(&store, 0, u64::MAX, Some(Hash32::default()), |env| {
        only.apply(env)
    })?;
    let with_index = n as f64 / t.elapsed().as_secs_f64();
    drop(store);
    println!(
        "verified scan folding nothing: {bare:.0} events/s; folding the audit index alone: {with_index:.0} events/s"
    );
    let idx = &p.audit_index.state;
    let idx_bytes = idx.encode().len();
    println!(
        "audit index: {} entries, {idx_bytes} bytes encoded, {:.1} bytes per event",
        idx.len(),
        idx_bytes as f64 / n.max(1) as f64
    );
    // The full audit.
    let store = FjallStore::open(&dir.join("events"))?;
    let t = Instant::now();
    let mut a = Auditor::default();
    scan_verified(&store, 0, u64::MAX, Some(Hash32::default()), |env| {
        a.apply(env)
    })?;
    let report = a.report();
    let audit_s = t.elapsed().as_secs_f64();
    println!(
        "audit:     {audit_s:.2} s ({} sessions, {} tickets, {} discrepancies; target < 15 s)",
        report.sessions.len(),
        report.tickets.received,
        report.discrepancies.len()
    );
    for d in report.discrepancies.iter().take(3) {
        println!("  seqs {:?}: {}", d.seqs, d.what);
    }
    drop(store);
    // Lookups: the index, then the candidate records read and matched.
    let log = FjallLog::open_dir(dir)?;
    let step = (tickets.len() / args.lookups.max(1) as usize).max(1);
    let mut lat = Vec::new();
    for h in tickets.iter().step_by(step) {
        let t = Instant::now();
        let q = Query::Ticket(*h);
        let mut first = Vec::new();
        for s in q.candidates(idx) {
            for rec in log.read(s, s) {
                first.push(rec?.envelope);
            }
        }
        let all = q.expand(idx, &first);
        std::hint::black_box(&all);
        lat.push(t.elapsed().as_secs_f64() * 1e3);
    }
    lat.sort_by(f64::total_cmp);
    println!(
        "dispute lookup ({} tickets): p50 {:.3} ms, p99 {:.3} ms (target < 100 ms)",
        lat.len(),
        pct(&lat, 0.5),
        pct(&lat, 0.99)
    );
    // A few whole disputes: the replay to the payment dominates.
    let mut whole = Vec::new();
    for h in tickets.iter().step_by((tickets.len() / 3).max(1)).take(3) {
        let t = Instant::now();
        let q = Query::Ticket(*h);
        let cands = q.candidates(idx);
        let mut d = Dispute::new(q, &cands);
        let end = d.end().unwrap_or(0).min(n.saturating_sub(1));
        scan_verified(log.store(), 0, end, Some(Hash32::default()), |env| {
            d.apply(env)
        })?;
        std::hint::black_box(d.lines().map(|l| l.len()).unwrap_or(0));
        whole.push((end, t.elapsed().as_secs_f64()));
    }
    for (end, s) in whole {
        println!("whole dispute replaying to seq {end}: {s:.2} s");
    }
    Ok(ExitCode::SUCCESS)
}

/// Where a rebuild's folding time goes: each projection alone over the first million records,
/// decoded once into memory (no reading, hashing or decoding in the figures).
fn per_projection(dir: &Path, n: u64) -> Result<(), ToolError> {
    let store = FjallStore::open(&dir.join("events"))?;
    let mut sample = Vec::new();
    scan_verified(
        &store,
        0,
        n.min(1_000_000).saturating_sub(1),
        Some(Hash32::default()),
        |env| sample.push(env.clone()),
    )?;
    drop(store);
    let mut p = Projections::default();
    let names: Vec<&str> = p.slots().iter().map(|s| s.name()).collect();
    let mut line = format!(
        "fold per projection over {} records (ns/record):",
        sample.len()
    );
    let mut total = 0.0;
    for (i, name) in names.iter().enumerate() {
        let mut slots = p.slots_mut();
        let t = Instant::now();
        for env in &sample {
            slots[i].apply(env);
        }
        let ns = t.elapsed().as_secs_f64() * 1e9 / sample.len().max(1) as f64;
        total += ns;
        line += &format!(" {name} {ns:.0}");
    }
    println!("{line}; all {total:.0}");
    Ok(())
}
