//! The payment projections together: one `apply` that feeds every record to the balances, nonce
//! sets, B sessions, sender funds and ticket queue, and the view `decide_payment` reads.

use super::{
    balances::Balances,
    max_float::SenderFunds,
    nonces::{NonceSets, SenderSessions},
    ticket_queue::TicketQueue,
};
use crate::events::{Address, Envelope};
use crate::pm::receive::PaymentView;
use serde::{Deserialize, Serialize};

/// Every payment projection of one node.
#[derive(Clone, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct PaymentProjections {
    /// Session balances (both sides).
    pub balances: Balances,
    /// O nonce sets.
    pub nonces: NonceSets,
    /// B sessions.
    pub sessions: SenderSessions,
    /// Senders' funds and max float.
    pub funds: SenderFunds,
    /// Winning tickets.
    pub queue: TicketQueue,
    /// Seq of the next record to apply.
    pub next_seq: u64,
}

impl PaymentProjections {
    /// Empty projections for the node whose address is `us`.
    pub fn new(us: Address) -> Self {
        PaymentProjections {
            funds: SenderFunds::new(us),
            ..Default::default()
        }
    }

    /// Folds one record into every projection.
    pub fn apply(&mut self, env: &Envelope) {
        self.balances.apply(env);
        self.nonces.apply(env);
        self.sessions.apply(env);
        self.funds.apply(env);
        self.queue.apply(env);
        self.next_seq = env.seq.saturating_add(1);
    }

    /// What `decide_payment` reads.
    pub fn view(&self) -> PaymentView<'_> {
        PaymentView {
            balances: &self.balances,
            nonces: &self.nonces,
            funds: &self.funds,
        }
    }
}
