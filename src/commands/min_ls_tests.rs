//! Tests of one stream's sessions under `min_ls` (`Sessions`): the fast O kept, the slow one
//! left while others are untried, busy sessions, the fallback, unusable sessions dropped.

use super::min_ls::*;

fn any(_: &str) -> bool {
    true
}

const D: u32 = 2000;

#[test]
fn a_stream_keeps_a_fast_o_and_leaves_a_slow_one_while_others_are_untried() {
    let mut s = Sessions::<u8>::default();
    assert_eq!(s.pick(2, any, 0), None, "nothing held: open an unknown O");
    s.open("slow", 1);
    s.begin("slow", 0, D);
    assert_eq!(s.pick(1, any, 1000), Some(("slow".into(), 1)), "in time");
    assert_eq!(s.pick(1, any, 2500), None, "out too long: an unknown O");
    s.complete("slow", 1.6);
    assert_eq!(s.held(), ["slow"], "kept as a known session");
    assert_eq!(s.pick(1, any, 3000), None, "too slow while an O is untried");
    s.open("fast", 2);
    s.begin("fast", 3000, D);
    s.complete("fast", 0.3);
    for t in [4000, 6000, 8000] {
        assert_eq!(s.pick(0, any, t), Some(("fast".to_string(), 2)));
        s.begin("fast", t, D);
        s.complete("fast", 0.3);
    }
    // The fast O fails: the slow one is all that is left.
    s.remove("fast");
    assert_eq!(s.pick(0, any, 9000), Some(("slow".to_string(), 1)));
    assert_eq!(s.last().map(|h| h.score), Some(1.6));
    // A pool that does not hold it does not get it.
    let mut s2 = s.clone();
    s2.complete("slow", 1.6);
    assert_eq!(s2.pick(0, |u| u != "slow", 9000), None);
}

#[test]
fn the_last_session_out_too_long_is_the_fallback_within_twice_the_duration() {
    let mut s = Sessions::<u8>::default();
    s.open("a", 1);
    s.begin("a", 0, D);
    s.begin("a", 500, D);
    assert_eq!(s.pick(0, any, 3000), Some(("a".into(), 1)), "no other: 2x");
    assert_eq!(s.pick(0, any, 4000), None, "out for twice the duration");
    assert_eq!(s.fallback(any, 3999), Some(("a".into(), 1)));
    s.complete("a", 2.2);
    assert_eq!(s.held(), ["a"], "one segment still out: stays the last");
    assert_eq!(s.last().map(|h| h.in_flight.len()), Some(1));
    s.complete("a", 2.1);
    assert!(s.last().is_none(), "all done, slow: back to the selector");
    assert_eq!(s.pick(1, any, 5000), None, "an unknown O first");
    assert_eq!(
        s.pick(0, any, 5000),
        Some(("a".into(), 1)),
        "else the best known"
    );
}

#[test]
fn a_session_in_flight_is_not_chosen_until_it_completes() {
    let mut s = Sessions::<u8>::default();
    s.open("a", 1);
    s.begin("a", 0, D);
    s.open("b", 2);
    assert_eq!(s.held(), ["b", "a"], "a is parked while its segment is out");
    s.begin("b", 0, D);
    assert_eq!(s.pick(0, any, 5000), None, "b and a out too long");
    s.complete("a", 0.5);
    assert_eq!(
        s.held(),
        ["b"],
        "a good session that is not the last leaves the selector"
    );
    s.complete("b", 3.0);
    assert_eq!(s.pick(0, any, 5000), Some(("b".to_string(), 2)));
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
