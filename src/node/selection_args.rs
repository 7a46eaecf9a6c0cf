//! A B's flags for choosing its Os (facts §9, "Gateway selection"), with go-livepeer's names and
//! defaults: the weights of its probability selection on a chain, its performance score source
//! (`-orchPerfStatsUrl`, `-region`, `-minPerfScore`) and `-maxAttempts`.

use crate::commands::selection::ProbabilitySelectionAlgorithm;
use clap::Args;

/// The B's selection flags.
#[derive(Debug, Clone, Args, PartialEq)]
pub struct SelectionArgs {
    /// On a chain, a B's weight of an O's share of stake in choosing it.
    #[arg(long = "selectStakeWeight", default_value_t = 0.7)]
    pub select_stake_weight: f64,
    /// On a chain, a B's weight of an O's price in choosing it.
    #[arg(long = "selectPriceWeight", default_value_t = 0.0)]
    pub select_price_weight: f64,
    /// On a chain, a B's weight of pure chance in choosing an O (go-livepeer's name: it is a
    /// weight, no longer a frequency).
    #[arg(long = "selectRandFreq", default_value_t = 0.3)]
    pub select_rand_freq: f64,
    /// Wei per pixel over which an O's price weight falls by a factor e.
    #[arg(long = "selectPriceExpFactor", default_value_t = 100.0)]
    pub select_price_exp_factor: f64,
    /// On a chain, a B leaves out Os whose performance score (from -orchPerfStatsUrl) is below
    /// this, unless none passes.
    #[arg(long = "minPerfScore", default_value_t = 0.0)]
    pub min_perf_score: f64,
    /// A B's source of Os' performance scores, read every 10 minutes with -region: JSON
    /// {"0x<address>": {"<REGION>": {"score": <0..1>}}}.
    #[arg(long = "orchPerfStatsUrl")]
    pub orch_perf_stats_url: Option<String>,
    /// The B's region, whose scores it reads from -orchPerfStatsUrl.
    #[arg(long = "region")]
    pub region: Option<String>,
    /// Os a B tries a segment on before the segment fails.
    #[arg(long = "maxAttempts", default_value_t = 3)]
    pub max_attempts: usize,
}

impl SelectionArgs {
    /// `-orchPerfStatsUrl` and `-region`, used only together (as the reference); `None` when
    /// either is missing or empty.
    pub fn perf_stats(&self) -> Option<(String, String)> {
        let url = self
            .orch_perf_stats_url
            .as_deref()
            .filter(|u| !u.is_empty())?;
        let region = self.region.as_deref().filter(|r| !r.is_empty())?;
        Some((url.to_string(), region.to_string()))
    }

    /// The probability selection these flags configure: weights must be finite and not
    /// negative, the price factor above 0.
    pub fn algorithm(&self) -> Result<ProbabilitySelectionAlgorithm, String> {
        for (flag, v) in [
            ("-selectStakeWeight", self.select_stake_weight),
            ("-selectPriceWeight", self.select_price_weight),
            ("-selectRandFreq", self.select_rand_freq),
            ("-minPerfScore", self.min_perf_score),
        ] {
            if !v.is_finite() || v < 0.0 {
                return Err(format!("{flag} {v}: expected a number of 0 or more"));
            }
        }
        let factor = self.select_price_exp_factor;
        if !factor.is_finite() || factor <= 0.0 {
            return Err(format!(
                "-selectPriceExpFactor {factor}: expected a number above 0"
            ));
        }
        Ok(ProbabilitySelectionAlgorithm {
            min_perf_score: self.min_perf_score,
            stake_weight: self.select_stake_weight,
            price_weight: self.select_price_weight,
            rand_weight: self.select_rand_freq,
            price_exp_factor: factor,
        })
    }
}

#[cfg(test)]
mod tests {
    use crate::commands::selection::ProbabilitySelectionAlgorithm;
    use crate::node::args::NodeArgs;

    #[test]
    fn the_defaults_are_the_reference_s() {
        let args = NodeArgs::parse_flags(&["--broadcaster"]).unwrap();
        assert_eq!(
            args.selection.algorithm(),
            Ok(ProbabilitySelectionAlgorithm::default())
        );
        assert_eq!(args.selection.max_attempts, 3);
    }

    #[test]
    fn the_flags_set_the_weights_and_nonsense_is_refused() {
        let args = NodeArgs::parse_flags(&[
            "--selectStakeWeight",
            "0.2",
            "--selectPriceWeight",
            "0.5",
            "--selectRandFreq",
            "0.3",
            "--selectPriceExpFactor",
            "20",
            "--minPerfScore",
            "0.4",
            "--maxAttempts",
            "5",
        ])
        .unwrap();
        let s = args.selection.algorithm().unwrap();
        assert_eq!(
            (s.stake_weight, s.price_weight, s.rand_weight),
            (0.2, 0.5, 0.3)
        );
        assert_eq!((s.price_exp_factor, s.min_perf_score), (20.0, 0.4));
        assert_eq!(args.selection.max_attempts, 5);
        assert_eq!(args.selection.perf_stats(), None);
        let perf = NodeArgs::parse_flags(&["--orchPerfStatsUrl", "http://s/stats"]).unwrap();
        assert_eq!(perf.selection.perf_stats(), None, "no region: not used");
        let perf =
            NodeArgs::parse_flags(&["--orchPerfStatsUrl", "http://s/stats", "--region", "lax"])
                .unwrap();
        assert_eq!(
            perf.selection.perf_stats(),
            Some(("http://s/stats".into(), "lax".into()))
        );
        let zero = NodeArgs::parse_flags(&["--selectPriceExpFactor", "0"]).unwrap();
        assert!(zero.selection.algorithm().unwrap_err().contains("above 0"));
        let nan = NodeArgs::parse_flags(&["--selectStakeWeight", "NaN"]).unwrap();
        assert!(nan.selection.algorithm().is_err());
    }
}
