//! Session balances, both views: an O's credit per (sender, session) and a B's credit per
//! (recipient, session), with the session's fixed price. A pure fold: the events carry the
//! balance after each move, so applying them never re-runs business rules.

use super::Projection;
use crate::events::{Account, Envelope, Event, Price, Ratio};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

/// One session's accounting state.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct SessionBalance {
    /// Current balance (may be negative on a B after an overspend).
    pub balance: Ratio,
    /// The price fixed by the session's first payment, if any.
    pub fixed_price: Option<Price>,
    /// `at_ms` of the last change (for the 10-minute TTL).
    pub last_update_ms: u64,
}

/// Balances per account.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Balances {
    accounts: BTreeMap<Account, SessionBalance>,
}

impl Balances {
    /// Folds one record.
    pub fn fold(&mut self, env: &Envelope) {
        match &env.event {
            Event::BalanceCredited(c) | Event::BalanceDebited(c) => {
                // Most moves are on a known session: no key copy to find it.
                let e = match self.accounts.get_mut(&c.account) {
                    Some(e) => e,
                    None => self.accounts.entry(c.account.clone()).or_default(),
                };
                e.balance = c.balance.clone();
                e.last_update_ms = env.at_ms;
            }
            Event::FixedPriceSet(f) => {
                let e = self.accounts.entry(f.account.clone()).or_default();
                e.fixed_price = Some(f.price);
                e.last_update_ms = env.at_ms;
            }
            Event::SessionClosed(account) => {
                self.accounts.remove(account);
            }
            Event::BalanceExpired(e) => {
                self.accounts.remove(&e.account);
            }
            _ => {}
        }
    }

    /// The session's state, if it has one.
    pub fn get(&self, account: &Account) -> Option<&SessionBalance> {
        self.accounts.get(account)
    }

    /// The session's balance (zero when unknown).
    pub fn balance(&self, account: &Account) -> Ratio {
        self.accounts
            .get(account)
            .map(|s| s.balance.clone())
            .unwrap_or_else(|| Ratio::from_u128(0))
    }

    /// The session's fixed price.
    pub fn fixed_price(&self, account: &Account) -> Option<Price> {
        self.accounts.get(account).and_then(|s| s.fixed_price)
    }

    /// All sessions, in account order.
    pub fn iter(&self) -> impl Iterator<Item = (&Account, &SessionBalance)> {
        self.accounts.iter()
    }
}

impl Projection for Balances {
    const NAME: &'static str = "balances";
    const VERSION: u32 = 1;

    fn apply(&mut self, env: &Envelope) {
        self.fold(env);
    }
}
