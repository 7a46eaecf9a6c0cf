//! An O's link to its redeemer (`-redeemerAddr`): its winning tickets are handed over with
//! their recipientRand (`QueueTicket`; `TicketForwarded` once the redeemer took one), and for
//! each sender it issues params to, the redeemer's max float is followed (`MaxFloat`, then the
//! `MonitorMaxFloat` stream): every update is an event (`MaxFloatReported`) that the next
//! ticket params use. A sender's stream ends after 5 minutes without params for it.

use crate::api::redeemer_client::RedeemerClient;
use crate::events::{Address, Event, MaxFloatReported, TicketForwarded};
use crate::log::LogStore;
use crate::node::{clock::now_ms, writer::Writer};
use crate::pm::{num::u256_to_wei, redeem::recipient_rand_of, RandSecret};
use std::collections::BTreeMap;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};
use tokio_util::task::TaskTracker;

/// A sender's max float stream ends after this long without params issued to it.
pub const UNUSED_AFTER: Duration = Duration::from_secs(300);

/// The link.
pub struct RedeemerLink<S: LogStore> {
    /// `-redeemerAddr`.
    pub addr: String,
    writer: Arc<Writer<S>>,
    secret: RandSecret,
    client: tokio::sync::Mutex<Option<RedeemerClient>>,
    /// Senders followed, with when params were last issued to them.
    used: Mutex<BTreeMap<Address, Instant>>,
    tasks: TaskTracker,
    stop: tokio::sync::watch::Sender<bool>,
}

impl<S: LogStore> RedeemerLink<S> {
    /// A link to the redeemer at `addr`.
    pub fn new(addr: String, writer: Arc<Writer<S>>, secret: RandSecret) -> Arc<Self> {
        Arc::new(RedeemerLink {
            addr,
            writer,
            secret,
            client: tokio::sync::Mutex::new(None),
            used: Mutex::new(BTreeMap::new()),
            tasks: TaskTracker::new(),
            stop: tokio::sync::watch::channel(false).0,
        })
    }

    async fn client(&self) -> Result<RedeemerClient, String> {
        let mut c = self.client.lock().await;
        if let Some(c) = c.as_ref() {
            return Ok(c.clone());
        }
        let fresh = RedeemerClient::connect(&self.addr)
            .await
            .map_err(|e| format!("redeemer {}: {e}", self.addr))?;
        *c = Some(fresh.clone());
        Ok(fresh)
    }

    async fn record(&self, e: Event) -> Result<(), String> {
        self.writer
            .append(now_ms(), vec![e])
            .await
            .map(|_| ())
            .map_err(|e| e.to_string())
    }

    /// Hands every pending winning ticket to the redeemer.
    pub async fn forward(&self) -> Result<usize, String> {
        let pending: Vec<_> = self.writer.read(|p| {
            p.ticket_queue
                .state
                .pending()
                .into_iter()
                .map(|q| q.ticket.clone())
                .collect()
        });
        let mut n = 0;
        for t in pending {
            let rand = recipient_rand_of(&t, &self.secret);
            self.client()
                .await?
                .queue_ticket(&t, rand)
                .await
                .map_err(|e| format!("QueueTicket at {}: {e}", self.addr))?;
            self.record(Event::TicketForwarded(TicketForwarded {
                ticket_hash: t.ticket_hash,
                redeemer: self.addr.clone(),
            }))
            .await?;
            n += 1;
        }
        Ok(n)
    }

    /// Before issuing params to `sender`: follows its max float at the redeemer (the first
    /// time, reads it now so the params can use it).
    pub async fn follow(self: &Arc<Self>, sender: Address) -> Result<(), String> {
        let first = {
            let mut used = self.used.lock().unwrap_or_else(PoisonError::into_inner);
            used.insert(sender, Instant::now()).is_none()
        };
        if !first {
            return Ok(());
        }
        let client = self.client().await?;
        let v = client
            .max_float(sender)
            .await
            .map_err(|e| format!("MaxFloat at {}: {e}", self.addr))?;
        self.report(sender, v).await?;
        let link = self.clone();
        self.tasks
            .spawn(async move { link.monitor(client, sender).await });
        Ok(())
    }

    async fn report(&self, sender: Address, v: ethers_core::types::U256) -> Result<(), String> {
        let known = self.writer.read(|p| p.sender_funds.state.reported(&sender));
        if known == Some(v) {
            return Ok(());
        }
        tracing::info!("redeemer {}: max float of {sender} is {v} wei", self.addr);
        self.record(Event::MaxFloatReported(MaxFloatReported {
            sender,
            max_float: u256_to_wei(v),
        }))
        .await
    }

    async fn monitor(&self, client: RedeemerClient, sender: Address) {
        let mut stop = self.stop.subscribe();
        let mut updates = match client.monitor(sender).await {
            Ok(u) => u,
            Err(e) => {
                tracing::warn!("MonitorMaxFloat at {}: {e}", self.addr);
                self.forget(sender);
                return;
            }
        };
        loop {
            let next = tokio::select! {
                _ = stop.wait_for(|s| *s) => return,
                _ = tokio::time::sleep(UNUSED_AFTER) => None,
                n = updates.next() => Some(n),
            };
            let unused = self
                .used
                .lock()
                .unwrap_or_else(PoisonError::into_inner)
                .get(&sender)
                .is_none_or(|t| t.elapsed() >= UNUSED_AFTER);
            match next {
                Some(Ok(Some(v))) => {
                    if let Err(e) = self.report(sender, v).await {
                        tracing::warn!("recording a max float: {e}");
                    }
                }
                Some(Ok(None)) | Some(Err(_)) => break,
                None => {}
            }
            if unused {
                break;
            }
        }
        self.forget(sender);
    }

    fn forget(&self, sender: Address) {
        self.used
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .remove(&sender);
    }

    /// Runs the forwarding loop until `stop`, then ends the streams.
    pub async fn run(self: Arc<Self>, mut stop: tokio::sync::watch::Receiver<bool>) {
        loop {
            match self.forward().await {
                Ok(n) if n > 0 => tracing::info!("{n} winning tickets handed to {}", self.addr),
                Ok(_) => {}
                Err(e) => tracing::warn!("{e}"),
            }
            tokio::select! {
                _ = stop.wait_for(|s| *s) => break,
                _ = tokio::time::sleep(Duration::from_millis(300)) => {}
            }
        }
        let _ = self.stop.send(true);
        self.tasks.close();
        self.tasks.wait().await;
    }
}
