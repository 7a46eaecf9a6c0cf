//! A B's progress line per live stream, every 10 s at the default level, from the streams
//! projection: segments in, transcoded and failed, seconds of media, the O serving it and, paid,
//! the credit its session holds on that O (the balances projection). A stream with nothing new
//! since its last line is not repeated.

use crate::log::LogStore;
use crate::node::writer::Writer;
use crate::projections::StreamState;
use std::collections::BTreeMap;
use std::sync::Arc;
use std::time::Duration;

/// How often the lines are written.
pub const EVERY: Duration = Duration::from_secs(10);

/// One stream's line, with its session's credit on the O when it pays (`credit`, wei).
pub fn line(stream: &str, s: &StreamState, credit: Option<String>) -> String {
    let o = s
        .session
        .as_ref()
        .map(|o| o.orchestrator.as_str())
        .unwrap_or("none");
    let credit = credit
        .map(|c| format!("; credit {c} wei"))
        .unwrap_or_default();
    format!(
        "stream {stream}: segments in {}, transcoded {}, failed {}; {:.1} s of media; \
         orchestrator {o}{credit}",
        s.segments_in,
        s.segments_out,
        s.segments_failed,
        s.duration_ms as f64 / 1000.0
    )
}

/// The B's balance on the session `s` has with its O, when it pays.
fn credit(p: &crate::projections::Projections, s: &StreamState) -> Option<String> {
    let session = &s.session.as_ref()?.session_id;
    let (_, b) = p
        .balances
        .state
        .iter()
        .find(|(a, _)| &a.session == session)?;
    let v = crate::pm::num::ratio_to_big(&b.balance);
    Some(crate::pm::num::float_string(&v, 0))
}

/// Writes the lines until `stop` turns true.
pub async fn run<S: LogStore>(
    writer: Arc<Writer<S>>,
    mut stop: tokio::sync::watch::Receiver<bool>,
) {
    let mut last: BTreeMap<String, (u64, u64, u64)> = BTreeMap::new();
    loop {
        tokio::select! {
            _ = stop.wait_for(|s| *s) => return,
            _ = tokio::time::sleep(EVERY) => {}
        }
        let lines = writer.read(|p| {
            let mut lines = Vec::new();
            let mut seen = BTreeMap::new();
            for (id, s) in p.streams.state.live() {
                let counts = (s.segments_in, s.segments_out, s.segments_failed);
                if last.get(id) != Some(&counts) {
                    lines.push(line(id, s, credit(p, s)));
                }
                seen.insert(id.clone(), counts);
            }
            last = seen;
            lines
        });
        for l in lines {
            tracing::info!("{l}");
        }
    }
}
