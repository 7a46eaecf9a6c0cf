//! The answers of a stream's last session refresh on a chain that did not become its session:
//! go-livepeer keeps every O that answered a refresh in the stream's selector as an unknown
//! session, so a stream that leaves its O (failed, slow, suspended) takes another one from them
//! without asking again; a new refresh happens only when the sessions held and kept number
//! fewer than the pool's refresh threshold (`commands::session_pools::needs_refresh`). A kept
//! answer is used only while its O is still unknown to the stream and untried by the segment,
//! its token has more than the refresh margin left and its ticket params have not expired (as
//! the B's watcher sees the chain). A refresh made while kept answers remain runs in the
//! background (`commands::session_pools::refresh_mode`) and adds its answers here. Soft state,
//! like the sessions: a restarted B asks again.

use super::{discovery::Answer, service::Broadcaster};
use crate::commands::{orch_choice::session_usable, suspensions::Suspensions};
use crate::log::LogStore;
use crate::node::clock::now_ms;
use std::collections::{BTreeMap, BTreeSet};
use std::sync::{Mutex, PoisonError};

/// Each stream's kept answers, and the streams whose refresh runs in the background.
#[derive(Default)]
pub struct Spares {
    kept: Mutex<BTreeMap<String, Vec<Answer>>>,
    refreshing: Mutex<BTreeSet<String>>,
}

impl Spares {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Vec<Answer>>> {
        self.kept.lock().unwrap_or_else(PoisonError::into_inner)
    }

    fn running(&self) -> std::sync::MutexGuard<'_, BTreeSet<String>> {
        self.refreshing
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
    }

    /// Whether `manifest`'s refresh runs in the background now.
    pub(super) fn refreshing(&self, manifest: &str) -> bool {
        self.running().contains(manifest)
    }

    /// Marks `manifest`'s background refresh begun; false when one already runs.
    pub(super) fn begin_refresh(&self, manifest: &str) -> bool {
        self.running().insert(manifest.to_string())
    }

    /// Marks `manifest`'s background refresh done.
    pub(super) fn end_refresh(&self, manifest: &str) {
        self.running().remove(manifest);
    }
}

impl<S: LogStore> Broadcaster<S> {
    /// `manifest`'s kept answers from Os in `os` (the pool's Os unknown to the stream and
    /// untried by the segment at hand) that are still usable; taken out (what is not chosen is
    /// kept again by [`Broadcaster::keep_spares`]); the others are dropped.
    pub(super) fn take_spares(&self, manifest: &str, os: &[String]) -> Vec<Answer> {
        let kept = self.spares.lock().remove(manifest).unwrap_or_default();
        let l1 = self
            .paying()
            .map(|_| self.writer().read(|s| s.ticket_queue.state.last_l1_block()));
        let (now, none) = (now_ms(), Suspensions::default());
        kept.into_iter()
            .filter(|(uri, _, info)| {
                let expiration = info.auth_token.as_ref().map(|t| t.expiration);
                let params_live = match (&info.ticket_params, l1) {
                    (Some(p), Some(l1)) => {
                        !crate::pm::sender::params_expired(p.expiration_block, l1)
                    }
                    _ => true,
                };
                os.contains(uri) && params_live && session_usable(expiration, uri, &none, now)
            })
            .collect()
    }

    /// Keeps `answers` (a refresh's, not chosen) for `manifest`'s next new session, beside the
    /// answers a background refresh kept meanwhile (newer: they stay where both have an O).
    pub(super) fn keep_spares(&self, manifest: &str, answers: Vec<Answer>) {
        self.merge_spares(manifest, answers, false);
    }

    /// Keeps a background refresh's `answers` for a stream still running (they replace older
    /// answers of the same Os).
    pub(super) fn keep_fresh_spares(&self, manifest: &str, answers: Vec<Answer>) {
        if self.cached_sessions().contains_key(manifest) {
            self.merge_spares(manifest, answers, true);
        }
    }

    fn merge_spares(&self, manifest: &str, answers: Vec<Answer>, newer: bool) {
        if answers.is_empty() {
            return;
        }
        let mut all = self.spares.lock();
        let kept = all.entry(manifest.to_string()).or_default();
        for a in answers {
            match kept.iter_mut().find(|k| k.0 == a.0) {
                Some(k) if newer => *k = a,
                Some(_) => {}
                None => kept.push(a),
            }
        }
    }

    /// Forgets the answers kept for a stream that ended.
    pub(super) fn forget_spares(&self, manifest: &str) {
        self.spares.lock().remove(manifest);
    }
}
