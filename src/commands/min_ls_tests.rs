//! Tests of one stream's sessions under `min_ls` (`Sessions`): the fast O kept, the slow one
//! left while others are untried, one segment per O in flight (waits instead of a second one),
//! the fallback and the last resort, unusable sessions dropped.

use super::min_ls::*;

fn any(_: &str) -> bool {
    true
}

const D: u32 = 2000;

fn at(t: u64) -> Flight {
    Flight {
        at_ms: t,
        duration_ms: D,
    }
}

fn take(uri: &str, n: u8) -> Choice<u8> {
    Choice::Take(uri.into(), n)
}

fn in_flight(s: &Sessions<u8>, uri: &str) -> usize {
    s.clone()
        .into_held()
        .iter()
        .find(|h| h.uri == uri)
        .map_or(0, |h| h.in_flight.len())
}

#[test]
fn a_stream_keeps_a_fast_o_and_leaves_a_slow_one_while_others_are_untried() {
    let mut s = Sessions::<u8>::default();
    assert_eq!(s.pick(2, any, at(0)), Choice::Open, "nothing held");
    s.open("slow", 1, at(0));
    assert_eq!(
        s.pick(1, any, at(1000)),
        Choice::Wait("slow".into(), Some(2000)),
        "busy in time: wait for it rather than send a second segment"
    );
    assert_eq!(in_flight(&s, "slow"), 1, "a wait begins nothing");
    assert_eq!(s.pick(1, any, at(2500)), Choice::Open, "out too long");
    s.complete("slow", 1.6);
    assert_eq!(s.held(), ["slow"], "kept as a known session");
    assert_eq!(
        s.pick(1, any, at(3000)),
        Choice::Open,
        "too slow, O untried"
    );
    s.open("fast", 2, at(3000));
    s.complete("fast", 0.3);
    for t in [4000, 6000, 8000] {
        assert_eq!(s.pick(0, any, at(t)), take("fast", 2));
        assert_eq!(in_flight(&s, "fast"), 1, "its flight begun by the pick");
        s.complete("fast", 0.3);
    }
    // The fast O fails: the slow one is all that is left.
    s.remove("fast");
    assert_eq!(s.pick(0, any, at(9000)), take("slow", 1));
    assert_eq!(s.last().map(|h| h.score), Some(1.6));
    // A pool that does not hold it does not get it.
    let mut s2 = s.clone();
    s2.complete("slow", 1.6);
    assert_eq!(s2.pick(0, |u| u != "slow", at(9000)), Choice::Nothing);
}

#[test]
fn an_o_never_gets_a_second_segment_of_a_stream_while_one_is_out() {
    let mut s = Sessions::<u8>::default();
    s.open("a", 1, at(0));
    // Nothing else to be had: the reference would send to `a` within twice the duration.
    assert_eq!(
        s.pick(0, any, at(1000)),
        Choice::Wait("a".into(), Some(2000))
    );
    assert_eq!(
        s.pick(0, any, at(3000)),
        Choice::Wait("a".into(), Some(4000))
    );
    assert_eq!(s.pick(0, any, at(4000)), Choice::Nothing, "past twice");
    assert_eq!(s.last_resort(at(4000)), Choice::Wait("a".into(), None));
    assert_eq!(in_flight(&s, "a"), 1);
    s.complete("a", 2.2);
    assert!(s.last().is_none(), "done and slow: back to the selector");
    assert_eq!(s.pick(1, any, at(5000)), Choice::Open, "an unknown O first");
    assert_eq!(
        s.pick(0, any, at(5000)),
        take("a", 1),
        "else the best known"
    );
    assert_eq!(s.last_resort(at(5000)), Choice::Wait("a".into(), None));
}

#[test]
fn a_session_in_flight_is_not_chosen_until_it_completes() {
    let mut s = Sessions::<u8>::default();
    s.open("a", 1, at(0));
    s.open("b", 2, at(0));
    assert_eq!(s.held(), ["b", "a"], "a is parked while its segment is out");
    assert_eq!(
        s.pick(0, any, at(5000)),
        Choice::Nothing,
        "b and a out too long"
    );
    s.complete("a", 0.5);
    assert_eq!(
        s.held(),
        ["b"],
        "a good session that is not the last leaves the selector"
    );
    assert_eq!(s.last_resort(at(5000)), Choice::Wait("b".into(), None));
    s.complete("b", 3.0);
    assert_eq!(s.pick(0, any, at(5000)), take("b", 2));
}

#[test]
fn unusable_sessions_are_dropped() {
    let mut s = Sessions::<u8>::default();
    s.open("a", 1, at(0));
    s.complete("a", 2.0);
    s.open("b", 2, at(0));
    s.complete("b", 0.5);
    s.retain(|u, _| u != "b");
    assert_eq!(s.held(), ["a"]);
    for h in s.all_mut() {
        h.session = 7;
    }
    assert_eq!(s.clone().into_held()[0].session, 7);
    s.remove("a");
    assert!(s.held().is_empty());
    assert_eq!(s.last_resort(at(0)), Choice::Nothing);
}

#[test]
fn an_abandoned_flight_frees_its_session_with_its_score_unchanged() {
    let mut s = Sessions::<u8>::default();
    s.open("a", 1, at(0));
    s.complete("a", 0.5);
    assert_eq!(s.pick(0, any, at(2000)), take("a", 1));
    assert!(s.busy("a"));
    assert_eq!(
        s.pick(0, any, at(2100)),
        Choice::Wait("a".into(), Some(4000))
    );
    s.abandon("a");
    assert!(!s.busy("a"), "free again");
    assert_eq!(s.last().map(|h| h.score), Some(0.5), "its score unchanged");
    assert_eq!(s.pick(0, any, at(2200)), take("a", 1), "taken at once");
    s.remove("a");
    s.abandon("a");
    assert!(
        s.held().is_empty(),
        "abandoning a dropped session changes nothing"
    );
}
