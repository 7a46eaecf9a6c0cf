//! The B's choice among a stream's O sessions, as go-livepeer's `MinLSSelector`
//! (`server/selection.go`, `minLS` = [`MIN_LS`]) and its `SessionPool` (`server/broadcast.go`):
//!
//! - every completed segment gives its session a latency score: the round trip at the O that did
//!   it ÷ max(1.5 s, the segment's duration) ([`latency_score`]; both numbers are in the B's log:
//!   `SegmentTranscoded.took_ms`, `SegmentReceived.duration_ms`);
//! - the stream's last session is used again when it has no segment in flight and a score in
//!   (0, [`MIN_LS`]] ([`reusable`]);
//! - otherwise the known session (one that completed a segment with a worse score) of the lowest
//!   score is taken if that score ≤ [`MIN_LS`] or no unknown session is left; else an unknown
//!   one (an O of the pool the stream holds no session with), chosen by the caller: FIFO
//!   offchain, `commands::selection`'s probabilities on a chain ([`select`]).
//!
//! [`Sessions`] is one stream's state of this choice, generic in what a session carries (the
//! node keeps the O's info there). It is soft state, like the reference's: the scores it holds
//! can be recomputed from the log, but a restarted B starts with none.

/// A latency score at most this is good enough to keep an O (`SELECTOR_LATENCY_SCORE_THRESHOLD`).
pub const MIN_LS: f64 = 1.0;

/// Segments shorter than this are scored as if this long (1.5 s: the reference's floor, so short
/// segments' overheads do not swap Os).
pub const SCORE_FLOOR_MS: u32 = 1500;

/// A session's latency score: `round_trip_ms` ÷ max([`SCORE_FLOOR_MS`], `duration_ms`).
pub fn latency_score(round_trip_ms: u32, duration_ms: u32) -> f64 {
    f64::from(round_trip_ms) / f64::from(duration_ms.max(SCORE_FLOOR_MS))
}

/// Whether the stream's last session is used again: no segment in flight there and a score in
/// (0, [`MIN_LS`]] (a session that has completed nothing yet scores 0).
pub fn reusable(in_flight: usize, score: f64) -> bool {
    in_flight == 0 && score > 0.0 && score <= MIN_LS
}

/// What [`select`] takes.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Pick {
    /// The known session at this index.
    Known(usize),
    /// An unknown session (the caller chooses which).
    Unknown,
}

/// `MinLSSelector.Select`: the known session of the lowest score (`known` holds their scores)
/// if that score is ≤ [`MIN_LS`] or there is no unknown session (`unknown` of them), else an
/// unknown one; `None` when there is neither. Ties go to the first.
pub fn select(known: &[f64], unknown: usize) -> Option<Pick> {
    let best = known
        .iter()
        .enumerate()
        .fold(None::<(usize, f64)>, |best, (i, s)| match best {
            Some((_, b)) if b <= *s => best,
            _ => Some((i, *s)),
        });
    match best {
        Some((i, s)) if s <= MIN_LS || unknown == 0 => Some(Pick::Known(i)),
        _ if unknown > 0 => Some(Pick::Unknown),
        _ => None,
    }
}

/// A session a stream holds.
#[derive(Clone, Debug, PartialEq)]
pub struct Held<T> {
    /// Its O (`https://host:port`).
    pub uri: String,
    /// What the session carries.
    pub session: T,
    /// Its latency score (0 before its first segment completed).
    pub score: f64,
    /// Its segments in flight.
    pub in_flight: usize,
}

/// One stream's sessions: the last one used and the known ones (the reference's `lastSess` and
/// the selector's heap of scored sessions).
#[derive(Clone, Debug, PartialEq)]
pub struct Sessions<T> {
    last: Option<Held<T>>,
    known: Vec<Held<T>>,
}

impl<T> Default for Sessions<T> {
    fn default() -> Self {
        Sessions {
            last: None,
            known: Vec::new(),
        }
    }
}

impl<T: Clone> Sessions<T> {
    /// The Os the stream holds a session with (the reference's `sessMap`): an O of the pool not
    /// among them is an unknown session.
    pub fn held(&self) -> Vec<&str> {
        self.last
            .iter()
            .chain(&self.known)
            .map(|h| h.uri.as_str())
            .collect()
    }

    /// The last session used.
    pub fn last(&self) -> Option<&Held<T>> {
        self.last.as_ref()
    }

    /// Every session held, for updates in place (a refreshed ticket price).
    pub fn all_mut(&mut self) -> impl Iterator<Item = &mut Held<T>> {
        self.last.iter_mut().chain(self.known.iter_mut())
    }

    /// Drops the sessions `keep` refuses (expired tokens, suspended Os); a segment's attempt
    /// passes over those it already failed on by refusing them too.
    pub fn retain(&mut self, keep: impl Fn(&str, &T) -> bool) {
        if self
            .last
            .as_ref()
            .is_some_and(|h| !keep(&h.uri, &h.session))
        {
            self.last = None;
        }
        self.known.retain(|h| keep(&h.uri, &h.session));
    }

    /// The session for the next segment among those `eligible` allows (the pool drawn from),
    /// with `unknown` Os of it not held: the last one if [`reusable`], else per [`select`]
    /// (a known session taken becomes the last); `None` when an unknown session is to be
    /// opened, or there is nothing.
    pub fn pick(&mut self, unknown: usize, eligible: impl Fn(&str) -> bool) -> Option<(String, T)> {
        if let Some(h) = &self.last {
            if eligible(&h.uri) && reusable(h.in_flight, h.score) {
                return Some((h.uri.clone(), h.session.clone()));
            }
        }
        // A session with a segment in flight is not in the selector until it completes.
        let idx: Vec<usize> = (0..self.known.len())
            .filter(|i| self.known[*i].in_flight == 0 && eligible(&self.known[*i].uri))
            .collect();
        let scores: Vec<f64> = idx.iter().map(|i| self.known[*i].score).collect();
        let Some(Pick::Known(k)) = select(&scores, unknown) else {
            return None;
        };
        let h = self.known.remove(idx[k]);
        let chosen = (h.uri.clone(), h.session.clone());
        self.replace_last(h);
        Some(chosen)
    }

    /// A session just opened with an unknown O becomes the last one.
    pub fn open(&mut self, uri: &str, session: T) {
        self.known.retain(|h| h.uri != uri);
        self.replace_last(Held {
            uri: uri.to_string(),
            session,
            score: 0.0,
            in_flight: 0,
        });
    }

    /// The last session stops being it: kept as a known one when its score is above
    /// [`MIN_LS`] (the selector had it back at completion), or while a segment is still in
    /// flight there (its completion decides); dropped otherwise, as the reference does.
    fn replace_last(&mut self, next: Held<T>) {
        if let Some(old) = self.last.replace(next) {
            if old.uri != self.last.as_ref().map_or("", |h| h.uri.as_str())
                && (old.score > MIN_LS || old.in_flight > 0)
            {
                self.known.push(old);
            }
        }
    }

    /// A segment was sent on `uri`'s session.
    pub fn begin(&mut self, uri: &str) {
        if let Some(h) = self.all_mut().find(|h| h.uri == uri) {
            h.in_flight += 1;
        }
    }

    /// A segment completed on `uri`'s session with `score`: the session's score is now that.
    /// The last session with a score above [`MIN_LS`] goes back to the selector as a known one;
    /// another session with a good score leaves it (the reference keeps such a session only as
    /// its last).
    pub fn complete(&mut self, uri: &str, score: f64) {
        if let Some(h) = self.all_mut().find(|h| h.uri == uri) {
            h.in_flight = h.in_flight.saturating_sub(1);
            h.score = score;
        }
        if let Some(h) = self.last.take_if(|h| h.uri == uri && h.score > MIN_LS) {
            self.known.push(h);
        }
        self.known
            .retain(|h| h.uri != uri || h.in_flight > 0 || h.score > MIN_LS);
    }

    /// `uri`'s session failed: dropped (the O may be asked again later, as an unknown one).
    pub fn remove(&mut self, uri: &str) {
        self.retain(|u, _| u != uri);
    }

    /// Every session held, ending the stream.
    pub fn into_held(self) -> Vec<Held<T>> {
        self.last.into_iter().chain(self.known).collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_score_is_the_round_trip_over_the_duration_floored_at_1_5_s() {
        assert_eq!(latency_score(2000, 2000), 1.0);
        assert_eq!(latency_score(500, 2000), 0.25);
        assert_eq!(latency_score(750, 1000), 0.5, "a 1 s segment counts 1.5 s");
        assert_eq!(latency_score(0, 0), 0.0);
    }

    #[test]
    fn the_last_session_is_reused_only_idle_with_a_score_in_0_to_1() {
        assert!(reusable(0, 0.4));
        assert!(reusable(0, 1.0), "the threshold itself is good enough");
        assert!(!reusable(0, 1.01));
        assert!(!reusable(0, 0.0), "no segment completed yet");
        assert!(!reusable(1, 0.4), "a segment in flight");
    }

    #[test]
    fn a_good_known_session_beats_unknown_ones_and_a_bad_one_does_not() {
        assert_eq!(select(&[1.2, 0.8, 0.9], 3), Some(Pick::Known(1)));
        assert_eq!(select(&[1.0], 3), Some(Pick::Known(0)));
        assert_eq!(select(&[1.5, 2.0], 1), Some(Pick::Unknown));
        assert_eq!(
            select(&[1.5, 2.0], 0),
            Some(Pick::Known(0)),
            "no unknown left: the best known, however slow"
        );
        assert_eq!(select(&[], 2), Some(Pick::Unknown));
        assert_eq!(select(&[], 0), None);
        assert_eq!(
            select(&[0.5, 0.5], 0),
            Some(Pick::Known(0)),
            "ties: the first"
        );
    }

    fn any(_: &str) -> bool {
        true
    }

    #[test]
    fn a_stream_keeps_a_fast_o_and_leaves_a_slow_one_while_others_are_untried() {
        let mut s = Sessions::<u8>::default();
        assert_eq!(s.pick(2, any), None, "nothing held: open an unknown O");
        s.open("slow", 1);
        s.begin("slow");
        assert_eq!(s.pick(1, any), None, "in flight and unscored");
        s.complete("slow", 1.6);
        assert_eq!(s.held(), ["slow"], "kept as a known session");
        assert_eq!(s.pick(1, any), None, "too slow while an O is untried");
        s.open("fast", 2);
        s.begin("fast");
        s.complete("fast", 0.3);
        for _ in 0..3 {
            assert_eq!(s.pick(0, any), Some(("fast".to_string(), 2)));
            s.begin("fast");
            s.complete("fast", 0.3);
        }
        // The fast O fails: the slow one is all that is left.
        s.remove("fast");
        assert_eq!(s.pick(0, any), Some(("slow".to_string(), 1)));
        assert_eq!(s.last().map(|h| h.score), Some(1.6));
        // A pool that does not hold it does not get it.
        let mut s2 = s.clone();
        s2.complete("slow", 1.6);
        assert_eq!(s2.pick(0, |u| u != "slow"), None);
    }

    #[test]
    fn a_session_in_flight_is_not_chosen_until_it_completes() {
        let mut s = Sessions::<u8>::default();
        s.open("a", 1);
        s.begin("a");
        s.open("b", 2);
        assert_eq!(s.held(), ["b", "a"], "a is parked while its segment is out");
        s.begin("b");
        assert_eq!(s.pick(0, any), None, "b in flight, a in flight");
        s.complete("a", 0.5);
        assert_eq!(
            s.held(),
            ["b"],
            "a good session that is not the last leaves the selector"
        );
        s.complete("b", 3.0);
        assert_eq!(s.pick(0, any), Some(("b".to_string(), 2)));
    }

    #[test]
    fn unusable_sessions_are_dropped() {
        let mut s = Sessions::<u8>::default();
        s.open("a", 1);
        s.complete("a", 2.0);
        s.open("b", 2);
        s.complete("b", 0.5);
        s.retain(|u, _| u != "b");
        assert_eq!(s.held(), ["a"]);
        for h in s.all_mut() {
            h.session = 7;
        }
        assert_eq!(s.clone().into_held()[0].session, 7);
        s.remove("a");
        assert!(s.held().is_empty());
    }
}
