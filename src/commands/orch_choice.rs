//! The B's choice of orchestrator for a stream, offchain (the `-orchAddr` list, no stakes): a
//! stream's session is usable while the token has more than [`TOKEN_REFRESH_S`] to live and its
//! O has not failed it (which usable session takes a segment is `min_ls`'s); new sessions are
//! asked of the Os round robin, those the stream suspended
//! ([`Suspensions`]) after all others, the lowest penalty first; a segment is tried on at most
//! `-maxAttempts` ([`MAX_ATTEMPTS`]) Os. On a chain the choice is `commands::selection`'s.

pub use super::suspensions::Suspensions;

/// Os a segment is tried on before it fails (`-maxAttempts`'s default).
pub const MAX_ATTEMPTS: usize = 3;

/// Refresh a session whose token expires within this many seconds (10 % of 30 min).
pub const TOKEN_REFRESH_S: i64 = 180;

/// The order in which to ask the Os for a new session: round robin from `turn`, the suspended
/// ones after all others, the lowest penalty first (tried only when every other one fails too).
pub fn try_order<'a>(os: &'a [String], turn: usize, s: &Suspensions) -> Vec<&'a str> {
    let mut order: Vec<&str> = (0..os.len())
        .map(|i| os[(turn + i) % os.len()].as_str())
        .collect();
    order.sort_by_key(|uri| s.penalty(uri));
    order
}

/// The Os a segment may be tried on next: all of `os` but those it already failed on
/// (`tried`), so a segment is always retried elsewhere — as go-livepeer's B, which drops a failed
/// O's session before the segment's next attempt. Without this a suspended O could fill in the
/// refresh (too few others answered) and be chosen again for the segment it just failed.
pub fn untried(os: &[String], tried: &[String]) -> Vec<String> {
    os.iter().filter(|o| !tried.contains(o)).cloned().collect()
}

/// How many Os a segment is tried on: `-maxAttempts` (`max_attempts`), with `n` Os to try, at
/// least one.
pub fn attempts(max_attempts: usize, n: usize) -> usize {
    max_attempts.min(n).max(1)
}

/// Whether an O's price (wei per pixels) is above the B's `-maxPricePerUnit` (`max`; a zero
/// price there means any price), compared exactly.
pub fn over_max_price(price: crate::events::Price, max: crate::events::Price) -> bool {
    if max.price_per_unit <= 0 || max.pixels_per_unit <= 0 || price.pixels_per_unit <= 0 {
        return false;
    }
    i128::from(price.price_per_unit) * i128::from(max.pixels_per_unit)
        > i128::from(max.price_per_unit) * i128::from(price.pixels_per_unit)
}

/// Whether an O's price rose more than twice above the price its session with this stream began
/// at (`priceIncreaseThreshold`): the B then leaves it.
pub fn price_jumped(initial: crate::events::Price, now: crate::events::Price) -> bool {
    if initial.price_per_unit <= 0 || initial.pixels_per_unit <= 0 || now.pixels_per_unit <= 0 {
        return false;
    }
    i128::from(now.price_per_unit) * i128::from(initial.pixels_per_unit)
        > 2 * i128::from(initial.price_per_unit) * i128::from(now.pixels_per_unit)
}

/// Whether a stream's session can carry its next segment: its token lives longer than
/// [`TOKEN_REFRESH_S`] and its O is not suspended.
pub fn session_usable(expiration_s: Option<i64>, uri: &str, s: &Suspensions, now_ms: u64) -> bool {
    let now_s = i64::try_from(now_ms / 1000).unwrap_or(i64::MAX);
    expiration_s.is_some_and(|e| e - now_s > TOKEN_REFRESH_S) && !s.is_suspended(uri)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn os() -> Vec<String> {
        ["https://a:1", "https://b:2", "https://c:3"]
            .map(String::from)
            .to_vec()
    }

    #[test]
    fn a_segment_is_retried_only_on_os_it_has_not_failed_on() {
        let os = os();
        assert_eq!(untried(&os, &[]), os);
        assert_eq!(
            untried(&os, &["https://b:2".to_string()]),
            ["https://a:1", "https://c:3"]
        );
        assert!(untried(&os, &os).is_empty());
    }

    #[test]
    fn new_sessions_go_round_robin() {
        let (os, s) = (os(), Suspensions::default());
        assert_eq!(
            try_order(&os, 0, &s),
            ["https://a:1", "https://b:2", "https://c:3"]
        );
        assert_eq!(
            try_order(&os, 4, &s),
            ["https://b:2", "https://c:3", "https://a:1"]
        );
    }

    #[test]
    fn a_failed_o_goes_last_for_its_penalty_in_refreshes() {
        let os = os();
        let mut s = Suspensions::default();
        s.signal_refresh();
        s.suspend("https://a:1", 1);
        s.suspend("https://b:2", 2);
        s.signal_refresh();
        assert_eq!(
            try_order(&os, 0, &s),
            ["https://c:3", "https://a:1", "https://b:2"],
            "suspended last, the lowest penalty first"
        );
        s.signal_refresh();
        assert_eq!(
            try_order(&os, 0, &s),
            ["https://a:1", "https://c:3", "https://b:2"]
        );
        s.signal_refresh();
        assert_eq!(try_order(&os, 0, &s)[0], "https://a:1");
        assert_eq!(try_order(&os, 1, &s)[0], "https://b:2", "every O back");
    }

    #[test]
    fn at_most_max_attempts_and_at_least_one() {
        assert_eq!(attempts(MAX_ATTEMPTS, 0), 1);
        assert_eq!(attempts(MAX_ATTEMPTS, 2), 2);
        assert_eq!(attempts(MAX_ATTEMPTS, 7), 3);
        assert_eq!(attempts(5, 7), 5, "-maxAttempts 5");
        assert_eq!(attempts(0, 7), 1);
    }

    #[test]
    fn sessions_are_refreshed_before_their_token_expires() {
        let s = Suspensions::default();
        let now_ms = 1_000_000;
        assert!(session_usable(Some(1_000 + 181), "o", &s, now_ms));
        assert!(!session_usable(Some(1_000 + 180), "o", &s, now_ms));
        assert!(!session_usable(None, "o", &s, now_ms));
        let mut s = s;
        s.suspend("o", 1);
        assert!(!session_usable(Some(1_000 + 1_800), "o", &s, now_ms));
    }

    #[test]
    fn prices_above_the_max_are_found_exactly() {
        use crate::events::Price;
        let p = |u, px| Price {
            price_per_unit: u,
            pixels_per_unit: px,
        };
        assert!(!over_max_price(p(1000, 1), p(0, 1)), "0 = any price");
        assert!(over_max_price(p(1001, 1), p(1000, 1)));
        assert!(!over_max_price(p(1000, 1), p(1000, 1)));
        assert!(!over_max_price(p(2999, 3), p(1000, 1)), "999.67 per pixel");
        assert!(over_max_price(p(3001, 3), p(1000, 1)));
    }

    #[test]
    fn a_price_more_than_doubled_is_a_jump() {
        use crate::events::Price;
        let p = |u, px| Price {
            price_per_unit: u,
            pixels_per_unit: px,
        };
        assert!(
            !price_jumped(p(100, 1), p(200, 1)),
            "exactly twice is allowed"
        );
        assert!(price_jumped(p(100, 1), p(201, 1)));
        assert!(!price_jumped(p(300, 3), p(600, 3)));
        assert!(
            !price_jumped(p(0, 1), p(5, 1)),
            "a free session has no threshold"
        );
    }
}
