//! The answers of a stream's last session refresh on a chain that did not become its session:
//! go-livepeer keeps every O that answered a refresh in the stream's selector as an unknown
//! session, so a stream that leaves its O (failed, slow, suspended) takes another one from them
//! without asking again; a new refresh happens only when the sessions held and kept number
//! fewer than the pool's refresh threshold (`commands::session_pools::needs_refresh`). A kept
//! answer is used only while its O is still unknown to the stream and untried by the segment,
//! its token has more than the refresh margin left and its ticket params have not expired (as
//! the B's watcher sees the chain). Soft state, like the sessions: a restarted B asks again.

use super::{discovery::Answer, service::Broadcaster};
use crate::commands::{orch_choice::session_usable, suspensions::Suspensions};
use crate::log::LogStore;
use crate::node::clock::now_ms;
use std::collections::BTreeMap;
use std::sync::{Mutex, PoisonError};

/// Each stream's kept answers.
#[derive(Default)]
pub struct Spares(Mutex<BTreeMap<String, Vec<Answer>>>);

impl Spares {
    fn lock(&self) -> std::sync::MutexGuard<'_, BTreeMap<String, Vec<Answer>>> {
        self.0.lock().unwrap_or_else(PoisonError::into_inner)
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

    /// Keeps `answers` (a refresh's, not chosen) for `manifest`'s next new session.
    pub(super) fn keep_spares(&self, manifest: &str, answers: Vec<Answer>) {
        if !answers.is_empty() {
            self.spares.lock().insert(manifest.to_string(), answers);
        }
    }

    /// Forgets the answers kept for a stream that ended.
    pub(super) fn forget_spares(&self, manifest: &str) {
        self.spares.lock().remove(manifest);
    }
}
