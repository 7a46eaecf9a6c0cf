//! The O's choice of remote transcoder for a segment (facts §2.3): a session stays on the T that
//! took its first segment while that T is attached; a new session goes to the T with the lowest
//! load for its capacity (load / capacity, compared without division), the first such on a tie.

/// An attached T as the choice sees it.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Candidate {
    /// The O's id for the T.
    pub id: u64,
    /// Segments it is working on.
    pub load: i64,
    /// Sessions it said it takes.
    pub capacity: i64,
}

/// The T for a segment of a session pinned to `pinned` (if any), among `ts`.
pub fn pick(pinned: Option<u64>, ts: &[Candidate]) -> Option<u64> {
    if let Some(id) = pinned.filter(|id| ts.iter().any(|t| t.id == *id)) {
        return Some(id);
    }
    ts.iter()
        .min_by(|a, b| (a.load * b.capacity).cmp(&(b.load * a.capacity)))
        .map(|t| t.id)
}

#[cfg(test)]
mod tests {
    use super::*;

    const fn t(id: u64, load: i64, capacity: i64) -> Candidate {
        Candidate { id, load, capacity }
    }

    #[test]
    fn sessions_stick_to_their_transcoder() {
        let ts = [t(1, 9, 10), t(2, 0, 10)];
        assert_eq!(pick(Some(1), &ts), Some(1));
    }

    #[test]
    fn new_sessions_go_to_the_least_loaded_for_its_capacity() {
        assert_eq!(pick(None, &[t(1, 1, 1), t(2, 1, 4)]), Some(2));
        assert_eq!(
            pick(None, &[t(1, 0, 1), t(2, 0, 4)]),
            Some(1),
            "first on a tie"
        );
        assert_eq!(
            pick(Some(7), &[t(1, 2, 2), t(2, 1, 2)]),
            Some(2),
            "pinned T gone"
        );
        assert_eq!(pick(None, &[]), None);
    }
}
