//! The orchestrator cache: the last observation of each orchestrator.

use super::Projection;
use crate::events::{Address, Envelope, Event, OrchestratorObserved};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// Known orchestrators by address, with when they were last observed.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Orchestrators {
    /// Address → (observation, at_ms).
    pub known: BTreeMap<Address, (OrchestratorObserved, u64)>,
}

impl Orchestrators {
    /// Orchestrators active in `round` (`activation ≤ round < deactivation`).
    pub fn active_in(&self, round: u64) -> impl Iterator<Item = &OrchestratorObserved> {
        self.known
            .values()
            .map(|(o, _)| o)
            .filter(move |o| o.activation_round <= round && round < o.deactivation_round)
    }
}

impl Projection for Orchestrators {
    const NAME: &'static str = "orchestrators";
    const VERSION: u32 = 1;

    fn apply(&mut self, env: &Envelope) {
        if let Event::OrchestratorObserved(o) = &env.event {
            self.known.insert(o.address, (o.clone(), env.at_ms));
        }
    }
}
