//! Start-up state: load each projection's checkpoint (or rebuild it when its version changed),
//! fold the tail of the log, and write checkpoints back through the log's appender.

use crate::{
    log::{Log, LogError, LogStore},
    projections::{Checkpoint, Projections},
};

/// How state was restored.
#[derive(Debug, Default)]
pub struct Restored {
    /// Lines for the terminal (rebuilds, checkpoint use).
    pub notices: Vec<String>,
    /// Records folded after the checkpoints.
    pub tail_records: u64,
}

/// What start-up does with one projection's stored checkpoint.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SlotPlan {
    /// Its checkpoint is this version's: restore it, fold the tail from `next_seq`.
    Restore {
        /// The checkpoint covers records below this seq.
        next_seq: u64,
    },
    /// Written by another version of the projection: rebuild from seq 0.
    Rebuild {
        /// The checkpoint's version.
        from_version: u32,
    },
    /// No checkpoint while others have one: a projection new in this build, built from seq 0.
    New,
    /// No checkpoint at all (a fresh datadir, or one never checkpointed): fold from seq 0.
    Fold,
    /// A checkpoint that does not decode: rebuild from seq 0.
    Unreadable,
}

impl SlotPlan {
    /// Whether the projection is folded from seq 0 because of a migration (a version change,
    /// a new projection, an unreadable checkpoint).
    pub fn migrates(&self) -> bool {
        matches!(
            self,
            SlotPlan::Rebuild { .. } | SlotPlan::New | SlotPlan::Unreadable
        )
    }
}

/// Each projection's plan at start: from the stored checkpoints against this build's versions.
pub fn plan<S: LogStore>(log: &Log<S>) -> Result<Vec<(&'static str, u32, SlotPlan)>, LogError> {
    let p = Projections::default();
    let mut out = Vec::new();
    let mut any = false;
    for slot in p.slots() {
        let plan = match log.checkpoint(slot.name())? {
            None => SlotPlan::Fold,
            Some(bytes) => {
                any = true;
                match Checkpoint::decode(&bytes) {
                    Some(cp) if cp.version != slot.version() => SlotPlan::Rebuild {
                        from_version: cp.version,
                    },
                    Some(cp) => SlotPlan::Restore {
                        next_seq: cp.next_seq,
                    },
                    None => SlotPlan::Unreadable,
                }
            }
        };
        out.push((slot.name(), slot.version(), plan));
    }
    if any {
        for (_, _, plan) in &mut out {
            if *plan == SlotPlan::Fold {
                *plan = SlotPlan::New;
            }
        }
    }
    Ok(out)
}

/// Restores every projection: checkpoint + tail, or a rebuild from seq 0 when the stored
/// checkpoint was written by another projection version.
pub fn restore<S: LogStore>(log: &Log<S>) -> Result<(Projections, Restored), LogError> {
    restore_with(log, &mut |_| {})
}

/// Folded records between two progress reports of a migration.
pub const PROGRESS_EVERY: u64 = 100_000;

/// [`restore`], handing `report` each notice as it is made and, when a projection migrates (is
/// rebuilt from seq 0), a progress line every [`PROGRESS_EVERY`] records and one at the end.
pub fn restore_with<S: LogStore>(
    log: &Log<S>,
    report: &mut dyn FnMut(String),
) -> Result<(Projections, Restored), LogError> {
    let plans = plan(log)?;
    let mut p = Projections::default();
    let mut restored = Restored::default();
    let mut migrating = false;
    for (slot, (name, version, plan)) in p.slots_mut().into_iter().zip(&plans) {
        migrating |= plan.migrates();
        match plan {
            SlotPlan::Restore { .. } => {
                let cp = log
                    .checkpoint(name)?
                    .as_deref()
                    .and_then(Checkpoint::decode);
                if !cp.is_some_and(|cp| slot.restore(&cp)) {
                    restored.notices.push(format!(
                        "projection {name}: checkpoint unreadable, rebuilding from seq 0"
                    ));
                }
            }
            SlotPlan::Rebuild { from_version } => restored.notices.push(format!(
                "projection {name} changed version {from_version} -> {version}: rebuilding from \
                 seq 0"
            )),
            SlotPlan::New => restored.notices.push(format!(
                "projection {name} (v{version}) is new in this build: building it from seq 0"
            )),
            SlotPlan::Unreadable => restored.notices.push(format!(
                "projection {name}: checkpoint unreadable, rebuilding from seq 0"
            )),
            SlotPlan::Fold => {}
        }
    }
    for n in &restored.notices {
        report(n.clone());
    }
    let head = log.head();
    let from = p.next_seq();
    if from < head.next_seq {
        let total = head.next_seq - from;
        let line = |done: u64| {
            format!(
                "rebuilding projections: {done} of {total} records folded ({:.0} %)",
                done as f64 * 100.0 / total as f64
            )
        };
        for rec in log.read(from, head.next_seq - 1) {
            let rec = rec?;
            p.apply(&rec.envelope);
            restored.tail_records += 1;
            if migrating && restored.tail_records % PROGRESS_EVERY == 0 {
                report(line(restored.tail_records));
            }
        }
        if migrating {
            report(line(restored.tail_records));
        }
    }
    Ok((p, restored))
}

/// Writes a checkpoint of every projection (durable when it returns).
pub fn checkpoint_all<S: LogStore>(log: &Log<S>, p: &Projections) -> Result<(), LogError> {
    for slot in p.slots() {
        log.put_checkpoint_blocking(slot.name(), slot.checkpoint().encode())?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{
        events::{Event, IngestSource, StreamStarted},
        log::{Expect, MemoryLog},
        projections::SlotInfo,
    };

    fn started(i: u32) -> Event {
        Event::StreamStarted(StreamStarted {
            stream: format!("s{i}"),
            source: IngestSource::HttpPush,
            profiles: vec![],
        })
    }

    #[test]
    fn checkpoint_plus_tail_equals_full_replay() {
        let log = MemoryLog::in_memory().unwrap();
        log.append_blocking(
            (0..5).map(|i| (i.into(), started(i))).collect(),
            Expect::Any,
        )
        .unwrap();
        let (p, _) = restore(&log).unwrap();
        checkpoint_all(&log, &p).unwrap();
        log.append_blocking(
            (5..9).map(|i| (i.into(), started(i))).collect(),
            Expect::Any,
        )
        .unwrap();
        let (live, r) = restore(&log).unwrap();
        assert_eq!(
            r.tail_records, 4,
            "only the tail is folded after a checkpoint"
        );
        let mut full = Projections::default();
        for rec in log.read(0, 8) {
            full.apply(&rec.unwrap().envelope);
        }
        assert_eq!(live.digests(), full.digests());
        assert_eq!(live.streams.state.streams.len(), 9);
    }

    #[test]
    fn a_changed_version_rebuilds_from_zero_and_says_so() {
        let log = MemoryLog::in_memory().unwrap();
        log.append_blocking(
            (0..3).map(|i| (i.into(), started(i))).collect(),
            Expect::Any,
        )
        .unwrap();
        let (p, _) = restore(&log).unwrap();
        let mut cp = p.streams.checkpoint();
        cp.version += 1;
        cp.state = vec![0xff; 3];
        log.put_checkpoint_blocking("streams", cp.encode()).unwrap();
        let (p, r) = restore(&log).unwrap();
        assert!(
            r.notices
                .iter()
                .any(|n| n.contains("projection streams changed version")
                    && n.contains("rebuilding from seq 0")),
            "{:?}",
            r.notices
        );
        assert_eq!(p.streams.state.streams.len(), 3, "rebuilt from the log");
    }
}
