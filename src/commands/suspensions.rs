//! Which Os a B's stream passes over after they failed it, as go-livepeer's suspender
//! (`server/suspensions.go`, `discovery/suspensionqueue.go`): each stream counts its session
//! refreshes (every time it asks the Os for a new session); an O that fails the stream is
//! suspended for `poolSize / numOrchs` refreshes, penalties adding up when it fails again; a
//! refresh takes suspended Os only when too few others answered, the lowest penalty first.
//!
//! One difference, on purpose: go-livepeer adds the penalty to the O's entry without the
//! stream's current count (its comment says "suspend an orchestrator for 'penalty' refreshes",
//! but after a stream's first few refreshes a penalty below the count suspends nothing). Here
//! the penalty counts from the refresh at which the O failed.
//!
//! Suspensions are soft state the B keeps in memory per stream: they are health, not a fact of
//! record, and a restarted B rightly starts with every O trusted again.

use std::collections::BTreeMap;

/// The most sessions a refresh wants (go-livepeer's `numOrchs` cap: twice the segments in flight
/// an 8 s HTTP timeout allows with 2 s segments).
pub const SESSIONS_WANTED: usize = 8;

/// The Os a refresh wants out of a pool of `pool_size`: `min(pool_size, 8)`.
pub fn sessions_wanted(pool_size: usize) -> usize {
    pool_size.min(SESSIONS_WANTED)
}

/// The refreshes an O that failed is suspended for, in a pool of `pool_size` Os:
/// `poolSize / numOrchs` (integer division, as the reference), at least 1.
pub fn penalty_for(pool_size: usize) -> u64 {
    let wanted = sessions_wanted(pool_size).max(1);
    u64::try_from(pool_size / wanted).unwrap_or(u64::MAX).max(1)
}

/// One stream's suspended Os and its refresh count.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct Suspensions {
    /// Refreshes so far.
    refreshes: u64,
    /// O → the last refresh it is suspended for.
    until: BTreeMap<String, u64>,
}

impl Suspensions {
    /// The stream asks its Os for sessions again: one more refresh; suspensions that ended are
    /// forgotten.
    pub fn signal_refresh(&mut self) {
        self.refreshes = self.refreshes.saturating_add(1);
        let now = self.refreshes;
        self.until.retain(|_, last| *last >= now);
    }

    /// `uri` failed the stream: suspended for the next `penalty` refreshes (at least one), added
    /// to what is left of an earlier suspension.
    pub fn suspend(&mut self, uri: &str, penalty: u64) {
        let now = self.refreshes;
        let last = self.until.entry(uri.to_string()).or_insert(now);
        *last = (*last).max(now).saturating_add(penalty.max(1));
    }

    /// `uri`'s penalty (lower is better), 0 when it is not suspended.
    pub fn penalty(&self, uri: &str) -> u64 {
        self.until
            .get(uri)
            .copied()
            .filter(|last| *last >= self.refreshes && *last > 0)
            .unwrap_or(0)
    }

    /// Whether `uri` is suspended.
    pub fn is_suspended(&self, uri: &str) -> bool {
        self.penalty(uri) > 0
    }

    /// Refreshes so far.
    pub fn refreshes(&self) -> u64 {
        self.refreshes
    }
}

/// The Os a refresh takes from those that answered, in the order they answered: the first
/// `wanted` that are not suspended; when fewer, suspended ones fill up to `wanted`, the lowest
/// penalty first.
pub fn session_pool<T>(
    answered: Vec<T>,
    uri: impl Fn(&T) -> &str,
    wanted: usize,
    s: &Suspensions,
) -> Vec<T> {
    let (mut pool, mut suspended): (Vec<T>, Vec<T>) =
        answered.into_iter().partition(|a| !s.is_suspended(uri(a)));
    pool.truncate(wanted);
    suspended.sort_by_key(|a| s.penalty(uri(a)));
    let room = wanted.saturating_sub(pool.len());
    pool.extend(suspended.into_iter().take(room));
    pool
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_penalty_is_the_pool_over_the_sessions_wanted() {
        assert_eq!(penalty_for(0), 1);
        assert_eq!(penalty_for(3), 1, "small pools: one refresh");
        assert_eq!(penalty_for(8), 1);
        assert_eq!(penalty_for(17), 2, "17 / 8, rounded down as the reference");
        assert_eq!(penalty_for(100), 12);
    }

    #[test]
    fn a_failed_o_sits_out_its_penalty_in_refreshes() {
        let mut s = Suspensions::default();
        s.signal_refresh();
        s.suspend("a", 2);
        assert!(s.is_suspended("a"), "for the rest of this refresh");
        s.signal_refresh();
        assert!(s.is_suspended("a"), "the first refresh after");
        s.signal_refresh();
        assert!(s.is_suspended("a"), "the second");
        s.signal_refresh();
        assert!(!s.is_suspended("a"), "and back after two");
        assert!(!s.is_suspended("never failed"));
    }

    #[test]
    fn penalties_add_up_and_count_from_the_failure() {
        let mut s = Suspensions::default();
        for _ in 0..10 {
            s.signal_refresh();
        }
        s.suspend("a", 1);
        s.suspend("a", 1);
        s.suspend("b", 1);
        assert!(s.penalty("a") > s.penalty("b"));
        s.signal_refresh();
        assert!(s.is_suspended("a") && s.is_suspended("b"));
        s.signal_refresh();
        assert!(s.is_suspended("a") && !s.is_suspended("b"));
        s.signal_refresh();
        assert!(!s.is_suspended("a"));
    }

    fn id<'b>(x: &'b &str) -> &'b str {
        x
    }

    #[test]
    fn suspended_os_fill_the_pool_only_when_too_few_others_answered() {
        let mut s = Suspensions::default();
        s.signal_refresh();
        s.suspend("b", 3);
        s.suspend("c", 1);
        assert_eq!(
            session_pool(vec!["a", "b", "c", "d"], id, 2, &s),
            ["a", "d"],
            "enough Os not suspended"
        );
        assert_eq!(
            session_pool(vec!["a", "b", "c", "d"], id, 3, &s),
            ["a", "d", "c"],
            "one short: the lowest penalty fills in"
        );
        assert_eq!(
            session_pool(vec!["b", "c"], id, 8, &s),
            ["c", "b"],
            "only suspended Os answered: all of them, lowest penalty first"
        );
        assert_eq!(
            session_pool(vec!["a", "d", "e"], id, 2, &s),
            ["a", "d"],
            "the first to answer"
        );
    }
}
