//! The B's choice among a stream's O sessions, as go-livepeer's `MinLSSelector`
//! (`server/selection.go`, `minLS` = [`MIN_LS`]) and its `SessionPool` (`server/broadcast.go`):
//!
//! - every completed segment gives its session a latency score: the round trip at the O that did
//!   it ÷ max(1.5 s, the segment's duration) ([`latency_score`]; both numbers are in the B's log:
//!   `SegmentTranscoded.took_ms`, `SegmentReceived.duration_ms`);
//! - the stream's last session is used again when it has no segment in flight and a score in
//!   (0, [`MIN_LS`]] ([`reusable`]), or when its oldest segment in flight has been out for less
//!   than that segment's duration ([`in_time`]);
//! - otherwise the known session (one that completed a segment with a worse score) of the lowest
//!   score is taken if that score ≤ [`MIN_LS`] or no unknown session is left; else an unknown
//!   one (an O of the pool the stream holds no session with), chosen by the caller: FIFO
//!   offchain, `commands::selection`'s probabilities on a chain ([`select`]);
//! - when there is neither, or no unknown session could be opened, the last session is used if
//!   its oldest segment in flight has been out for less than twice its duration.
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

/// Whether a session whose oldest segment in flight (`duration_ms` long) was sent `age_ms` ago
/// takes another one, at `mult` times the duration (a limit of 1 s or less counts 1.5 s).
pub fn in_time(age_ms: u64, duration_ms: u32, mult: u64) -> bool {
    let limit = u64::from(duration_ms).saturating_mul(mult);
    let limit = if limit <= 1000 { 1500 } else { limit };
    age_ms < limit
}

/// A segment in flight: when it was sent (ms) and its duration (ms).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Flight {
    /// When it was sent.
    pub at_ms: u64,
    /// Its duration.
    pub duration_ms: u32,
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
    /// Its segments in flight, the oldest first.
    pub in_flight: Vec<Flight>,
}

impl<T> Held<T> {
    /// Whether it takes another segment at `now_ms` with its oldest segment in flight out for
    /// less than `mult` times that one's duration; `false` with none in flight.
    fn in_time(&self, now_ms: u64, mult: u64) -> bool {
        self.in_flight
            .first()
            .is_some_and(|f| in_time(now_ms.saturating_sub(f.at_ms), f.duration_ms, mult))
    }
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

    /// The session for the next segment at `now_ms` among those `eligible` allows (the pool
    /// drawn from), with `unknown` Os of it not held: the last one if [`reusable`] or in time
    /// (its oldest segment in flight out for less than its duration), else per [`select`] (a
    /// known session taken becomes the last), else the last one within twice the duration
    /// ([`Sessions::fallback`]); `None` when an unknown session is to be opened, or there is
    /// nothing.
    pub fn pick(
        &mut self,
        unknown: usize,
        eligible: impl Fn(&str) -> bool,
        now_ms: u64,
    ) -> Option<(String, T)> {
        if let Some(h) = &self.last {
            let idle_and_good = h.in_flight.is_empty() && reusable(0, h.score);
            if eligible(&h.uri) && (idle_and_good || h.in_time(now_ms, 1)) {
                return Some((h.uri.clone(), h.session.clone()));
            }
        }
        // A session with a segment in flight is not in the selector until it completes.
        let idx: Vec<usize> = (0..self.known.len())
            .filter(|i| self.known[*i].in_flight.is_empty() && eligible(&self.known[*i].uri))
            .collect();
        let scores: Vec<f64> = idx.iter().map(|i| self.known[*i].score).collect();
        match select(&scores, unknown) {
            Some(Pick::Known(k)) => {
                let h = self.known.remove(idx[k]);
                let chosen = (h.uri.clone(), h.session.clone());
                self.replace_last(h);
                Some(chosen)
            }
            Some(Pick::Unknown) => None,
            None => self.fallback(eligible, now_ms),
        }
    }

    /// The last session when no other is to be had: if its oldest segment in flight has been
    /// out for less than twice its duration.
    pub fn fallback(&self, eligible: impl Fn(&str) -> bool, now_ms: u64) -> Option<(String, T)> {
        self.last
            .as_ref()
            .filter(|h| eligible(&h.uri) && h.in_time(now_ms, 2))
            .map(|h| (h.uri.clone(), h.session.clone()))
    }

    /// A session just opened with an unknown O becomes the last one.
    pub fn open(&mut self, uri: &str, session: T) {
        self.known.retain(|h| h.uri != uri);
        self.replace_last(Held {
            uri: uri.to_string(),
            session,
            score: 0.0,
            in_flight: Vec::new(),
        });
    }

    /// The last session stops being it: kept as a known one when its score is above
    /// [`MIN_LS`] (the selector had it back at completion), or while a segment is still in
    /// flight there (its completion decides); dropped otherwise, as the reference does.
    fn replace_last(&mut self, next: Held<T>) {
        if let Some(old) = self.last.replace(next) {
            if old.uri != self.last.as_ref().map_or("", |h| h.uri.as_str())
                && (old.score > MIN_LS || !old.in_flight.is_empty())
            {
                self.known.push(old);
            }
        }
    }

    /// A segment (`duration_ms` long) was sent on `uri`'s session at `now_ms`.
    pub fn begin(&mut self, uri: &str, now_ms: u64, duration_ms: u32) {
        if let Some(h) = self.all_mut().find(|h| h.uri == uri) {
            h.in_flight.push(Flight {
                at_ms: now_ms,
                duration_ms,
            });
        }
    }

    /// A segment completed on `uri`'s session with `score`: the session's score is now that,
    /// its oldest segment in flight done. Once none is left in flight, the last session with a
    /// score above [`MIN_LS`] goes back to the selector as a known one, and another session with
    /// a good score leaves it (the reference keeps such a session only as its last).
    pub fn complete(&mut self, uri: &str, score: f64) {
        if let Some(h) = self.all_mut().find(|h| h.uri == uri) {
            if !h.in_flight.is_empty() {
                h.in_flight.remove(0);
            }
            h.score = score;
        }
        let done = |h: &Held<T>| h.uri == uri && h.in_flight.is_empty();
        if let Some(h) = self.last.take_if(|h| done(h) && h.score > MIN_LS) {
            self.known.push(h);
        }
        self.known.retain(|h| !done(h) || h.score > MIN_LS);
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

    #[test]
    fn a_busy_session_takes_more_while_its_oldest_segment_is_in_time() {
        assert!(in_time(1999, 2000, 1));
        assert!(!in_time(2000, 2000, 1));
        assert!(in_time(3999, 2000, 2));
        assert!(in_time(1499, 1000, 1), "a limit of 1 s counts 1.5 s");
        assert!(!in_time(1500, 500, 2));
    }
}
