//! The O's side of payments on a chain (issue 10's first slice): `GetOrchestrator` checks the
//! B's request signature and issues ticket params for its sender (`pm::issue_params`, recorded
//! as `TicketParamsIssued` under the sender's key, the seed drawn here); `/segment` takes the
//! payment in the reference's order (`pm::decide_payment` through the `Payments` desk: 400 with
//! its text), then requires a balance of at least the ticket EV when the price is not zero
//! (400 `Insufficient balance`); after the transcode the session is debited price × pixels.
//! Winning tickets enter the ticket queue, which the chain loop redeems.

use crate::api::{info::InfoRequest, payment::decode_payment_header, status::Refusal};
use crate::chain::{rpc::Rpc, watch::Watched};
use crate::events::{Account, Address, Price, Side};
use crate::log::LogStore;
use crate::node::{clock::now_ms, payments::Payments, writer::Writer};
use crate::pm::{
    accounting::{decide_debit, sufficient_balance},
    issue::IssueConfig,
    num::address_from,
    sig, RandSecret, TicketParams,
};
use ethers_core::types::U256;
use std::sync::{Arc, Mutex, PoisonError};
use std::time::{Duration, Instant};

/// How long a read gas price is used for ticket params (the reference's monitor polls).
pub const GAS_PRICE_TTL: Duration = Duration::from_secs(60);

/// An O's payment side on a chain.
pub struct PaidOrchestrator<S: LogStore> {
    /// The payment desk (writer, our address, the rand secret).
    pub payments: Payments<S>,
    /// The writer.
    pub writer: Arc<Writer<S>>,
    /// Our own signing address (`OrchestratorInfo.address`).
    pub me: Address,
    /// The tickets' recipient: `-ethOrchAddr`, or our own address.
    pub recipient: Address,
    /// `-autoAdjustPrice`: the quote carries the redemption cost's share of the face value.
    pub auto_adjust: bool,
    /// Our seed tag when the secret is shared with sibling Os (`-sharedSecretFile`).
    pub seed_tag: Option<crate::pm::seed_tag::SeedTag>,
    /// The rand secret.
    pub secret: RandSecret,
    /// `-ticketEV`, `-maxFaceValue`, the redeem gas.
    pub issue: IssueConfig,
    /// The chain, to read a sender met for the first time.
    pub rpc: Rpc,
    /// The contracts and our address, for the same.
    pub watched: Watched,
    /// The last gas price read, and when (a cache, like the reference's gas price monitor).
    pub gas: Mutex<Option<(U256, Instant)>>,
    /// `-authWebhookUrl`: admits each B and may set its price.
    pub auth_webhook: Option<super::auth_webhook::AuthWebhook>,
    /// The O's account, which signs its results.
    pub signer: ethers_signers::LocalWallet,
    /// `-redeemerAddr`: the redeemer that redeems this O's tickets and reports max floats.
    pub redeemer: Option<Arc<super::redeemer_link::RedeemerLink<S>>>,
}

pub(super) fn refusal(status: u16, e: impl std::fmt::Display) -> Refusal {
    Refusal::new(status, e)
}

impl<S: LogStore> PaidOrchestrator<S> {
    pub(super) async fn gas_price(&self) -> Result<U256, Refusal> {
        let cached = *self.gas.lock().unwrap_or_else(PoisonError::into_inner);
        if let Some((p, at)) = cached {
            if at.elapsed() < GAS_PRICE_TTL {
                return Ok(p);
            }
        }
        let p = self.rpc.gas_price().await.map_err(|e| refusal(500, e))?;
        *self.gas.lock().unwrap_or_else(PoisonError::into_inner) = Some((p, Instant::now()));
        Ok(p)
    }

    /// Reads a sender's funds whole when the node has not met it yet.
    async fn meet(&self, sender: Address) -> Result<(), Refusal> {
        crate::node::watcher::meet_sender(&self.rpc, self.watched, &self.writer, sender)
            .await
            .map_err(|e| refusal(500, format!("could not get sender info for {sender}: {e}")))
    }

    /// `GetOrchestrator` on a chain: the request's signature, then params for its sender.
    /// `price_for` gives the B's price unless the auth webhook sets one; returns the params and
    /// the price they were issued at.
    pub async fn ticket_params(
        &self,
        req: &InfoRequest,
        price_for: impl Fn(Address) -> Price,
    ) -> Result<(TicketParams, Price), Refusal> {
        let bad = || {
            refusal(
                500,
                "Invalid orchestrator request (orchestrator req sig check failed)",
            )
        };
        let sender = address_from(&req.address, "sender").map_err(|_| bad())?;
        let checksummed = ethers_core::utils::to_checksum(&sender.0.into(), None);
        let msg = ethers_core::utils::keccak256(checksummed.as_bytes());
        if !sig::verify(&sender, &msg, &req.sig) {
            return Err(bad());
        }
        let hooked = match &self.auth_webhook {
            Some(hook) => hook
                .authenticate(sender)
                .await
                .map_err(|e| refusal(500, e))?,
            None => None,
        };
        // The webhook's price is quoted as it gives it (the reference's getPriceInfo); our own
        // is adjusted and fixed (`pm::price::quote`).
        let (price, own_price) = match hooked {
            Some(p) => (p, false),
            None => (price_for(sender), true),
        };
        self.meet(sender).await?;
        if let Some(link) = &self.redeemer {
            link.follow(sender).await.map_err(|e| refusal(500, e))?;
        }
        self.issue_for(sender, price, own_price).await
    }

    /// `/segment`'s payment for session `session`: 402 when undecodable, 400 with
    /// `ProcessPayment`'s text, 400 `Insufficient balance`.
    pub async fn pay(&self, session: &str, header: &str) -> Result<(), Refusal> {
        let payment = decode_payment_header(header).map_err(|e| refusal(402, e))?;
        let active = self.writer.read(|p| {
            let round = p.chain.state.round;
            p.orchestrators
                .state
                .active_in(round)
                .any(|o| o.address == self.recipient)
        });
        if let Ok(sender) = address_from(&payment.sender, "sender") {
            self.meet(sender).await?;
        }
        let receipt = self
            .payments
            .receive_payment(now_ms(), &payment, session, active)
            .await
            .map_err(|e| refusal(500, e))?;
        if let Some(e) = receipt.error {
            return Err(refusal(400, e));
        }
        let Ok(sender) = address_from(&payment.sender, "sender") else {
            return Ok(());
        };
        let account = Account {
            side: Side::Orchestrator,
            counterparty: sender,
            session: session.to_string(),
        };
        let ok = self.writer.read(|p| {
            let b = &p.balances.state;
            match b.fixed_price(&account) {
                Some(price) => sufficient_balance(b, &account, price, self.issue.ev),
                None => true,
            }
        });
        if ok {
            Ok(())
        } else {
            Err(refusal(400, "Insufficient balance"))
        }
    }

    /// Whether `meta.sig` is `sender`'s signature over the segment (`SegData.sig`: keccak of
    /// its flattened manifest, seq, hash and profile ids).
    pub fn segment_signed_by(&self, sender: &[u8], meta: &crate::api::segment::SegMeta) -> bool {
        let Ok(sender) = address_from(sender, "sender") else {
            return false;
        };
        sig::verify(&sender, &segment_message(meta), &meta.sig)
    }

    /// The O's signature over a result's renditions (`TranscodeData.sig`).
    pub fn sign_renditions<'a>(&self, renditions: impl IntoIterator<Item = &'a [u8]>) -> Vec<u8> {
        let hash = crate::pm::verify::renditions_hash(renditions);
        sig::sign(&self.signer, &hash)
            .map(|s| s.to_vec())
            .unwrap_or_default()
    }

    /// Debits session `session` for `pixels` at its fixed price, after a transcode (under the
    /// sender's key, like its credits, so no two moves of one balance race).
    pub async fn debit(&self, session: &str, pixels: u64) {
        let account = self.writer.read(|p| {
            p.balances
                .state
                .iter()
                .find(|(a, _)| a.side == Side::Orchestrator && a.session == session)
                .map(|(a, _)| a.clone())
        });
        let Some(account) = account else { return };
        let key = format!("sender/{}", hex::encode(account.counterparty.0));
        let decided = self
            .writer
            .decide(&key, now_ms(), |p| {
                let b = &p.balances.state;
                match b.fixed_price(&account) {
                    Some(price) => decide_debit(b, &account, price, pixels)
                        .map(|events| (events, ()))
                        .map_err(|e| e.to_string()),
                    None => Ok((Vec::new(), ())),
                }
            })
            .await;
        match decided {
            Ok(Ok(_)) => {}
            Ok(Err(e)) => tracing::warn!("debiting session {session}: {e}"),
            Err(e) => tracing::warn!("debiting session {session}: {e}"),
        }
    }
}

/// The message of `SegData.sig` for `meta`.
pub fn segment_message(meta: &crate::api::segment::SegMeta) -> [u8; 32] {
    let names: Vec<&str> = meta.profiles.iter().map(|p| p.name.as_str()).collect();
    crate::pm::segdata::seg_sig_message(
        &meta.manifest_id,
        u64::try_from(meta.seq).unwrap_or(0),
        &meta.hash,
        &names,
    )
}
