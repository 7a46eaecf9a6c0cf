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

/// Restores every projection: checkpoint + tail, or a rebuild from seq 0 when the stored
/// checkpoint was written by another projection version.
pub fn restore<S: LogStore>(log: &Log<S>) -> Result<(Projections, Restored), LogError> {
    let mut p = Projections::default();
    let mut restored = Restored::default();
    for slot in p.slots_mut() {
        match log.checkpoint(slot.name())? {
            None => {}
            Some(bytes) => match Checkpoint::decode(&bytes) {
                Some(cp) if cp.version != slot.version() => restored.notices.push(format!(
                    "projection {} changed version {} -> {}: rebuilding from seq 0",
                    slot.name(),
                    cp.version,
                    slot.version()
                )),
                Some(cp) => {
                    if !slot.restore(&cp) {
                        restored.notices.push(format!(
                            "projection {}: checkpoint unreadable, rebuilding from seq 0",
                            slot.name()
                        ));
                    }
                }
                None => restored.notices.push(format!(
                    "projection {}: checkpoint unreadable, rebuilding from seq 0",
                    slot.name()
                )),
            },
        }
    }
    let head = log.head();
    let from = p.next_seq();
    if from < head.next_seq {
        for rec in log.read(from, head.next_seq - 1) {
            let rec = rec?;
            p.apply(&rec.envelope);
            restored.tail_records += 1;
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
