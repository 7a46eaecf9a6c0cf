//! The B's choice of O on a chain, checked from outside: three Os at known stakes and prices, the
//! random draw swept over 10,000 evenly spaced points of [0, 1); each O's share of the picks is
//! the probability go-livepeer's formula gives it (computed here on its own) within 1e-4, with
//! the default weights, with a price weight, and with an O that has no stake. Then the
//! suspension rule over a stream's refreshes: an O that failed sits out `poolSize / numOrchs`
//! refreshes unless too few others answer.
#![allow(clippy::unwrap_used)]

use livepeer::commands::{
    selection::{Candidate, ProbabilitySelectionAlgorithm},
    suspensions::{penalty_for, session_pool, sessions_wanted, Suspensions},
};
use livepeer::events::{Address, Event, Price, Wei};

const POINTS: usize = 10_000;
const LPT: u128 = 1_000_000_000_000_000_000;

fn o(n: u8, stake_lpt: u128, wei_per_pixel: i64) -> Candidate {
    Candidate {
        uri: format!("https://o{n}.example:8935"),
        address: Address([n; 20]),
        stake: Wei::from_u128(stake_lpt * LPT),
        price: Price {
            price_per_unit: wei_per_pixel,
            pixels_per_unit: 1,
        },
        perf_score: None,
    }
}

/// The reference's formula for three Os, written out: weights, stakes and prices as numbers.
fn formula(
    (stake_w, price_w, rand_w, factor): (f64, f64, f64, f64),
    stakes: [f64; 3],
    prices: [f64; 3],
) -> [f64; 3] {
    let e = prices.map(|p| (-p / factor).exp());
    let (sum_e, sum_s): (f64, f64) = (e.iter().sum(), stakes.iter().sum());
    [0, 1, 2].map(|i| {
        let stake_share = if sum_s > 0.0 {
            stakes[i] / sum_s
        } else {
            1.0 / 3.0
        };
        price_w * e[i] / sum_e + stake_w * stake_share + rand_w / 3.0
    })
}

/// Each O's share of the picks over the swept draws, checking that every pick's record names
/// the O picked and the draw.
fn shares(alg: &ProbabilitySelectionAlgorithm, os: &[Candidate]) -> Vec<f64> {
    let mut picks = vec![0usize; os.len()];
    for k in 0..POINTS {
        let draw = k as f64 / POINTS as f64;
        let (i, event) = alg.choose("stream", os, None, false, draw).unwrap();
        let Event::OrchestratorSelected(e) = event else {
            panic!("{event:?}")
        };
        assert_eq!(e.chosen, os[i].uri);
        assert_eq!(e.draw.get(), draw);
        picks[i] += 1;
    }
    picks.iter().map(|n| *n as f64 / POINTS as f64).collect()
}

fn assert_shares(alg: &ProbabilitySelectionAlgorithm, os: &[Candidate], expected: [f64; 3]) {
    let got = shares(alg, os);
    let recorded = alg.probabilities(os, None, false);
    for i in 0..3 {
        assert!(
            (got[i] - expected[i]).abs() <= 1e-4 + 1e-12,
            "O {i}: picked {} of the time, the formula says {} ({got:?} vs {expected:?})",
            got[i],
            expected[i]
        );
        assert!((recorded[i] - expected[i]).abs() < 1e-12, "{recorded:?}");
    }
}

#[test]
fn with_the_default_weights_picks_follow_stake_and_chance() {
    let alg = ProbabilitySelectionAlgorithm::default();
    let os = [o(1, 100, 1_200), o(2, 200, 900), o(3, 700, 3_000)];
    let expected = formula(
        (0.7, 0.0, 0.3, 100.0),
        [100.0, 200.0, 700.0],
        [1_200.0, 900.0, 3_000.0],
    );
    assert!((expected[2] - 0.59).abs() < 1e-12, "{expected:?}");
    assert_shares(&alg, &os, expected);
}

#[test]
fn with_a_price_weight_cheaper_os_are_picked_more() {
    let alg = ProbabilitySelectionAlgorithm {
        stake_weight: 0.4,
        price_weight: 0.4,
        rand_weight: 0.2,
        price_exp_factor: 100.0,
        min_perf_score: 0.0,
    };
    let os = [o(1, 300, 100), o(2, 300, 250), o(3, 400, 40)];
    let expected = formula(
        (0.4, 0.4, 0.2, 100.0),
        [300.0, 300.0, 400.0],
        [100.0, 250.0, 40.0],
    );
    assert!(expected[0] > expected[1], "{expected:?}");
    assert_shares(&alg, &os, expected);
}

#[test]
fn an_o_without_stake_gets_only_the_chance_and_price_shares() {
    let alg = ProbabilitySelectionAlgorithm::default();
    let os = [o(1, 0, 1_000), o(2, 300, 1_000), o(3, 100, 1_000)];
    let expected = formula((0.7, 0.0, 0.3, 100.0), [0.0, 300.0, 100.0], [1_000.0; 3]);
    assert!((expected[0] - 0.1).abs() < 1e-12, "{expected:?}");
    assert_shares(&alg, &os, expected);

    let priced = ProbabilitySelectionAlgorithm {
        price_weight: 0.3,
        stake_weight: 0.4,
        ..alg
    };
    let os = [o(1, 0, 50), o(2, 300, 150), o(3, 100, 100)];
    let expected = formula(
        (0.4, 0.3, 0.3, 100.0),
        [0.0, 300.0, 100.0],
        [50.0, 150.0, 100.0],
    );
    assert_shares(&priced, &os, expected);
}

#[test]
fn a_pool_without_any_stake_is_picked_evenly() {
    let alg = ProbabilitySelectionAlgorithm::default();
    let os = [o(1, 0, 1), o(2, 0, 1), o(3, 0, 1)];
    assert_shares(&alg, &os, [1.0 / 3.0; 3]);
}

#[test]
fn a_failed_o_sits_out_its_penalty_in_refreshes_unless_too_few_others_answer() {
    // Twenty Os: a refresh wants 8 of them, and a failure costs 20 / 8 = 2 refreshes.
    let os: Vec<String> = (0..20).map(|i| format!("https://o{i}:8935")).collect();
    assert_eq!((sessions_wanted(os.len()), penalty_for(os.len())), (8, 2));
    let mut s = Suspensions::default();

    s.signal_refresh();
    let first = session_pool(os.clone(), String::as_str, 8, &s);
    assert_eq!(first, os[..8], "the first eight to answer");
    s.suspend(&os[0], penalty_for(os.len()));

    for refresh in [2, 3] {
        s.signal_refresh();
        let pool = session_pool(os.clone(), String::as_str, 8, &s);
        assert!(!pool.contains(&os[0]), "refresh {refresh}: o0 sits out");
        assert_eq!(pool, os[1..9], "refresh {refresh}");
        // Only five others answer: the suspended O fills in.
        let few = session_pool(os[..6].to_vec(), String::as_str, 8, &s);
        assert_eq!(few, [&os[1..6], &os[..1]].concat(), "refresh {refresh}");
    }
    s.signal_refresh();
    assert_eq!(
        session_pool(os.clone(), String::as_str, 8, &s),
        os[..8],
        "refresh 4: back"
    );

    // Two failures in a row cost twice as long; the lighter penalty fills in first.
    s.suspend(&os[0], 2);
    s.suspend(&os[0], 2);
    s.suspend(&os[1], 2);
    for _ in 0..2 {
        s.signal_refresh();
        let few = session_pool(os[..3].to_vec(), String::as_str, 8, &s);
        assert_eq!(few, [os[2].clone(), os[1].clone(), os[0].clone()]);
    }
    for _ in 0..2 {
        s.signal_refresh();
        assert!(s.is_suspended(&os[0]) && !s.is_suspended(&os[1]));
    }
    s.signal_refresh();
    assert!(!s.is_suspended(&os[0]));
}
