//! The set of projections, their slots and checkpoints.

use super::{
    audit_index::AuditIndex,
    balances::Balances,
    max_float::SenderFunds,
    nonces::{NonceSets, SenderSessions},
    ticket_queue::TicketQueue,
    transactions::Transactions,
    BlockWindow, ChainView, NodeFacts, Orchestrators, Projection, Streams, UnbondingLocks,
};
use crate::events::{Envelope, Hash32};
use serde::{Deserialize, Serialize};

/// A projection's state and the next seq it expects.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Slot<P> {
    /// The state.
    pub state: P,
    /// Records below this seq are already folded in.
    pub next_seq: u64,
}

/// A stored checkpoint of one projection.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Checkpoint {
    /// The projection's version when it was written.
    pub version: u32,
    /// Records below this seq are folded into `state`.
    pub next_seq: u64,
    /// The canonical encoding of the state.
    pub state: Vec<u8>,
}

impl Checkpoint {
    /// Decodes a stored checkpoint; `None` when unreadable (it is then rebuilt).
    pub fn decode(bytes: &[u8]) -> Option<Checkpoint> {
        postcard::from_bytes(bytes).ok()
    }

    /// Encodes for storage.
    pub fn encode(&self) -> Vec<u8> {
        postcard::to_allocvec(self).unwrap_or_default()
    }

    /// Digest of the checkpointed state.
    pub fn digest(&self) -> Hash32 {
        Hash32(*blake3::hash(&self.state).as_bytes())
    }
}

/// Uniform access to a slot, whatever its projection.
pub trait SlotInfo {
    /// The projection's name.
    fn name(&self) -> &'static str;
    /// The projection's version.
    fn version(&self) -> u32;
    /// Next seq expected.
    fn next_seq(&self) -> u64;
    /// Digest of the state.
    fn digest(&self) -> Hash32;
    /// A checkpoint of the current state.
    fn checkpoint(&self) -> Checkpoint;
    /// Restores from a checkpoint; false (and untouched) if its version differs or it is unreadable.
    fn restore(&mut self, cp: &Checkpoint) -> bool;
    /// Folds a record if the slot does not hold it yet.
    fn apply(&mut self, env: &Envelope);
    /// Back to empty, expecting seq 0.
    fn reset(&mut self);
}

impl<P: Projection> SlotInfo for Slot<P> {
    fn name(&self) -> &'static str {
        P::NAME
    }
    fn version(&self) -> u32 {
        P::VERSION
    }
    fn next_seq(&self) -> u64 {
        self.next_seq
    }
    fn digest(&self) -> Hash32 {
        self.state.digest()
    }
    fn checkpoint(&self) -> Checkpoint {
        Checkpoint {
            version: P::VERSION,
            next_seq: self.next_seq,
            state: self.state.encode(),
        }
    }
    fn restore(&mut self, cp: &Checkpoint) -> bool {
        if cp.version != P::VERSION {
            return false;
        }
        match postcard::from_bytes::<P>(&cp.state) {
            Ok(state) => {
                self.state = state;
                self.next_seq = cp.next_seq;
                true
            }
            Err(_) => false,
        }
    }
    fn apply(&mut self, env: &Envelope) {
        if env.seq >= self.next_seq {
            self.state.apply(env);
            self.next_seq = env.seq + 1;
        }
    }
    fn reset(&mut self) {
        *self = Slot::default();
    }
}

/// Every projection of the node.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Projections {
    /// The chain's head, rounds, pool size.
    pub chain: Slot<ChainView>,
    /// Streams and their segments.
    pub streams: Slot<Streams>,
    /// The orchestrator cache.
    pub orchestrators: Slot<Orchestrators>,
    /// Unbonding locks.
    pub unbonding: Slot<UnbondingLocks>,
    /// Session balances, O and B views.
    pub balances: Slot<Balances>,
    /// O nonce sets per recipientRandHash.
    pub nonces: Slot<NonceSets>,
    /// B ticket sessions.
    pub sender_sessions: Slot<SenderSessions>,
    /// Senders' funds and max float.
    pub sender_funds: Slot<SenderFunds>,
    /// Winning tickets and their redemption.
    pub ticket_queue: Slot<TicketQueue>,
    /// The account's transactions by nonce.
    pub transactions: Slot<Transactions>,
    /// The blocks this node observed (reorg detection).
    pub blocks: Slot<BlockWindow>,
    /// Chain id, network, starts, key-value facts.
    pub node: Slot<NodeFacts>,
    /// The runtime settings in effect.
    pub config: Slot<super::config::Settings>,
    /// Ticket hash, recipientRandHash and balance session → seqs (`livepeer dispute`).
    pub audit_index: Slot<AuditIndex>,
}

impl Projections {
    /// Every slot, for uniform handling.
    pub fn slots(&self) -> Vec<&dyn SlotInfo> {
        vec![
            &self.chain,
            &self.streams,
            &self.orchestrators,
            &self.unbonding,
            &self.balances,
            &self.nonces,
            &self.sender_sessions,
            &self.sender_funds,
            &self.ticket_queue,
            &self.transactions,
            &self.blocks,
            &self.node,
            &self.config,
            &self.audit_index,
        ]
    }

    /// Every slot, mutable.
    pub fn slots_mut(&mut self) -> Vec<&mut dyn SlotInfo> {
        vec![
            &mut self.chain,
            &mut self.streams,
            &mut self.orchestrators,
            &mut self.unbonding,
            &mut self.balances,
            &mut self.nonces,
            &mut self.sender_sessions,
            &mut self.sender_funds,
            &mut self.ticket_queue,
            &mut self.transactions,
            &mut self.blocks,
            &mut self.node,
            &mut self.config,
            &mut self.audit_index,
        ]
    }

    /// Folds a record into every projection that does not hold it yet.
    pub fn apply(&mut self, env: &Envelope) {
        self.chain.apply(env);
        self.streams.apply(env);
        self.orchestrators.apply(env);
        self.unbonding.apply(env);
        self.balances.apply(env);
        self.nonces.apply(env);
        self.sender_sessions.apply(env);
        self.sender_funds.apply(env);
        self.ticket_queue.apply(env);
        self.transactions.apply(env);
        self.blocks.apply(env);
        self.node.apply(env);
        self.config.apply(env);
        self.audit_index.apply(env);
    }

    /// The lowest seq any projection still needs.
    pub fn next_seq(&self) -> u64 {
        self.slots().iter().map(|s| s.next_seq()).min().unwrap_or(0)
    }

    /// `(name, digest)` of every projection, in a fixed order.
    pub fn digests(&self) -> Vec<(&'static str, Hash32)> {
        self.slots()
            .iter()
            .map(|s| (s.name(), s.digest()))
            .collect()
    }
}

impl Projections {
    /// What `decide_payment` reads.
    pub fn payment_view(&self) -> crate::pm::receive::PaymentView<'_> {
        crate::pm::receive::PaymentView {
            balances: &self.balances.state,
            nonces: &self.nonces.state,
            funds: &self.sender_funds.state,
        }
    }

    /// The payment projections as one value (tests compare it with an independent fold).
    pub fn payments(&self) -> super::payments::PaymentProjections {
        super::payments::PaymentProjections {
            balances: self.balances.state.clone(),
            nonces: self.nonces.state.clone(),
            sessions: self.sender_sessions.state.clone(),
            funds: self.sender_funds.state.clone(),
            queue: self.ticket_queue.state.clone(),
            next_seq: self.next_seq(),
        }
    }
}
