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
//! One rule is the spec's rather than the current reference's: **an O never has more than one
//! segment of a stream in flight** (it mitigates backlogs at the O). Where the reference sends
//! a segment to the last session while that session's oldest segment in flight has been out for
//! less than its duration ([`in_time`]), or, with nothing else to be had, for less than twice it,
//! this choice answers [`Choice::Wait`]: the segment waits at the B for that session to be free
//! — until the window closes, then the
//! other choices are made, and with none left, until the session is free (its own segment's
//! timeout bounds that). A session's flight begins in the same step that chooses it
//! ([`Sessions::pick`], [`Sessions::open`]), so two segments of a stream never race to one O.
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

/// The end of the window in which a session whose oldest segment in flight (`duration_ms`
/// long) was sent at `sent_ms` would take another one under the reference's rule, at `mult`
/// times the duration (a limit of 1 s or less counts 1.5 s).
pub fn window_end(sent_ms: u64, duration_ms: u32, mult: u64) -> u64 {
    let limit = u64::from(duration_ms).saturating_mul(mult);
    let limit = if limit <= 1000 { 1500 } else { limit };
    sent_ms.saturating_add(limit)
}

/// Whether a session whose oldest segment in flight (`duration_ms` long) was sent `age_ms` ago
/// is within the reference's window ([`window_end`]).
pub fn in_time(age_ms: u64, duration_ms: u32, mult: u64) -> bool {
    age_ms < window_end(0, duration_ms, mult)
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

/// What [`Sessions::pick`] answers for a segment.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Choice<T> {
    /// This session takes it (its flight has begun).
    Take(String, T),
    /// The session at this O takes it once its segment in flight is done: wait for that, until
    /// `until_ms` (then ask again), or with `None` for as long as it takes.
    Wait(String, Option<u64>),
    /// A session with an unknown O is to be opened.
    Open,
    /// Nothing to be had.
    Nothing,
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
    /// The end of the reference's window for another segment here (`mult` times the oldest
    /// segment in flight's duration after it was sent); `None` with nothing in flight.
    fn window(&self, mult: u64) -> Option<u64> {
        self.in_flight
            .first()
            .map(|f| window_end(f.at_ms, f.duration_ms, mult))
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

    /// Whether the session at `uri` has a segment in flight.
    pub fn busy(&self, uri: &str) -> bool {
        self.last
            .iter()
            .chain(&self.known)
            .any(|h| h.uri == uri && !h.in_flight.is_empty())
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

    /// The session for the next segment (`flight`: now and its duration) among those
    /// `eligible` allows (the pool drawn from), with `unknown` Os of it not held: the last one
    /// if [`reusable`]; while the last one is busy within the reference's window, a wait for it
    /// until the window closes (a known session is free only with a score above [`MIN_LS`]:
    /// a good one that completes leaves the selector); else per [`select`] (a known session
    /// taken becomes the last); else [`Sessions::fallback`]. The session taken has `flight`
    /// begun.
    pub fn pick(
        &mut self,
        unknown: usize,
        eligible: impl Fn(&str) -> bool,
        flight: Flight,
    ) -> Choice<T> {
        let now = flight.at_ms;
        if let Some(h) = self.last.as_mut().filter(|h| eligible(&h.uri)) {
            if h.in_flight.is_empty() && reusable(0, h.score) {
                h.in_flight.push(flight);
                return Choice::Take(h.uri.clone(), h.session.clone());
            }
            if let Some(end) = h.window(1).filter(|end| now < *end) {
                return Choice::Wait(h.uri.clone(), Some(end));
            }
        }
        let (idx, scores): (Vec<usize>, Vec<f64>) = self.free_known(&eligible).unzip();
        match select(&scores, unknown) {
            Some(Pick::Known(k)) => self.take_known(idx[k], flight),
            Some(Pick::Unknown) => Choice::Open,
            None => self.fallback(eligible, flight),
        }
    }

    /// The known sessions without a segment in flight that `eligible` allows: index and score.
    /// (A session with a segment in flight is not in the selector until it completes.)
    fn free_known<'a>(
        &'a self,
        eligible: &'a impl Fn(&str) -> bool,
    ) -> impl Iterator<Item = (usize, f64)> + 'a {
        self.known
            .iter()
            .enumerate()
            .filter(move |(_, h)| h.in_flight.is_empty() && eligible(&h.uri))
            .map(|(i, h)| (i, h.score))
    }

    /// The known session at `i` takes the segment and becomes the last.
    fn take_known(&mut self, i: usize, flight: Flight) -> Choice<T> {
        let mut h = self.known.remove(i);
        h.in_flight.push(flight);
        let chosen = Choice::Take(h.uri.clone(), h.session.clone());
        self.replace_last(h);
        chosen
    }

    /// The last session, where `eligible` allows it, when no other is to be had: taken when
    /// free; when busy, waited for until twice its oldest segment's duration has passed since
    /// that one was sent; `Nothing` after that.
    pub fn fallback(&mut self, eligible: impl Fn(&str) -> bool, flight: Flight) -> Choice<T> {
        match self.last.as_mut().filter(|h| eligible(&h.uri)) {
            Some(h) if h.in_flight.is_empty() => {
                h.in_flight.push(flight);
                Choice::Take(h.uri.clone(), h.session.clone())
            }
            Some(h) => match h.window(2).filter(|end| flight.at_ms < *end) {
                Some(end) => Choice::Wait(h.uri.clone(), Some(end)),
                None => Choice::Nothing,
            },
            None => Choice::Nothing,
        }
    }

    /// The last session whatever its pool and however long its segment has been out, when
    /// nothing else is left (where the reference fails the segment): taken when free, else
    /// waited for until it is.
    pub fn last_resort(&mut self, flight: Flight) -> Choice<T> {
        match self.last.as_mut() {
            Some(h) if h.in_flight.is_empty() => {
                h.in_flight.push(flight);
                Choice::Take(h.uri.clone(), h.session.clone())
            }
            Some(h) => Choice::Wait(h.uri.clone(), None),
            None => Choice::Nothing,
        }
    }

    /// A session just opened with an unknown O for a segment (`flight`) becomes the last one,
    /// its flight begun.
    pub fn open(&mut self, uri: &str, session: T, flight: Flight) {
        self.known.retain(|h| h.uri != uri);
        self.replace_last(Held {
            uri: uri.to_string(),
            session,
            score: 0.0,
            in_flight: vec![flight],
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

    /// `uri`'s oldest segment in flight ended without an answer to score (its task was
    /// cancelled): the session is free again, its score unchanged.
    pub fn abandon(&mut self, uri: &str) {
        if let Some(h) = self.all_mut().find(|h| h.uri == uri) {
            if !h.in_flight.is_empty() {
                h.in_flight.remove(0);
            }
        }
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
    fn the_reference_window_for_a_busy_session_is_its_oldest_segments_duration() {
        assert!(in_time(1999, 2000, 1));
        assert!(!in_time(2000, 2000, 1));
        assert!(in_time(3999, 2000, 2));
        assert!(in_time(1499, 1000, 1), "a limit of 1 s counts 1.5 s");
        assert!(!in_time(1500, 500, 2));
    }
}
