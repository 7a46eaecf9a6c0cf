//! A B's trusted and untrusted session pools, as go-livepeer's `BroadcastSessionsManager`
//! (`server/broadcast.go`, `common/types.go`):
//!
//! - each O of the B's source has a score: 1.0 (trusted) for `-orchAddr`, the webhook's as it
//!   gives it (an entry without one scores 0), 0.0 (untrusted) for the chain's Os;
//! - the trusted pool holds the Os scoring at least 1.0, the untrusted pool those scoring
//!   exactly 0.0 ([`trust`]); an O scoring in between is in neither, so it is never used, as in
//!   the reference;
//! - without verification (this node has no `-verifierUrl`) a segment's session comes from the
//!   untrusted pool, and from the trusted pool only when the untrusted one gives none
//!   ([`DRAW_ORDER`]);
//! - a refresh of the trusted pool asks `min(#trusted, 8)` Os, of the untrusted pool all of its
//!   Os ([`num_orchs`]); a pool refreshes when its selector holds fewer than
//!   `min(8, ceil(numOrchs / 2))` sessions ([`needs_refresh`]); on a chain it asks in the
//!   background while answers kept from its last refresh remain, and waits only when none do
//!   ([`refresh_mode`]).

/// The most Os a trusted refresh asks, and the highest refresh threshold (twice the segments in
/// flight that the 8 s HTTP timeout allows with 2 s segments; `maxRefreshSessionsThreshold`).
pub const MAX_REFRESH: usize = 8;

/// An O's score at or above which it is trusted (`Score_Trusted`).
pub const SCORE_TRUSTED: f32 = 1.0;

/// The score of an untrusted O (`Score_Untrusted`).
pub const SCORE_UNTRUSTED: f32 = 0.0;

/// A session pool.
#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord)]
pub enum Trust {
    /// Os scoring exactly 0.0.
    Untrusted,
    /// Os scoring at least 1.0.
    Trusted,
}

/// The order the pools are drawn from: untrusted first, trusted when it gives no session.
pub const DRAW_ORDER: [Trust; 2] = [Trust::Untrusted, Trust::Trusted];

/// The pool of an O scoring `score`; `None` for a score in neither (between 0 and 1, or not a
/// number).
pub fn trust(score: f32) -> Option<Trust> {
    if score >= SCORE_TRUSTED {
        Some(Trust::Trusted)
    } else if score == SCORE_UNTRUSTED {
        Some(Trust::Untrusted)
    } else {
        None
    }
}

/// The Os of `pool` among `os` (each with its score), in their order.
pub fn members(os: &[(String, f32)], pool: Trust) -> Vec<&str> {
    os.iter()
        .filter(|(_, s)| trust(*s) == Some(pool))
        .map(|(u, _)| u.as_str())
        .collect()
}

/// How many Os one refresh of `pool` asks, of `size` Os in it: `min(size, 8)` trusted, all
/// untrusted.
pub fn num_orchs(pool: Trust, size: usize) -> usize {
    match pool {
        Trust::Trusted => size.min(MAX_REFRESH),
        Trust::Untrusted => size,
    }
}

/// The fewest sessions a pool's selector holds before it refreshes: `min(8, ceil(numOrchs/2))`.
pub fn refresh_threshold(num_orchs: usize) -> usize {
    MAX_REFRESH.min(num_orchs.div_ceil(2))
}

/// Whether a pool whose selector holds `held` sessions refreshes (`numOrchs` = `num_orchs`).
pub fn needs_refresh(held: usize, num_orchs: usize) -> bool {
    held < refresh_threshold(num_orchs)
}

/// How a stream that needs a new session on a chain asks its pool's Os again.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Refresh {
    /// Not now: enough sessions are held and kept.
    No,
    /// In the background, while the segment takes a kept answer (the reference's
    /// `go refreshSessions`): its answers are kept for the stream's next new sessions.
    Background,
    /// Now, and the segment waits for the answers: nothing is kept to choose from.
    Wait,
}

/// The refresh for a stream whose selector holds `held` sessions and `kept` answers of its last
/// refresh, in a pool of `num_orchs` ([`num_orchs`]), while a background refresh of it is
/// `running` or not: none kept, wait for one; together below the pool's threshold
/// ([`needs_refresh`]), one in the background unless one is under way.
pub fn refresh_mode(held: usize, kept: usize, num_orchs: usize, running: bool) -> Refresh {
    if kept == 0 {
        Refresh::Wait
    } else if needs_refresh(held + kept, num_orchs) && !running {
        Refresh::Background
    } else {
        Refresh::No
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn scores_put_os_in_pools_as_the_reference() {
        assert_eq!(trust(1.0), Some(Trust::Trusted));
        assert_eq!(trust(2.5), Some(Trust::Trusted));
        assert_eq!(trust(0.0), Some(Trust::Untrusted));
        assert_eq!(trust(0.5), None, "between the pools: never used");
        assert_eq!(trust(-1.0), None);
        assert_eq!(trust(f32::NAN), None);
        let os = [
            ("https://a:1".to_string(), 1.0),
            ("https://b:2".to_string(), 0.0),
            ("https://c:3".to_string(), 0.5),
            ("https://d:4".to_string(), 0.0),
        ];
        assert_eq!(members(&os, Trust::Trusted), ["https://a:1"]);
        assert_eq!(
            members(&os, Trust::Untrusted),
            ["https://b:2", "https://d:4"]
        );
        assert_eq!(DRAW_ORDER[0], Trust::Untrusted, "untrusted first");
    }

    #[test]
    fn refresh_sizes_and_threshold() {
        assert_eq!(num_orchs(Trust::Trusted, 3), 3);
        assert_eq!(num_orchs(Trust::Trusted, 20), 8);
        assert_eq!(num_orchs(Trust::Untrusted, 20), 20);
        assert_eq!(refresh_threshold(0), 0);
        assert_eq!(refresh_threshold(1), 1);
        assert_eq!(refresh_threshold(3), 2);
        assert_eq!(refresh_threshold(8), 4);
        assert_eq!(refresh_threshold(20), 8);
        assert_eq!(refresh_threshold(100), 8);
        // Two trusted Os: a refresh when the selector holds no session, not with one.
        assert!(needs_refresh(0, num_orchs(Trust::Trusted, 2)));
        assert!(!needs_refresh(1, num_orchs(Trust::Trusted, 2)));
        // Twenty untrusted Os: the selector refreshes below 8 sessions.
        assert!(needs_refresh(7, num_orchs(Trust::Untrusted, 20)));
        assert!(!needs_refresh(8, num_orchs(Trust::Untrusted, 20)));
        assert!(!needs_refresh(0, 0), "an empty pool never refreshes");
    }

    #[test]
    fn a_refresh_waits_only_when_nothing_is_kept() {
        // Three untrusted Os: threshold 2.
        let t = num_orchs(Trust::Untrusted, 3);
        assert_eq!(refresh_threshold(t), 2);
        assert_eq!(refresh_mode(0, 0, t, false), Refresh::Wait);
        assert_eq!(refresh_mode(3, 0, t, true), Refresh::Wait, "none kept");
        // One kept, none held: below the threshold, asked again behind the segment's back.
        assert_eq!(refresh_mode(0, 1, t, false), Refresh::Background);
        assert_eq!(refresh_mode(0, 1, t, true), Refresh::No, "one under way");
        assert_eq!(refresh_mode(1, 1, t, false), Refresh::No);
        assert_eq!(refresh_mode(0, 2, t, false), Refresh::No);
        // Two Os: threshold 1, a kept answer is enough.
        assert_eq!(
            refresh_mode(0, 1, num_orchs(Trust::Untrusted, 2), false),
            Refresh::No
        );
        // Twenty: below 8 held and kept.
        let t = num_orchs(Trust::Untrusted, 20);
        assert_eq!(refresh_mode(3, 4, t, false), Refresh::Background);
        assert_eq!(refresh_mode(4, 4, t, false), Refresh::No);
    }
}
