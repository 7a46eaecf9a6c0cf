//! The thin non-pure shell around the pure payment decisions: it serialises the decisions for one
//! sender with their append (a per-sender async mutex around decide → append → apply), so two
//! concurrent payments can never both pass the nonce check against the same snapshot, and it
//! applies appended records to the payment projections strictly in log order.
//!
//! Records appended by other writers (through [`PmService::append`] or straight to the log) are
//! read back from the log when needed, so the projections always follow the log in seq order,
//! nothing is ever waited for, and a cancelled caller loses nothing: before each decision the
//! service catches up with every acknowledged record.

use crate::events::{Address, Envelope, Event};
use crate::log::{Expect, Log, LogError, LogStore};
use crate::pm::{
    decide_payment, num::address_from, wire::WirePayment, PaymentError, PaymentInput, RandSecret,
    Recipient,
};
use crate::projections::payments::PaymentProjections;
use std::{
    collections::BTreeMap,
    sync::{Arc, Mutex, MutexGuard, PoisonError},
};

/// Why a payment could not be processed (its refusal is in the receipt, not here).
#[derive(Debug, thiserror::Error)]
pub enum ServiceError {
    /// The log refused the append.
    #[error(transparent)]
    Log(#[from] LogError),
    /// The log does not hold records it acknowledged.
    #[error("payment projections cannot follow the log: acknowledged records are missing")]
    Stalled,
}

/// What became of a payment.
#[derive(Debug, Clone)]
pub struct PaymentReceipt {
    /// The records as stored.
    pub envelopes: Vec<Envelope>,
    /// The refusal to send back (HTTP 400), if any.
    pub error: Option<PaymentError>,
}

struct Applied {
    proj: PaymentProjections,
}

/// Payment decisions over a log and the payment projections.
pub struct PmService<S: LogStore> {
    log: Arc<Log<S>>,
    me: Address,
    secret: RandSecret,
    state: Mutex<Applied>,
    senders: Mutex<BTreeMap<Address, Arc<tokio::sync::Mutex<()>>>>,
}

impl<S: LogStore> PmService<S> {
    /// Opens the service: replays the whole log into fresh projections.
    pub fn open(log: Arc<Log<S>>, me: Address, secret: RandSecret) -> Result<Self, LogError> {
        let mut proj = PaymentProjections::default();
        let head = log.head().next_seq;
        if head > 0 {
            for rec in log.read(0, head - 1) {
                proj.apply(&rec?.envelope);
            }
        }
        Ok(PmService {
            log,
            me,
            secret,
            state: Mutex::new(Applied { proj }),
            senders: Mutex::new(BTreeMap::new()),
        })
    }

    fn lock(&self) -> MutexGuard<'_, Applied> {
        self.state.lock().unwrap_or_else(PoisonError::into_inner)
    }

    /// Reads the projections.
    pub fn with_projections<R>(&self, f: impl FnOnce(&PaymentProjections) -> R) -> R {
        f(&self.lock().proj)
    }

    fn sender_lock(&self, sender: Address) -> Arc<tokio::sync::Mutex<()>> {
        self.senders
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .entry(sender)
            .or_default()
            .clone()
    }

    /// Applies stored records in seq order. Records that sit before `envs` and are not applied
    /// yet (appended by another writer whose task has not applied them, or whose caller was
    /// cancelled) are read back from the log first: when an append is acknowledged, everything
    /// before it is durable, so nothing is ever waited for and a dropped future loses nothing.
    fn ingest(&self, envs: &[Envelope]) -> Result<(), ServiceError> {
        let Some(first) = envs.first().map(|e| e.seq) else {
            return Ok(());
        };
        let mut st = self.lock();
        if st.proj.next_seq < first {
            for rec in self.log.read(st.proj.next_seq, first - 1) {
                let env = rec?.envelope;
                if env.seq == st.proj.next_seq {
                    st.proj.apply(&env);
                }
            }
            if st.proj.next_seq < first {
                return Err(ServiceError::Stalled);
            }
        }
        for e in envs {
            if e.seq == st.proj.next_seq {
                st.proj.apply(e);
            }
        }
        Ok(())
    }

    /// Applies whatever the log holds beyond the projections (after a cancelled caller, or before
    /// reading state that must include every acknowledged append).
    pub fn catch_up(&self) -> Result<(), ServiceError> {
        let head = self.log.head().next_seq;
        let mut st = self.lock();
        if st.proj.next_seq < head {
            for rec in self.log.read(st.proj.next_seq, head - 1) {
                let env = rec?.envelope;
                if env.seq == st.proj.next_seq {
                    st.proj.apply(&env);
                }
            }
        }
        Ok(())
    }

    /// Appends events (any writer: chain watcher, segments, redemptions) and applies them.
    pub async fn append(
        &self,
        at_ms: u64,
        events: Vec<Event>,
    ) -> Result<Vec<Envelope>, ServiceError> {
        if events.is_empty() {
            return Ok(Vec::new());
        }
        let stamped = events.into_iter().map(|e| (at_ms, e)).collect();
        let receipt = self.log.append(stamped, Expect::Any).await?;
        self.ingest(&receipt.envelopes)?;
        Ok(receipt.envelopes)
    }

    /// Receives one payment: decide against the projections, append, apply — serialised per
    /// sender. The chain clock is the projections' (last L1 block, current round).
    pub async fn receive_payment(
        &self,
        at_ms: u64,
        payment: &WirePayment,
        session: &str,
        recipient_active: bool,
    ) -> Result<PaymentReceipt, ServiceError> {
        let key = address_from(&payment.sender, "sender").unwrap_or_default();
        let lock = self.sender_lock(key);
        let _guard = lock.lock().await;
        // Records other writers appended straight to the log are folded in before deciding.
        self.catch_up()?;
        let decision = {
            let st = self.lock();
            decide_payment(
                st.proj.view(),
                Recipient {
                    address: self.me,
                    secret: &self.secret,
                },
                PaymentInput {
                    payment,
                    session,
                    last_l1_block: st.proj.queue.last_l1_block(),
                    last_initialized_round: st.proj.queue.current_round(),
                    recipient_active,
                },
            )
        };
        let envelopes = self.append(at_ms, decision.events).await?;
        Ok(PaymentReceipt {
            envelopes,
            error: decision.error,
        })
    }
}

impl<S: LogStore> PmService<S> {
    /// The log the service appends to.
    pub fn log(&self) -> &Arc<Log<S>> {
        &self.log
    }

    /// The log's sync counters (benchmarks).
    pub fn log_counters(&self) -> crate::log::LogCounters {
        self.log.counters()
    }
}
