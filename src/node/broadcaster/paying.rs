//! A B on a chain pays its Os in tickets (issue 10's B slice), with the `pm` rules through the
//! writer under one key: `GetOrchestrator` signed with the B's account; the O's params
//! validated (`validateTicketParams`, against the B's own funds as its watcher sees them) and a
//! ticket session started (`SenderSessionStarted`, with the O session it pays for:
//! `TicketSessionFor`); per segment the fee estimated from the
//! ladder and duration, the credit staged (`StageUpdate`), as many tickets signed as it needs
//! (`TicketsSent`) for `Livepeer-Payment`; after the answer the balance completed with the
//! pixels the O charged (or the credit counted as spent when no usable answer came).

use crate::api::{
    client::{ClientError, OrchClient},
    info::{InfoRequest, OrchInfo, SegmentResult},
    segment::SegMeta,
};
use crate::events::{Account, Address, Event, Price, Side, TicketSessionFor};
use crate::log::LogStore;
use crate::media::VideoProfile;
use crate::node::{clock::now_ms, writer::Writer};
use crate::pm::{
    accounting::{complete_update, price_rat, stage_update, SegmentFate, Staged},
    fee::{estimate_fee, OutputProfile},
    sender::{create_payment, start_session, validate_ticket_params, SenderConfig},
    sig, ticket_ev, TicketExpirationParams,
};
use ethers_signers::{LocalWallet, Signer};
use num_rational::BigRational;
use std::sync::Arc;
use std::time::Duration;

/// The writer key of the B's payment decisions (nonces and balances move one at a time).
const KEY: &str = "b/pay";

/// A staged payment for one segment.
pub struct SegmentPayment {
    /// The `Livepeer-Payment` header.
    pub header: String,
    /// The balance account it stages.
    pub account: Account,
    /// What was staged.
    pub staged: Staged,
    /// The session's price.
    pub price: Price,
}

/// The B's paying side.
pub struct Paying<S: LogStore> {
    /// The B's account.
    pub wallet: LocalWallet,
    /// The writer.
    pub writer: Arc<Writer<S>>,
    /// `-maxTicketEV`, `-maxTotalEV`, `-depositMultiplier`.
    pub cfg: SenderConfig,
}

fn price_of(info: &OrchInfo) -> Price {
    Price {
        price_per_unit: info.price_per_unit,
        pixels_per_unit: info.pixels_per_unit.max(1),
    }
}

impl<S: LogStore> Paying<S> {
    fn me(&self) -> Address {
        Address(self.wallet.address().0)
    }

    /// The signed `GetOrchestrator` request.
    pub fn request(&self) -> InfoRequest {
        let checksummed = ethers_core::utils::to_checksum(&self.wallet.address(), None);
        let msg = ethers_core::utils::keccak256(checksummed.as_bytes());
        InfoRequest {
            address: self.wallet.address().0.to_vec(),
            sig: sig::sign(&self.wallet, &msg)
                .map(|s| s.to_vec())
                .unwrap_or_default(),
        }
    }

    /// `SegData.sig`: the B's signature over the segment's manifest, seq, hash and profiles.
    pub fn sign_segment(&self, meta: &SegMeta) -> Vec<u8> {
        let msg = crate::node::orchestrator::paid::segment_message(meta);
        sig::sign(&self.wallet, &msg)
            .map(|s| s.to_vec())
            .unwrap_or_default()
    }

    /// Validates the O's params and starts a ticket session with them.
    pub async fn start(&self, info: &OrchInfo) -> Result<(), String> {
        let me = self.me();
        let params = info.ticket_params.clone();
        let decided = self
            .writer
            .decide(KEY, now_ms(), |p| {
                validate_ticket_params(
                    &self.cfg,
                    params.as_ref(),
                    1,
                    p.sender_funds.state.get(&me),
                    p.ticket_queue.state.last_l1_block(),
                    p.chain.state.round,
                )
                .map_err(|e| e.to_string())?;
                let params = params.as_ref().ok_or("ticketParams is nil")?;
                let mut events = vec![start_session(params, price_of(info))];
                // The O session this ticket session pays for, in the same append: the audit
                // gives each ticket its stream by it.
                if let Some(token) = &info.auth_token {
                    events.push(Event::TicketSessionFor(TicketSessionFor {
                        recipient_rand_hash: params.recipient_rand_hash,
                        session_id: token.session_id.clone(),
                    }));
                }
                Ok::<_, String>((events, ()))
            })
            .await
            .map_err(|e| e.to_string())?;
        decided.map(|_| ())
    }

    /// Stages the credit for a segment of `duration_ms` through `profiles` and signs the
    /// tickets it needs.
    pub async fn pay(
        &self,
        info: &OrchInfo,
        profiles: &[VideoProfile],
        duration_ms: u32,
    ) -> Result<SegmentPayment, String> {
        let me = self.me();
        let params = info.ticket_params.clone().ok_or("ticketParams is nil")?;
        let price = price_of(info);
        let account = Account {
            side: Side::Broadcaster,
            counterparty: params.recipient,
            session: info
                .auth_token
                .as_ref()
                .map(|t| t.session_id.clone())
                .unwrap_or_default(),
        };
        let outputs: Vec<OutputProfile> = profiles
            .iter()
            .map(|p| OutputProfile {
                width: u64::from(p.width),
                height: u64::from(p.height),
                fps_num: u64::from(p.fps),
                fps_den: u64::from(p.fps_den.max(1)),
            })
            .collect();
        let fee = estimate_fee(&outputs, u64::from(duration_ms), price, None)
            .map_err(|e| e.to_string())?;
        let ev = ticket_ev(params.face_value, params.win_prob);
        let decided = self
            .writer
            .decide(KEY, now_ms(), |p| {
                let staged = stage_update(&p.balances.state, &account, &fee, &ev)
                    .map_err(|e| e.to_string())?;
                let session = p
                    .sender_sessions
                    .state
                    .get(&params.recipient_rand_hash)
                    .ok_or("no ticket session for these params")?;
                let own_round = TicketExpirationParams {
                    creation_round: p.chain.state.round,
                    creation_round_block_hash: p.chain.state.round_block_hash,
                };
                let n = u32::try_from(staged.num_tickets).map_err(|_| "too many tickets")?;
                let (payment, sent) = create_payment(session, n, &self.wallet, me, own_round)
                    .map_err(|e| e.to_string())?;
                let mut events = staged.events.clone();
                events.push(sent);
                let header = crate::api::payment::encode_payment_header(&payment);
                Ok::<_, String>((events, (header, staged)))
            })
            .await
            .map_err(|e| e.to_string())?;
        let ((header, staged), _) = decided?;
        Ok(SegmentPayment {
            header,
            account,
            staged,
            price,
        })
    }

    /// Completes a staged payment: `pixels` charged by the O, or `None` when no usable answer
    /// came (the credit is spent).
    pub async fn complete(&self, pay: &SegmentPayment, pixels: Option<u64>) {
        let fate = match pixels {
            Some(px) => match price_rat(pay.price) {
                Ok(price) => SegmentFate::Received {
                    debit: price * BigRational::from_integer(px.into()),
                },
                Err(_) => SegmentFate::CreditSpent,
            },
            None => SegmentFate::CreditSpent,
        };
        let done = self
            .writer
            .decide(KEY, now_ms(), |p| {
                Ok::<_, String>((
                    complete_update(&p.balances.state, &pay.account, &pay.staged, &fate),
                    (),
                ))
            })
            .await;
        if let Err(e) = done {
            tracing::warn!(
                "completing the balance of session {}: {e}",
                pay.account.session
            );
        }
    }
}

impl<S: LogStore> super::service::Broadcaster<S> {
    /// Submits a segment to the session's O, paying for it first on a chain and completing the
    /// balance with what the O charged.
    pub(super) async fn submit(
        &self,
        client: &OrchClient,
        info: &OrchInfo,
        meta: &SegMeta,
        body: Vec<u8>,
        timeout: Duration,
    ) -> Result<SegmentResult, ClientError> {
        let metrics = &self.config().metrics;
        let payment = match self.paying() {
            Some(p) => Some(
                p.pay(info, &meta.profiles, meta.duration_ms)
                    .await
                    .map_err(|e| {
                        metrics.payment_create_error();
                        ClientError::Address(e)
                    })?,
            ),
            None => None,
        };
        let header = payment.as_ref().map_or("", |p| p.header.as_str());
        let sent = std::time::Instant::now();
        let answer = client
            .submit_segment(&info.transcoder, meta, header, body, timeout)
            .await;
        let (stream, uri) = (&meta.manifest_id, &info.transcoder);
        match &answer {
            Ok(_) => metrics.uploaded(stream, uri, sent.elapsed()),
            Err(e) => metrics.upload_failed(stream, uri, e),
        }
        if let (Some(paying), Some(pay)) = (self.paying(), &payment) {
            let pixels = answer
                .as_ref()
                .ok()
                .and_then(|r| r.outcome.as_ref().ok())
                .map(|segs| {
                    segs.iter()
                        .map(|s| u64::try_from(s.pixels).unwrap_or(0))
                        .sum()
                });
            paying.complete(pay, pixels).await;
            if let Ok(r) = &answer {
                self.take_refreshed(paying, &meta.manifest_id, info, r)
                    .await;
            }
        }
        answer
    }

    /// The O's answer carries fresh params (`TranscodeResult.info`): when they differ from the
    /// session's, they start a new ticket session (nonce 0) and the stream's session uses them
    /// from its next segment, as the reference's B does; params it refuses are left unused.
    async fn take_refreshed(
        &self,
        paying: &Paying<S>,
        manifest: &str,
        info: &OrchInfo,
        r: &SegmentResult,
    ) {
        let rrh = |i: &OrchInfo| i.ticket_params.as_ref().map(|t| t.recipient_rand_hash);
        let Some(fresh) = r
            .info
            .as_ref()
            .filter(|f| rrh(f).is_some() && rrh(f) != rrh(info))
        else {
            return;
        };
        let mut next = info.clone();
        next.ticket_params.clone_from(&fresh.ticket_params);
        next.price_per_unit = fresh.price_per_unit;
        next.pixels_per_unit = fresh.pixels_per_unit;
        if let Err(e) = paying.start(&next).await {
            tracing::warn!("stream {manifest}: the O's refreshed ticket params are refused: {e}");
            return;
        }
        let token = |i: &OrchInfo| i.auth_token.as_ref().map(|t| t.session_id.clone());
        let mut sessions = self.cached_sessions();
        if let Some(held) = sessions.get_mut(manifest) {
            for h in held.all_mut() {
                if token(&h.session) == token(info) {
                    h.session = next.clone();
                }
            }
        }
    }
}
