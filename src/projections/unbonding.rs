//! Unbonding locks per delegator, as the CLI API reports them.

use super::Projection;
use crate::events::{Address, Envelope, Event, LockChange, Wei};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One lock.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct LockState {
    /// Amount unbonding.
    pub amount: Wei,
    /// Round it becomes withdrawable.
    pub withdraw_round: u64,
    /// Whether it was rebonded or withdrawn (no longer pending).
    pub closed: bool,
}

/// Locks by (delegator, lock id).
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct UnbondingLocks {
    /// (delegator, id) → lock.
    pub locks: BTreeMap<(Address, u64), LockState>,
}

impl Projection for UnbondingLocks {
    const NAME: &'static str = "unbonding";
    const VERSION: u32 = 1;

    fn apply(&mut self, env: &Envelope) {
        if let Event::UnbondingLockChanged(e) = &env.event {
            let key = (e.delegator, e.lock_id);
            match &e.change {
                LockChange::Created {
                    amount,
                    withdraw_round,
                } => {
                    self.locks.insert(
                        key,
                        LockState {
                            amount: *amount,
                            withdraw_round: *withdraw_round,
                            closed: false,
                        },
                    );
                }
                LockChange::Rebonded | LockChange::Withdrawn => {
                    if let Some(l) = self.locks.get_mut(&key) {
                        l.closed = true;
                    }
                }
            }
        }
    }
}
