//! The payment projections together: one `apply` that feeds every record to the balances, nonce
//! sets, B sessions, sender funds and ticket queue, and the view `decide_payment` reads. The
//! registry can hold each of them in its own slot instead (each implements `Projection`).

use super::{
    balances::Balances,
    max_float::SenderFunds,
    nonces::{NonceSets, SenderSessions},
    ticket_queue::TicketQueue,
};
use crate::events::Envelope;
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
    /// Folds one record into every projection.
    pub fn apply(&mut self, env: &Envelope) {
        self.balances.fold(env);
        self.nonces.fold(env);
        self.sessions.fold(env);
        self.funds.fold(env);
        self.queue.fold(env);
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
