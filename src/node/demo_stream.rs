//! The demo's stream: the ffmpeg CLI publishing a generated 720p30 test pattern with a tone over
//! RTMP, and a live line while it runs (at a terminal rewritten in place each second, otherwise
//! one line every five seconds) told from both nodes' logs as they grow.

use super::{demo_report::DemoReport, NodeError};
use crate::log::{Log, LogStore};
use std::io::{IsTerminal, Write};
use std::time::{Duration, Instant};

/// A reader of one log that remembers where it stopped.
#[derive(Debug, Clone, Copy)]
pub struct Follow {
    next: u64,
}

impl Follow {
    /// Reads from `seq` on.
    pub fn from(seq: u64) -> Self {
        Follow { next: seq }
    }

    /// Feeds each record appended since the last call to `f`.
    pub fn catch_up<S: LogStore>(
        &mut self,
        log: &Log<S>,
        mut f: impl FnMut(&crate::events::Event),
    ) {
        for r in log.read(self.next, u64::MAX) {
            let Ok(r) = r else { break };
            self.next = r.envelope.seq + 1;
            f(&r.envelope.event);
        }
    }
}

/// Both nodes' logs, followed into one report.
pub struct Watch<'a, S: LogStore, T: LogStore> {
    /// The B's log and where this run began in it.
    pub b: (&'a Log<S>, Follow),
    /// The O's.
    pub o: (&'a Log<T>, Follow),
    /// What they say so far.
    pub report: DemoReport,
}

impl<S: LogStore, T: LogStore> Watch<'_, S, T> {
    /// Folds what both logs gained.
    pub fn update(&mut self) {
        let report = &mut self.report;
        self.b.1.catch_up(self.b.0, |e| report.add_b(e));
        self.o.1.catch_up(self.o.0, |e| report.add_o(e));
    }
}

/// The live line: time, segments, the last round trip, events, and tickets on a chain.
fn live_line(elapsed: u64, secs: u32, r: &DemoReport, paid: bool) -> String {
    let last = r
        .round_trips_ms
        .last()
        .map_or("-".into(), |ms| format!("{ms} ms"));
    let mut line = format!(
        "demo: {elapsed:>3}/{secs} s | segments {} in, {} out, {} failed | last round trip \
         {last} | events B {} O {}",
        r.segments_in, r.transcoded, r.failed, r.b_events, r.o_events
    );
    if paid {
        line.push_str(&format!(
            " | tickets sent {} won {}",
            r.tickets_sent,
            r.winners.len()
        ));
    }
    line
}

/// Publishes `secs` seconds to `publish` with the ffmpeg CLI, showing the live line from
/// `watch` while it runs.
pub async fn publish<S: LogStore, T: LogStore>(
    publish: &str,
    secs: u32,
    watch: &mut Watch<'_, S, T>,
    paid: bool,
) -> Result<(), NodeError> {
    println!(
        "demo: $ ffmpeg -re -f lavfi -i testsrc2=size=1280x720:rate=30 -f lavfi -i sine \
             -t {secs} -c:v libx264 -g 60 -c:a aac -f flv {publish}"
    );
    let mut child = tokio::process::Command::new("ffmpeg")
        .args(["-hide_banner", "-loglevel", "error", "-nostdin", "-re"])
        .args(["-f", "lavfi", "-i", "testsrc2=size=1280x720:rate=30"])
        .args(["-f", "lavfi", "-i", "sine=frequency=440:sample_rate=48000"])
        .args(["-t", &secs.to_string()])
        .args([
            "-c:v", "libx264", "-preset", "veryfast", "-pix_fmt", "yuv420p",
        ])
        .args(["-g", "60", "-keyint_min", "60", "-sc_threshold", "0"])
        .args(["-c:a", "aac", "-b:a", "96k", "-f", "flv"])
        .arg(publish)
        .kill_on_drop(true)
        .spawn()
        .map_err(|e| format!("cannot run ffmpeg: {e}"))?;
    let terminal = std::io::stdout().is_terminal();
    let started = Instant::now();
    let mut tick = tokio::time::interval(Duration::from_secs(1));
    let status = loop {
        tokio::select! {
            status = child.wait() => break status?,
            _ = tick.tick() => {
                watch.update();
                let elapsed = started.elapsed().as_secs();
                let line = live_line(elapsed, secs, &watch.report, paid);
                if terminal {
                    print!("\r{line}\x1b[K");
                    let _ = std::io::stdout().flush();
                } else if elapsed % 5 == 0 && elapsed > 0 {
                    println!("{line}");
                }
            }
        }
    };
    if terminal {
        println!();
    }
    if !status.success() {
        return Err(format!("ffmpeg exited with {status}").into());
    }
    Ok(())
}
