//! The round services of a node on a chain, as pure rules: reward (`-reward`; unset, it is on
//! when the node's own account is an active orchestrator this round, as the reference) once per
//! round, and round initialisation (`-initializeRound`): when the chain's current round is not
//! initialised, draw a delay (up to `-initializeRoundMaxDelay`, the draw recorded), then send
//! `initializeRound` once it is due — unless someone else did first.

use crate::events::{Address, RoundInitScheduled, TxPurpose};
use crate::projections::Projections;

/// The round to call `reward` for now, if any.
pub fn reward_due(p: &Projections, me: Address, reward: Option<bool>) -> Option<u64> {
    let round = p.chain.state.round;
    if round == 0 {
        return None;
    }
    let active = p
        .orchestrators
        .state
        .active_in(round)
        .any(|o| o.address == me);
    if !(active && reward.unwrap_or(true)) {
        return None;
    }
    let purpose = TxPurpose::Reward { round };
    (!p.transactions.state.sent_for(&purpose)).then_some(round)
}

/// What the round initialiser does now.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum InitStep {
    /// Nothing (initialised, not due yet, or already sent).
    Wait,
    /// Record the drawn delay (`Event::RoundInitScheduled`).
    Schedule(RoundInitScheduled),
    /// Send `initializeRound` for this round.
    Send(u64),
}

/// The initialiser's step for the chain's `current` round (`initialized` as the chain says) at
/// `now_ms`, with `draw_ms` the delay drawn at the edge for a round not scheduled yet.
pub fn init_step(
    p: &Projections,
    current: u64,
    initialized: bool,
    now_ms: u64,
    draw_ms: u64,
) -> InitStep {
    if initialized || current == 0 {
        return InitStep::Wait;
    }
    let txs = &p.transactions.state;
    match txs.init_due(current) {
        None => InitStep::Schedule(RoundInitScheduled {
            round: current,
            delay_ms: draw_ms,
        }),
        Some(due)
            if now_ms >= due && !txs.sent_for(&TxPurpose::InitializeRound { round: current }) =>
        {
            InitStep::Send(current)
        }
        Some(_) => InitStep::Wait,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::events::{
        Envelope, Event, Hash32, OrchestratorObserved, RoundInitialized, TxSigned, Wei,
    };

    fn fold(events: Vec<(u64, Event)>) -> Projections {
        let mut p = Projections::default();
        for (i, (at, e)) in events.into_iter().enumerate() {
            p.apply(&Envelope::new(i as u64, at, Hash32::default(), e));
        }
        p
    }

    fn round(n: u64) -> Event {
        Event::RoundInitialized(RoundInitialized {
            round: n,
            block_hash: Hash32([1; 32]),
            l1_block: n * 50,
            pos: Default::default(),
        })
    }

    fn signed(purpose: TxPurpose) -> Event {
        Event::TxSigned(TxSigned {
            nonce: 0,
            hash: Hash32([2; 32]),
            to: Address([3; 20]),
            gas_price: Wei::from_u128(1),
            gas_limit: 1,
            raw: vec![],
            purpose,
            replaces: None,
        })
    }

    #[test]
    fn reward_once_per_round_while_active() {
        let me = Address([7; 20]);
        let o = Event::OrchestratorObserved(OrchestratorObserved {
            address: me,
            service_uri: String::new(),
            activation_round: 2,
            deactivation_round: u64::MAX,
            total_stake: Wei::from_u128(1),
            price: Default::default(),
            block: 100,
        });
        let p = fold(vec![(0, round(1)), (0, o.clone())]);
        assert_eq!(reward_due(&p, me, None), None, "not active in round 1");
        let p = fold(vec![(0, o.clone()), (0, round(2))]);
        assert_eq!(
            reward_due(&p, me, None),
            Some(2),
            "on by default when active"
        );
        assert_eq!(reward_due(&p, me, Some(false)), None, "-reward=false");
        assert_eq!(
            reward_due(&p, Address([8; 20]), Some(true)),
            None,
            "not ours"
        );
        let p = fold(vec![
            (0, o),
            (0, round(2)),
            (0, signed(TxPurpose::Reward { round: 2 })),
        ]);
        assert_eq!(reward_due(&p, me, None), None, "already sent this round");
    }

    #[test]
    fn initialisation_waits_for_its_drawn_delay_and_sends_once() {
        let p = fold(vec![]);
        assert_eq!(init_step(&p, 3, true, 0, 500), InitStep::Wait);
        let InitStep::Schedule(e) = init_step(&p, 3, false, 1_000, 500) else {
            panic!("a draw is recorded first");
        };
        let e = Event::RoundInitScheduled(e);
        let p = fold(vec![(1_000, e.clone())]);
        assert_eq!(init_step(&p, 3, false, 1_499, 9), InitStep::Wait);
        assert_eq!(init_step(&p, 3, false, 1_500, 9), InitStep::Send(3));
        let p = fold(vec![
            (1_000, e),
            (1_500, signed(TxPurpose::InitializeRound { round: 3 })),
        ]);
        assert_eq!(
            init_step(&p, 3, false, 2_000, 9),
            InitStep::Wait,
            "sent once"
        );
    }
}
