//! `livepeer bench log`: (a) group commit of concurrent single-event writers against raw fjall
//! batches of the same size, (b) replay throughput against a raw fjall scan, (c) replay peak
//! memory at N and 4N events (child processes), (d) bytes per event and growth per day.
//! Baseline and ours are alternated and the median is printed, with ratios.

use super::{
    bench_fs::{self, dir_bytes, fresh_dir, settle},
    now_ms,
    synth::Synth,
    ToolError,
};
use crate::{
    cli::BenchLogArgs,
    events::{Event, Hash32, KvSet},
    log::{scan_verified, Expect, FjallLog, FjallStore, LogStore},
    projections::Projections,
};
use std::{path::Path, process::ExitCode, sync::Arc, time::Instant};

fn median(mut v: Vec<f64>) -> f64 {
    v.sort_by(f64::total_cmp);
    v.get(v.len() / 2).copied().unwrap_or(0.0)
}

fn pct(sorted: &[f64], p: f64) -> f64 {
    if sorted.is_empty() {
        return 0.0;
    }
    let i = ((sorted.len() as f64 - 1.0) * p).round() as usize;
    sorted.get(i).copied().unwrap_or(0.0)
}

/// Runs the benchmark; with `datadir`, its logs are left there.
pub fn run(
    datadir: Option<&Path>,
    args: &BenchLogArgs,
    rt: &tokio::runtime::Runtime,
) -> Result<ExitCode, ToolError> {
    let (root, keep, fs) = bench_fs::bench_root(datadir, "bench-log")?;
    println!("bench log: dir {} on filesystem {fs}", root.display());
    let result = run_in(rt, &root, args);
    if !keep {
        let _ = std::fs::remove_dir_all(&root);
    }
    result
}

fn run_in(
    rt: &tokio::runtime::Runtime,
    root: &Path,
    args: &BenchLogArgs,
) -> Result<ExitCode, ToolError> {
    if args.sections.contains('a') {
        group_section(rt, root, args)?;
    }
    if args.sections.contains(['b', 'c', 'd']) {
        replay_sections(rt, root, args)?;
    }
    Ok(ExitCode::SUCCESS)
}

/// (a) group commit of concurrent single-event writers against raw fjall batches.
fn group_section(
    rt: &tokio::runtime::Runtime,
    root: &Path,
    args: &BenchLogArgs,
) -> Result<(), ToolError> {
    println!(
        "\n(a) {} writers x {} single-event appends, each awaiting its ack",
        args.writers, args.appends
    );
    let mut ours = Vec::new();
    let mut raw = Vec::new();
    let mut per_sync = Vec::new();
    let mut syncs_s = Vec::new();
    let mut p50 = Vec::new();
    let mut p99 = Vec::new();
    // Alternate the order within a round (ours first, then raw first), and start every run
    // from a synced filesystem with the previous runs' files gone, so that neither side pays
    // for the other's writeback.
    let mut batch: Option<usize> = None;
    for round in 0..args.rounds.max(1) {
        let (gdir, rdir) = (root.join("group"), root.join("raw"));
        let events = (args.writers * args.appends) as u64;
        let value_len = crate::log::seal(0, 0, Hash32::default(), kv(0)).value.len();
        let raw_first = round % 2 == 1 && batch.is_some();
        let mut r = None;
        if let (true, Some(b)) = (raw_first, batch) {
            settle(&[&gdir, &rdir])?;
            r = Some(raw_batches(&rdir, events, b, value_len)?);
        }
        settle(&[&gdir])?;
        let g = group_commit(rt, &gdir, args.writers, args.appends)?;
        let events_per_sync = g.events as f64 / g.syncs.max(1) as f64;
        batch = Some(events_per_sync.round().max(1.0) as usize);
        let r = match r {
            Some(r) => r,
            None => {
                settle(&[&rdir])?;
                raw_batches(&rdir, events, batch.unwrap_or(1), value_len)?
            }
        };
        println!(
            "  round {} ({} first): ours {:.0} ev/s ({:.1} ev/fsync, p50 {:.2} ms, p99 {:.2} ms) | raw fjall {:.0} ev/s",
            round + 1, if raw_first { "raw" } else { "ours" }, g.events_per_s, events_per_sync, g.p50_ms, g.p99_ms, r
        );
        ours.push(g.events_per_s);
        raw.push(r);
        per_sync.push(events_per_sync);
        syncs_s.push(g.syncs as f64 / g.secs);
        p50.push(g.p50_ms);
        p99.push(g.p99_ms);
    }
    let (o, r) = (median(ours), median(raw));
    println!(
        "  median: ours {o:.0} events/s, {:.0} fsyncs/s, {:.1} events/fsync, ack p50 {:.2} ms p99 {:.2} ms",
        median(syncs_s), median(per_sync), median(p50), median(p99)
    );
    println!("  median: raw fjall, same batch size, one sync each: {r:.0} events/s");
    println!("  ratio ours/raw = {:.2} (target >= 0.70)", o / r.max(1e-9));
    Ok(())
}

/// (b) replay against a raw scan, (c) replay memory at N and 4N, (d) size.
fn replay_sections(
    rt: &tokio::runtime::Runtime,
    root: &Path,
    args: &BenchLogArgs,
) -> Result<(), ToolError> {
    println!("\n(b) replay of {} events of a realistic mix", args.events);
    let dir = root.join("replay-n");
    let written = fill(rt, &dir, args.events)?;
    println!(
        "  wrote {} events ({:.0} B/event in table files, {:.0} B/record)",
        written.events, written.disk_per_event, written.record_per_event
    );
    let mut ours = Vec::new();
    let mut scan = Vec::new();
    for round in 0..args.rounds.max(1) {
        let s = raw_scan(&dir)?;
        let rp = replay(&dir)?;
        println!(
            "  round {}: raw scan {:.0} ev/s | replay (hash chain + every projection) {:.0} ev/s",
            round + 1,
            s,
            rp
        );
        scan.push(s);
        ours.push(rp);
    }
    let (o, s) = (median(ours), median(scan));
    println!("  median: replay {o:.0} events/s (target >= 1,000,000), raw scan {s:.0} events/s, ratio {:.2} (target >= 0.40)", o / s.max(1e-9));

    if args.sections.contains('c') {
        memory_section(rt, root, &dir, &written, args)?;
    }
    if args.sections.contains('d') {
        size_section(&written);
    }
    Ok(())
}

/// (c) peak memory of a replay at N and 4N events, each in a child process.
fn memory_section(
    rt: &tokio::runtime::Runtime,
    root: &Path,
    dir: &Path,
    written: &Filled,
    args: &BenchLogArgs,
) -> Result<(), ToolError> {
    println!("\n(c) replay peak memory (child processes, VmHWM)");
    let exe = std::env::current_exe()?;
    let m1 = child_replay_rss(&exe, dir)?;
    let dir4 = root.join("replay-4n");
    let w4 = fill(rt, &dir4, args.events * 4)?;
    let m4 = child_replay_rss(&exe, &dir4)?;
    println!(
        "  N  = {:>9} events: peak RSS {:.1} MiB",
        written.events,
        m1 as f64 / 1024.0
    );
    println!("  4N = {:>9} events: peak RSS {:.1} MiB (ratio {:.2}; projections' own state is bounded here)", w4.events, m4 as f64 / 1024.0, m4 as f64 / m1.max(1) as f64);

    Ok(())
}

/// (d) bytes per event and growth per day.
fn size_section(written: &Filled) {
    println!("\n(d) size");
    let per_segment = written.events as f64 / written.segments.max(1) as f64;
    println!(
        "  {:.0} bytes per event in table files (the journal is preallocated and recycled), {:.0} per record, {:.2} events per stream segment",
        written.disk_per_event, written.record_per_event, per_segment
    );
    for streams in [10u64, 100] {
        let per_day = streams as f64 * 43_200.0 * per_segment * written.disk_per_event;
        println!(
            "  {streams:>3} streams: {:.0} events/day, {:.2} GiB/day",
            streams as f64 * 43_200.0 * per_segment,
            per_day / (1u64 << 30) as f64
        );
    }
}

struct Group {
    events: u64,
    syncs: u64,
    secs: f64,
    events_per_s: f64,
    p50_ms: f64,
    p99_ms: f64,
}

fn kv(i: usize) -> Event {
    Event::KvSet(KvSet {
        key: format!("writer-{i:06}"),
        value: vec![0x5a; 160],
    })
}

fn group_commit(
    rt: &tokio::runtime::Runtime,
    dir: &Path,
    writers: usize,
    appends: usize,
) -> Result<Group, ToolError> {
    fresh_dir(dir)?;
    let log = Arc::new(FjallLog::open_dir(dir)?);
    let started = Instant::now();
    let lat: Vec<f64> = rt.block_on(async {
        let mut set = tokio::task::JoinSet::new();
        for w in 0..writers {
            let log = log.clone();
            set.spawn(async move {
                let mut lat = Vec::with_capacity(appends);
                for i in 0..appends {
                    let t = Instant::now();
                    log.append(vec![(now_ms(), kv(w * appends + i))], Expect::Any)
                        .await?;
                    lat.push(t.elapsed().as_secs_f64() * 1e3);
                }
                Ok::<_, crate::log::LogError>(lat)
            });
        }
        let mut all = Vec::new();
        for r in set.join_all().await {
            all.extend(r?);
        }
        Ok::<_, crate::log::LogError>(all)
    })?;
    let secs = started.elapsed().as_secs_f64();
    let c = log.counters();
    let mut lat = lat;
    lat.sort_by(f64::total_cmp);
    Ok(Group {
        events: c.events,
        syncs: c.syncs,
        secs,
        events_per_s: c.events as f64 / secs,
        p50_ms: pct(&lat, 0.5),
        p99_ms: pct(&lat, 0.99),
    })
}

fn raw_batches(dir: &Path, events: u64, batch: usize, value_len: usize) -> Result<f64, ToolError> {
    fresh_dir(dir)?;
    let store = FjallStore::open(dir)?;
    let value = vec![0x5a; value_len];
    let started = Instant::now();
    let mut seq = 0u64;
    while seq < events {
        let n = (events - seq).min(batch as u64);
        let recs: Vec<(u64, &[u8])> = (seq..seq + n).map(|s| (s, value.as_slice())).collect();
        store.write(&recs, &[])?;
        store.sync()?;
        seq += n;
    }
    Ok(events as f64 / started.elapsed().as_secs_f64())
}

pub(super) struct Filled {
    pub(super) events: u64,
    segments: u64,
    disk_per_event: f64,
    record_per_event: f64,
}

pub(super) fn fill(
    rt: &tokio::runtime::Runtime,
    dir: &Path,
    events: u64,
) -> Result<Filled, ToolError> {
    fresh_dir(dir)?;
    let log = FjallLog::open_dir(dir)?;
    let mut synth = Synth::new(7, 100);
    let mut segments = 0u64;
    let mut record_bytes = 0u64;
    let mut batch = Vec::with_capacity(8_192);
    let mut n = 0u64;
    while n < events {
        let seg = synth.next_batch();
        segments += 1;
        n += seg.len() as u64;
        batch.extend(seg);
        if batch.len() >= 8_000 || n >= events {
            let r = rt.block_on(log.append(std::mem::take(&mut batch), Expect::Any))?;
            record_bytes += r
                .envelopes
                .iter()
                .map(|e| 32 + crate::events::encode_record(e).len() as u64)
                .sum::<u64>();
        }
    }
    let events = log.head().next_seq;
    drop(log);
    let store = FjallStore::open(&dir.join("events"))?;
    // Flush the memtable into tables so that opening the log later does not rebuild it from the
    // journal (which would count fjall's write buffer in the replay's memory).
    store
        .events_keyspace()
        .rotate_memtable_and_wait()
        .map_err(|e| format!("{e:?}"))?;
    // Settle the tree, so that background compaction does not run during the measurements.
    store
        .events_keyspace()
        .major_compact()
        .map_err(|e| format!("{e:?}"))?;
    // Close first: tables replaced by the compaction are deleted once nothing holds them.
    drop(store);
    // Table files only: the journal is preallocated (64 MiB) and recycled, so it does not grow.
    let disk = dir_bytes(&dir.join("events").join("keyspaces"));
    Ok(Filled {
        events,
        segments,
        disk_per_event: disk as f64 / events.max(1) as f64,
        record_per_event: record_bytes as f64 / events.max(1) as f64,
    })
}

/// The baseline: fjall's range iteration over the same keyspace, each value's bytes touched
/// (summed) in place, nothing copied, decoded or hashed.
pub(super) fn raw_scan(dir: &Path) -> Result<f64, ToolError> {
    let store = FjallStore::open(&dir.join("events"))?;
    let started = Instant::now();
    let mut n = 0u64;
    let mut sum = 0u64;
    store.visit(0, u64::MAX, &mut |_, v| {
        sum = sum.wrapping_add(v.iter().map(|b| u64::from(*b)).sum::<u64>());
        n += 1;
        true
    })?;
    std::hint::black_box(sum);
    Ok(n as f64 / started.elapsed().as_secs_f64())
}

/// Reads every record of the log in datadir `dir`, checks the hash chain and folds every
/// projection.
pub fn replay(dir: &Path) -> Result<f64, ToolError> {
    let store = FjallStore::open(&dir.join("events"))?;
    let started = Instant::now();
    let mut p = Projections::default();
    let (n, _) = scan_verified(&store, 0, u64::MAX, Some(Hash32::default()), |env| {
        p.apply(env)
    })?;
    std::hint::black_box(p.digests());
    Ok(n as f64 / started.elapsed().as_secs_f64())
}

fn child_replay_rss(exe: &Path, dir: &Path) -> Result<u64, ToolError> {
    let out = std::process::Command::new(exe)
        .args(["debug", "replay-rss", "--datadir"])
        .arg(dir)
        .output()?;
    let text = String::from_utf8_lossy(&out.stdout);
    text.lines()
        .find_map(|l| l.strip_prefix("VmHWM_kB "))
        .and_then(|v| v.trim().parse().ok())
        .ok_or_else(|| {
            format!(
                "replay child failed: {}",
                String::from_utf8_lossy(&out.stderr)
            )
            .into()
        })
}
