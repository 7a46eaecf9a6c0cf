//! The B's choice of orchestrator on a chain, as go-livepeer's `ProbabilitySelectionAlgorithm`
//! (`server/selection_algorithm.go`): the Os that answered are filtered by `-minPerfScore` (only
//! when scores exist; when none passes the filter is dropped) and by `-maxPricePerUnit` (when none
//! passes, every O if `-ignoreMaxPriceIfNeeded`, else none), then each eligible O gets
//!
//! `p = priceWeight·e^(−price/priceExpFactor)/Σ + stakeWeight·stake/Σstake + randWeight·1/n`
//!
//! and the O whose cumulative probability first exceeds a uniform draw in [0, 1) is chosen. The
//! draw is an argument (made at the edge, recorded in `OrchestratorSelected`).
//!
//! Where the reference's arithmetic breaks down, the formula's intent is kept, and said so:
//! the price terms are computed relative to the cheapest O (the same ratio, but
//! `e^(−price/factor)` no longer underflows to 0 for prices above ~74,000 wei per pixel); a pool
//! without stake, or whose price terms all vanish, weighs its Os equally in that term (the
//! reference gives each 1.0, so the probabilities sum above 1 and the pick depends on Go's map
//! order); probabilities are divided by their sum, so weights that do not add up to 1 still
//! choose in proportion to them.

use super::orch_choice::over_max_price;
use crate::events::{
    Address, Event, Fraction, OrchestratorSelected, Price, SelectionCandidate, Wei,
};

/// The weights of the choice (`-selectStakeWeight`, `-selectPriceWeight`, `-selectRandFreq`,
/// `-selectPriceExpFactor`) and `-minPerfScore`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct ProbabilitySelectionAlgorithm {
    /// Os scoring below it are left out (0: no filter).
    pub min_perf_score: f64,
    /// Weight of the O's share of the pool's stake.
    pub stake_weight: f64,
    /// Weight of the O's price term.
    pub price_weight: f64,
    /// Weight of the uniform term (`-selectRandFreq`).
    pub rand_weight: f64,
    /// Wei per pixel over which a price's weight falls by a factor e.
    pub price_exp_factor: f64,
}

impl Default for ProbabilitySelectionAlgorithm {
    /// go-livepeer's defaults: stake 0.7, price 0, random 0.3, factor 100, no score filter.
    fn default() -> Self {
        ProbabilitySelectionAlgorithm {
            min_perf_score: 0.0,
            stake_weight: 0.7,
            price_weight: 0.0,
            rand_weight: 0.3,
            price_exp_factor: 100.0,
        }
    }
}

/// An O the B may choose.
#[derive(Clone, Debug, PartialEq)]
pub struct Candidate {
    /// Its `https://host:port`.
    pub uri: String,
    /// Its ETH address.
    pub address: Address,
    /// Its total bonded stake (zero when unknown).
    pub stake: Wei,
    /// Its quoted price.
    pub price: Price,
    /// Its performance score, when a score service gave one.
    pub perf_score: Option<f64>,
}

/// A weight as used: negative or not a number counts as 0.
fn weight(w: f64) -> f64 {
    if w.is_finite() && w > 0.0 {
        w
    } else {
        0.0
    }
}

/// Wei per pixel as a float (a price without pixels counts per unit).
fn per_pixel(p: Price) -> f64 {
    p.price_per_unit as f64 / p.pixels_per_unit.max(1) as f64
}

/// A stake as a float (only ratios of stakes are used).
fn stake_f64(w: &Wei) -> f64 {
    w.0.iter().fold(0.0, |acc, b| acc * 256.0 + f64::from(*b))
}

impl ProbabilitySelectionAlgorithm {
    /// Which candidates pass the filters: `-minPerfScore`, then the max price.
    pub fn eligible(
        &self,
        candidates: &[Candidate],
        max_price: Option<Price>,
        ignore_max_price: bool,
    ) -> Vec<bool> {
        let all = vec![true; candidates.len()];
        let scored = candidates.iter().any(|c| c.perf_score.is_some());
        let mut pass: Vec<bool> = if self.min_perf_score > 0.0 && scored {
            let p: Vec<bool> = candidates
                .iter()
                .map(|c| c.perf_score.unwrap_or(0.0) >= self.min_perf_score)
                .collect();
            if p.contains(&true) {
                p
            } else {
                all.clone()
            }
        } else {
            all.clone()
        };
        if let Some(max) = max_price {
            let within: Vec<bool> = candidates
                .iter()
                .zip(&pass)
                .map(|(c, ok)| *ok && !over_max_price(c.price, max))
                .collect();
            pass = if within.contains(&true) {
                within
            } else if ignore_max_price {
                pass
            } else {
                vec![false; candidates.len()]
            };
        }
        pass
    }

    /// Each candidate's probability of being chosen (0 for those the filters leave out); all 0
    /// when none is eligible.
    pub fn probabilities(
        &self,
        candidates: &[Candidate],
        max_price: Option<Price>,
        ignore_max_price: bool,
    ) -> Vec<f64> {
        let eligible = self.eligible(candidates, max_price, ignore_max_price);
        let chosen: Vec<&Candidate> = candidates
            .iter()
            .zip(&eligible)
            .filter_map(|(c, ok)| ok.then_some(c))
            .collect();
        let n = chosen.len() as f64;
        if chosen.is_empty() {
            return vec![0.0; candidates.len()];
        }
        let prices: Vec<f64> = chosen.iter().map(|c| per_pixel(c.price)).collect();
        let cheapest = prices.iter().copied().fold(f64::INFINITY, f64::min);
        let factor = self.price_exp_factor;
        let price_terms: Vec<f64> = prices
            .iter()
            .map(|p| {
                let x = if factor.is_finite() && factor > 0.0 {
                    (p - cheapest) / factor
                } else if *p <= cheapest {
                    0.0
                } else {
                    f64::INFINITY
                };
                (-x).exp()
            })
            .collect();
        let stakes: Vec<f64> = chosen.iter().map(|c| stake_f64(&c.stake)).collect();
        let share = |terms: &[f64], i: usize| {
            let sum: f64 = terms.iter().sum();
            let t = terms.get(i).copied().unwrap_or(0.0);
            if sum > 0.0 && sum.is_finite() {
                t / sum
            } else {
                1.0 / n
            }
        };
        let (pw, sw, rw) = (
            weight(self.price_weight),
            weight(self.stake_weight),
            weight(self.rand_weight),
        );
        let raw: Vec<f64> = (0..chosen.len())
            .map(|i| pw * share(&price_terms, i) + sw * share(&stakes, i) + rw / n)
            .collect();
        let total: f64 = raw.iter().sum();
        let mut of_chosen = raw.into_iter().map(|p| {
            if total > 0.0 && total.is_finite() {
                p / total
            } else {
                1.0 / n
            }
        });
        eligible
            .iter()
            .map(|ok| match ok {
                true => of_chosen.next().unwrap_or(0.0),
                false => 0.0,
            })
            .collect()
    }

    /// Chooses the O of `stream`'s new session among `candidates` with the uniform `draw` in
    /// [0, 1): the candidate's index and the `OrchestratorSelected` that records the choice;
    /// `None` when no candidate is eligible.
    pub fn choose(
        &self,
        stream: &str,
        candidates: &[Candidate],
        max_price: Option<Price>,
        ignore_max_price: bool,
        draw: f64,
    ) -> Option<(usize, Event)> {
        let probs = self.probabilities(candidates, max_price, ignore_max_price);
        let i = select_by(&probs, draw)?;
        let chosen = candidates.get(i)?.uri.clone();
        let event = Event::OrchestratorSelected(OrchestratorSelected {
            stream: stream.to_string(),
            candidates: candidates
                .iter()
                .zip(&probs)
                .map(|(c, p)| SelectionCandidate {
                    uri: c.uri.clone(),
                    address: c.address,
                    stake: c.stake,
                    price: c.price,
                    probability: Fraction::from_f64(*p),
                })
                .collect(),
            draw: Fraction::from_f64(draw),
            chosen,
        });
        Some((i, event))
    }
}

/// The index whose cumulative probability first exceeds `draw` (each index owns
/// `[cum_before, cum_after)`, so an O of probability 0 is never chosen); past the end (rounding,
/// or a draw out of [0, 1)), the last index with a positive probability; `None` when there is
/// none.
pub fn select_by(probabilities: &[f64], draw: f64) -> Option<usize> {
    let mut cum = 0.0;
    for (i, p) in probabilities.iter().enumerate() {
        if *p > 0.0 {
            cum += p;
            if draw < cum {
                return Some(i);
            }
        }
    }
    probabilities.iter().rposition(|p| *p > 0.0)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn o(n: u8, stake: u128, price: i64) -> Candidate {
        Candidate {
            uri: format!("https://o{n}:8935"),
            address: Address([n; 20]),
            stake: Wei::from_u128(stake),
            price: Price {
                price_per_unit: price,
                pixels_per_unit: 1,
            },
            perf_score: None,
        }
    }

    fn close(a: &[f64], b: &[f64]) -> bool {
        a.len() == b.len() && a.iter().zip(b).all(|(x, y)| (x - y).abs() < 1e-12)
    }

    #[test]
    fn the_defaults_weigh_stake_and_chance() {
        let alg = ProbabilitySelectionAlgorithm::default();
        let os = [o(1, 100, 1), o(2, 300, 1)];
        let p = alg.probabilities(&os, None, false);
        assert!(close(&p, &[0.7 * 0.25 + 0.15, 0.7 * 0.75 + 0.15]), "{p:?}");
    }

    #[test]
    fn no_stake_anywhere_weighs_the_os_equally_without_nan() {
        let alg = ProbabilitySelectionAlgorithm::default();
        let p = alg.probabilities(&[o(1, 0, 1), o(2, 0, 1), o(3, 0, 1)], None, false);
        assert!(close(&p, &[1.0 / 3.0; 3]), "{p:?}");
    }

    #[test]
    fn prices_far_above_the_factor_do_not_underflow() {
        let alg = ProbabilitySelectionAlgorithm {
            price_weight: 1.0,
            stake_weight: 0.0,
            rand_weight: 0.0,
            ..Default::default()
        };
        // e^(-1e6/100) is 0 in f64: the reference's sum would vanish.
        let p = alg.probabilities(&[o(1, 0, 1_000_000), o(2, 0, 1_000_100)], None, false);
        let e = (-1.0f64).exp();
        assert!(close(&p, &[1.0 / (1.0 + e), e / (1.0 + e)]), "{p:?}");
        let zero_factor = ProbabilitySelectionAlgorithm {
            price_exp_factor: 0.0,
            ..alg
        };
        let p = zero_factor.probabilities(&[o(1, 0, 5), o(2, 0, 6), o(3, 0, 5)], None, false);
        assert!(close(&p, &[0.5, 0.0, 0.5]), "the cheapest share: {p:?}");
    }

    #[test]
    fn weights_are_used_in_proportion_and_all_zero_is_uniform() {
        let heavy = ProbabilitySelectionAlgorithm {
            stake_weight: 1.4,
            rand_weight: 0.6,
            ..Default::default()
        };
        let os = [o(1, 100, 1), o(2, 300, 1)];
        let p = heavy.probabilities(&os, None, false);
        let d = ProbabilitySelectionAlgorithm::default().probabilities(&os, None, false);
        assert!(close(&p, &d), "{p:?} {d:?}");
        let none = ProbabilitySelectionAlgorithm {
            stake_weight: 0.0,
            rand_weight: f64::NAN,
            ..Default::default()
        };
        assert!(close(&none.probabilities(&os, None, false), &[0.5, 0.5]));
    }

    #[test]
    fn the_max_price_filters_unless_nobody_passes() {
        let alg = ProbabilitySelectionAlgorithm::default();
        let os = [o(1, 100, 10), o(2, 300, 50)];
        let max = Some(Price {
            price_per_unit: 20,
            pixels_per_unit: 1,
        });
        assert_eq!(alg.probabilities(&os, max, false), [1.0, 0.0]);
        let low = Some(Price {
            price_per_unit: 5,
            pixels_per_unit: 1,
        });
        assert_eq!(alg.probabilities(&os, low, false), [0.0, 0.0]);
        assert!(alg.choose("s", &os, low, false, 0.5).is_none());
        let all = alg.probabilities(&os, low, true);
        assert!(close(&all, &alg.probabilities(&os, None, false)), "{all:?}");
    }

    #[test]
    fn the_perf_filter_applies_only_with_scores_and_lapses_when_all_fail() {
        let alg = ProbabilitySelectionAlgorithm {
            min_perf_score: 0.5,
            ..Default::default()
        };
        let mut os = vec![o(1, 100, 1), o(2, 100, 1)];
        assert!(close(&alg.probabilities(&os, None, false), &[0.5, 0.5]));
        os[0].perf_score = Some(0.9);
        assert_eq!(alg.probabilities(&os, None, false), [1.0, 0.0]);
        os[0].perf_score = Some(0.1);
        os[1].perf_score = Some(0.2);
        assert!(close(&alg.probabilities(&os, None, false), &[0.5, 0.5]));
    }

    #[test]
    fn the_draw_picks_by_cumulative_probability() {
        let p = [0.2, 0.0, 0.5, 0.3];
        assert_eq!(select_by(&p, 0.0), Some(0));
        assert_eq!(select_by(&p, 0.199), Some(0));
        assert_eq!(select_by(&p, 0.2), Some(2), "never the O of probability 0");
        assert_eq!(select_by(&p, 0.75), Some(3));
        assert_eq!(
            select_by(&p, 1.0),
            Some(3),
            "past the end: the last possible"
        );
        assert_eq!(select_by(&[0.5, 0.5, 0.0], f64::NAN), Some(1));
        assert_eq!(select_by(&[0.0, 0.0], 0.1), None);
        assert_eq!(select_by(&[], 0.1), None);
    }

    #[test]
    fn the_choice_records_every_candidate_with_its_probability_and_the_draw() {
        let alg = ProbabilitySelectionAlgorithm::default();
        let os = [o(1, 100, 1), o(2, 300, 1)];
        let Some((i, Event::OrchestratorSelected(e))) = alg.choose("s", &os, None, false, 0.4)
        else {
            panic!("a choice");
        };
        assert_eq!((i, e.chosen.as_str()), (1, "https://o2:8935"));
        assert_eq!(e.stream, "s");
        assert_eq!(e.draw.get(), 0.4);
        let probs: Vec<f64> = e.candidates.iter().map(|c| c.probability.get()).collect();
        assert!(close(&probs, &[0.325, 0.675]), "{probs:?}");
        assert_eq!(e.candidates[1].stake, Wei::from_u128(300));
    }
}
