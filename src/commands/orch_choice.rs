//! The B's choice of orchestrator for a stream (offchain: the `-orchAddr` list): a stream keeps
//! its session while the token has more than [`TOKEN_REFRESH_S`] to live and its O has not failed;
//! new sessions go round robin over the Os, those that failed in the last [`SUSPEND_MS`] last;
//! a segment is tried on at most [`MAX_ATTEMPTS`] Os.
//!
//! Which O failed when is soft state the B keeps in memory ([`Suspensions`]): it is health, not
//! a fact of record, and a restarted B rightly starts with every O trusted again.

use std::collections::BTreeMap;

/// How long an O that failed is passed over while others are available.
pub const SUSPEND_MS: u64 = 30_000;

/// Os a segment is tried on before it fails.
pub const MAX_ATTEMPTS: usize = 3;

/// Refresh a session whose token expires within this many seconds (10 % of 30 min).
pub const TOKEN_REFRESH_S: i64 = 180;

/// Os that failed recently, with the time their suspension ends.
#[derive(Clone, Debug, Default)]
pub struct Suspensions {
    until_ms: BTreeMap<String, u64>,
}

impl Suspensions {
    /// `uri` failed at `now_ms`.
    pub fn suspend(&mut self, uri: &str, now_ms: u64) {
        self.until_ms
            .insert(uri.to_string(), now_ms.saturating_add(SUSPEND_MS));
    }

    /// Whether `uri` is passed over at `now_ms`.
    pub fn is_suspended(&self, uri: &str, now_ms: u64) -> bool {
        self.until_ms.get(uri).is_some_and(|until| now_ms < *until)
    }
}

/// The order in which to ask the Os for a new session: round robin from `turn`, the suspended
/// ones after all others (tried only when every other one fails too).
pub fn try_order<'a>(os: &'a [String], turn: usize, s: &Suspensions, now_ms: u64) -> Vec<&'a str> {
    let mut order: Vec<&str> = (0..os.len())
        .map(|i| os[(turn + i) % os.len()].as_str())
        .collect();
    order.sort_by_key(|uri| s.is_suspended(uri, now_ms));
    order
}

/// How many Os a segment is tried on, with `n` configured.
pub fn attempts(n: usize) -> usize {
    MAX_ATTEMPTS.min(n).max(1)
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
    expiration_s.is_some_and(|e| e - now_s > TOKEN_REFRESH_S) && !s.is_suspended(uri, now_ms)
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
    fn new_sessions_go_round_robin() {
        let (os, s) = (os(), Suspensions::default());
        assert_eq!(
            try_order(&os, 0, &s, 0),
            ["https://a:1", "https://b:2", "https://c:3"]
        );
        assert_eq!(
            try_order(&os, 4, &s, 0),
            ["https://b:2", "https://c:3", "https://a:1"]
        );
    }

    #[test]
    fn a_failed_o_goes_last_for_thirty_seconds() {
        let os = os();
        let mut s = Suspensions::default();
        s.suspend("https://a:1", 1_000);
        assert_eq!(
            try_order(&os, 0, &s, 1_000),
            ["https://b:2", "https://c:3", "https://a:1"]
        );
        assert_eq!(try_order(&os, 0, &s, 30_999)[2], "https://a:1");
        assert_eq!(try_order(&os, 0, &s, 31_000)[0], "https://a:1");
    }

    #[test]
    fn at_most_three_attempts_and_at_least_one() {
        assert_eq!(attempts(0), 1);
        assert_eq!(attempts(2), 2);
        assert_eq!(attempts(7), 3);
    }

    #[test]
    fn sessions_are_refreshed_before_their_token_expires() {
        let s = Suspensions::default();
        let now_ms = 1_000_000;
        assert!(session_usable(Some(1_000 + 181), "o", &s, now_ms));
        assert!(!session_usable(Some(1_000 + 180), "o", &s, now_ms));
        assert!(!session_usable(None, "o", &s, now_ms));
        let mut s = s;
        s.suspend("o", now_ms);
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
