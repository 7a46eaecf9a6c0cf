//! `livepeer demo`: writes a realistic orchestrator history (streams, segments, tickets,
//! balances, chain blocks and rounds) through the real log with concurrent writers, checkpoints
//! the projections half-way, then verifies the chain and replays it.

use super::{logcmd, now_ms, replay, synth::Synth, ToolError};
use crate::{
    cli::DemoArgs,
    log::{Expect, FjallLog},
    node::state,
};
use std::{path::Path, process::ExitCode, time::Instant};

/// Runs the demo into `datadir`.
pub fn run(
    datadir: &Path,
    args: &DemoArgs,
    rt: &tokio::runtime::Runtime,
) -> Result<ExitCode, ToolError> {
    println!("demo: datadir {}", datadir.display());
    let _guard = rt.enter();
    {
        let log = FjallLog::open_dir(datadir)?;
        let (before, restored) = state::restore(&log)?;
        for n in &restored.notices {
            println!("demo: {n}");
        }
        println!(
            "demo: log has {} records; {} live streams before this run",
            log.head().next_seq,
            before.streams.state.live().count()
        );
        let mut synth = Synth::new(now_ms(), args.streams);
        let started = Instant::now();
        let log = std::sync::Arc::new(log);
        let total = u64::from(args.streams) * u64::from(args.segments);
        let half = total / 2;
        let mut written = 0u64;
        while written < total {
            // One segment of every stream, each appended as its own request (handed to the
            // appender when made): concurrent writers share fsyncs (group commit).
            let mut pending = Vec::new();
            for _ in 0..args.streams {
                let batch: Vec<_> = synth
                    .next_batch()
                    .into_iter()
                    .map(|(_, e)| (now_ms(), e))
                    .collect();
                pending.push(log.append(batch, Expect::Any));
            }
            for res in rt.block_on(futures_util::future::join_all(pending)) {
                res?;
            }
            let before = written;
            written += u64::from(args.streams);
            if before < half && written >= half {
                let (p, _) = state::restore(&log)?;
                state::checkpoint_all(&log, &p)?;
                println!("demo: checkpoint written at seq {}", log.head().next_seq);
            }
            let per_stream = written / u64::from(args.streams.max(1));
            if per_stream % 10 == 0 {
                println!(
                    "demo: {per_stream} segments per stream written, log at seq {}",
                    log.head().next_seq
                );
            }
        }
        let end: Vec<_> = synth
            .end_streams()
            .into_iter()
            .map(|(_, e)| (now_ms(), e))
            .collect();
        rt.block_on(log.append(end, Expect::Any))?;
        let c = log.counters();
        println!(
            "demo: wrote {} events in {:.2} s with {} fsyncs",
            c.events,
            started.elapsed().as_secs_f64(),
            c.syncs
        );
        let (p, _) = state::restore(&log)?;
        for (id, s) in p
            .streams
            .state
            .streams
            .iter()
            .rev()
            .take(args.streams as usize)
        {
            println!(
                "demo: {id}: {} segments in, {} transcoded, {} pixels, {:.0} s of video",
                s.segments_in,
                s.segments_out,
                s.pixels,
                s.duration_ms as f64 / 1000.0
            );
        }
        drop(p);
        match std::sync::Arc::try_unwrap(log) {
            Ok(log) => log.close(),
            Err(_) => return Err("log still shared at the end of the demo".into()),
        }
    }
    println!("demo: $ livepeer log verify");
    let v = logcmd::verify(datadir)?;
    println!("demo: $ livepeer replay");
    let r = replay::run(datadir)?;
    if v != ExitCode::SUCCESS || r != ExitCode::SUCCESS {
        return Ok(ExitCode::FAILURE);
    }
    println!("demo: done. Inspect with `livepeer log stats -dataDir {0}` or `livepeer log dump -dataDir {0} -json`", datadir.display());
    Ok(ExitCode::SUCCESS)
}
