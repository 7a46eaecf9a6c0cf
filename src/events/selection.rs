//! A B's choice of orchestrator on a chain (`OrchestratorSelected`): the Os it chose among with
//! the probability each had, the random draw that chose and the O it chose. The draw is made at
//! the node's edge and recorded here, so the choice can be checked against the log without
//! re-running the rule.

use super::{Address, Price, Wei};
use serde::{Deserialize, Serialize, Serializer};
use std::fmt;

/// A real number in [0, 1] (a probability, a random draw), kept as the bits of its IEEE-754
/// double so that the record is exact and comparable. Never money: wei are `Wei` or `Ratio`.
#[derive(Clone, Copy, Default, PartialEq, Eq, PartialOrd, Ord, Hash, Deserialize)]
pub struct Fraction(pub u64);

impl Fraction {
    /// The fraction holding `v` exactly.
    pub fn from_f64(v: f64) -> Self {
        Fraction(v.to_bits())
    }

    /// Its value.
    pub fn get(self) -> f64 {
        f64::from_bits(self.0)
    }
}

// Binary formats store the bits (as the derived `Deserialize` reads them); JSON dumps the number.
impl Serialize for Fraction {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        if s.is_human_readable() {
            s.serialize_f64(self.get())
        } else {
            s.serialize_newtype_struct("Fraction", &self.0)
        }
    }
}

impl fmt::Display for Fraction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(&self.get(), f)
    }
}
impl fmt::Debug for Fraction {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        fmt::Display::fmt(self, f)
    }
}

/// One O a B chose among: what its `GetOrchestrator` answer and the chain said of it, and the
/// probability the selection gave it (0 when a filter left it out).
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct SelectionCandidate {
    /// The O asked (`https://host:port`).
    pub uri: String,
    /// Its ETH address, from its answer.
    pub address: Address,
    /// Its total bonded stake as the orchestrator projection knows it (zero when unknown).
    pub stake: Wei,
    /// The price it quoted.
    pub price: Price,
    /// Its probability of being chosen.
    pub probability: Fraction,
}

/// A B chose the O of a stream's new session by go-livepeer's probability selection (stake,
/// price and random weights) over the Os that answered `GetOrchestrator`.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct OrchestratorSelected {
    /// The B's stream.
    pub stream: String,
    /// The Os it chose among, in the order their cumulative probabilities were laid out.
    pub candidates: Vec<SelectionCandidate>,
    /// The uniform random draw in [0, 1) made at the edge: the first candidate whose cumulative
    /// probability exceeds it is chosen.
    pub draw: Fraction,
    /// The chosen O (`https://host:port`).
    pub chosen: String,
}

#[cfg(test)]
mod tests {
    use super::Fraction;

    #[test]
    fn fractions_keep_their_value_exactly() {
        for v in [
            0.0,
            0.3,
            1.0 / 3.0,
            0.999_999_999_999_999_9,
            f64::MIN_POSITIVE,
        ] {
            assert_eq!(Fraction::from_f64(v).get().to_bits(), v.to_bits());
        }
        assert_eq!(Fraction::from_f64(0.25).to_string(), "0.25");
        assert_eq!(
            serde_json::to_string(&Fraction::from_f64(0.5))
                .ok()
                .as_deref(),
            Some("0.5")
        );
    }
}
